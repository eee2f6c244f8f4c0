"""Bad settings stop the program before any resource exists, with a message naming the key."""

import re

import pytest

from infra.settings import Settings, SettingsError, load_settings
from tests.support import NS, config_merged, config_with, run

PROJECT = "feathr-infra"


def load(config) -> Settings:
    return load_settings(config, PROJECT, "test")


# (description, config builder, the key the message must name, a fragment of what is allowed)
BAD_SETTINGS = [
    ("unknown top-level key", lambda: config_with("dev", colour="blue"), "feathr-infra:colour", "not a known setting"),
    (
        "unknown nested key",
        lambda: config_merged("dev", "keyVault", skuu="premium"),
        "feathr-infra:keyVault.skuu",
        "known keys",
    ),
    ("missing environment", lambda: config_with("dev", environment=None), "feathr-infra:environment", "required"),
    (
        "environment with capitals",
        lambda: config_with("dev", environment="Dev"),
        "feathr-infra:environment",
        "lowercase",
    ),
    ("environment too long", lambda: config_with("dev", environment="development"), "feathr-infra:environment", "2-8"),
    ("unknown region", lambda: config_with("dev", location="moon-north"), "feathr-infra:location", "westeurope"),
    (
        "prefix with hyphen",
        lambda: config_with("dev", prefix="con-toso"),
        "feathr-infra:prefix",
        "lowercase letters or digits",
    ),
    (
        "productionLike not a boolean",
        lambda: config_with("dev", productionLike="yes"),
        "feathr-infra:productionLike",
        "true or false",
    ),
    ("empty owner", lambda: config_with("dev", owner=""), "feathr-infra:owner", "non-empty"),
    ("missing cost center", lambda: config_with("dev", costCenter=None), "feathr-infra:costCenter", "required"),
    ("section not a mapping", lambda: config_with("dev", keyVault="premium"), "feathr-infra:keyVault", "mapping"),
    (
        "unknown storage sku",
        lambda: config_merged("dev", "offlineStore", sku="Premium_LRS"),
        "feathr-infra:offlineStore.sku",
        "Standard_ZRS",
    ),
    (
        "unknown offline store mode",
        lambda: config_merged("dev", "offlineStore", mode="borrowed"),
        "feathr-infra:offlineStore.mode",
        "dedicated, shared",
    ),
    (
        "shared store without account",
        lambda: config_merged("dev", "offlineStore", mode="shared"),
        "feathr-infra:offlineStore.existingAccountId",
        "required when mode is 'shared'",
    ),
    (
        "dedicated store with existing account",
        lambda: config_merged(
            "dev",
            "offlineStore",
            existingAccountId="/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/shareddata",
        ),
        "feathr-infra:offlineStore.existingAccountId",
        "only allowed with mode 'shared'",
    ),
    (
        "malformed account id",
        lambda: config_merged("dev", "offlineStore", mode="shared", existingAccountId="shareddata"),
        "feathr-infra:offlineStore.existingAccountId",
        "resource id",
    ),
    (
        "soft delete days not an integer",
        lambda: config_merged("dev", "offlineStore", softDeleteDays="two weeks"),
        "feathr-infra:offlineStore.softDeleteDays",
        "integer from 0 to 365",
    ),
    (
        "soft delete days out of range",
        lambda: config_merged("dev", "offlineStore", softDeleteDays=400),
        "feathr-infra:offlineStore.softDeleteDays",
        "0 to 365",
    ),
    (
        "container name with capitals",
        lambda: config_merged("dev", "offlineStore", container="Features"),
        "feathr-infra:offlineStore.container",
        "lowercase",
    ),
    (
        "allow-all ip range",
        lambda: config_merged("dev", "offlineStore", networkDefaultAction="Deny", allowedIpRanges=["0.0.0.0/0"]),
        "feathr-infra:offlineStore.allowedIpRanges[0]",
        "never 0.0.0.0/0",
    ),
    (
        "private ip range",
        lambda: config_merged("dev", "keyVault", networkDefaultAction="Deny", allowedIpRanges=["10.1.0.0/16"]),
        "feathr-infra:keyVault.allowedIpRanges[0]",
        "public IPv4",
    ),
    (
        "a vault firewall the registry's Key Vault reference cannot pass",
        lambda: config_merged("dev", "keyVault", networkDefaultAction="Deny", allowedIpRanges=["203.0.113.0/24"]),
        "feathr-infra:keyVault.networkDefaultAction",
        "App Service is no trusted service",
    ),
    (
        "closed offline store without Synapse's managed network",
        lambda: config_merged(
            "prod",
            "spark",
            synapse={**config_merged("prod", "spark")["feathr-infra:spark"]["synapse"], "managedVirtualNetwork": False},
        ),
        "feathr-infra:spark.synapse.managedVirtualNetwork",
        "private endpoint",
    ),
    (
        "exfiltration protection without a local Feathr jar",
        lambda: config_merged(
            "prod",
            "spark",
            synapse={
                **config_merged("prod", "spark")["feathr-infra:spark"]["synapse"],
                "preventDataExfiltration": True,
            },
        ),
        "feathr-infra:spark.synapse.preventDataExfiltration",
        "feathrRuntimeLocation",
    ),
    (
        "databricks without the account key its jobs use",
        lambda: config_merged("dev", "spark", runtime="databricks"),
        "feathr-infra:offlineStore.sharedKeyAccess",
        "account key",
    ),
    (
        "databricks behind a closed offline store",
        lambda: config_with(
            "dev",
            spark={"runtime": "databricks"},
            offlineStore={
                "sharedKeyAccess": True,
                "networkDefaultAction": "Deny",
                "allowedIpRanges": ["203.0.113.0/24"],
            },
        ),
        "feathr-infra:offlineStore.networkDefaultAction",
        "VNet injection",
    ),
    (
        "a /31 range storage rejects",
        lambda: config_merged("dev", "keyVault", networkDefaultAction="Deny", allowedIpRanges=["203.0.113.0/31"]),
        "feathr-infra:keyVault.allowedIpRanges[0]",
        "/8 to /30",
    ),
    (
        "ip ranges while network is open",
        lambda: config_merged("dev", "offlineStore", allowedIpRanges=["203.0.113.0/24"]),
        "feathr-infra:offlineStore.allowedIpRanges",
        "networkDefaultAction 'Deny'",
    ),
    (
        "shared key access not a boolean",
        lambda: config_merged("dev", "offlineStore", sharedKeyAccess="sometimes"),
        "feathr-infra:offlineStore.sharedKeyAccess",
        "true or false",
    ),
    (
        "production without geo-redundant storage",
        lambda: config_merged("prod", "offlineStore", sku="Standard_ZRS"),
        "feathr-infra:offlineStore.sku",
        "geo-redundant",
    ),
    (
        "production without backups",
        lambda: config_merged("prod", "offlineStore", softDeleteDays=0),
        "feathr-infra:offlineStore.softDeleteDays",
        "soft delete (backups)",
    ),
    (
        "production without purge protection",
        lambda: config_merged("prod", "keyVault", purgeProtection=False),
        "feathr-infra:keyVault.purgeProtection",
        "production-like",
    ),
    (
        "vault soft delete too short",
        lambda: config_merged("dev", "keyVault", softDeleteRetentionDays=3),
        "feathr-infra:keyVault.softDeleteRetentionDays",
        "7 to 90",
    ),
    (
        "unknown vault sku",
        lambda: config_merged("dev", "keyVault", sku="gold"),
        "feathr-infra:keyVault.sku",
        "premium, standard",
    ),
    (
        "name override breaking the storage rule",
        lambda: config_with("dev", names={"storage_account": "Contoso-Dev"}),
        "feathr-infra:names.storage_account",
        "lowercase letters and digits",
    ),
    (
        "name override too long for a key vault",
        lambda: config_with("dev", names={"key_vault": "a" * 25}),
        "feathr-infra:names.key_vault",
        "3-24",
    ),
    (
        "unknown name override",
        lambda: config_with("dev", names={"storage": "x"}),
        "feathr-infra:names.storage",
        "not a known setting",
    ),
]


@pytest.mark.parametrize("config, key, allowed", [pytest.param(b(), k, a, id=d) for d, b, k, a in BAD_SETTINGS])
def test_bad_setting_is_rejected_naming_the_key(config, key, allowed):
    with pytest.raises(SettingsError) as error:
        load(config)
    message = str(error.value)
    assert re.search(rf"setting {re.escape(key)}(?![\w.\[])", message), message
    assert allowed in message, message


def test_at_least_twenty_distinct_bad_settings_are_covered():
    assert len({key for _, _, key, _ in BAD_SETTINGS}) >= 20


def test_message_shows_the_value_given():
    with pytest.raises(SettingsError, match=r"feathr-infra:location = 'moon-north'"):
        load(config_with("dev", location="moon-north"))


def test_a_settings_error_stops_the_program_before_any_resource_is_declared():
    from infra.offline import runner

    monitor_resources = []
    original = runner.RecordingMonitor

    class Spy(original):  # type: ignore[misc, valid-type]
        def __init__(self, mocks):
            super().__init__(mocks)
            monitor_resources.append(self.recorded)

    runner.RecordingMonitor = Spy
    try:
        with pytest.raises(SettingsError):
            run("dev", config_with("dev", location="moon-north"))
    finally:
        runner.RecordingMonitor = original
    assert monitor_resources and monitor_resources[0] == []


def test_settings_are_frozen():
    settings = load(config_with("dev"))
    with pytest.raises(AttributeError):
        settings.env.production_like = True  # type: ignore[misc]


def test_structured_values_arrive_as_json_text_like_from_the_pulumi_engine():
    import json

    config = {key: value if isinstance(value, str) else json.dumps(value) for key, value in config_with("prod").items()}
    settings = load(config)
    assert settings.env.production_like is True
    # Pulumi.prod.yaml: a nested object with an integer, and lists inside nested objects.
    assert settings.registry.sql.secondary_location == "northeurope"
    assert settings.registry.sql.long_term_retention.week_of_year == 1
    assert settings.network.partner is not None and settings.network.partner.address_space == ("10.41.0.0/24",)
    assert settings.network.primary is not None and settings.network.primary.address_space == ("10.40.0.0/22",)


def test_defaults_come_from_pulumi_yaml():
    settings = load(
        {
            NS + k: v
            for k, v in {
                "environment": "qa",
                "location": "westeurope",
                "prefix": "acme",
                "owner": "o",
                "costCenter": "c",
            }.items()
        }
    )
    assert settings.offline_store.sku == "Standard_ZRS"
    assert settings.offline_store.shared_key_access is False
    assert settings.key_vault.purge_protection is False

"""Key Vault: RBAC, soft delete, purge protection where production-like, network rules from settings."""

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import config_merged, run

VAULT = "azure-native:keyvault:Vault"


def test_vault_uses_rbac_and_soft_delete(stack_run):
    properties = stack_run.one(VAULT).inputs["properties"]
    assert properties["enableRbacAuthorization"] is True
    assert properties["enableSoftDelete"] is True
    assert properties["tenantId"]


def test_purge_protection_in_production_and_omitted_elsewhere(dev, prod):
    assert prod.one(VAULT).inputs["properties"]["enablePurgeProtection"] is True
    # never sent as false: Azure refuses to turn it off once on, so it is omitted instead
    assert "enablePurgeProtection" not in dev.one(VAULT).inputs["properties"]


def test_purge_protection_can_be_chosen_outside_production():
    result = run("dev", config_merged("dev", "keyVault", purgeProtection=True))
    assert result.one(VAULT).inputs["properties"]["enablePurgeProtection"] is True


def test_network_rules_from_settings(dev, prod):
    assert dev.one(VAULT).inputs["properties"]["networkAcls"]["defaultAction"] == "Allow"
    assert dev.one(VAULT).inputs["properties"]["publicNetworkAccess"] == "Enabled"
    # Prod is private: Deny, public access off; the registry app comes through its VNet integration.
    assert prod.one(VAULT).inputs["properties"]["networkAcls"] == {
        "defaultAction": "Deny",
        "bypass": "AzureServices",
        "ipRules": [],
    }
    assert prod.one(VAULT).inputs["properties"]["publicNetworkAccess"] == "Disabled"


def test_a_private_vault_must_deny_and_takes_no_ip_ranges():
    config = config_merged("prod", "keyVault", networkDefaultAction="Allow")
    with pytest.raises(SettingsError, match=r"feathr-infra:keyVault\.networkDefaultAction = 'Allow': must be 'Deny'"):
        load_settings(config, "feathr-infra", "prod")
    config = config_merged("prod", "keyVault", allowedIpRanges=["203.0.113.0/24"])
    with pytest.raises(
        SettingsError, match=r"feathr-infra:keyVault\.allowedIpRanges = \[\"203\.0\.113\.0/24\"\]: unused"
    ):
        load_settings(config, "feathr-infra", "prod")


@pytest.mark.parametrize("backend", ["sql", "purview"])
def test_a_deny_vault_is_refused_while_the_registry_reads_it_through_a_key_vault_reference(backend):
    # Registry RBAC is always on, so even the Purview backend reads CONNECTION_STR (its userroles)
    # through a Key Vault reference, which a vault firewall blocks for App Service without VNet integration.
    config = config_merged("dev", "registry", backend=backend)
    config["feathr-infra:keyVault"] = {"networkDefaultAction": "Deny", "allowedIpRanges": ["203.0.113.0/24"]}
    with pytest.raises(SettingsError, match=r"feathr-infra:keyVault\.networkDefaultAction = 'Deny'"):
        load_settings(config, "feathr-infra", "dev")


def test_retention_and_sku_from_settings(dev, prod):
    assert dev.one(VAULT).inputs["properties"]["softDeleteRetentionInDays"] == 7
    assert prod.one(VAULT).inputs["properties"]["sku"] == {"family": "A", "name": "premium"}


def test_vault_uri_is_exported(prod):
    name = prod.outputs["keyVaultName"].value
    assert prod.outputs["keyVaultUri"].value == f"https://{name}.vault.azure.net/"


# --- Secret lifetime: every secret the program writes expires -------------------------------------

SECRET = "azure-native:keyvault:Secret"
SCHEDULE = "time:index/rotating:Rotating"
# 2026-12-01T00:00:00Z (the offline schedules' base timestamp, fabricators/rotation.py) + 90 days
# (the default keyVault.secretLifetimeDays): 1796083200 + 7776000.
DEFAULT_EXPIRY = 1803859200
# Every secret each stack writes, by name: a new secret must be added here, with its expiry.
# FEATHR-REGISTRY-SQL-ADMIN-PASSWORD: the SQL administrator's, kept for break-glass (issue 14).
SECRETS_BY_STACK = {
    "dev": {"FEATHR-REGISTRY-SQL-CONNECTION-STRING", "FEATHR-REGISTRY-SQL-ADMIN-PASSWORD", "REDIS-PASSWORD"},
    "prod": {"FEATHR-REGISTRY-SQL-CONNECTION-STRING", "FEATHR-REGISTRY-SQL-ADMIN-PASSWORD", "REDIS-PASSWORD"},
}
DATABRICKS_TOKEN_SECRETS = {
    "FEATHR-REGISTRY-SQL-CONNECTION-STRING",
    "FEATHR-REGISTRY-SQL-ADMIN-PASSWORD",
    "REDIS-PASSWORD",
    "ADLS-ACCOUNT",
    "ADLS-KEY",
    "DATABRICKS-WORKSPACE-TOKEN-VALUE",
}


def secrets_of(result):
    return {s.inputs["secretName"]: s for s in result.of_type(SECRET)}


def expiry_of(secret):
    return secret.inputs["properties"]["attributes"]["expires"]


def test_every_secret_of_every_stack_expires(stack_run):
    secrets = secrets_of(stack_run)
    assert set(secrets) == SECRETS_BY_STACK[stack_run.stack]
    for name, secret in secrets.items():
        assert expiry_of(secret) == DEFAULT_EXPIRY, name
        assert secret.inputs["properties"]["attributes"]["enabled"] is True


def test_copied_secrets_of_a_databricks_stack_expire_too():
    from tests.test_secret_hygiene import databricks_with_token

    secrets = secrets_of(run("prod", databricks_with_token("prod")))
    assert set(secrets) == DATABRICKS_TOKEN_SECRETS
    assert {name: expiry_of(s) for name, s in secrets.items()} == dict.fromkeys(
        DATABRICKS_TOKEN_SECRETS, DEFAULT_EXPIRY
    )


def test_expiry_is_the_schedule_base_plus_the_lifetime_from_settings():
    result = run("dev", config_merged("dev", "keyVault", rotationDays=20, secretLifetimeDays=30))
    # 1796083200 (2026-12-01T00:00:00Z) + 30 * 86400
    assert {expiry_of(s) for s in result.of_type(SECRET)} == {1798675200}
    assert {s.inputs["rotationDays"] for s in result.of_type(SCHEDULE)} == {20}


def test_each_secret_depends_on_the_schedule_its_expiry_comes_from(dev):
    schedules = {s.urn: s.logical_name for s in dev.of_type(SCHEDULE)}
    for name, secret in secrets_of(dev).items():
        used = {schedules[u] for u in secret.depends_on if u in schedules}
        assert len(used) == 1, (name, used)


def test_expiry_from_a_base_timestamp():
    from infra.components.secret_rotation import expires_at

    # 2027-01-31T12:00:00Z is 1801396800 (date -ud 2027-01-31T12:00:00Z +%s); + 1 day
    assert expires_at("2027-01-31T12:00:00Z", 1) == 1801483200


def test_schedule_rotates_on_the_configured_interval_and_on_demand(dev):
    schedules = dev.of_type(SCHEDULE)
    assert schedules and {s.inputs["rotationDays"] for s in schedules} == {60}
    assert {s.inputs["triggers"]["rotationTrigger"] for s in schedules} == {""}
    bumped = run("dev", config_merged("dev", "keyVault", rotationTrigger="2026-12-24"))
    # a changed trigger replaces every schedule (the provider marks `triggers` RequiresReplace)
    assert {s.inputs["triggers"]["rotationTrigger"] for s in bumped.of_type(SCHEDULE)} == {"2026-12-24"}

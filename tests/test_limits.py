"""Every length, count and range rule at exactly its limit and one past it, with Azure's published
limit written here as a number next to its source (never read from the code under test).

Names: Microsoft Learn, "Naming rules and restrictions for Azure resources"
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules), per
resource provider; Purview from the ARM reference of Microsoft.Purview/accounts. Names are set as
overrides (`names: {<key>: ...}`) and go through the settings parser, as a stack file would.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.offline.runner import stack_config
from infra.settings import load_settings
from infra.settings.errors import SettingsError

NS = "feathr-infra:"

# name key -> (min length, max length, a character Azure accepts there) from the Learn page.
NAME_LIMITS = {
    "resource_group": (1, 90, "a"),  # Microsoft.Resources/resourcegroups 1-90
    "synapse_managed_resource_group": (1, 90, "a"),
    "databricks_managed_resource_group": (1, 90, "a"),
    "purview_managed_resource_group": (1, 90, "a"),
    "storage_account": (3, 24, "a"),  # Microsoft.Storage/storageAccounts 3-24
    "storage_container": (3, 63, "a"),  # storageAccounts/blobServices/containers 3-63
    "key_vault": (3, 24, "a"),  # Microsoft.KeyVault/vaults 3-24
    "registry_identity": (3, 128, "a"),  # Microsoft.ManagedIdentity/userAssignedIdentities 3-128
    "purview_admin_identity": (3, 128, "a"),
    "redis_persistence_identity": (3, 128, "a"),
    "registry_sql_server": (1, 63, "a"),  # Microsoft.Sql/servers 1-63
    "registry_sql_partner_server": (1, 63, "a"),
    "registry_sql_database": (1, 128, "a"),  # servers/databases 1-128
    "registry_sql_failover_group": (1, 63, "a"),  # servers/failoverGroups 1-63
    "registry_plan": (1, 60, "a"),  # Microsoft.Web/serverfarms 1-60
    "registry_app": (2, 60, "a"),  # Microsoft.Web/sites 2-60
    "redis_cache": (1, 63, "a"),  # Microsoft.Cache/redis 1-63
    "redis_cache_secondary": (1, 63, "a"),
    "managed_redis": (1, 60, "a"),  # Microsoft.Cache/redisEnterprise 1-60
    "synapse_workspace": (1, 50, "a"),  # Microsoft.Synapse/workspaces 1-50
    "synapse_spark_pool": (1, 15, "a"),  # workspaces/bigDataPools 1-15
    "purview_account": (3, 63, "a"),  # Microsoft.Purview/accounts 3-63
    "registry_bootstrap_script": (1, 90, "a"),  # Microsoft.Resources/deploymentScripts 1-90
    "purview_curator_script": (1, 90, "a"),
    "databricks_workspace": (3, 64, "a"),  # Microsoft.Databricks/workspaces 3-64
}


def load(stack: str, **sections: dict[str, Any]):
    """Settings of `stack` with `sections` deep-merged into its config (nested dicts merge)."""
    config = copy.deepcopy(stack_config(stack))

    def merge(into: dict, values: dict) -> dict:
        for key, value in values.items():
            into[key] = merge(dict(into.get(key) or {}), value) if isinstance(value, dict) else value
        return into

    for section, values in sections.items():
        key = NS + section
        if isinstance(values, dict):
            config[key] = merge(dict(config.get(key) or {}), values)
        else:
            config[key] = values
    return load_settings(config, "feathr-infra", stack)


def rejected(stack: str, full_key: str, **sections) -> str:
    with pytest.raises(SettingsError) as error:
        load(stack, **sections)
    assert full_key in str(error.value), str(error.value)
    return str(error.value)


def test_every_name_key_has_a_limit_here():
    from infra.naming import NAMED_RESOURCES

    assert set(NAMED_RESOURCES) == set(NAME_LIMITS)


_STORE_ID = (
    "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-redis-backup"
    "/providers/Microsoft.Storage/storageAccounts/contosoredisbackup"
)
_DATABRICKS = {"spark": {"runtime": "databricks"}, "offlineStore": {"sharedKeyAccess": True}}
_PURVIEW = {"registry": {"backend": "purview"}}
_LEGACY = {"onlineStore": {"kind": "cache-for-redis", "sku": "Basic"}}
# An override counts only where its resource is built: the settings that build each one.
BUILT_BY = {
    "databricks_workspace": _DATABRICKS,
    "databricks_managed_resource_group": _DATABRICKS,
    "purview_account": _PURVIEW,
    "purview_admin_identity": _PURVIEW,
    "purview_curator_script": _PURVIEW,
    "purview_managed_resource_group": _PURVIEW,
    "redis_cache": _LEGACY,
    "redis_cache_secondary": {
        "onlineStore": {
            "kind": "cache-for-redis",
            "sku": "Premium",
            "capacity": 1,
            "geoReplication": {"secondaryLocation": "northeurope"},
        }
    },
    "redis_persistence_identity": {
        "onlineStore": {
            "kind": "cache-for-redis",
            "sku": "Premium",
            "capacity": 1,
            "persistence": "rdb",
            "persistenceStorageAccountId": _STORE_ID,
        }
    },
    "registry_sql_failover_group": {"registry": {"sql": {"secondaryLocation": "northeurope", "autoPauseDelay": -1}}},
    "registry_sql_partner_server": {"registry": {"sql": {"secondaryLocation": "northeurope", "autoPauseDelay": -1}}},
}


def with_name(name_key: str, name: str) -> tuple[dict[str, Any], str]:
    """The sections that set `name` for `name_key`, and the full key an error must name."""
    if name_key == "storage_container":  # the container's name is a setting of its own
        return {"offlineStore": {"container": name}}, f"{NS}offlineStore.container"
    return {**BUILT_BY.get(name_key, {}), "names": {name_key: name}}, f"{NS}names.{name_key}"


def name_of(settings, name_key: str) -> str:
    return settings.offline_store.container if name_key == "storage_container" else settings.names.of(name_key)


@pytest.mark.parametrize("name_key", sorted(NAME_LIMITS))
def test_name_at_its_azure_limits(name_key):
    low, high, char = NAME_LIMITS[name_key]
    for length in {low, high}:
        sections, _ = with_name(name_key, char * length)
        assert name_of(load("dev", **sections), name_key) == char * length
    sections, key = with_name(name_key, char * (high + 1))
    rejected("dev", key, **sections)
    if low > 1:
        sections, key = with_name(name_key, char * (low - 1))
        rejected("dev", key, **sections)


# Character rules from the same Learn page: (name key, a name Azure rejects).
REJECTED_NAMES = [
    ("storage_account", "Upper1"),  # lowercase letters and numbers
    ("storage_account", "has-dash"),
    ("storage_container", "a--b"),  # every dash preceded and followed by a letter or number
    ("storage_container", "ab-"),
    ("storage_container", "-ab"),
    ("key_vault", "1abc"),  # start with a letter
    ("key_vault", "ab--cd"),  # no consecutive hyphens
    ("key_vault", "abc-"),  # end with a letter or digit
    ("registry_sql_server", "Upper"),  # lowercase letters, numbers, hyphens
    ("registry_sql_server", "-abc"),
    ("registry_sql_server", "abc-"),
    ("registry_app", "-abc"),  # can't start or end with a hyphen
    ("registry_app", "abc-"),
    ("redis_cache", "ab--cd"),  # consecutive hyphens aren't allowed
    ("redis_cache", "-abc"),
    ("managed_redis", "ab--cd"),
    ("managed_redis", "abc-"),
    ("synapse_workspace", "ws-ondemand"),  # can't contain -ondemand
    ("synapse_workspace", "Upper"),
    ("synapse_spark_pool", "1pool"),  # start with a letter
    ("synapse_spark_pool", "my-pool"),  # letters and numbers only
    ("purview_account", "a--bc"),  # ^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$
    ("purview_account", "abc-"),
    ("resource_group", "ends-with."),  # can't end with a period
]


@pytest.mark.parametrize("name_key, name", REJECTED_NAMES)
def test_name_characters_azure_rejects(name_key, name):
    sections, key = with_name(name_key, name)
    rejected("dev", key, **sections)


# Characters Azure accepts that a too-strict rule would refuse.
ACCEPTED_NAMES = [
    ("managed_redis", "1cache"),  # Managed Redis may start with a digit
    ("purview_account", "1view"),  # the ARM pattern allows a leading digit
    ("storage_container", "1a-b"),
    ("key_vault", "Kv-Name1"),  # letters of either case
    ("registry_identity", "id_with-under"),
    ("resource_group", "rg_(x).y-z"),
]


@pytest.mark.parametrize("name_key, name", ACCEPTED_NAMES)
def test_name_characters_azure_accepts(name_key, name):
    sections, _ = with_name(name_key, name)
    assert name_of(load("dev", **sections), name_key) == name


# Environment and prefix: the project's own rule (Pulumi.yaml: 2-8 and 2-10 lowercase letters or
# digits), since both go into every resource name and the 24-character vault and storage names.
@pytest.mark.parametrize(
    "key, ok, too_long, too_short",
    [("environment", "abcdefgh", "abcdefghi", "a"), ("prefix", "abcdefghij", "abcdefghijk", "a")],
)
def test_environment_and_prefix_lengths(key, ok, too_long, too_short):
    assert getattr(load("dev", **{key: ok}).env, key) == ok
    assert getattr(load("dev", **{key: ok[:2]}).env, key) == ok[:2]
    rejected("dev", f"{NS}{key}", **{key: too_long})
    rejected("dev", f"{NS}{key}", **{key: too_short})


SYNAPSE = {"spark": {"synapse": {}}}


def synapse(**values):
    return {"spark": {"synapse": values}}


def sql(**values):
    return {"registry": {"sql": values}}


# (stack, sections at the limit, sections one past it, the full key the error must name, source)
RANGES = [
    # Key Vault soft-delete retention 7-90 days (Learn "Azure Key Vault soft-delete overview").
    (
        "dev",
        {"keyVault": {"softDeleteRetentionDays": 7}},
        {"keyVault": {"softDeleteRetentionDays": 6}},
        "keyVault.softDeleteRetentionDays",
    ),
    (
        "dev",
        {"keyVault": {"softDeleteRetentionDays": 90}},
        {"keyVault": {"softDeleteRetentionDays": 91}},
        "keyVault.softDeleteRetentionDays",
    ),
    # Blob soft delete: 1-365 days (Learn "Soft delete for blobs"); 0 turns it off.
    (
        "dev",
        {"offlineStore": {"softDeleteDays": 365}},
        {"offlineStore": {"softDeleteDays": 366}},
        "offlineStore.softDeleteDays",
    ),
    (
        "dev",
        {"offlineStore": {"softDeleteDays": 0}},
        {"offlineStore": {"softDeleteDays": -1}},
        "offlineStore.softDeleteDays",
    ),
    # The production floor of the project: at least 7 days of soft delete (Pulumi.yaml).
    (
        "prod",
        {"offlineStore": {"softDeleteDays": 7}},
        {"offlineStore": {"softDeleteDays": 6}},
        "offlineStore.softDeleteDays",
    ),
    # Synapse Spark pools autoscale between 3 and 200 nodes (Learn "Apache Spark pool configurations").
    ("dev", synapse(minNodes=3, maxNodes=200), synapse(minNodes=2, maxNodes=200), "spark.synapse.minNodes"),
    ("dev", synapse(minNodes=3, maxNodes=200), synapse(minNodes=3, maxNodes=201), "spark.synapse.maxNodes"),
    # Auto-pause delay of a Synapse pool: 5 minutes to 7 days (10080 minutes).
    ("dev", synapse(autoPauseMinutes=5), synapse(autoPauseMinutes=4), "spark.synapse.autoPauseMinutes"),
    ("dev", synapse(autoPauseMinutes=10080), synapse(autoPauseMinutes=10081), "spark.synapse.autoPauseMinutes"),
    ("dev", synapse(executorNum=1), synapse(executorNum=0), "spark.synapse.executorNum"),
    # 200 executors need a pool that holds them (Medium nodes: 8 vCores each).
    (
        "dev",
        synapse(executorNum=200, maxNodes=200, nodeSize="Medium"),
        synapse(executorNum=201, maxNodes=200, nodeSize="Medium"),
        "spark.synapse.executorNum",
    ),
    # SQL point-in-time restore retention 1-35 days (Learn "Automated backups in Azure SQL Database").
    ("dev", sql(shortTermRetentionDays=1), sql(shortTermRetentionDays=0), "registry.sql.shortTermRetentionDays"),
    ("dev", sql(shortTermRetentionDays=35), sql(shortTermRetentionDays=36), "registry.sql.shortTermRetentionDays"),
    # Serverless auto-pause delay 15-10080 minutes, or -1 (Learn "Serverless compute tier").
    ("dev", sql(autoPauseDelay=15), sql(autoPauseDelay=14), "registry.sql.autoPauseDelay"),
    ("dev", sql(autoPauseDelay=10080), sql(autoPauseDelay=10081), "registry.sql.autoPauseDelay"),
    # Failover group grace period: at least 1 hour, whole hours (Learn "Failover groups"); project max 24 h.
    (
        "prod",
        sql(failoverGracePeriodMinutes=60),
        sql(failoverGracePeriodMinutes=59),
        "registry.sql.failoverGracePeriodMinutes",
    ),
    (
        "prod",
        sql(failoverGracePeriodMinutes=1440),
        sql(failoverGracePeriodMinutes=1441),
        "registry.sql.failoverGracePeriodMinutes",
    ),
    (
        "prod",
        sql(failoverGracePeriodMinutes=120),
        sql(failoverGracePeriodMinutes=90),
        "registry.sql.failoverGracePeriodMinutes",
    ),
    # Long-term retention: weekly up to 520 weeks, monthly 120 months, yearly 10 years (Learn "Long-term retention").
    (
        "prod",
        sql(longTermRetention={"weekly": "P520W"}),
        sql(longTermRetention={"weekly": "P521W"}),
        "registry.sql.longTermRetention.weekly",
    ),
    (
        "prod",
        sql(longTermRetention={"monthly": "P120M"}),
        sql(longTermRetention={"monthly": "P121M"}),
        "registry.sql.longTermRetention.monthly",
    ),
    (
        "prod",
        sql(longTermRetention={"yearly": "P10Y", "weekOfYear": 52}),
        sql(longTermRetention={"yearly": "P11Y"}),
        "registry.sql.longTermRetention.yearly",
    ),
    (
        "prod",
        sql(longTermRetention={"yearly": "P1Y", "weekOfYear": 1}),
        sql(longTermRetention={"yearly": "P1Y", "weekOfYear": 53}),
        "registry.sql.longTermRetention.weekOfYear",
    ),
    # App Service: at most 30 instances on Premium v3 (Learn "App Service limits").
    ("prod", {"registryApi": {"instances": 30}}, {"registryApi": {"instances": 31}}, "registryApi.instances"),
    (
        "dev",
        {"feathrClient": {"sparkResultOutputParts": 1000}},
        {"feathrClient": {"sparkResultOutputParts": 1001}},
        "feathrClient.sparkResultOutputParts",
    ),
    (
        "dev",
        {"feathrClient": {"sparkResultOutputParts": 1}},
        {"feathrClient": {"sparkResultOutputParts": 0}},
        "feathrClient.sparkResultOutputParts",
    ),
]


@pytest.mark.parametrize("stack, at_limit, past_limit, key", RANGES, ids=[f"{r[3]}-{i}" for i, r in enumerate(RANGES)])
def test_range_at_the_limit_and_one_past(stack, at_limit, past_limit, key):
    load(stack, **at_limit)
    rejected(stack, NS + key, **past_limit)


def test_weekly_only_long_term_retention_is_kept():
    config = copy.deepcopy(stack_config("prod"))
    config[NS + "registry"]["sql"]["longTermRetention"] = {"weekly": "P12W"}
    retention = load_settings(config, "feathr-infra", "prod").registry.sql.long_term_retention
    assert retention is not None and retention.weekly == "P12W"


def test_weekly_only_long_term_retention_reaches_the_database():
    from tests.support import run

    config = copy.deepcopy(stack_config("dev"))
    config[NS + "registry"]["sql"]["longTermRetention"] = {"weekly": "P4W"}
    config[NS + "registry"]["sql"]["autoPauseDelay"] = -1  # Azure does not auto-pause with LTR
    (policy,) = run("dev", config).of_type("azure-native:sql:LongTermRetentionPolicy")
    assert policy.inputs["weeklyRetention"] == "P4W"
    assert policy.inputs.get("monthlyRetention") is None and policy.inputs.get("yearlyRetention") is None
    assert policy.inputs.get("weekOfYear") is None

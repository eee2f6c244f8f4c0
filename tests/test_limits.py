"""Every length, count and range rule at exactly its limit and one past it, with Azure's published
limit written here as a number next to its source (never read from the code under test).

Names: Microsoft Learn, "Naming rules and restrictions for Azure resources"
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, ms.date
2025-03-14), one row per resource provider / entity as cited; where the page has no row, the SDK's
docstring or the Azure REST API spec (azure-rest-api-specs, path cited). Names are set as overrides
(`names: {<key>: ...}`) and go through the settings parser, as a stack file would.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.offline.runner import stack_config
from infra.settings import load_settings
from infra.settings.errors import SettingsError

NS = "feathr-infra:"

# name key -> (min length, max length, a character Azure accepts there).
NAME_LIMITS = {
    "resource_group": (1, 90, "a"),  # Learn Microsoft.Resources / resourcegroups: 1-90
    "synapse_managed_resource_group": (1, 90, "a"),  # the same row
    "databricks_managed_resource_group": (1, 90, "a"),  # the same row
    "purview_managed_resource_group": (1, 90, "a"),  # the same row
    "storage_account": (3, 24, "a"),  # Learn Microsoft.Storage / storageAccounts: 3-24
    "script_storage_account": (3, 24, "a"),  # the same row
    "storage_container": (3, 63, "a"),  # Learn Microsoft.Storage / storageAccounts / blobServices / containers: 3-63
    "key_vault": (3, 24, "a"),  # Learn Microsoft.KeyVault / vaults: 3-24
    "registry_identity": (3, 128, "a"),  # Learn Microsoft.ManagedIdentity / userAssignedIdentities: 3-128
    "purview_admin_identity": (3, 128, "a"),  # the same row
    "redis_persistence_identity": (3, 128, "a"),  # the same row
    "registry_bootstrap_identity": (3, 128, "a"),  # the same row
    "registry_sql_server": (1, 63, "a"),  # Learn Microsoft.Sql / servers: 1-63
    "registry_sql_partner_server": (1, 63, "a"),  # the same row
    "registry_sql_database": (1, 128, "a"),  # Learn Microsoft.Sql / servers / databases: 1-128
    "registry_sql_failover_group": (1, 63, "a"),  # Learn Microsoft.Sql / servers / failoverGroups: 1-63
    "registry_plan": (1, 60, "a"),  # Learn Microsoft.Web / serverfarms: 1-60
    "registry_app": (2, 60, "a"),  # Learn Microsoft.Web / sites: 2-60
    "registry_standby_plan": (1, 60, "a"),  # Learn Microsoft.Web / serverfarms: 1-60
    "registry_standby_app": (2, 60, "a"),  # Learn Microsoft.Web / sites: 2-60
    "registry_standby_identity": (3, 128, "a"),  # Learn Microsoft.ManagedIdentity / userAssignedIdentities: 3-128
    "registry_front_door": (1, 260, "a"),  # Learn Microsoft.Cdn / profiles: 1-260
    # Learn has no afdEndpoints row; its neighbour Microsoft.Cdn / profiles / endpoints: 1-50
    "registry_front_door_endpoint": (1, 50, "a"),
    "registry_waf_policy": (1, 128, "a"),  # Learn Microsoft.Network / frontdoorWebApplicationFirewallPolicies: 1-128
    "redis_cache": (1, 63, "a"),  # Learn Microsoft.Cache / Redis: 1-63
    "redis_cache_secondary": (1, 63, "a"),  # the same row
    # Learn has no redisEnterprise row: SDK redisenterprise.RedisEnterprise cluster_name (API 2025-07-01): 1-60
    "managed_redis": (1, 60, "a"),
    "managed_redis_secondary": (1, 60, "a"),  # the same docstring
    "synapse_workspace": (1, 50, "a"),  # Learn Microsoft.Synapse / workspaces: 1-50
    "synapse_spark_pool": (1, 15, "a"),  # Learn Microsoft.Synapse / workspaces / bigDataPools: 1-15
    "purview_account": (3, 63, "a"),  # no Learn row: REST spec purview/.../Microsoft.Purview/Purview/Account.tsp: 3-63
    # No Learn row: REST spec resources/.../deploymentScripts/stable/2023-08-01/deploymentScripts.json, scriptName
    # (minLength 1, maxLength 90; DeploymentScript.tsp the same), the API version the SDK's AzureCliScript uses.
    "registry_bootstrap_script": (1, 90, "a"),
    "purview_curator_script": (1, 90, "a"),  # the same spec
    "databricks_workspace": (3, 64, "a"),  # Learn Microsoft.Databricks / workspaces: 3-64 (Workspace.tsp: 3-64)
    "log_analytics_workspace": (4, 63, "a"),  # Learn Microsoft.OperationalInsights / workspaces: 4-63
    # No Learn row and no pattern in the REST spec (synapse 2021-06-01 privateLinkHubName): this program's
    # conservative rule (infra/naming.py), unverified against Azure.
    "synapse_private_link_hub": (1, 45, "a"),
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
# A private Synapse workspace (network.mode private) is the one that gets a Studio private link hub.
_PRIVATE_SYNAPSE = {
    "network": {
        "mode": "private",
        "primary": {
            "addressSpace": ["10.50.0.0/22"],
            "subnets": {
                "endpoints": "10.50.0.0/24",
                "appIntegration": "10.50.1.0/26",
                "deploymentScripts": "10.50.1.64/27",
            },
        },
    },
    "spark": {
        "materializeOnlineStore": False,
        "synapse": {"managedVirtualNetwork": True, "rbacRunner": "deployingMachine", "allowedIpRanges": []},
    },
}
# dev in network.mode private (as tests/variants.py private_dev builds it), where the deployment scripts run in
# the script subnet with their own storage account and the schema bootstrap has an identity.
_PRIVATE = {
    **_PRIVATE_SYNAPSE,
    "registry": {"sql": {"allowAzureServices": False, "allowedIpRanges": []}},
}
# An override counts only where its resource is built: the settings that build each one.
BUILT_BY = {
    "synapse_private_link_hub": _PRIVATE,
    "registry_bootstrap_identity": _PRIVATE,
    "script_storage_account": _PRIVATE,
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
    "managed_redis_secondary": {
        "onlineStore": {
            "sku": "Balanced_B3",
            "highAvailability": True,
            "geoReplication": {"groupNickname": "feathr-prod", "secondaryLocation": "northeurope"},
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
    **{
        key: {
            "registry": {"sql": {"secondaryLocation": "northeurope", "autoPauseDelay": -1}},
            "registryApi": {"standby": {"enabled": True}},
        }
        for key in (
            "registry_standby_plan",
            "registry_standby_app",
            "registry_standby_identity",
            "registry_front_door",
            "registry_front_door_endpoint",
            "registry_waf_policy",
        )
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


# Character rules from the same Learn rows (and sources) as above: (name key, a name Azure rejects).
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
    ("registry_front_door", "-afd"),  # Learn Microsoft.Cdn / profiles: start and end with alphanumeric
    ("registry_front_door", "a_b"),  # alphanumerics and hyphens
    ("registry_front_door_endpoint", "fde-"),  # start and end with alphanumeric
    ("registry_waf_policy", "1waf"),  # Learn frontdoorWebApplicationFirewallPolicies: start with a letter
    ("registry_waf_policy", "waf-policy"),  # alphanumerics only
    ("redis_cache", "ab--cd"),  # consecutive hyphens aren't allowed
    ("redis_cache", "-abc"),
    ("managed_redis", "ab--cd"),
    ("managed_redis", "abc-"),
    ("synapse_workspace", "ws-ondemand"),  # can't contain -ondemand
    ("synapse_workspace", "Upper"),
    ("synapse_spark_pool", "1pool"),  # start with a letter
    ("synapse_spark_pool", "my-pool"),  # letters and numbers only
    ("synapse_private_link_hub", "my-hub"),  # this program's rule: lowercase letters and digits only
    ("synapse_private_link_hub", "Hub1"),
    ("purview_account", "a--bc"),  # ^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$
    ("purview_account", "abc-"),
    ("resource_group", "ends-with."),  # can't end with a period
    ("resource_group", "rg²"),  # Char.IsLetterOrDigit: letters and decimal digits only, not other numerals
    ("resource_group", "rgⅫ"),
    # "Alphanumerics" on the Learn page means a-z, A-Z, 0-9: no other letters (Python's \w would take them).
    ("registry_identity", "idé"),  # alphanumerics, hyphens, and underscores
    ("registry_identity", "_id"),  # start with a letter or number
    ("databricks_workspace", "dbwé"),  # alphanumerics, underscores, and hyphens
    ("registry_bootstrap_script", "dsé"),  # the spec sets no pattern: this program keeps to ASCII
    ("registry_bootstrap_script", "ds."),
    ("registry_sql_database", "db\x7f"),  # can't use control characters (DEL)
    ("registry_sql_database", "db\x85x"),  # (C1)
    ("registry_sql_database", "db "),  # can't end with a space
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
    ("resource_group", "rg-é"),  # letters as defined by Char.IsLetterOrDigit: Unicode letters too
    ("databricks_workspace", "_dbw-1"),  # Learn states no rule on the first character
    ("registry_sql_database", "db é (1)"),  # anything but <>*%&:\/? and control characters
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
    # Key Vault soft-delete retention 7-90 days: SDK keyvault VaultProperties.soft_delete_retention_in_days
    # ("It accepts >=7 and <=90"); Learn "Azure Key Vault soft-delete overview" says the same.
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
    # Blob soft delete 1-365 days: SDK storage DeleteRetentionPolicy.days ("The minimum specified value can be
    # 1 and the maximum value can be 365"); 0 is this program's "off".
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
    # Synapse Spark pools: Learn synapse-analytics/spark/apache-spark-autoscale ("up to 200 nodes"; "the minimum
    # number of nodes can't be fewer than three"); apache-spark-pool-configurations: "a minimum of three nodes".
    ("dev", synapse(minNodes=3, maxNodes=200), synapse(minNodes=2, maxNodes=200), "spark.synapse.minNodes"),
    ("dev", synapse(minNodes=3, maxNodes=200), synapse(minNodes=3, maxNodes=201), "spark.synapse.maxNodes"),
    # Auto-pause delay of a Synapse pool, 5-10080 minutes: Learn and the REST spec (bigDataPool.json,
    # AutoPauseProperties.delayInMinutes) state no bounds; the azurerm provider's synapse_spark_pool docs
    # ("Must be between 5 and 10080") are the only written source found (third-party).
    ("dev", synapse(autoPauseMinutes=5), synapse(autoPauseMinutes=4), "spark.synapse.autoPauseMinutes"),
    ("dev", synapse(autoPauseMinutes=10080), synapse(autoPauseMinutes=10081), "spark.synapse.autoPauseMinutes"),
    # Executors: this program's bounds (at least one; at most 200, the pool's node limit), not Azure's.
    ("dev", synapse(executorNum=1), synapse(executorNum=0), "spark.synapse.executorNum"),
    # 200 executors need a pool that holds them (Medium nodes: 8 vCores each).
    (
        "dev",
        synapse(executorNum=200, maxNodes=200, nodeSize="Medium"),
        synapse(executorNum=201, maxNodes=200, nodeSize="Medium"),
        "spark.synapse.executorNum",
    ),
    # SQL point-in-time restore retention 1-35 days: Learn azure-sql/database/long-term-retention-overview ("the
    # 1-35 days provided by automatic backups"; vCore tiers, the only ones this program offers).
    ("dev", sql(shortTermRetentionDays=1), sql(shortTermRetentionDays=0), "registry.sql.shortTermRetentionDays"),
    ("dev", sql(shortTermRetentionDays=35), sql(shortTermRetentionDays=36), "registry.sql.shortTermRetentionDays"),
    # Serverless auto-pause delay 15-10080 minutes, or -1: Learn azure-sql/database/serverless-tier-overview, the
    # "Auto-pause delay" row (2026, see upstream-facts.md section 1; revisions before 2025 said a 60-minute minimum).
    ("dev", sql(autoPauseDelay=15), sql(autoPauseDelay=14), "registry.sql.autoPauseDelay"),
    ("dev", sql(autoPauseDelay=10080), sql(autoPauseDelay=10081), "registry.sql.autoPauseDelay"),
    # Failover group grace period: at least 1 hour (Learn azure-sql/database/failover-group-sql-db; Azure PowerShell
    # New-AzSqlDatabaseFailoverGroup -GracePeriodWithDataLossHours, ValidateRange(1, ...), whole hours as the
    # portal and CLI take it); the 24-hour maximum is this program's own bound.
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
    # Long-term retention: "up to 10 years" (Learn azure-sql/database/long-term-retention-overview), so P520W,
    # P120M, P10Y; week of year 1-52 (Azure PowerShell Set-AzSqlDatabaseBackupLongTermRetentionPolicy -WeekOfYear
    # "The Week of Year, 1 to 52"; az sql db ltr-policy set --week-of-year "1 to 52").
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
    # App Service: Learn "App Service limits" (includes/azure-websites-limits.md), "Scale out (maximum instances)":
    # 30 dedicated for Premium v2 and v3 (Free 1, Basic 3, Standard 10: infra/settings/registry_api.py).
    ("prod", {"registryApi": {"instances": 30}}, {"registryApi": {"instances": 31}}, "registryApi.instances"),
    # Output parts: this program's bounds (Pulumi.yaml: 1-1000), not an Azure limit.
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

"""Bad `registry` settings stop the program with a message naming the key."""

import copy

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import NS, config_merged, run
from tests.support import purview_config as support_purview_config

KEY = "feathr-infra:registry"


def with_sql(stack, **values):
    config = config_merged(stack, "registry")
    sql = copy.deepcopy(config[NS + "registry"].get("sql") or {})
    for key, value in values.items():
        if value is None:
            sql.pop(key, None)
        else:
            sql[key] = value
    config[NS + "registry"]["sql"] = sql
    return config


PRIVATE_SUBNET = (
    "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/net/providers/"
    "Microsoft.Network/virtualNetworks/hub/subnets/scripts"
)
PRIVATE_STORAGE = (
    "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/net/providers/"
    "Microsoft.Storage/storageAccounts/contososcripts"
)

# (description, config, the key the message must name, a fragment of what is allowed)
BAD = [
    ("unknown backend", lambda: config_merged("dev", "registry", backend="cosmos"), f"{KEY}.backend", "purview, sql"),
    ("unknown registry key", lambda: config_merged("dev", "registry", sqll={}), f"{KEY}.sqll", "not a known setting"),
    ("unknown sql key", lambda: with_sql("dev", skuName="GP_S_Gen5_1"), f"{KEY}.sql.skuName", "not a known setting"),
    (
        "geo-replication to the same region",
        lambda: with_sql("prod", secondaryLocation="westeurope"),
        f"{KEY}.sql.secondaryLocation",
        "other than the primary location",
    ),
    (
        "unknown secondary region",
        lambda: with_sql("prod", secondaryLocation="moon-north"),
        f"{KEY}.sql.secondaryLocation",
        "northeurope",
    ),
    (
        "production-like without geo-replication",
        lambda: with_sql("prod", secondaryLocation=None),
        f"{KEY}.sql.secondaryLocation",
        "required in production-like stacks",
    ),
    (
        "production-like with local backups",
        lambda: with_sql("prod", backupStorageRedundancy="Zone"),
        f"{KEY}.sql.backupStorageRedundancy",
        "Geo or GeoZone",
    ),
    (
        "production-like without long-term retention",
        lambda: with_sql("prod", longTermRetention={}),
        f"{KEY}.sql.longTermRetention",
        "at least one of weekly, monthly, yearly",
    ),
    (
        "production-like without an Entra admin",
        lambda: with_sql("prod", entraAdmin=None),
        f"{KEY}.sql.entraAdmin",
        "required in production-like stacks",
    ),
    (
        "unknown backup redundancy",
        lambda: with_sql("dev", backupStorageRedundancy="GRS"),
        f"{KEY}.sql.backupStorageRedundancy",
        "GeoZone",
    ),
    (
        "short-term retention too long",
        lambda: with_sql("dev", shortTermRetentionDays=36),
        f"{KEY}.sql.shortTermRetentionDays",
        "1 to 35",
    ),
    (
        "short-term retention zero",
        lambda: with_sql("dev", shortTermRetentionDays=0),
        f"{KEY}.sql.shortTermRetentionDays",
        "1 to 35",
    ),
    (
        "differential backup interval",
        lambda: with_sql("dev", diffBackupIntervalHours=18),
        f"{KEY}.sql.diffBackupIntervalHours",
        "12 or 24",
    ),
    (
        "weekly retention beyond ten years",
        lambda: with_sql("prod", longTermRetention={"weekly": "P521W"}),
        f"{KEY}.sql.longTermRetention.weekly",
        "10 years",
    ),
    (
        "monthly retention beyond ten years",
        lambda: with_sql("prod", longTermRetention={"monthly": "P121M"}),
        f"{KEY}.sql.longTermRetention.monthly",
        "P120M",
    ),
    (
        "yearly retention beyond ten years",
        lambda: with_sql("prod", longTermRetention={"yearly": "P11Y"}),
        f"{KEY}.sql.longTermRetention.yearly",
        "P10Y",
    ),
    (
        "weekly retention shorter than a week",
        lambda: with_sql("prod", longTermRetention={"weekly": "P3D"}),
        f"{KEY}.sql.longTermRetention.weekly",
        "P1W",
    ),
    (
        "retention not ISO-8601",
        lambda: with_sql("prod", longTermRetention={"weekly": "12 weeks"}),
        f"{KEY}.sql.longTermRetention.weekly",
        "ISO-8601",
    ),
    (
        "week of year out of range",
        lambda: with_sql("prod", longTermRetention={"yearly": "P5Y", "weekOfYear": 53}),
        f"{KEY}.sql.longTermRetention.weekOfYear",
        "1 to 52",
    ),
    (
        "week of year without yearly retention",
        lambda: with_sql("prod", longTermRetention={"weekly": "P4W", "weekOfYear": 5}),
        f"{KEY}.sql.longTermRetention.weekOfYear",
        "yearly",
    ),
    ("unknown sku", lambda: with_sql("dev", sku="S0"), f"{KEY}.sql.sku", "GP_S_Gen5_<n>"),
    (
        "serverless vcores Azure does not offer",
        lambda: with_sql("dev", sku="GP_S_Gen5_3"),
        f"{KEY}.sql.sku",
        "serverless",
    ),
    ("provisioned one vcore", lambda: with_sql("prod", sku="GP_Gen5_1"), f"{KEY}.sql.sku", "provisioned"),
    (
        "auto-pause on a provisioned sku",
        lambda: with_sql("dev", sku="GP_Gen5_2"),
        f"{KEY}.sql.autoPauseDelay",
        "only applies to a serverless sku",
    ),
    ("auto-pause too short", lambda: with_sql("dev", autoPauseDelay=10), f"{KEY}.sql.autoPauseDelay", "15-10080"),
    (
        "auto-pause with geo-replication",
        lambda: with_sql("prod", sku="GP_S_Gen5_2", autoPauseDelay=60),
        f"{KEY}.sql.autoPauseDelay",
        "must be -1",
    ),
    ("min capacity above max vcores", lambda: with_sql("dev", minCapacity=2), f"{KEY}.sql.minCapacity", "0.5 to 1"),
    (
        "min capacity below an eighth",
        lambda: with_sql("dev", sku="GP_S_Gen5_40", minCapacity=1),
        f"{KEY}.sql.minCapacity",
        "5 to 40",
    ),
    ("min capacity not a number", lambda: with_sql("dev", minCapacity="half"), f"{KEY}.sql.minCapacity", "a number"),
    (
        "grace period under an hour",
        lambda: with_sql("prod", failoverGracePeriodMinutes=30),
        f"{KEY}.sql.failoverGracePeriodMinutes",
        "60 to 1440",
    ),
    (
        "grace period not whole hours",
        lambda: with_sql("prod", failoverGracePeriodMinutes=90),
        f"{KEY}.sql.failoverGracePeriodMinutes",
        "whole number of hours",
    ),
    (
        "reserved administrator login",
        lambda: with_sql("dev", administratorLogin="sysadmin"),
        f"{KEY}.sql.administratorLogin",
        "reserved",
    ),
    (
        "entra admin without object id",
        lambda: with_sql("dev", entraAdmin={"login": "dba", "principalType": "Group"}),
        f"{KEY}.sql.entraAdmin.objectId",
        "required",
    ),
    (
        "entra admin of an unknown type",
        lambda: with_sql(
            "dev",
            entraAdmin={
                "login": "dba",
                "objectId": "5d1a9f0e-3c2b-4a7d-9e61-2f4b8c0d7a13",
                "principalType": "ServicePrincipal",
            },
        ),
        f"{KEY}.sql.entraAdmin.principalType",
        "Application, Group, User",
    ),
    (
        "allow-all client range",
        lambda: with_sql("dev", allowedIpRanges=["0.0.0.0/0"]),
        f"{KEY}.sql.allowedIpRanges[0]",
        "never 0.0.0.0/0",
    ),
    # network.mode decides how the database is reached; each mode allows one value of each key.
    (
        "public mode without public access: the app would have no way to its database",
        lambda: with_sql("dev", publicNetworkAccess=False, allowAzureServices=False, allowedIpRanges=[]),
        f"{KEY}.sql.publicNetworkAccess",
        "needs network.mode private",
    ),
    (
        "public mode without the Azure services rule: the app would crash-loop",
        lambda: with_sql("dev", allowAzureServices=False),
        f"{KEY}.sql.allowAzureServices",
        "needs network.mode private",
    ),
    (
        "private mode with public access",
        lambda: with_sql("prod", publicNetworkAccess=True),
        f"{KEY}.sql.publicNetworkAccess",
        "must be false with network.mode private",
    ),
    (
        "private mode with the Azure services rule",
        lambda: with_sql("prod", allowAzureServices=True),
        f"{KEY}.sql.allowAzureServices",
        "must be false with network.mode private",
    ),
    (
        "private mode with client ranges",
        lambda: with_sql("prod", allowedIpRanges=["203.0.113.0/24"]),
        f"{KEY}.sql.allowedIpRanges",
        "must be empty with network.mode private",
    ),
    (
        "the bootstrap's subnet is the network's now",
        lambda: with_sql("dev", bootstrapSubnetId=PRIVATE_SUBNET),
        f"{KEY}.sql.bootstrapSubnetId",
        "replaced by the network section",
    ),
    (
        "the bootstrap's storage is the network's now",
        lambda: with_sql("dev", bootstrapStorageAccountId=PRIVATE_STORAGE),
        f"{KEY}.sql.bootstrapStorageAccountId",
        "replaced by the network section",
    ),
    (
        "the administrator login is the registry app's user",
        lambda: with_sql("dev", administratorLogin="feathr_registry_app"),
        f"{KEY}.sql.administratorLogin",
        "reserved name",
    ),
    (
        "a re-run value with a space",
        lambda: with_sql("dev", rerunBootstrap="run again"),
        f"{KEY}.sql.rerunBootstrap",
        "a new value re-runs the bootstrap",
    ),
    (
        "a re-run value one past 64 characters",
        lambda: with_sql("dev", rerunBootstrap="r" * 65),
        f"{KEY}.sql.rerunBootstrap",
        "up to 64",
    ),
    (
        "a re-run value that is not a string",
        lambda: with_sql("dev", rerunBootstrap=20261201),
        f"{KEY}.sql.rerunBootstrap",
        "up to 64",
    ),
]


@pytest.mark.parametrize("config, key, allowed", [pytest.param(b(), k, a, id=d) for d, b, k, a in BAD])
def test_bad_registry_settings_name_the_key(config, key, allowed):
    with pytest.raises(SettingsError) as error:
        load_settings(config, "feathr-infra", "test")
    message = str(error.value)
    assert f"setting {key} " in message or f"setting {key}[" in message, message
    assert allowed in message, message


def test_a_bad_setting_stops_the_whole_program():
    with pytest.raises(SettingsError, match=r"feathr-infra:registry\.sql\.secondaryLocation"):
        run("prod", with_sql("prod", secondaryLocation="westeurope"))


def test_sql_rules_apply_to_the_purview_backend_too():
    # Registry RBAC (always on) keeps its userroles in SQL even with Purview, so the database is real.
    config = support_purview_config("prod")
    config[NS + "registry"]["sql"] = {}
    with pytest.raises(SettingsError, match=r"feathr-infra:registry\.sql\.entraAdmin"):
        load_settings(config, "feathr-infra", "test")


def test_defaults():
    settings = load_settings(
        with_sql(
            "dev",
            sku=None,
            autoPauseDelay=None,
            minCapacity=None,
            backupStorageRedundancy=None,
            diffBackupIntervalHours=None,
            shortTermRetentionDays=None,
        ),
        "feathr-infra",
        "test",
    ).registry
    sql = settings.sql
    assert settings.backend == "sql"
    assert (sql.sku.name, sql.auto_pause_delay, sql.min_capacity) == ("GP_S_Gen5_1", 60, 0.5)
    assert (sql.backup_storage_redundancy, sql.short_term_retention_days, sql.diff_backup_interval_hours) == (
        "Local",
        7,
        12,
    )
    assert sql.public_network_access and sql.allow_azure_services and not sql.geo_replicated


def test_private_mode_closes_the_servers_by_default():
    # Pulumi.prod.yaml is private (network.mode) and sets neither key: both default to false there.
    sql = load_settings(
        with_sql("prod", publicNetworkAccess=None, allowAzureServices=None), "feathr-infra", "test"
    ).registry.sql
    assert (sql.public_network_access, sql.allow_azure_services, sql.allowed_ip_ranges) == (False, False, ())


def test_production_defaults_are_geo_redundant():
    sql = load_settings(
        with_sql("prod", backupStorageRedundancy=None, zoneRedundant=None), "feathr-infra", "test"
    ).registry.sql
    assert sql.backup_storage_redundancy == "Geo" and sql.zone_redundant is True


def test_rerun_bootstrap_defaults_to_empty_and_takes_64_characters():
    assert (
        load_settings(with_sql("dev", rerunBootstrap=None), "feathr-infra", "test").registry.sql.rerun_bootstrap == ""
    )
    value = "2026-12-01T10:00:00." + "r" * 44
    assert len(value) == 64
    assert (
        load_settings(with_sql("dev", rerunBootstrap=value), "feathr-infra", "test").registry.sql.rerun_bootstrap
        == value
    )


# --- project names (issue 11, R10) ------------------------------------------------------------------
# The registry's RBAC takes a feature's project as qualified_name.split("__")[0], the qualified name
# being "<project>__<name>" (access_control/rbac/access.py:64-70 at v1.0.0).


def with_project(stack, project):
    config = config_merged(stack, "access")
    config[NS + "access"]["projects"] = {project: {"producers": [], "consumers": []}}
    return config


@pytest.mark.parametrize(
    "project",
    [
        "fraud__detection",  # split("__")[0] == "fraud"
        "fraud_",  # "fraud_" + "__" + "f" == "fraud___f", split("__")[0] == "fraud"
        "_fraud",
        "Fraud",
        "p" * 51,  # one past userroles.project_name varchar(50)
    ],
)
def test_project_names_feathr_would_split_wrongly_are_rejected(project):
    with pytest.raises(SettingsError) as error:
        load_settings(with_project("dev", project), "feathr-infra", "test")
    message = str(error.value)
    assert f"setting feathr-infra:access.projects.{project}: project name '{project}'" in message, message
    assert "no '__' and no trailing '_'" in message, message


@pytest.mark.parametrize("project", ["fraud_detection", "a_b_c", "fraud2", "p" * 50])
def test_project_names_with_single_underscores_are_accepted(project):
    settings = load_settings(with_project("dev", project), "feathr-infra", "test")
    assert [p.project for p in settings.access.projects] == [project]

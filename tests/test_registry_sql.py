"""The registry's SQL store under the mocks: server, database, geo-replication, backups, network,
the connection string in Key Vault, the schema bootstrap, protection, and where the password goes."""

import base64
import json
import re
import subprocess

import pytest

from infra.access.expand import expand, registry_roles
from infra.components.registry.roles import RegistryRoleGrant
from infra.components.registry.schema_bootstrap import SCHEMA_FILE, bootstrap_sql
from infra.components.registry.sql_store import PASSWORD_SPECIALS
from infra.offline.runner import REPO_ROOT, stack_config
from infra.settings import load_settings
from tests.support import config_merged, config_with, run

SERVER = "azure-native:sql:Server"
DATABASE = "azure-native:sql:Database"
FIREWALL = "azure-native:sql:FirewallRule"
FAILOVER_GROUP = "azure-native:sql:FailoverGroup"
SHORT_TERM = "azure-native:sql:BackupShortTermRetentionPolicy"
LONG_TERM = "azure-native:sql:LongTermRetentionPolicy"
SCRIPT = "azure-native:resources:AzureCliScript"
SECRET = "azure-native:keyvault:Secret"
LOCK = "azure-native:authorization:ManagementLockByScope"
PASSWORD = "random:index/randomPassword:RandomPassword"
WEB_APP = "azure-native:web:WebApp"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
APP_USER = "feathr_registry_app"


def named(run_, token, logical_name):
    found = [r for r in run_.of_type(token) if r.logical_name == logical_name]
    assert len(found) == 1, (token, logical_name, [r.logical_name for r in run_.of_type(token)])
    return found[0]


def primary_server(r):
    return named(r, SERVER, "registry-sql-server")


def primary_database(r):
    return named(r, DATABASE, "registry-sql-database")


def connection_secret(r):
    return next(s for s in r.of_type(SECRET) if s.inputs["secretName"] == "FEATHR-REGISTRY-SQL-CONNECTION-STRING")


def bootstrap_script(r):
    return next(s for s in r.of_type(SCRIPT) if s.logical_name == "registry-sql-schema")


def env_vars(script):
    return {v["name"]: v for v in script.inputs["environmentVariables"]}


def the_password(r):
    return primary_server(r).inputs["administratorLoginPassword"]


def app_password(r):
    return named(r, PASSWORD, "registry-sql-app-password").outputs["result"]


def admin_secret(r):
    return next(s for s in r.of_type(SECRET) if s.inputs["secretName"] == "FEATHR-REGISTRY-SQL-ADMIN-PASSWORD")


# --- server ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_server_tls_entra_admin_and_sql_login(stack):
    r = run(stack)
    for server in r.of_type(SERVER):
        inputs = server.inputs
        assert inputs["minimalTlsVersion"] == "1.2"
        assert inputs["version"] == "12.0"
        assert inputs["administratorLogin"] == "feathradmin"
        assert inputs["administrators"] == {
            "administratorType": "ActiveDirectory",
            "login": "feathr-registry-dba",
            "sid": "5d1a9f0e-3c2b-4a7d-9e61-2f4b8c0d7a13",
            "principalType": "Group",
            "tenantId": "00000000-0000-4000-8000-000000000002",
            # SQL authentication stays on: the registry image connects with login + password.
            "azureADOnlyAuthentication": False,
        }
        # dev is public (firewall rules), prod private (private endpoints only: tests/test_registry_network.py)
        assert inputs["publicNetworkAccess"] == {"dev": "Enabled", "prod": "Disabled"}[stack]
        assert "administratorLoginPassword" in server.secret_inputs


def test_dev_has_one_server_and_no_geo_replication(dev):
    assert [s.inputs["serverName"] for s in dev.of_type(SERVER)] == ["contoso-dev-reg-sql-yk41aj"]
    assert dev.of_type(FAILOVER_GROUP) == []
    assert len(dev.of_type(DATABASE)) == 1


# --- database -------------------------------------------------------------------------------------


def test_dev_database_is_serverless_and_auto_pauses(dev):
    db = primary_database(dev).inputs
    assert db["sku"] == {"name": "GP_S_Gen5_1", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 1}
    assert db["autoPauseDelay"] == 60 and db["minCapacity"] == 0.5
    assert db["zoneRedundant"] is False
    assert db["requestedBackupStorageRedundancy"] == "Local"
    assert db["databaseName"] == "contoso-dev-registry-sqldb"
    assert db["serverName"] == "contoso-dev-reg-sql-yk41aj"


def test_prod_database_is_zone_redundant_provisioned_with_geo_zone_backups(prod):
    db = primary_database(prod).inputs
    assert db["sku"] == {"name": "GP_Gen5_2", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 2}
    assert "autoPauseDelay" not in db and "minCapacity" not in db
    assert db["zoneRedundant"] is True
    assert db["requestedBackupStorageRedundancy"] == "GeoZone"
    assert db["maxSizeBytes"] == 64 * 1024**3
    assert "createMode" not in db


def test_serverless_geo_secondary_never_auto_pauses():
    r = run(
        "prod",
        config_merged(
            "prod",
            "registry",
            sql={
                **config_merged("prod", "registry")["feathr-infra:registry"]["sql"],
                "sku": "GP_S_Gen5_2",
                "autoPauseDelay": -1,
                "minCapacity": 0.5,
            },
        ),
    )
    for db in r.of_type(DATABASE):
        assert db.inputs["autoPauseDelay"] == -1 and db.inputs["minCapacity"] == 0.5


# --- geo-replication ------------------------------------------------------------------------------


def test_prod_partner_server_in_the_secondary_region(prod):
    partner = named(prod, SERVER, "registry-sql-partner-server")
    assert partner.inputs["location"] == "northeurope" != primary_server(prod).inputs["location"]
    assert partner.inputs["serverName"] == "contoso-prod-regdr-sql-78gz9l"
    assert partner.inputs["minimalTlsVersion"] == "1.2"


def test_prod_geo_secondary_database(prod):
    secondary = named(prod, DATABASE, "registry-sql-secondary-database").inputs
    primary = primary_database(prod)
    partner = named(prod, SERVER, "registry-sql-partner-server")
    assert secondary["createMode"] == "Secondary"
    assert secondary["secondaryType"] == "Geo"
    assert secondary["sourceDatabaseId"] == primary.arm_id
    assert secondary["serverName"] == partner.inputs["serverName"]
    assert secondary["location"] == "northeurope"
    assert secondary["databaseName"] == primary.inputs["databaseName"]
    assert secondary["sku"] == primary.inputs["sku"]
    assert secondary["zoneRedundant"] is True
    assert secondary["requestedBackupStorageRedundancy"] == "GeoZone"


def test_prod_failover_group_is_automatic_and_waits_for_the_secondary(prod):
    group = prod.one(FAILOVER_GROUP)
    partner = named(prod, SERVER, "registry-sql-partner-server")
    secondary = named(prod, DATABASE, "registry-sql-secondary-database")
    assert group.inputs["failoverGroupName"] == "contoso-prod-reg-fog-78gz9l"
    assert group.inputs["serverName"] == primary_server(prod).inputs["serverName"]
    assert group.inputs["partnerServers"] == [{"id": partner.arm_id}]
    assert group.inputs["databases"] == [primary_database(prod).arm_id]
    assert group.inputs["readWriteEndpoint"] == {
        "failoverPolicy": "Automatic",
        "failoverWithDataLossGracePeriodMinutes": 60,
    }
    assert secondary.urn in group.depends_on


def test_connection_string_uses_the_failover_group_listener(prod):
    value = connection_secret(prod).inputs["properties"]["value"]
    assert value == (
        "Server=tcp:contoso-prod-reg-fog-78gz9l.database.windows.net,1433;Initial Catalog=contoso-prod-registry-sqldb;"
        "Persist Security Info=False;User ID=feathr_registry_app;Password=" + app_password(prod) + ";"
        "MultipleActiveResultSets=False;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;"
    )
    assert prod.outputs["registrySqlListener"].value == "contoso-prod-reg-fog-78gz9l.database.windows.net"
    assert env_vars(bootstrap_script(prod))["SQL_HOST"]["value"] == "contoso-prod-reg-fog-78gz9l.database.windows.net"


def test_without_geo_replication_the_host_is_the_server(dev):
    value = connection_secret(dev).inputs["properties"]["value"]
    assert value.startswith("Server=tcp:contoso-dev-reg-sql-yk41aj.database.windows.net,1433;")
    assert dev.outputs["registrySqlListener"].value == "contoso-dev-reg-sql-yk41aj.database.windows.net"


def test_connection_string_is_a_key_vault_secret(stack_run):
    if stack_run.outputs["registryBackend"].value != "sql":
        pytest.skip("not the SQL backend")
    secret = connection_secret(stack_run)
    assert "properties" in secret.secret_inputs
    assert secret.inputs["properties"]["contentType"] == "text/plain"
    assert secret.outputs["properties"]["secretUri"].endswith("/secrets/FEATHR-REGISTRY-SQL-CONNECTION-STRING")


# --- backups --------------------------------------------------------------------------------------


def test_short_term_retention(dev, prod):
    for r, days, interval in ((dev, 7, 24), (prod, 35, 12)):
        policy = r.one(SHORT_TERM).inputs
        assert policy["policyName"] == "default"
        assert policy["retentionDays"] == days and policy["diffBackupIntervalInHours"] == interval
        assert policy["databaseName"] == primary_database(r).inputs["databaseName"]


def test_prod_long_term_retention_on_primary_and_secondary(prod):
    policies = {p.inputs["serverName"]: p.inputs for p in prod.of_type(LONG_TERM)}
    assert set(policies) == {"contoso-prod-reg-sql-78gz9l", "contoso-prod-regdr-sql-78gz9l"}
    for policy in policies.values():
        assert policy["policyName"] == "default"
        assert (policy["weeklyRetention"], policy["monthlyRetention"], policy["yearlyRetention"]) == (
            "P12W",
            "P12M",
            "P5Y",
        )
        assert policy["weekOfYear"] == 1


def test_dev_keeps_no_long_term_backups(dev):
    assert dev.of_type(LONG_TERM) == []


# --- network --------------------------------------------------------------------------------------


def rules_by_server(r):
    found = {}
    for rule in r.of_type(FIREWALL):
        found.setdefault(rule.inputs["serverName"], set()).add(
            (rule.inputs["firewallRuleName"], rule.inputs["startIpAddress"], rule.inputs["endIpAddress"])
        )
    return found


def test_dev_firewall_allows_azure_services_and_the_client_range(dev):
    assert rules_by_server(dev) == {
        "contoso-dev-reg-sql-yk41aj": {
            ("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0"),
            ("client-203-0-113-0-24", "203.0.113.0", "203.0.113.255"),
        }
    }


def test_both_servers_of_a_failover_pair_get_the_same_rules():
    # prod is private (no rules at all): its layout in public mode, where each server needs its own rules.
    public_prod = config_with("prod", network={"mode": "public", "allowPublicInProduction": True})
    sql = {**public_prod["feathr-infra:registry"]["sql"], "allowedIpRanges": ["203.0.113.0/24"]}
    public_prod["feathr-infra:registry"] = {**public_prod["feathr-infra:registry"], "sql": sql}
    rules = rules_by_server(run("prod", public_prod))
    assert set(rules) == {"contoso-prod-reg-sql-78gz9l", "contoso-prod-regdr-sql-78gz9l"}
    assert rules["contoso-prod-reg-sql-78gz9l"] == rules["contoso-prod-regdr-sql-78gz9l"]


def test_no_allow_all_rule_anywhere(stack_run):
    for rule in stack_run.of_type(FIREWALL):
        assert rule.inputs["endIpAddress"] != "255.255.255.255"
        if rule.inputs["startIpAddress"] == "0.0.0.0":
            assert (
                rule.inputs["endIpAddress"] == "0.0.0.0"
                and rule.inputs["firewallRuleName"] == "AllowAllWindowsAzureIps"
            )


def test_private_mode_builds_no_firewall_rule():
    # Azure rejects firewall rules without public network access; private mode has neither.
    assert run("prod").of_type(FIREWALL) == []


# --- schema bootstrap -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_bootstrap_runs_schema_and_seed_in_azure(stack):
    r = run(stack)
    script = bootstrap_script(r)
    inputs = script.inputs
    assert inputs["kind"] == "AzureCLI"
    assert inputs["scriptName"] == f"contoso-{stack}-regschema-ds"
    # it talks only to SQL with the SQL login: no Azure identity in public mode; in private mode the one its
    # subnet requires (its file-share role: tests/test_registry_network.py)
    assert ("identity" in inputs) is (stack == "prod")
    assert inputs["retentionInterval"] == "PT6H" and inputs["timeout"] == "PT30M"
    assert inputs["cleanupPreference"] == "OnSuccess"
    assert "go-sqlcmd" in inputs["scriptContent"] and "-i /tmp/registry-bootstrap.sql" in inputs["scriptContent"]
    env = env_vars(script)
    sql = base64.b64decode(env["BOOTSTRAP_SQL_B64"]["value"]).decode()
    settings = load_settings(stack_config(stack), "feathr-infra", stack)
    rows = registry_roles(expand(settings.access, settings.spark.runtime, not settings.spark.shared))
    assert sql == bootstrap_sql(tuple(RegistryRoleGrant(*row) for row in rows))
    assert re.findall(r"(?m)^GRANT .*$", sql) == [
        "GRANT SELECT, INSERT, DELETE ON dbo.entities TO [feathr_registry_app];",
        "GRANT SELECT, INSERT, DELETE ON dbo.edges TO [feathr_registry_app];",
        "GRANT SELECT, INSERT, UPDATE ON dbo.userroles TO [feathr_registry_app];",
    ]
    assert sql.startswith(SCHEMA_FILE.read_text())
    for admin in ("feature-platform-admin@contoso.com", "7f3c2a51-8e4d-4b69-a0f2-6c1d9e8b5a27"):
        assert f"'global', '{admin}', 'admin', 'feathr-infra', 'bootstrap', GETUTCDATE()" in sql
    assert re.fullmatch(r"[0-9a-f]{32}", inputs["forceUpdateTag"])
    assert env["SQL_DATABASE"]["value"] == primary_database(r).inputs["databaseName"]
    # the database's server-assigned id: a database re-created under the same name re-runs the script
    assert env["SQL_DATABASE_ID"]["value"] == primary_database(r).outputs["databaseId"]
    assert env["SQL_LOGIN"]["value"] == "feathradmin"
    assert env["APP_USER"]["value"] == APP_USER


def test_bootstrap_waits_for_database_firewall_and_failover_group(prod):
    depends = set(bootstrap_script(prod).depends_on)
    needed = [primary_database(prod), prod.one(FAILOVER_GROUP), *prod.of_type(FIREWALL)]
    assert {r.urn for r in needed} <= depends


def test_bootstrap_reruns_when_the_sql_or_the_rerun_setting_changes(dev):
    rerun = run(
        "dev",
        config_merged(
            "dev",
            "registry",
            sql={**config_merged("dev", "registry")["feathr-infra:registry"]["sql"], "rerunBootstrap": "2026-12-01"},
        ),
    )
    same = run(
        "dev",
        config_merged(
            "dev",
            "registry",
            sql={**config_merged("dev", "registry")["feathr-infra:registry"]["sql"], "shortTermRetentionDays": 14},
        ),
    )
    newcomer = {"objectId": "12345678-1234-4234-8234-123456789abc", "type": "User", "name": "someone.else@contoso.com"}
    other = run("dev", config_merged("dev", "access", consumers=[newcomer]))
    tag = bootstrap_script(dev).inputs["forceUpdateTag"]
    assert bootstrap_script(same).inputs["forceUpdateTag"] == tag
    assert bootstrap_script(other).inputs["forceUpdateTag"] != tag
    assert bootstrap_script(rerun).inputs["forceUpdateTag"] != tag
    assert "forceUpdateTag" not in bootstrap_script(dev).secret_inputs  # a digest, kept readable in state


def test_the_web_app_starts_only_after_the_bootstrap(stack_run):
    if stack_run.outputs["registryBackend"].value != "sql":
        pytest.skip("not the SQL backend")
    for app in stack_run.of_type(WEB_APP):  # the standby too: it reads the same userroles
        assert bootstrap_script(stack_run).urn in app.depends_on


# --- the registry app's database user (issue 14) ---------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_app_connects_as_its_own_user_never_the_server_admin(stack):
    r = run(stack)
    value = connection_secret(r).inputs["properties"]["value"]
    assert ";User ID=feathr_registry_app;Password=" + app_password(r) + ";" in value
    assert "feathradmin" not in value.lower() and the_password(r) not in value
    assert app_password(r) != the_password(r)
    env = env_vars(bootstrap_script(r))
    assert env["REGISTRY_APP_PASSWORD"] == {"name": "REGISTRY_APP_PASSWORD", "secureValue": app_password(r)}


ROTATING = "time:index/rotating:Rotating"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_app_password_rotates_on_its_own_schedule(stack):
    r = run(stack)
    schedule = named(r, ROTATING, "registry-sql-app-password-rotation")
    keepers = named(r, PASSWORD, "registry-sql-app-password").inputs["keepers"]
    assert keepers == {"database": f"contoso-{stack}-registry-sqldb", "rotation": schedule.outputs["rfc3339"]}
    # the admin password has a schedule of its own: rotating one credential leaves the other alone
    admin_keepers = named(r, PASSWORD, "registry-sql-admin-password").inputs["keepers"]
    admin_schedule = named(r, ROTATING, "registry-sql-admin-password-rotation")
    assert admin_keepers["rotation"] == admin_schedule.outputs["rfc3339"]
    assert schedule.urn in connection_secret(r).depends_on and admin_schedule.urn in admin_secret(r).depends_on
    # the connection string expires 90 days (keyVault.secretLifetimeDays default) after this schedule's
    # base, 2026-12-01T00:00:00Z under the mocks: 1796083200 + 90 * 86400
    assert schedule.outputs["rfc3339"] == "2026-12-01T00:00:00Z"
    assert connection_secret(r).inputs["properties"]["attributes"]["expires"] == 1796083200 + 90 * 86400


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_admin_password_is_kept_in_key_vault(stack):
    r = run(stack)
    secret = admin_secret(r)
    assert secret.inputs["properties"]["value"] == the_password(r)
    assert "properties" in secret.secret_inputs


# Every built-in role whose dataActions cover Microsoft.KeyVault/vaults/secrets/getSecret/action
# (read from ../shared/reference/azure-built-in-roles.json, Microsoft's built-in roles pages): an
# assignment of any of them at the secret or above it lets its holder read the secret's value.
SECRET_READER_ROLES = {
    "00482a5a-887f-4fb3-b363-3b7fe8e74483",  # Key Vault Administrator (vaults/*)
    "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",  # Key Vault Certificate User (vaults/secrets/getSecret/action)
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",  # Key Vault Secrets Officer (vaults/secrets/*)
    "4633458b-17de-408a-b874-0445c86b69e6",  # Key Vault Secrets User
}
# access.admins in Pulumi.<stack>.yaml (the same two principals in both stacks)
ADMINS = {"9e1f3a5c-6b8d-4e0f-a2c4-1d3f5b7d9e57", "2b8e4f1c-7a3d-4c59-b6e2-9d1f0a3c5e71"}


def can_read_secrets(role_definition_id):
    return role_definition_id.rsplit("/", 1)[-1] in SECRET_READER_ROLES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_only_the_admins_can_read_the_admin_password(stack):
    r = run(stack)
    secret_id = admin_secret(r).arm_id.lower()
    readers = {
        a.inputs["principalId"]
        for a in r.of_type(ROLE_ASSIGNMENT)
        if secret_id.startswith(a.inputs["scope"].lower().rstrip("/") + "/") or secret_id == a.inputs["scope"].lower()
        if can_read_secrets(a.inputs["roleDefinitionId"])
    }
    assert readers == ADMINS


# --- the password ---------------------------------------------------------------------------------


def test_password_is_generated_long_and_connection_string_safe(stack_run):
    if stack_run.outputs["registryBackend"].value != "sql":
        pytest.skip("not the SQL backend")
    generators = stack_run.of_type(PASSWORD)
    assert {g.logical_name for g in generators} == {"registry-sql-admin-password", "registry-sql-app-password"}
    for generator in (g.inputs for g in generators):
        assert generator["length"] >= 32 and generator["special"] is True
        assert not set(generator["overrideSpecial"]) & set(";='\"{} \\$`")
        assert generator["overrideSpecial"] == PASSWORD_SPECIALS


def test_password_travels_only_as_a_secret(stack_run):
    if stack_run.outputs["registryBackend"].value != "sql":
        pytest.skip("not the SQL backend")
    password = the_password(stack_run)
    assert len(password) >= 32
    holders = set()
    for resource in stack_run.resources:
        for key, value in resource.inputs.items():
            if password in json.dumps(value, default=str):
                assert key in resource.secret_inputs, (
                    f"{resource.token} {resource.logical_name}.{key} holds it in plain"
                )
                holders.add((resource.token, key))
    assert holders == {(SERVER, "administratorLoginPassword"), (SECRET, "properties"), (SCRIPT, "environmentVariables")}
    # the admin password: only in the admin secret (never in the app's connection string)
    assert password not in json.dumps(connection_secret(stack_run).inputs)
    env = env_vars(bootstrap_script(stack_run))
    assert env["SQLCMDPASSWORD"] == {"name": "SQLCMDPASSWORD", "secureValue": password}
    assert all(password not in json.dumps(v) for name, v in env.items() if name != "SQLCMDPASSWORD")
    app = app_password(stack_run)
    app_holders = set()
    for resource in stack_run.resources:
        for key, value in resource.inputs.items():
            if app in json.dumps(value, default=str):
                assert key in resource.secret_inputs, f"{resource.token} {resource.logical_name}.{key} holds it"
                app_holders.add((resource.token, resource.inputs.get("secretName", resource.logical_name), key))
    # the app password: only in the connection string secret and the bootstrap's secure variable
    assert app_holders == {
        (SECRET, "FEATHR-REGISTRY-SQL-CONNECTION-STRING", "properties"),
        (SCRIPT, "registry-sql-schema", "environmentVariables"),
    }
    assert all(app not in json.dumps(v) for name, v in env.items() if name != "REGISTRY_APP_PASSWORD")
    for name, output in stack_run.outputs.items():
        if not output.secret:
            assert password not in json.dumps(output.value, default=str), name


def test_no_file_in_the_repo_holds_a_sql_password(dev, prod):
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for path in files:
        file = REPO_ROOT / path
        if not file.is_file():
            continue
        text = file.read_text(errors="ignore")
        for r in (dev, prod):
            assert the_password(r) not in text, path
            assert app_password(r) not in text, path
    for stack in ("dev", "prod"):
        config = (REPO_ROOT / f"Pulumi.{stack}.yaml").read_text().lower()
        assert "password" not in config  # never a password in stack config


# --- protection -----------------------------------------------------------------------------------


def test_prod_servers_and_databases_are_protected_and_locked(prod):
    stateful = prod.of_type(SERVER) + prod.of_type(DATABASE)
    assert len(stateful) == 4 and all(r.protect for r in stateful)
    locks = {lock.inputs["scope"]: lock.inputs["level"] for lock in prod.of_type(LOCK)}
    for resource in stateful:
        assert locks.get(resource.arm_id) == "CanNotDelete", resource.logical_name


def test_dev_is_neither_protected_nor_locked(dev):
    stateful = dev.of_type(SERVER) + dev.of_type(DATABASE)
    assert stateful and not any(r.protect for r in stateful)
    scopes = {lock.inputs["scope"] for lock in dev.of_type(LOCK)}
    assert not any(r.arm_id in scopes for r in stateful)


# --- composition ----------------------------------------------------------------------------------


def test_registry_resources_belong_to_the_sql_store(prod):
    store = next(r for r in prod.resources if r.token == "feathr:registry:SqlRegistryStore")
    bootstrap = next(r for r in prod.resources if r.token == "feathr:registry:RegistrySchemaBootstrap")
    assert bootstrap.parent_urn == store.urn
    for token in (SERVER, DATABASE, FIREWALL, FAILOVER_GROUP, SHORT_TERM, LONG_TERM, PASSWORD):
        assert all(r.parent_urn == store.urn for r in prod.of_type(token)), token
    assert bootstrap_script(prod).parent_urn == bootstrap.urn


def test_exports(dev):
    assert dev.outputs["registryBackend"].value == "sql" and not dev.outputs["registrySqlListener"].secret


def test_purview_backend_keeps_the_sql_store_for_rbac_roles():
    # Registry RBAC is always on; its userroles live in SQL even with Purview (deploy/start.sh:36-56).
    r = run("dev", config_merged("dev", "registry", backend="purview"))
    assert sum(x.token == "feathr:registry:SqlRegistryStore" for x in r.resources) == 1
    assert r.outputs["registryBackend"].value == "purview" and "registrySqlListener" in r.outputs
    # ...and the app's user may use userroles only there (test_registry_sql_user.py has the SQL)
    sql = base64.b64decode(env_vars(bootstrap_script(r))["BOOTSTRAP_SQL_B64"]["value"]).decode()
    assert re.findall(r"(?m)^GRANT .*$", sql) == [
        "GRANT SELECT, INSERT, UPDATE ON dbo.userroles TO [feathr_registry_app];"
    ]

"""Resource options as the engine receives them (protect, additional secret outputs, replace on
changes, ignore changes...), per stack variant, against tables written here.

The mocks record the RegisterResourceRequest (infra/offline/mocks.py), so an option dropped from a
component shows up here even though it changes no input.
"""

import pytest

from tests.variants import STACK_VARIANTS, VARIANTS, run_variant

# Types that hold data people depend on (written here, not taken from the code or the policy pack).
STATEFUL_TYPES = {
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobContainer",
    "azure-native:keyvault:Vault",
    "azure-native:sql:Server",
    "azure-native:sql:Database",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redisenterprise:Database",
    "azure-native:redis:Redis",
    "azure-native:synapse:Workspace",
    "azure-native:databricks:Workspace",
    "azure-native:purview:Account",
    # The environment's logs and audit trail (Key Vault AuditEvent, SQL audit): lost with the workspace.
    "azure-native:operationalinsights:Workspace",
}

_COMMON = {"offline-store", "offline-store-container", "key-vault", "spark", "monitoring"}
_SQL = {
    "registry-sql-server",
    "registry-sql-partner-server",
    "registry-sql-database",
    "registry-sql-secondary-database",
}
_MANAGED_REDIS = {"online-store", "online-store-database"}
# network.mode private: the deployment scripts' storage account, protected as every account of prod (not
# locked: tests/test_program.py); prod's databricks variant runs public (tests/support.py databricks_ready).
_SCRIPTS = {"registry-script-storage"}
# The network of private prod: both created VNets and their NSGs (Pulumi.prod.yaml; the Databricks private variant
# brings its own primary subnets) and the private DNS zones its endpoints use (Learn, "Azure Private Endpoint
# private DNS zone values"). Their zone links, peerings and diagnostic settings are not protected (recreatable).
_VNETS = {
    "network-westeurope-vnet",
    "network-westeurope-endpoints-nsg",
    "network-westeurope-appIntegration-nsg",
    "network-westeurope-deploymentScripts-nsg",
}
# the partner VNet also holds the standby registry app's integration subnet (registryApi.standby)
_PARTNER_VNET = {
    "network-northeurope-vnet",
    "network-northeurope-endpoints-nsg",
    "network-northeurope-appIntegration-nsg",
}
_ZONES = {  # every private stack: Key Vault, the offline store, SQL, the registry app
    "network-privatelink.vaultcore.azure.net",
    "network-privatelink.dfs.core.windows.net",
    "network-privatelink.blob.core.windows.net",
    "network-privatelink.database.windows.net",
    "network-privatelink.azurewebsites.net",
}
_SYNAPSE_ZONES = {
    "network-privatelink.dev.azuresynapse.net",
    "network-privatelink.sql.azuresynapse.net",
    "network-privatelink.azuresynapse.net",
}
_AMR_ZONE = {"network-privatelink.redis.azure.net"}
_PROD_ZONES = _ZONES | _SYNAPSE_ZONES | _AMR_ZONE
_PURVIEW_ZONES = _PROD_ZONES | {"network-privatelink.purview.azure.com", "network-privatelink.purviewstudio.azure.com"}
_DATABRICKS_ZONES = _ZONES | _AMR_ZONE | {"network-privatelink.azuredatabricks.net"}
_LEGACY_ZONES = _ZONES | _SYNAPSE_ZONES | {"network-privatelink.redis.cache.windows.net"}
# Logical names of the protected resources of prod, per variant.
PROD_PROTECTED = {
    "as deployed": _COMMON | _SQL | _MANAGED_REDIS | _SCRIPTS | _VNETS | _PARTNER_VNET | _PROD_ZONES,
    "databricks": _COMMON | _SQL | _MANAGED_REDIS,  # public (tests/support.py databricks_ready): no network
    "databricks private": _COMMON | _SQL | _MANAGED_REDIS | _SCRIPTS | _PARTNER_VNET | _DATABRICKS_ZONES,
    "legacy redis": _COMMON | _SQL | {"online-store"} | _SCRIPTS | _VNETS | _PARTNER_VNET | _LEGACY_ZONES,
    # RBAC keeps its roles in SQL with the Purview backend too, so the SQL store is there as well
    "purview": _COMMON
    | _SQL
    | _MANAGED_REDIS
    | {"registry-purview"}
    | _SCRIPTS
    | _VNETS
    | _PARTNER_VNET
    | _PURVIEW_ZONES,
}
_DATA_LOCKED = {"offline-store", "key-vault", "spark", "online-store", "monitoring", *_SQL}


def _soa(zones: set[str]) -> set[str]:
    # A created zone is locked by its SOA record set (<zone id>/SOA/@, Learn dns-protect-private-zones-recordsets).
    return {f"{zone}/SOA/@" for zone in zones}


# Resources with a CanNotDelete lock in prod (the lock's logical name is `<name>-lock`; a zone's SOA lock
# `<zone>-soa-lock`). VNets and NSGs are protected, not locked (infra/components/network/__init__.py).
PROD_LOCKED = {
    "as deployed": _DATA_LOCKED | _soa(_PROD_ZONES),
    "databricks": _DATA_LOCKED,
    "databricks private": _DATA_LOCKED | _soa(_DATABRICKS_ZONES),
    "legacy redis": _DATA_LOCKED | _soa(_LEGACY_ZONES),
    "purview": _DATA_LOCKED | {"registry-purview"} | _soa(_PURVIEW_ZONES),
}

VARIANT_NAMES = sorted(VARIANTS)
PROD_VARIANT_NAMES = sorted([*VARIANTS, *STACK_VARIANTS])  # prod also has the private-only variants


@pytest.mark.parametrize("variant", PROD_VARIANT_NAMES)
def test_prod_protects_exactly_its_stateful_resources(variant):
    result = run_variant("prod", variant)
    protected = {r.logical_name for r in result.resources if r.protect}
    assert protected == PROD_PROTECTED[variant]
    unprotected = [(r.token, r.logical_name) for r in result.resources if r.token in STATEFUL_TYPES and not r.protect]
    assert unprotected == []


@pytest.mark.parametrize("variant", PROD_VARIANT_NAMES)
def test_prod_locks_its_stateful_resources_against_deletion(variant):
    result = run_variant("prod", variant)
    by_id = {r.arm_id: r.logical_name for r in result.resources if r.arm_id}

    def locked(scope: str) -> str:
        zone, soa, _ = scope.rpartition("/SOA/@")
        return f"{by_id[zone]}/SOA/@" if soa else by_id[scope]

    locks = result.of_type("azure-native:authorization:ManagementLockByScope")
    assert {locked(lock.inputs["scope"]) for lock in locks} == PROD_LOCKED[variant]
    for lock in locks:
        assert lock.inputs["level"] == "CanNotDelete"
        name = locked(lock.inputs["scope"])
        assert lock.logical_name == (name.replace("/SOA/@", "-soa") if name.endswith("/SOA/@") else name) + "-lock"


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_dev_protects_and_locks_nothing(variant):
    result = run_variant("dev", variant)
    assert [r.logical_name for r in result.resources if r.protect] == []
    assert result.of_type("azure-native:authorization:ManagementLockByScope") == []


def _secret_outputs(result):
    return {r.logical_name: r.additional_secret_outputs for r in result.resources if r.additional_secret_outputs}


_VAULT = {"dev": "contoso-dev-kv-yk41aj", "prod": "contoso-prod-kv-78gz9l"}
# pulumi-random marks these itself: the SQL admin password and the registry app's own password.
_PASSWORD = {
    "registry-sql-admin-password": {"result", "bcryptHash"},
    "registry-sql-app-password": {"result", "bcryptHash"},
}


def _vault_secrets(stack, *names):
    return {f"{_VAULT[stack]}-{name}": {"properties"} for name in names}


def _sql_secrets(stack, *extra):
    # the registry's connection string and the SQL admin password kept for break-glass
    names = ("redis-password", "feathr-registry-sql-connection-string", "feathr-registry-sql-admin-password")
    return _PASSWORD | _vault_secrets(stack, *names, *extra)


def _alerting(stack):
    # The action group (alerting is on in prod): its webhook receiver's URL may carry a token.
    return {"monitoring-action-group": {"webhookReceivers"}} if stack == "prod" else {}


# Which resources the engine is told to keep secret in state beyond their secret inputs.
SECRET_OUTPUTS = {
    "as deployed": lambda s: _sql_secrets(s) | _alerting(s),
    "purview": lambda s: _sql_secrets(s) | _alerting(s),  # RBAC keeps the registry's roles in SQL
    "databricks": lambda s: _sql_secrets(s, "adls-account", "adls-key") | _alerting(s),
    # The legacy cache's create response carries its access keys.
    "legacy redis": lambda s: _sql_secrets(s) | {"online-store": {"accessKeys"}} | _alerting(s),
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_additional_secret_outputs(stack, variant):
    assert _secret_outputs(run_variant(stack, variant)) == SECRET_OUTPUTS[variant](stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_legacy_redis_access_keys_are_secret_in_state(stack):
    cache = run_variant(stack, "legacy redis").one("azure-native:redis:Redis")
    assert "accessKeys" in cache.additional_secret_outputs


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_vault_secret_values_are_secret_inputs(stack, variant):
    secrets = run_variant(stack, variant).of_type("azure-native:keyvault:Secret")
    assert secrets
    assert [s.logical_name for s in secrets if "properties" not in s.secret_inputs] == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_no_option_hides_drift_or_changes_how_a_resource_is_replaced(stack, variant):
    result = run_variant(stack, variant)
    assert {r.logical_name: r.ignore_changes for r in result.resources if r.ignore_changes} == {}
    assert [r.logical_name for r in result.resources if r.delete_before_replace] == []
    assert [r.logical_name for r in result.resources if r.retain_on_delete] == []
    assert [r.logical_name for r in result.resources if r.deleted_with] == []


def test_commands_rerun_when_their_triggers_change():
    # The Synapse role table, the private endpoint approvals (store, Front Door) and the Redis key rotation
    # re-run (replace) when their trigger values change.
    rerun = {"triggers[*]"}
    expected = {
        "dev": {"access-synapse-roles": rerun, "online-store-key-regeneration": rerun},
        "prod": {
            "access-synapse-roles": rerun,
            "spark-approve-store-endpoint": rerun,
            "online-store-key-regeneration": rerun,
            # prod's Front Door reaches both registry apps through Private Link (network.mode private)
            "registry-front-door-approve-primary-private-link": rerun,
            "registry-front-door-approve-standby-private-link": rerun,
        },
    }
    for stack in ("dev", "prod"):
        result = run_variant(stack, "as deployed")
        assert {r.logical_name: r.replace_on_changes for r in result.resources if r.replace_on_changes} == expected[
            stack
        ]

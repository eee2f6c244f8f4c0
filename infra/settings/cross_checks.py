"""Settings that are each valid alone but together leave a service with no way to its data, or describe
something Azure refuses: two resources under one name, a name for nothing, a database larger than its
SKU, one person under two identities."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from infra.naming import NAMED_RESOURCES
from infra.settings.errors import SettingsError
from infra.settings.reader import describe
from infra.settings.spark_network import check_spark_network, network_private
from infra.settings.sql_limits import max_data_size_gb

if TYPE_CHECKING:
    from infra.settings import Settings
    from infra.settings.access import Principal


def _fail(key: str, value: object, why: str) -> SettingsError:
    return SettingsError(f"setting feathr-infra:{key} = {describe(value)}: {why}")


def check_combinations(s: Settings) -> None:
    _check_name_overrides(s)
    _check_identities(s)
    if s.registry.sql_database:
        _check_sql_size(s)
    _check_exfiltration_runtime(s)
    check_spark_network(s)
    geo_cache = s.online_store.geo_secondary_location
    if s.network.private and geo_cache is not None and geo_cache not in s.network.locations:
        raise _fail(
            "onlineStore.geoReplication.secondaryLocation",
            geo_cache,
            "with network.mode 'private' the geo-secondary cache needs a private endpoint in its region, and the "
            f"network has endpoint subnets only in {list(s.network.locations)} (the stack's location and "
            "registry.sql.secondaryLocation): choose one of those",
        )
    _check_standby(s)
    if s.key_vault.network_default_action == "Deny" and s.registry.sql_database and not s.network.private:
        # App Service is not a trusted service of the Key Vault firewall: it resolves Key Vault
        # references through a firewall only with VNet integration, which only private mode builds
        # (the registry app's integration subnet, network.primary).
        raise _fail(
            "keyVault.networkDefaultAction",
            "Deny",
            "the registry app reads its SQL connection string through a Key Vault reference, which a "
            "Key Vault firewall blocks (App Service is no trusted service); keep 'Allow' (access stays "
            "RBAC-only, per secret), or set network.mode 'private' (the registry app then reaches the vault "
            "through its VNet integration and the vault's private endpoint)",
        )
    store_closed = (
        s.offline_store.network_default_action == "Deny" or s.network.private
    ) and not s.offline_store.shared
    spark = s.spark
    if spark.runtime == "synapse" and not spark.shared and store_closed and not spark.synapse.managed_virtual_network:
        raise _fail(
            "spark.synapse.managedVirtualNetwork",
            False,
            "must be true when offlineStore.networkDefaultAction is 'Deny': only the managed virtual network's "
            "private endpoint takes the Spark pool through the storage firewall",
        )
    if spark.runtime == "synapse" and spark.synapse.prevent_data_exfiltration and not spark.feathr_runtime_location:
        raise _fail(
            "spark.synapse.preventDataExfiltration",
            True,
            "needs spark.feathrRuntimeLocation (the Feathr jar on the offline store): with exfiltration "
            "protection the pool cannot download it from Maven",
        )
    if s.databricks_token_given and spark.runtime != "databricks":
        raise SettingsError(
            "setting feathr-infra:databricksToken is set, but spark.runtime is not 'databricks': remove it "
            "(`pulumi config rm databricksToken`)"
        )
    if spark.runtime == "databricks":
        if not s.offline_store.shared_key_access:
            raise _fail(
                "offlineStore.sharedKeyAccess",
                False,
                "must be true with spark.runtime 'databricks': Feathr's Databricks jobs reach ADLS with the "
                "account key (ADLS-ACCOUNT / ADLS-KEY in Key Vault); their clusters have no identity",
            )
        if store_closed and s.network.private and spark.databricks.injection is None:
            # A dedicated workspace without injection fails in check_spark_network first; this is a shared one.
            raise _fail(
                "network.mode",
                "private",
                "a shared Databricks workspace (another stack's, not VNet-injected here) cannot reach this "
                "private offline store: its clusters would reach the store over its disabled public endpoint; "
                "use a dedicated workspace with spark.databricks.injection",
            )
        if store_closed and not (s.network.private and spark.databricks.injection is not None):
            raise _fail(
                "offlineStore.networkDefaultAction",
                "Deny",
                "must be 'Allow' with spark.runtime 'databricks' in public mode: without VNet injection "
                "(network.mode 'private', spark.databricks.injection) its clusters reach the offline store over "
                "public endpoints",
            )


# Name kinds that share one namespace: a failover group is a DNS name in database.windows.net, as servers are
# ("Configure a failover group", Microsoft Learn: the name must be globally unique within .database.windows.net).
_NAMESPACE = {"sql_failover_group": "sql_server"}


def built_names(s: Settings) -> frozenset[str]:
    """The name keys (infra.naming.NAMED_RESOURCES) of resources this stack creates with settings like these."""
    built = {"resource_group", "key_vault", "registry_plan", "registry_app", "registry_identity"}
    if s.registry_api.standby:
        built |= {
            "registry_standby_plan",
            "registry_standby_app",
            "registry_standby_identity",
            "registry_front_door",
            "registry_front_door_endpoint",
            "registry_waf_policy",
        }
    if not s.offline_store.shared:
        built.add("storage_account")
    # storage_container: the container is named by offlineStore.container, never by `names`.
    if s.registry.sql_database:  # the SQL backend, or registry RBAC's userroles with Purview
        built |= {"registry_sql_server", "registry_sql_database", "registry_bootstrap_script"}
        if s.registry.sql.geo_replicated:
            built |= {"registry_sql_partner_server", "registry_sql_failover_group"}
    if s.registry.backend == "purview":
        built |= {
            "purview_account",
            "purview_managed_resource_group",
            "purview_admin_identity",
            "purview_curator_script",
        }
    if s.network.private:  # the deployment scripts run in the script subnet (components/deployment_script.py)
        if s.registry.sql_database:
            built.add("registry_bootstrap_identity")
        if s.registry.sql_database or s.registry.backend == "purview":
            built.add("script_storage_account")
    if not s.spark.shared:
        if s.spark.runtime == "synapse":
            built |= {"synapse_workspace", "synapse_spark_pool", "synapse_managed_resource_group"}
            if network_private(s):
                built.add("synapse_private_link_hub")
        else:
            built |= {"databricks_workspace", "databricks_managed_resource_group"}
    if s.monitoring.creates_workspace:
        built.add("log_analytics_workspace")
    if s.online_store.managed:
        built.add("managed_redis")
        if s.online_store.managed_secondary:
            built.add("managed_redis_secondary")
    else:
        built.add("redis_cache")
        if s.online_store.geo_secondary_location is not None:
            built.add("redis_cache_secondary")
        if s.online_store.persistence != "none":
            built.add("redis_persistence_identity")
    return frozenset(built)


def _check_name_overrides(s: Settings) -> None:
    overrides, built = s.names.overrides, built_names(s)
    for key, value in overrides.items():
        if key not in built:
            hint = " (the container is offlineStore.container)" if key == "storage_container" else ""
            raise _fail(
                f"names.{key}",
                value,
                f"this stack builds no {key.replace('_', ' ')} with these settings{hint}; remove the override",
            )
    seen: dict[tuple[str, str], str] = {}
    for key in sorted(built, key=lambda k: (k not in overrides, k)):  # name an override, not a generated name
        kind = NAMED_RESOURCES[key][0]
        name = s.names.of(key)
        other = seen.setdefault((_NAMESPACE.get(kind, kind), name.lower()), key)
        if other != key:
            named = other if other in overrides else key
            rest = key if named == other else other
            raise _fail(
                f"names.{named}",
                name,
                f"also the name of {rest}; two resources of one kind cannot share a name (Azure names of this kind "
                "are unique per resource group, or globally where they are DNS names)",
            )


def _check_identities(s: Settings) -> None:
    """One principal is one Entra object: one object id, one name, one type wherever it is listed."""
    access = s.access
    listed = [*access.admins, *access.producers, *access.consumers]
    for project in access.projects:
        listed += [*project.producers, *project.consumers]
    by_id: dict[str, Principal] = {}
    by_name: dict[str, Principal] = {}
    for principal in listed:
        first = by_id.setdefault(principal.object_id, principal)
        if first is not principal and (first.name, first.principal_type) != (principal.name, principal.principal_type):
            raise SettingsError(
                f"setting {principal.setting_key}.objectId = {describe(principal.object_id)}: listed at "
                f"{first.setting_key} as {first.principal_type} {describe(first.name)}, here as "
                f"{principal.principal_type} {describe(principal.name)}; one object id is one principal"
            )
        if principal.principal_type == "Group" or not principal.name:
            continue  # group display names are not unique in Entra ID; users and apps are known by name
        first = by_name.setdefault(principal.registry_user_name, principal)
        if first is not principal and first.object_id != principal.object_id:
            raise SettingsError(
                f"setting {principal.setting_key}.objectId = {describe(principal.object_id)}: "
                f"{describe(principal.name)} is listed at {first.setting_key} with object id "
                f"{describe(first.object_id)}; one {principal.principal_type} has one object id"
            )


def _check_standby(s: Settings) -> None:
    """A standby registry app serves from the SQL partner region through the failover group's listener."""
    if not s.registry_api.standby:
        return
    if s.registry.backend != "sql":
        raise _fail(
            "registryApi.standby.enabled",
            True,
            "needs registry.backend 'sql': a Purview account lives in one region, so a standby app would fail "
            "over to a backend that is down with the primary",
        )
    if not s.registry.sql.geo_replicated:
        raise _fail(
            "registryApi.standby.enabled",
            True,
            "needs registry.sql.secondaryLocation (geo-replication with a failover group): the standby app runs "
            "in that region and reaches the database through the group's read-write listener",
        )
    partner = s.network.partner
    if s.network.private and partner is not None and "appIntegration" not in partner.roles:
        # Its Key Vault reference and SQL connection go private only through regional VNet integration, which
        # needs a delegated subnet in the app's own region (Learn app-service/overview-vnet-integration).
        where = "subnets" if partner.created else "existingSubnets"
        raise SettingsError(
            f"setting feathr-infra:network.partner.{where}.appIntegration = (not set): required with "
            "registryApi.standby.enabled in private mode: the standby app's VNet integration subnet in "
            f"{partner.location} (delegated to Microsoft.Web/serverFarms, /26 or larger recommended)"
        )


def _check_sql_size(s: Settings) -> None:
    sql = s.registry.sql
    limit = max_data_size_gb(sql.sku.serverless, sql.sku.tier, sql.sku.capacity)
    if sql.max_size_gb > limit:
        raise _fail(
            "registry.sql.maxSizeGb",
            sql.max_size_gb,
            f"{sql.sku.name} holds at most {limit} GB (Microsoft Learn, vCore resource limits for single "
            "databases); pick a larger sku or a smaller size",
        )


def _check_exfiltration_runtime(s: Settings) -> None:
    spark = s.spark
    location = spark.feathr_runtime_location
    if spark.runtime != "synapse" or spark.shared or not spark.synapse.prevent_data_exfiltration or not location:
        return
    account = s.offline_store.existing_account_name or s.names.of("storage_account")
    allowed = f"{account}.dfs.core.windows.net"
    host = (urlsplit(location).netloc.rsplit("@", 1)[-1]).lower()
    if host != allowed:
        # Learn, "Data exfiltration protection for Azure Synapse Analytics workspaces": resources in the managed
        # virtual network always communicate over managed private endpoints; the pool has one, to the offline store.
        raise _fail(
            "spark.feathrRuntimeLocation",
            location,
            f"with spark.synapse.preventDataExfiltration the pool reaches nothing but its managed private endpoint "
            f"to the offline store, so the jar must be there: abfss://<container>@{allowed}/<path>",
        )

"""Online store: Managed Redis (default) and legacy Cache for Redis, per environment; the access key
reaches Key Vault as REDIS-PASSWORD, marked secret, and no plain output or plan."""

import json

import pytest

from infra.naming import generate_name
from infra.offline.fabricators.redis import FAKE_KEY_MARKER
from infra.offline.plan import plan_document
from tests.support import config_with, run

CLUSTER = "azure-native:redisenterprise:RedisEnterprise"
DATABASE = "azure-native:redisenterprise:Database"
CACHE = "azure-native:redis:Redis"
LINK = "azure-native:redis:LinkedServer"
FIREWALL = "azure-native:redis:FirewallRule"
SECRET = "azure-native:keyvault:Secret"
LOCK = "azure-native:authorization:ManagementLockByScope"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE = "azure-native:authorization:RoleAssignment"
COMPONENT = "feathr:online:OnlineStore"
LEGACY = "cache-for-redis"
STORAGE_ID = (
    "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-redis-backup"
    "/providers/Microsoft.Storage/storageAccounts/contosoredisbackup"
)
OTHER_DATABASE_ID = (
    "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/contoso-prod-ne-rg"
    "/providers/Microsoft.Cache/redisEnterprise/contoso-prodne-amr/databases/default"
)


def online(stack, **section):
    """The stack's config with the onlineStore section replaced by `section`."""
    return config_with(stack, onlineStore=section)


def legacy(stack, **section):
    return run(stack, online(stack, kind=LEGACY, **section))


# Legacy production needs Premium plus zones, persistence or geo-replication: zones is the plain one.
LEGACY_PROD_ZONES = {"zones": ["1", "2", "3"]}
VARIANTS = {
    ("managed-redis", "dev"): lambda: run("dev"),
    ("managed-redis", "prod"): lambda: run("prod"),
    (LEGACY, "dev"): lambda: legacy("dev"),
    (LEGACY, "prod"): lambda: legacy("prod", **LEGACY_PROD_ZONES),
}


@pytest.fixture(params=sorted(VARIANTS), ids=lambda p: f"{p[0]}-{p[1]}")
def variant(request):
    return request.param, VARIANTS[request.param]()


def component_urn(result):
    return next(r for r in result.resources if r.token == COMPONENT).urn


# --- Managed Redis ---------------------------------------------------------------------------------


def test_managed_redis_is_the_default_kind(stack_run):
    assert stack_run.outputs["onlineStoreKind"].value == "managed-redis"
    assert stack_run.of_type(CACHE) == []
    assert stack_run.one(CLUSTER).parent_urn == component_urn(stack_run)


def test_managed_redis_database_is_tls_only_enterprise_cluster_with_access_keys(stack_run):
    database = stack_run.one(DATABASE)
    assert database.inputs["databaseName"] == "default"
    assert database.inputs["clusterName"] == stack_run.one(CLUSTER).physical_name
    assert database.inputs["clusteringPolicy"] == "EnterpriseCluster"
    assert database.inputs["clientProtocol"] == "Encrypted"
    assert database.inputs["port"] == 10000
    assert database.inputs["accessKeysAuthentication"] == "Enabled"
    assert database.inputs["evictionPolicy"] == "NoEviction"
    assert database.parent_urn == component_urn(stack_run)


def test_managed_redis_cluster_tls_and_tags(stack_run):
    cluster = stack_run.one(CLUSTER)
    assert cluster.inputs["minimumTlsVersion"] == "1.2"
    # dev is public behind its key; prod is private (network.mode), reached through its private endpoint.
    expected = {"dev": "Enabled", "prod": "Disabled"}[stack_run.outputs["environment"].value]
    assert cluster.inputs["publicNetworkAccess"] == expected
    assert cluster.inputs["tags"]["environment"] == stack_run.outputs["environment"].value


def test_managed_redis_dev_is_cheap_and_unprotected(dev):
    cluster = dev.one(CLUSTER)
    assert cluster.inputs["sku"] == {"name": "Balanced_B0"}
    assert cluster.inputs["highAvailability"] == "Disabled"
    assert "zones" not in cluster.inputs
    assert "persistence" not in dev.one(DATABASE).inputs
    assert not cluster.protect and not dev.one(DATABASE).protect
    assert not [lock for lock in dev.of_type(LOCK) if lock.inputs["scope"] == cluster.arm_id]


def test_managed_redis_prod_is_highly_available_zone_redundant_persistent_and_protected(prod):
    cluster, database = prod.one(CLUSTER), prod.one(DATABASE)
    assert cluster.inputs["sku"] == {"name": "Balanced_B5"}
    assert cluster.inputs["highAvailability"] == "Enabled"
    assert "zones" not in cluster.inputs  # zone redundancy comes with high availability
    assert database.inputs["persistence"] == {"aofEnabled": True, "aofFrequency": "1s"}
    assert "geoReplication" not in database.inputs
    assert cluster.protect and database.protect
    locks = [lock for lock in prod.of_type(LOCK) if lock.inputs["scope"] == cluster.arm_id]
    assert len(locks) == 1 and locks[0].inputs["level"] == "CanNotDelete"


def test_managed_redis_rdb_persistence_from_settings():
    result = run("prod", online("prod", persistence="rdb", rdbFrequency="6h"))
    assert result.one(DATABASE).inputs["persistence"] == {"rdbEnabled": True, "rdbFrequency": "6h"}


def test_managed_redis_active_geo_replication_lists_itself_and_the_linked_databases():
    result = run(
        "prod",
        online("prod", geoReplication={"groupNickname": "feathr-prod", "linkedDatabaseIds": [OTHER_DATABASE_ID]}),
    )
    database = result.one(DATABASE)
    assert "persistence" not in database.inputs
    assert database.inputs["geoReplication"] == {
        "groupNickname": "feathr-prod",
        "linkedDatabases": [{"id": database.arm_id}, {"id": OTHER_DATABASE_ID}],
    }


GEO_PAIR = {"groupNickname": "feathr-prod", "secondaryLocation": "northeurope"}
COMMAND = "command:local:Command"


@pytest.fixture(scope="module")
def geo_pair():
    """prod with a second Managed Redis cluster in the SQL partner region, both in one group."""
    return run("prod", online("prod", sku="Balanced_B5", highAvailability=True, geoReplication=GEO_PAIR))


def test_managed_redis_secondary_cluster_is_built_in_its_region_with_the_same_settings(geo_pair):
    clusters = {c.physical_name: c for c in geo_pair.of_type(CLUSTER)}
    primary, secondary = generate_name("managed_redis", "contoso", "prod"), "contoso-prod-secondary-amr-78gz9l"
    assert set(clusters) == {primary, secondary}
    assert (clusters[primary].inputs["location"], clusters[secondary].inputs["location"]) == (
        "westeurope",
        "northeurope",
    )
    # Learn how-to-active-geo-replication: every member has the same SKU, ... clustering policy, modules and TLS.
    for cluster in clusters.values():
        assert cluster.inputs["sku"] == {"name": "Balanced_B5"}
        assert cluster.inputs["highAvailability"] == "Enabled"
        assert cluster.inputs["minimumTlsVersion"] == "1.2"
        assert cluster.protect
        locks = [lock for lock in geo_pair.of_type(LOCK) if lock.inputs["scope"] == cluster.arm_id]
        assert len(locks) == 1 and locks[0].inputs["level"] == "CanNotDelete"
    databases = geo_pair.of_type(DATABASE)
    assert len(databases) == 2
    for database in databases:
        assert database.inputs["clusteringPolicy"] == "EnterpriseCluster"
        assert database.inputs["evictionPolicy"] == "NoEviction"
        assert database.inputs["clientProtocol"] == "Encrypted"
        assert "persistence" not in database.inputs and "modules" not in database.inputs
        assert database.protect


def test_managed_redis_secondary_joins_the_group_the_primary_creates(geo_pair):
    by_cluster = {d.inputs["clusterName"]: d for d in geo_pair.of_type(DATABASE)}
    primary = by_cluster[generate_name("managed_redis", "contoso", "prod")]
    secondary = by_cluster["contoso-prod-secondary-amr-78gz9l"]
    # Learn's CLI sequence: the first database lists itself, the next one lists both.
    assert primary.inputs["geoReplication"] == {
        "groupNickname": "feathr-prod",
        "linkedDatabases": [{"id": primary.arm_id}],
    }
    assert secondary.inputs["geoReplication"] == {
        "groupNickname": "feathr-prod",
        "linkedDatabases": [{"id": primary.arm_id}, {"id": secondary.arm_id}],
    }
    assert primary.urn in secondary.depends_on


def test_managed_redis_secondary_key_has_its_own_secret_and_rotation(geo_pair):
    secrets = {s.inputs["secretName"]: s for s in geo_pair.of_type(SECRET)}
    assert {"REDIS-PASSWORD", "REDIS-PASSWORD-SECONDARY"} <= set(secrets)
    assert "properties" in secrets["REDIS-PASSWORD-SECONDARY"].secret_inputs
    commands = {c.logical_name: c for c in geo_pair.of_type(COMMAND) if "key-regeneration" in c.logical_name}
    assert set(commands) == {"online-store-key-regeneration", "online-store-secondary-key-regeneration"}
    primary_db = {d.inputs["clusterName"]: d for d in geo_pair.of_type(DATABASE)}
    env = commands["online-store-secondary-key-regeneration"].inputs["environment"]
    assert env["RESOURCE_ID"] == primary_db["contoso-prod-secondary-amr-78gz9l"].arm_id
    assert env["SECRET_ID"].endswith("/secrets/REDIS-PASSWORD-SECONDARY")
    assert (
        commands["online-store-key-regeneration"].inputs["environment"]["SECRET_ID"].endswith("/secrets/REDIS-PASSWORD")
    )


def test_feathr_config_points_at_the_primary_and_the_secondary_host_is_exported(geo_pair):
    clusters = {c.inputs["location"]: c for c in geo_pair.of_type(CLUSTER)}
    assert geo_pair.outputs["onlineStoreHost"].value == clusters["westeurope"].outputs["hostName"]
    assert geo_pair.outputs["onlineStoreSecondaryHost"].value == clusters["northeurope"].outputs["hostName"]
    assert f"host: {clusters['westeurope'].outputs['hostName']}" in geo_pair.outputs["feathrConfigYaml"].value


def test_no_secondary_host_without_a_secondary_cluster(prod):
    assert "onlineStoreSecondaryHost" not in prod.outputs
    assert len(prod.of_type(CLUSTER)) == 1


def test_managed_redis_sku_and_network_access_from_settings():
    result = run("dev", online("dev", sku="MemoryOptimized_M10", publicNetworkAccess="Disabled"))
    cluster = result.one(CLUSTER)
    assert cluster.inputs["sku"] == {"name": "MemoryOptimized_M10"}
    assert cluster.inputs["publicNetworkAccess"] == "Disabled"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_managed_redis_host_name_is_the_one_azure_gives(stack):
    result = run(stack)
    name = generate_name("managed_redis", "contoso", stack)
    assert result.one(CLUSTER).physical_name == name
    # The host is what Azure reports for the cluster (the mock's format is not the program's decision).
    assert result.outputs["onlineStoreHost"].value == result.one(CLUSTER).outputs["hostName"]
    assert result.outputs["onlineStorePort"].value == 10000


# --- Azure Cache for Redis (legacy) ----------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_legacy_cache_is_tls_only(stack):
    result = legacy(stack, **(LEGACY_PROD_ZONES if stack == "prod" else {}))
    assert result.of_type(CLUSTER) == [] and result.of_type(DATABASE) == []
    cache = result.one(CACHE)
    assert cache.inputs["enableNonSslPort"] is False
    assert cache.inputs["minimumTlsVersion"] == "1.2"
    assert cache.inputs["disableAccessKeyAuthentication"] is False
    assert cache.inputs["redisConfiguration"]["maxmemoryPolicy"] == "noeviction"
    assert cache.inputs["tags"]["environment"] == stack
    assert cache.parent_urn == component_urn(result)
    assert result.outputs["onlineStoreKind"].value == LEGACY


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_legacy_host_name_is_the_one_azure_gives(stack):
    result = legacy(stack, **(LEGACY_PROD_ZONES if stack == "prod" else {}))
    name = generate_name("redis_cache", "contoso", stack)
    assert result.one(CACHE).physical_name == name
    assert result.outputs["onlineStoreHost"].value == f"{name}.redis.cache.windows.net"
    assert result.outputs["onlineStorePort"].value == 6380


def test_legacy_dev_is_basic_and_unprotected():
    result = legacy("dev")
    cache = result.one(CACHE)
    assert cache.inputs["sku"] == {"name": "Basic", "family": "C", "capacity": 0}
    assert "zones" not in cache.inputs
    assert "zonalAllocationPolicy" not in cache.inputs  # one node: nothing to place
    assert not cache.protect
    assert not [lock for lock in result.of_type(LOCK) if lock.inputs["scope"] == cache.arm_id]


def test_legacy_prod_premium_with_zones_is_protected_and_locked():
    result = legacy("prod", **LEGACY_PROD_ZONES)
    cache = result.one(CACHE)
    assert cache.inputs["sku"] == {"name": "Premium", "family": "P", "capacity": 1}
    assert cache.inputs["zones"] == ["1", "2", "3"]
    assert cache.inputs["zonalAllocationPolicy"] == "UserDefined"  # the zones listed, not Azure's pick
    assert cache.inputs["replicasPerPrimary"] == 2  # three zones: the primary and two replicas
    assert cache.protect
    assert len([lock for lock in result.of_type(LOCK) if lock.inputs["scope"] == cache.arm_id]) == 1


def test_legacy_persistence_writes_to_storage_with_a_managed_identity():
    result = legacy("prod", persistence="rdb", rdbFrequency="6h", persistenceStorageAccountId=STORAGE_ID)
    cache = result.one(CACHE)
    identity = next(r for r in result.of_type(IDENTITY) if r.parent_urn == component_urn(result))
    config = cache.inputs["redisConfiguration"]
    assert config["rdbBackupEnabled"] == "true"
    assert config["rdbBackupFrequency"] == "360"
    assert config["rdbStorageConnectionString"] == "BlobEndpoint=https://contosoredisbackup.blob.core.windows.net/"
    assert config["preferredDataPersistenceAuthMethod"] == "ManagedIdentity"
    assert config["storageSubscriptionId"] == "11111111-2222-4333-8444-555555555555"
    assert "aofBackupEnabled" not in config
    assert cache.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.arm_id]}
    role = next(r for r in result.of_type(ROLE) if r.inputs["scope"] == STORAGE_ID)
    assert role.inputs["principalId"] == identity.outputs["principalId"]
    assert role.inputs["principalType"] == "ServicePrincipal"
    assert role.inputs["roleDefinitionId"].endswith("/ba92f5b4-2d11-453d-a403-e96b0029c9fe")
    assert role.urn in cache.depends_on  # the identity holds its role before the cache first writes


def test_legacy_aof_persistence():
    result = legacy("prod", persistence="aof", persistenceStorageAccountId=STORAGE_ID)
    assert result.one(CACHE).inputs["zonalAllocationPolicy"] == "NoZones"  # no zones listed: none, not Automatic
    config = result.one(CACHE).inputs["redisConfiguration"]
    assert config["aofBackupEnabled"] == "true"
    assert config["aofStorageConnectionString0"] == "BlobEndpoint=https://contosoredisbackup.blob.core.windows.net/"
    assert "rdbBackupEnabled" not in config


def test_legacy_passive_geo_replication_links_a_secondary_in_another_region():
    result = legacy("prod", geoReplication={"secondaryLocation": "northeurope"})
    caches = {c.inputs["location"]: c for c in result.of_type(CACHE)}
    primary, secondary = caches["westeurope"], caches["northeurope"]
    assert secondary.physical_name == generate_name("redis_cache", "contoso", "prod", "secondary")
    assert secondary.inputs["sku"] == primary.inputs["sku"]
    assert "zones" not in primary.inputs and "zones" not in secondary.inputs
    # API 2024-11-01 would give both Automatic zones, which geo-replication excludes (cache-how-to-zone-redundancy)
    assert primary.inputs["zonalAllocationPolicy"] == "NoZones"
    assert secondary.inputs["zonalAllocationPolicy"] == "NoZones"
    link = result.one(LINK)
    assert link.inputs["name"] == primary.physical_name
    assert link.inputs["linkedRedisCacheId"] == secondary.arm_id
    assert link.inputs["linkedRedisCacheLocation"] == "northeurope"
    assert link.inputs["serverRole"] == "Secondary"
    for cache in (primary, secondary):
        assert cache.protect
        assert len([lock for lock in result.of_type(LOCK) if lock.inputs["scope"] == cache.arm_id]) == 1
    # Private prod: no firewall rules; each cache has its redisCache endpoint in its own region's VNet.
    assert result.of_type(FIREWALL) == []
    endpoints = {
        e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"]: (
            e.inputs["location"],
            e.inputs["subnet"]["id"].split("/virtualNetworks/")[1],
            e.inputs["privateLinkServiceConnections"][0]["groupIds"],
        )
        for e in result.of_type("azure-native:network:PrivateEndpoint")
        if "Microsoft.Cache/redis/" in e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"]
    }
    assert endpoints == {
        primary.arm_id: ("westeurope", "contoso-prod-westeurope-vnet/subnets/snet-endpoints", ["redisCache"]),
        secondary.arm_id: ("northeurope", "contoso-prod-northeurope-vnet/subnets/snet-endpoints", ["redisCache"]),
    }
    assert result.outputs["onlineStoreHost"].value == f"{primary.physical_name}.redis.cache.windows.net"


def test_legacy_firewall_rules_from_settings_never_span_everything():
    result = legacy("dev", allowedIpRanges=["203.0.113.0/24", "198.51.100.7"])
    rules = {r.inputs["ruleName"]: r.inputs for r in result.of_type(FIREWALL)}
    assert rules == {
        "client_203_0_113_0_24": {
            "cacheName": result.one(CACHE).physical_name,
            "resourceGroupName": "contoso-dev-rg",
            "ruleName": "client_203_0_113_0_24",
            "startIP": "203.0.113.0",
            "endIP": "203.0.113.255",
        },
        "client_198_51_100_7_32": {
            "cacheName": result.one(CACHE).physical_name,
            "resourceGroupName": "contoso-dev-rg",
            "ruleName": "client_198_51_100_7_32",
            "startIP": "198.51.100.7",
            "endIP": "198.51.100.7",
        },
    }
    assert legacy("dev").of_type(FIREWALL) == []


def test_legacy_standard_zones_are_left_to_azure():
    # Learn cache-how-to-zone-redundancy: Standard caches take Automatic zone allocation or Azure's
    # choice for the region; NoZones and UserDefined cannot be passed for them.
    cache = legacy("dev", sku="Standard", capacity=1).one(CACHE)
    assert cache.inputs["sku"] == {"name": "Standard", "family": "C", "capacity": 1}
    assert "zonalAllocationPolicy" not in cache.inputs and "zones" not in cache.inputs


def test_legacy_public_network_access_from_settings():
    assert legacy("dev", publicNetworkAccess="Disabled").one(CACHE).inputs["publicNetworkAccess"] == "Disabled"
    assert legacy("dev").one(CACHE).inputs["publicNetworkAccess"] == "Enabled"


# --- The access key ----------------------------------------------------------------------------------


def test_access_key_is_stored_in_key_vault_as_redis_password_marked_secret(variant):
    (_kind, _stack), result = variant
    secret = next(s for s in result.of_type(SECRET) if s.inputs["secretName"] == "REDIS-PASSWORD")
    assert "properties" in secret.secret_inputs
    assert secret.inputs["properties"]["value"].startswith(FAKE_KEY_MARKER)
    assert secret.inputs["vaultName"] == result.outputs["keyVaultName"].value
    assert secret.parent_urn == component_urn(result)


def test_access_key_never_appears_in_a_plain_output_or_the_plan(variant):
    (_kind, _stack), result = variant
    for key, output in result.outputs.items():
        if not output.secret:
            assert FAKE_KEY_MARKER not in json.dumps(output.value, default=str), key
    assert FAKE_KEY_MARKER not in json.dumps(plan_document(result), default=str)
    # the key did flow (so its absence above is meaningful): the vault secret holds it
    assert any(FAKE_KEY_MARKER in json.dumps(r.inputs, default=str) for r in result.of_type(SECRET))


def test_online_store_outputs_for_the_feathr_config(variant):
    (kind, _stack), result = variant
    assert result.outputs["onlineStoreKind"].value == kind
    assert isinstance(result.outputs["onlineStorePort"].value, int)
    for key in ("onlineStoreHost", "onlineStorePort", "onlineStoreKind"):
        assert not result.outputs[key].secret

"""Azure Managed Redis (redisEnterprise) and the legacy Azure Cache for Redis.

Host names follow Azure's rules: `<cluster>.<region>.redis.azure.net` for Managed Redis and
`<cache>.redis.cache.windows.net` (TLS port 6380) for Cache for Redis. Access keys are
fabricated as recognisable fakes (`FAKE-REDIS-KEY-...`), so tests can prove they never reach a
plain output or the plan.
"""

from infra.offline.azure_model import ArmType, identity_output, register, register_call, stable_uuid

FAKE_KEY_MARKER = "FAKE-REDIS-KEY"
MANAGED_REDIS_PORT = 10000
LEGACY_PORT, LEGACY_TLS_PORT = 6379, 6380


def fake_key(kind: str, resource_group: str, name: str, which: str = "primary") -> str:
    """The access key the mocks hand out for one cache (stable, and unmistakably not real)."""
    return f"{FAKE_KEY_MARKER}-{which}-{stable_uuid(kind, str(resource_group), str(name), which)}"


def _managed_cluster(r, name, arm_id):
    return {
        "hostName": f"{name}.{r.get('location')}.redis.azure.net",
        "provisioningState": "Succeeded",
        "resourceState": "Running",
        "redisVersion": "7.4",
        "kind": "v2",
    }


def _managed_database(r, name, arm_id):
    return {"port": r.get("port") or MANAGED_REDIS_PORT, "provisioningState": "Succeeded", "resourceState": "Running"}


def _legacy_cache(r, name, arm_id):
    # Azure returns the access keys in the create response; the program marks them secret.
    group = r.get("resourceGroupName")
    identity = identity_output(r.get("identity"))
    computed = {} if identity is None else {"identity": identity}
    return computed | {
        "hostName": f"{name}.redis.cache.windows.net",
        "port": LEGACY_PORT,
        "sslPort": LEGACY_TLS_PORT,
        "provisioningState": "Succeeded",
        "redisVersion": "6.0",
        "accessKeys": {
            "primaryKey": fake_key("redis", group, name),
            "secondaryKey": fake_key("redis", group, name, "secondary"),
        },
    }


register(
    ArmType(
        "azure-native:redisenterprise:RedisEnterprise",
        "Microsoft.Cache/redisEnterprise/{clusterName}",
        "clusterName",
        computed=_managed_cluster,
    ),
    ArmType(
        "azure-native:redisenterprise:Database",
        "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}",
        "databaseName",
        computed=_managed_database,
    ),
    ArmType("azure-native:redis:Redis", "Microsoft.Cache/redis/{name}", "name", computed=_legacy_cache),
    ArmType(
        "azure-native:redis:LinkedServer",
        "Microsoft.Cache/redis/{name}/linkedServers/{linkedServerName}",
        "linkedServerName",
        computed=lambda r, name, arm_id: {
            "provisioningState": "Succeeded",
            "geoReplicatedPrimaryHostName": f"{r.get('name')}.redis.cache.windows.net",
        },
    ),
    ArmType(
        "azure-native:redis:FirewallRule", "Microsoft.Cache/redis/{cacheName}/firewallRules/{ruleName}", "ruleName"
    ),
)


@register_call("azure-native:redisenterprise:listDatabaseKeys")
def list_database_keys(args):
    group, cluster = args.get("resourceGroupName"), args.get("clusterName")
    return {
        "primaryKey": fake_key("redisenterprise", group, cluster),
        "secondaryKey": fake_key("redisenterprise", group, cluster, "secondary"),
    }


@register_call("azure-native:redis:listRedisKeys")
def list_redis_keys(args):
    group, name = args.get("resourceGroupName"), args.get("name")
    return {"primaryKey": fake_key("redis", group, name), "secondaryKey": fake_key("redis", group, name, "secondary")}

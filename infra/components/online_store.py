"""The online store Feathr serves features from: Azure Managed Redis, or the legacy Azure Cache for Redis.

Either way the client sees one TLS endpoint (`host`, `port`, `ssl_enabled`) and authenticates with
the access key as its password. The key is read with the service's list-keys function, marked
secret, and written to Key Vault as `REDIS-PASSWORD` (the name the Feathr client looks up); it is
never exported.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import managedidentity, redis, redisenterprise

from infra.components.firewall import client_range
from infra.components.key_vault import SecretStore
from infra.components.monitoring import Monitoring
from infra.components.monitoring.alerts import MetricAlert
from infra.components.network import Network
from infra.components.protection import lock_against_deletion, stateful_options
from infra.components.redis_key_rotation import (
    CACHE_FOR_REDIS_API_VERSION,
    MANAGED_REDIS_API_VERSION,
    SLOT_TAG,
    RedisKeyRotation,
)
from infra.components.role_assignment import grant
from infra.settings.online_store import OnlineStoreSettings

PASSWORD_SECRET_NAME = "REDIS-PASSWORD"
# The access key of the Managed Redis cluster in geoReplication.secondaryLocation (its own keys).
SECONDARY_PASSWORD_SECRET_NAME = "REDIS-PASSWORD-SECONDARY"
MANAGED_REDIS_PORT = 10000
DATABASE_NAME = "default"  # Managed Redis allows exactly one database, named "default"


def redis_alerts(namespace: str) -> tuple[MetricAlert, ...]:
    """Memory and server load. Learn, "Supported metrics for Microsoft.Cache/redisEnterprise" and "...for
    Microsoft.Cache/redis": usedmemorypercentage and serverLoad, Percent, Maximum, PT1M, on both types."""
    return (
        MetricAlert(
            key="memory",
            description="Online store memory above alerts.redisMemoryPercent (noeviction: writes fail when full)",
            namespace=namespace,
            metric="usedmemorypercentage",
            aggregation="Maximum",
            operator="GreaterThan",
            threshold="redis_memory_percent",
        ),
        MetricAlert(
            key="server-load",
            description="Online store server load above monitoring.alerts.redisServerLoadPercent for 15 minutes",
            namespace=namespace,
            metric="serverLoad",
            aggregation="Maximum",
            operator="GreaterThan",
            threshold="redis_server_load_percent",
        ),
    )


MANAGED_REDIS_ALERTS = redis_alerts("Microsoft.Cache/redisEnterprise")
CACHE_FOR_REDIS_ALERTS = redis_alerts("Microsoft.Cache/redis")


@dataclass(frozen=True)
class OnlineStoreArgs:
    settings: OnlineStoreSettings
    cache_name: str  # the Managed Redis cluster or the (primary) Cache for Redis
    secondary_cache_name: str  # the geo-replication secondary of either kind (unused otherwise)
    persistence_identity_name: str  # Cache for Redis persistence to storage (unused otherwise)
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    production_like: bool
    tags: dict[str, str]
    secrets: SecretStore
    monitoring: Monitoring
    network: Network


class OnlineStore(pulumi.ComponentResource):
    """Outputs: `host`, `port` (TLS), `ssl_enabled` (always True), `kind`, `cache_id` and
    `password_secret_uri` (the Key Vault secret holding the access key); with a Managed Redis
    secondary also `secondary_host`, `secondary_cache_id`, `secondary_password_secret_uri`."""

    ssl_enabled: bool = True

    def __init__(self, name: str, args: OnlineStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:online:OnlineStore", name, None, opts)
        self.kind = args.settings.kind
        # Managed Redis with geoReplication.secondaryLocation: the second cluster of the group.
        self.secondary_host: pulumi.Output[str] | None = None
        self.secondary_cache_id: pulumi.Output[str] | None = None
        self.secondary_password_secret_uri: pulumi.Output[str] | None = None
        build = self._managed_redis if args.settings.managed else self._cache_for_redis
        # The access key is renewed on its own schedule (redis_key_rotation.py).
        self._key_schedule = args.secrets.rotation_schedule(f"{name}-key-rotation", parent=self)
        key = build(name, args)
        self.password_secret_uri: pulumi.Output[str] = args.secrets.add_secret(
            PASSWORD_SECRET_NAME,
            pulumi.Output.secret(key),
            parent=self,
            rotation=self._key_schedule,
            tags={SLOT_TAG: self.key_rotation.slot},
        )
        # Memory and load of each cluster clients use: the cache, and a Managed Redis secondary (an active
        # member of the group). A passive Cache for Redis replica serves nobody until it is unlinked.
        alerts = MANAGED_REDIS_ALERTS if args.settings.managed else CACHE_FOR_REDIS_ALERTS
        args.monitoring.watch(name, target_id=self.cache_id, alerts=alerts, parent=self)
        if self.secondary_cache_id is not None:
            args.monitoring.watch(f"{name}-secondary", target_id=self.secondary_cache_id, alerts=alerts, parent=self)
        self.register_outputs(
            {"host": self.host, "port": self.port, "ssl_enabled": self.ssl_enabled, "cache_id": self.cache_id}
        )

    # Azure Managed Redis -------------------------------------------------------------------------

    def _managed_redis(self, name: str, args: OnlineStoreArgs) -> pulumi.Output[str]:
        settings = args.settings
        cluster, database = self._managed_cluster(name, args, args.cache_name, args.location, linked=[], after=[])
        self.host: pulumi.Output[str] = cluster.host_name
        self.port: pulumi.Output[int] = database.port.apply(lambda p: int(p or MANAGED_REDIS_PORT))
        self.cache_id: pulumi.Output[str] = cluster.id
        self.key_rotation = self._rotate_key(
            name, args, database.id, MANAGED_REDIS_API_VERSION, [database], PASSWORD_SECRET_NAME
        )
        if settings.managed_secondary:
            self._managed_secondary(name, args, cluster, database)
        return self._managed_key(args, cluster, database, self.key_rotation)

    def _managed_secondary(
        self,
        name: str,
        args: OnlineStoreArgs,
        primary: redisenterprise.RedisEnterprise,
        primary_database: redisenterprise.Database,
    ) -> None:
        """The second cluster of the group, in geoReplication.secondaryLocation: the same settings build it, so
        SKU, high availability, clustering and eviction policy, modules (none) and TLS match, as Azure requires
        of every member (Learn redis/how-to-active-geo-replication). It joins the group the primary created, as
        Learn's CLI sequence does: the first database lists itself, the next lists both."""
        location = args.settings.geo_secondary_location
        assert location is not None
        cluster, database = self._managed_cluster(
            f"{name}-secondary",
            args,
            args.secondary_cache_name,
            location,
            linked=[self._database_id(args, primary)],
            after=[primary_database],
        )
        self.secondary_host = cluster.host_name
        self.secondary_cache_id = cluster.id
        # Each member has its own access keys (Learn: "Each cache in the geo-replication group has its own
        # access key"): the client switches key with host when it moves over (docs/disaster-recovery.md).
        rotation = self._rotate_key(
            f"{name}-secondary",
            args,
            database.id,
            MANAGED_REDIS_API_VERSION,
            [database],
            SECONDARY_PASSWORD_SECRET_NAME,
        )
        self.secondary_password_secret_uri = args.secrets.add_secret(
            SECONDARY_PASSWORD_SECRET_NAME,
            pulumi.Output.secret(self._managed_key(args, cluster, database, rotation)),
            parent=self,
            rotation=self._key_schedule,
            tags={SLOT_TAG: rotation.slot},
        )

    def _managed_cluster(
        self,
        logical: str,
        args: OnlineStoreArgs,
        cluster_name: str,
        location: str,
        *,
        linked: list[pulumi.Input[str]],
        after: list[pulumi.Resource],
    ) -> tuple[redisenterprise.RedisEnterprise, redisenterprise.Database]:
        settings = args.settings
        cluster = redisenterprise.RedisEnterprise(
            logical,
            cluster_name=cluster_name,
            resource_group_name=args.resource_group_name,
            location=location,
            sku=redisenterprise.SkuArgs(name=settings.sku),
            minimum_tls_version=redisenterprise.TlsVersion.TLS_VERSION_1_2,
            high_availability=(
                redisenterprise.HighAvailability.ENABLED
                if settings.high_availability
                else redisenterprise.HighAvailability.DISABLED
            ),
            zones=list(settings.zones) or None,
            public_network_access=settings.public_network_access,
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        args.network.expose(
            logical, target_id=cluster.id, group_ids=("redisEnterprise",), location=location, parent=self
        )
        database = redisenterprise.Database(
            f"{logical}-database",
            cluster_name=cluster.name,
            resource_group_name=args.resource_group_name,
            database_name=DATABASE_NAME,
            # Feathr's redis-py client is not cluster-aware: EnterpriseCluster gives it one endpoint.
            clustering_policy=redisenterprise.ClusteringPolicy.ENTERPRISE_CLUSTER,
            client_protocol=redisenterprise.Protocol.ENCRYPTED,
            port=MANAGED_REDIS_PORT,
            access_keys_authentication=redisenterprise.AccessKeysAuthentication.ENABLED,
            # Features must not vanish silently under memory pressure. (Active geo-replication needs
            # NoEviction only with RediSearch: Learn redis/how-to-active-geo-replication. We use no module.)
            eviction_policy=redisenterprise.EvictionPolicy.NO_EVICTION,
            persistence=self._managed_persistence(settings),
            geo_replication=self._managed_geo_replication(args, cluster, linked),
            opts=stateful_options(args.production_like, self, depends_on=after),
        )
        if args.production_like:
            lock_against_deletion(logical, cluster, "Feathr online store of a production environment", self)
        # Metrics live on the cluster, the connection log on its database (diagnostic_categories.py).
        args.monitoring.diagnose(
            logical, target_id=cluster.id, resource_type="Microsoft.Cache/redisEnterprise", parent=self
        )
        args.monitoring.diagnose(
            f"{logical}-database",
            target_id=database.id,
            resource_type="Microsoft.Cache/redisEnterprise/databases",
            parent=self,
        )
        return cluster, database

    def _managed_key(
        self,
        args: OnlineStoreArgs,
        cluster: redisenterprise.RedisEnterprise,
        database: redisenterprise.Database,
        rotation: RedisKeyRotation,
    ) -> pulumi.Output[str]:
        keys = redisenterprise.list_database_keys_output(
            cluster_name=cluster.name,
            database_name=database.name,
            resource_group_name=args.resource_group_name,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[database, rotation.command]),
        )
        return rotation.published_key(keys.primary_key, keys.secondary_key)

    @staticmethod
    def _managed_persistence(settings: OnlineStoreSettings) -> redisenterprise.PersistenceArgs | None:
        if settings.persistence == "aof":
            return redisenterprise.PersistenceArgs(aof_enabled=True, aof_frequency=settings.aof_frequency)
        if settings.persistence == "rdb":
            return redisenterprise.PersistenceArgs(rdb_enabled=True, rdb_frequency=settings.rdb_frequency)
        return None

    @staticmethod
    def _database_id(args: OnlineStoreArgs, cluster: redisenterprise.RedisEnterprise) -> pulumi.Output[str]:
        """A database's id, known before it exists (the group lists every member, the new one included)."""
        return pulumi.Output.concat(
            "/subscriptions/",
            args.subscription_id,
            "/resourceGroups/",
            args.resource_group_name,
            "/providers/Microsoft.Cache/redisEnterprise/",
            cluster.name,
            "/databases/",
            DATABASE_NAME,
        )

    def _managed_geo_replication(
        self, args: OnlineStoreArgs, cluster: redisenterprise.RedisEnterprise, linked: list[pulumi.Input[str]]
    ) -> redisenterprise.DatabasePropertiesGeoReplicationArgs | None:
        settings = args.settings
        if settings.geo_group_nickname is None:
            return None
        members = [*linked, self._database_id(args, cluster), *settings.geo_linked_database_ids]
        return redisenterprise.DatabasePropertiesGeoReplicationArgs(
            group_nickname=settings.geo_group_nickname,
            linked_databases=[redisenterprise.LinkedDatabaseArgs(id=i) for i in members],
        )

    # Azure Cache for Redis (legacy) --------------------------------------------------------------

    def _cache_for_redis(self, name: str, args: OnlineStoreArgs) -> pulumi.Output[str]:
        settings = args.settings
        identity, depends_on = self._persistence_identity(name, args)
        cache = self._legacy_cache(
            name, args, args.cache_name, args.location, zones=settings.zones, identity=identity, depends_on=depends_on
        )
        caches = [(name, cache, args.location)]
        if settings.geo_secondary_location is not None:
            secondary = self._legacy_cache(
                f"{name}-secondary",
                args,
                args.secondary_cache_name,
                settings.geo_secondary_location,
                zones=(),
                identity=None,
                depends_on=[],
            )
            redis.LinkedServer(
                f"{name}-geo-link",
                name=cache.name,
                resource_group_name=args.resource_group_name,
                linked_server_name=secondary.name,
                linked_redis_cache_id=secondary.id,
                linked_redis_cache_location=settings.geo_secondary_location,
                server_role=redis.ReplicationRole.SECONDARY,
                opts=pulumi.ResourceOptions(parent=self),
            )
            caches.append((f"{name}-secondary", secondary, settings.geo_secondary_location))
        for logical, each, location in caches:
            self._firewall_rules(logical, each, args)
            args.monitoring.diagnose(logical, target_id=each.id, resource_type="Microsoft.Cache/redis", parent=self)
            args.network.expose(logical, target_id=each.id, group_ids=("redisCache",), location=location, parent=self)
            if args.production_like:
                lock_against_deletion(logical, each, "Feathr online store of a production environment", self)
        self.host = cache.host_name
        self.port = cache.ssl_port.apply(int)
        self.cache_id = cache.id
        self.key_rotation = self._rotate_key(
            name, args, cache.id, CACHE_FOR_REDIS_API_VERSION, [cache], PASSWORD_SECRET_NAME
        )
        keys = redis.list_redis_keys_output(
            name=cache.name,
            resource_group_name=args.resource_group_name,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[cache, self.key_rotation.command]),
        )
        return self.key_rotation.published_key(keys.primary_key, keys.secondary_key)

    def _rotate_key(
        self,
        name: str,
        args: OnlineStoreArgs,
        resource_id: pulumi.Output[str],
        api_version: str,
        depends_on: list[pulumi.Resource],
        secret_name: str,
    ) -> RedisKeyRotation:
        return RedisKeyRotation(
            f"{name}-key-regeneration",
            schedule=self._key_schedule,
            resource_id=resource_id,
            api_version=api_version,
            secret_id=pulumi.Output.concat(args.secrets.vault_id, "/secrets/", secret_name),
            parent=self,
            depends_on=depends_on,
        )

    def _legacy_cache(
        self,
        logical: str,
        args: OnlineStoreArgs,
        cache_name: str,
        location: str,
        *,
        zones: tuple[str, ...],
        identity: managedidentity.UserAssignedIdentity | None,
        depends_on: list,
    ) -> redis.Redis:
        settings = args.settings
        return redis.Redis(
            logical,
            name=cache_name,
            resource_group_name=args.resource_group_name,
            location=location,
            sku=redis.SkuArgs(name=settings.sku, family=settings.family, capacity=settings.capacity or 0),
            enable_non_ssl_port=False,
            minimum_tls_version=redis.TlsVersion.TLS_VERSION_1_2,
            disable_access_key_authentication=False,  # Feathr authenticates with the key
            public_network_access=settings.public_network_access,
            redis_version="6",
            zones=list(zones) or None,
            zonal_allocation_policy=self._zonal_allocation_policy(settings.sku, zones),
            # Spreading over N zones needs N-1 replicas next to the primary.
            replicas_per_primary=max(1, len(zones) - 1) if zones else None,
            identity=(
                redis.ManagedServiceIdentityArgs(
                    type=redis.ManagedServiceIdentityType.USER_ASSIGNED, user_assigned_identities=[identity.id]
                )
                if identity is not None
                else None
            ),
            redis_configuration=self._legacy_configuration(settings),
            tags=args.tags,
            # The create response carries the access keys: keep them out of plain state.
            opts=stateful_options(
                args.production_like, self, depends_on=depends_on, additional_secret_outputs=["accessKeys"]
            ),
        )

    @staticmethod
    def _zonal_allocation_policy(sku: str, zones: tuple[str, ...]) -> redis.ZonalAllocationPolicy | None:
        """Say where a Premium cache's nodes go, instead of leaving it to Azure's default.

        From API 2024-11-01 (the SDK's), a Standard or Premium cache created without
        zonalAllocationPolicy gets Automatic zones in a region that has zones (Learn
        cache-how-to-zone-redundancy), and Automatic can never be turned off again. Passive
        geo-replication excludes zones (Learn reliability/migrate-cache-redis: "Zone redundancy isn't
        supported with geo-replication"), so both caches of a pair are NoZones; a Premium cache without
        `zones` is meant to have none: NoZones (it can still move to Automatic in place later).
        Basic has one node; Standard takes Automatic or whatever Azure picks for the region (the
        user can pass neither NoZones nor UserDefined), so nothing is sent for either.
        """
        if sku != "Premium":
            return None
        return redis.ZonalAllocationPolicy.USER_DEFINED if zones else redis.ZonalAllocationPolicy.NO_ZONES

    @staticmethod
    def _legacy_configuration(settings: OnlineStoreSettings) -> redis.RedisCommonPropertiesRedisConfigurationArgs:
        extra: dict[str, str] = {}
        if settings.persistence != "none":
            # Managed-identity access to the storage account: no storage key in the cache's config.
            endpoint = f"BlobEndpoint=https://{settings.persistence_storage_account_name}.blob.core.windows.net/"
            extra = {
                "preferred_data_persistence_auth_method": "ManagedIdentity",
                "storage_subscription_id": settings.persistence_storage_subscription_id or "",
            }
            if settings.persistence == "rdb":
                extra |= {
                    "rdb_backup_enabled": "true",
                    "rdb_backup_frequency": str(settings.rdb_frequency_minutes),
                    "rdb_backup_max_snapshot_count": "1",
                    "rdb_storage_connection_string": endpoint,
                }
            else:
                extra |= {"aof_backup_enabled": "true", "aof_storage_connection_string0": endpoint}
        return redis.RedisCommonPropertiesRedisConfigurationArgs(maxmemory_policy="noeviction", **extra)

    def _persistence_identity(
        self, name: str, args: OnlineStoreArgs
    ) -> tuple[managedidentity.UserAssignedIdentity | None, list]:
        """Cache for Redis writes RDB/AOF files with this identity; it holds its role before the cache exists."""
        settings = args.settings
        if settings.persistence == "none":
            return None, []
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-persistence-identity",
            resource_name_=args.persistence_identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        assignment = grant(
            f"{name}-persistence-storage",
            role="Storage Blob Data Contributor",
            scope=settings.persistence_storage_account_id or "",
            principal_id=identity.principal_id,
            principal_type="ServicePrincipal",
            subscription_id=args.subscription_id,
            parent=self,
            description="Azure Cache for Redis writes its persistence files",
        )
        return identity, [assignment]

    def _firewall_rules(self, logical: str, cache: redis.Redis, args: OnlineStoreArgs) -> None:
        for ip_range in args.settings.allowed_ip_ranges:
            rule = client_range(ip_range, separator="_")  # Redis rule names: letters, digits, '_'
            redis.FirewallRule(
                f"{logical}-{rule.name}",
                cache_name=cache.name,
                resource_group_name=args.resource_group_name,
                rule_name=rule.name,
                start_ip=rule.start,
                end_ip=rule.end,
                opts=pulumi.ResourceOptions(parent=self),
            )

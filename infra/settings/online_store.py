"""The online store: Azure Managed Redis (default) or the legacy Azure Cache for Redis.

Both kinds share one section, `onlineStore`. Every key is read whatever the kind, so a typo is
always caught; a key that only one kind understands is rejected, naming the key, when the stack
asks for the other kind. Azure's own rules on which protections combine are checked here, so a
bad combination stops the program before anything is declared:

- Managed Redis: data persistence and active geo-replication exclude each other; active
  geo-replication needs high availability and is not offered on Balanced_B0/B1 or Flash Optimized;
  a group holds at most five databases; `geoReplication.secondaryLocation` builds a second cluster
  in another region (same SKU, policies and TLS: one set of settings builds both); AOF writes once
  per second (the only frequency offered); zones are not chosen (a highly available cache is zone
  redundant by itself in zonal regions); production-like stacks need high availability and one of
  persistence or geo-replication.
- Cache for Redis: persistence and geo-replication are Premium-only; so is choosing zones (a
  Standard cache is spread over zones automatically where the region has them, and a Premium cache
  without zones is created without them: see components/online_store.py); passive geo-replication
  excludes persistence and zones, and the secondary lives in another region; zone redundancy with
  AOF persistence allows at most one replica (two zones); production-like stacks need Premium with
  at least one of zones, persistence or geo-replication.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_azure_native import redisenterprise

from infra.settings.environment import AZURE_REGIONS
from infra.settings.reader import SUBSCRIPTION_ID_PREFIX, Section

MANAGED_REDIS = "managed-redis"
CACHE_FOR_REDIS = "cache-for-redis"
KINDS = frozenset({MANAGED_REDIS, CACHE_FOR_REDIS})

# Azure Managed Redis tiers, straight from the SDK's SkuName enum. The older Enterprise_* and
# EnterpriseFlash_* SKUs belong to Azure Cache for Redis Enterprise (retiring, capacity-based).
MANAGED_REDIS_SKUS = frozenset(
    sku.value
    for sku in redisenterprise.SkuName
    if sku.value.split("_")[0] in {"Balanced", "MemoryOptimized", "ComputeOptimized", "FlashOptimized"}
)
LEGACY_SKUS = frozenset({"Basic", "Standard", "Premium"})
LEGACY_CAPACITY = {"Basic": (0, 6), "Standard": (0, 6), "Premium": (1, 5)}  # C0-C6, P1-P5
PERSISTENCE = frozenset({"none", "rdb", "aof"})
# Managed Redis AOF writes once per second, the one frequency it offers (Learn redis/how-to-persistence:
# "Only one backup frequency option is available"); the SDK's AofFrequency marks 'always' deprecated.
AOF_FREQUENCIES = frozenset({"1s"})
# Learn redis/how-to-active-geo-replication (MicrosoftDocs/azure-docs articles/redis/how-to-active-geo-replication.md,
# ms.date 05/18/2025): "The Balanced B0 and B1 SKUs & Flash Optimized SKUs don't support active geo-replication",
# which also needs "a high availability configuration"; a group holds "up to five instances".
NO_GEO_REPLICATION_SKUS = frozenset(
    {"Balanced_B0", "Balanced_B1"} | {sku for sku in MANAGED_REDIS_SKUS if sku.startswith("FlashOptimized_")}
)
MAX_GEO_GROUP_MEMBERS = 5
# RDB snapshot frequency: Managed Redis offers 1h/6h/12h; Cache for Redis takes minutes.
MANAGED_RDB_FREQUENCIES = frozenset({"1h", "6h", "12h"})
MAX_ZONES_WITH_AOF = 2  # Cache for Redis: a primary and one replica
LEGACY_RDB_MINUTES = {"15m": 15, "30m": 30, "1h": 60, "6h": 360, "12h": 720, "24h": 1440}
STORAGE_ACCOUNT_ID = (
    SUBSCRIPTION_ID_PREFIX + r"/resourceGroups/[-\w.()]{1,90}"
    r"/providers/Microsoft\.Storage/storageAccounts/[a-z0-9]{3,24}"
)
MANAGED_REDIS_DATABASE_ID = (
    SUBSCRIPTION_ID_PREFIX + r"/resourceGroups/[-\w.()]{1,90}"
    r"/providers/Microsoft\.Cache/redisEnterprise/"
    # The cluster name: 1-60 letters, digits and single inner hyphens (SDK RedisEnterprise cluster_name).
    r"(?=[a-zA-Z0-9-]{1,60}/)[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*/databases/default"
)
GROUP_NICKNAME = r"[a-zA-Z0-9][a-zA-Z0-9-]{0,62}"


@dataclass(frozen=True)
class OnlineStoreSettings:
    kind: str  # MANAGED_REDIS | CACHE_FOR_REDIS
    sku: str
    capacity: int | None  # Cache for Redis only: C0-C6 / P1-P5
    high_availability: bool  # Managed Redis only (Cache for Redis Standard/Premium always replicate)
    zones: tuple[str, ...]
    persistence: str  # none | rdb | aof
    aof_frequency: str  # Managed Redis only
    rdb_frequency: str  # 1h, 6h, ... (Cache for Redis also 15m, 30m, 24h)
    persistence_storage_account_id: str | None  # Cache for Redis only: where RDB/AOF files go
    geo_group_nickname: str | None  # Managed Redis active geo-replication
    geo_linked_database_ids: tuple[str, ...]  # the other members of the group
    # Cache for Redis: the passive geo-replica's region. Managed Redis: the region of a second cluster this
    # program builds into the same active geo-replication group.
    geo_secondary_location: str | None
    public_network_access: str  # Enabled | Disabled
    allowed_ip_ranges: tuple[str, ...]  # Cache for Redis firewall rules

    @property
    def managed(self) -> bool:
        return self.kind == MANAGED_REDIS

    @property
    def geo_replicated(self) -> bool:
        return (self.geo_group_nickname if self.managed else self.geo_secondary_location) is not None

    @property
    def managed_secondary(self) -> bool:
        """A second Managed Redis cluster, in geo_secondary_location, is built into the group."""
        return self.managed and self.geo_secondary_location is not None

    @property
    def family(self) -> str:
        return "P" if self.sku == "Premium" else "C"

    @property
    def rdb_frequency_minutes(self) -> int:
        return LEGACY_RDB_MINUTES[self.rdb_frequency]

    @property
    def persistence_storage_account_name(self) -> str | None:
        account = self.persistence_storage_account_id
        return account.rsplit("/", 1)[-1] if account else None

    @property
    def persistence_storage_subscription_id(self) -> str | None:
        account = self.persistence_storage_account_id
        return account.split("/")[2] if account else None


@dataclass(frozen=True)
class _Raw:
    """Every key of the section as given (None where not set), before kind-specific defaults."""

    sku: str | None
    capacity: int | None
    high_availability: bool | None
    zones: tuple[str, ...] | None
    persistence: str
    aof_frequency: str | None
    rdb_frequency: str
    storage_account_id: str | None
    group_nickname: str | None
    linked_database_ids: tuple[str, ...]
    secondary_location: str | None
    public_network_access: str
    allowed_ip_ranges: tuple[str, ...]


def parse_online_store(
    section: Section, production_like: bool, location: str, private: bool = False
) -> OnlineStoreSettings:
    """`private`: network.mode is 'private': the cache is reached through its private endpoint only."""
    kind = section.string("kind", MANAGED_REDIS, allowed=KINDS)
    zones_given = section.has("zones")
    zones = section.strings("zones", pattern="[123]", rule='availability zones "1", "2" or "3"')
    geo = section.section("geoReplication")
    raw = _Raw(
        sku=section.string("sku", None),
        capacity=section.integer("capacity", None, minimum=0, maximum=6),
        high_availability=section.boolean("highAvailability", None),
        zones=zones if zones_given else None,
        persistence=section.string("persistence", "none", allowed=PERSISTENCE),
        aof_frequency=section.string("aofFrequency", None, allowed=AOF_FREQUENCIES),
        rdb_frequency=section.string("rdbFrequency", "1h", allowed=MANAGED_RDB_FREQUENCIES | set(LEGACY_RDB_MINUTES)),
        storage_account_id=section.string(
            "persistenceStorageAccountId",
            None,
            pattern=STORAGE_ACCOUNT_ID,
            rule="a storage account resource id "
            "(/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>)",
        ),
        group_nickname=geo.string(
            "groupNickname",
            None,
            pattern=GROUP_NICKNAME,
            rule="1-63 letters, digits and hyphens, starting with a letter or digit",
        ),
        linked_database_ids=geo.strings(
            "linkedDatabaseIds",
            pattern=MANAGED_REDIS_DATABASE_ID,
            rule="Managed Redis database ids (/subscriptions/<id>/resourceGroups/<rg>/providers/"
            "Microsoft.Cache/redisEnterprise/<name>/databases/default)",
        ),
        secondary_location=geo.string("secondaryLocation", None, allowed=AZURE_REGIONS),
        public_network_access=section.string(
            "publicNetworkAccess", "Disabled" if private else "Enabled", allowed={"Enabled", "Disabled"}
        ),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
    )
    geo.finish()
    section.finish()
    if private and raw.public_network_access != "Disabled":
        raise section.fail(
            "publicNetworkAccess",
            raw.public_network_access,
            "must be 'Disabled' with network.mode 'private': the cache is reached through its private endpoint",
        )

    if len(set(zones)) != len(zones):
        raise section.fail("zones", list(zones), "must list each availability zone once")
    if kind == MANAGED_REDIS:
        return _managed_redis(section, geo, production_like, location, raw)
    return _cache_for_redis(section, geo, production_like, location, raw)


def _only_for(section: Section, key: str, value: object, kind: str) -> None:
    if value is not None and value != ():
        shown = list(value) if isinstance(value, tuple) else value
        raise section.fail(key, shown, f"only applies to onlineStore.kind '{kind}'; remove it")


def _managed_redis(
    section: Section, geo: Section, production_like: bool, location: str, raw: _Raw
) -> OnlineStoreSettings:
    _only_for(section, "capacity", raw.capacity, CACHE_FOR_REDIS)
    _only_for(section, "persistenceStorageAccountId", raw.storage_account_id, CACHE_FOR_REDIS)
    if raw.allowed_ip_ranges:
        raise section.fail(
            "allowedIpRanges",
            list(raw.allowed_ip_ranges),
            "Azure Managed Redis has no firewall rules; use publicNetworkAccess Disabled with private endpoints, "
            "or kind 'cache-for-redis'",
        )
    sku = raw.sku if raw.sku is not None else ("Balanced_B5" if production_like else "Balanced_B0")
    if sku not in MANAGED_REDIS_SKUS:
        raise section.fail(
            "sku", sku, "must be an Azure Managed Redis SKU, one of " + ", ".join(sorted(MANAGED_REDIS_SKUS))
        )
    high_availability = raw.high_availability if raw.high_availability is not None else production_like
    if raw.zones is not None:
        # Azure Managed Redis spreads a highly available cache over the region's zones by itself.
        raise section.fail(
            "zones",
            list(raw.zones),
            "not set for managed-redis: a highly available cache is zone redundant by itself "
            "in regions with availability zones (keep highAvailability on)",
        )
    persistence, group_nickname = raw.persistence, raw.group_nickname
    if raw.linked_database_ids and group_nickname is None:
        raise geo.fail(
            "groupNickname", None, "required with linkedDatabaseIds: the name of the active geo-replication group"
        )
    secondary_location = raw.secondary_location
    if secondary_location is not None:
        if group_nickname is None:
            raise geo.fail(
                "groupNickname",
                None,
                "required with secondaryLocation: the name of the active geo-replication group both clusters join",
            )
        if secondary_location == location:
            raise geo.fail(
                "secondaryLocation",
                secondary_location,
                "must be a region other than the stack's location (the primary cluster's region)",
            )
    members = 1 + (secondary_location is not None) + len(raw.linked_database_ids)
    if members > MAX_GEO_GROUP_MEMBERS:
        raise geo.fail(
            "linkedDatabaseIds",
            list(raw.linked_database_ids),
            f"an active geo-replication group holds at most {MAX_GEO_GROUP_MEMBERS} databases; with this "
            f"stack's own{' and its secondaryLocation cluster' if secondary_location else ''} it would hold {members}",
        )
    if len(set(raw.linked_database_ids)) != len(raw.linked_database_ids):
        raise geo.fail("linkedDatabaseIds", list(raw.linked_database_ids), "must list each database once")
    if raw.rdb_frequency not in MANAGED_RDB_FREQUENCIES:
        raise section.fail(
            "rdbFrequency", raw.rdb_frequency, "must be one of " + ", ".join(sorted(MANAGED_RDB_FREQUENCIES))
        )
    if raw.aof_frequency is not None and persistence != "aof":
        raise section.fail("aofFrequency", raw.aof_frequency, "only applies with persistence 'aof'")
    if persistence != "none" and group_nickname is not None:
        raise section.fail(
            "persistence",
            persistence,
            "Azure Managed Redis cannot combine data persistence with active geo-replication "
            "(geoReplication.groupNickname is set): choose one",
        )
    if group_nickname is not None and sku in NO_GEO_REPLICATION_SKUS:
        raise section.fail(
            "sku",
            sku,
            "Azure Managed Redis offers no active geo-replication (geoReplication.groupNickname is set) on "
            "Balanced_B0, Balanced_B1 or the Flash Optimized SKUs: choose Balanced_B3 or larger, Memory "
            "Optimized or Compute Optimized",
        )
    if group_nickname is not None and not high_availability:
        raise section.fail(
            "highAvailability",
            high_availability,
            "Azure Managed Redis active geo-replication (geoReplication.groupNickname is set) needs high "
            "availability: set highAvailability true",
        )
    if production_like:
        if not high_availability:
            raise section.fail(
                "highAvailability", False, "production-like stacks keep high availability on (it also spreads zones)"
            )
        if persistence == "none" and group_nickname is None:
            raise section.fail(
                "persistence",
                persistence,
                "production-like stacks need data persistence ('rdb' or 'aof') or active geo-replication "
                "(geoReplication.groupNickname)",
            )
    return OnlineStoreSettings(
        kind=MANAGED_REDIS,
        sku=sku,
        capacity=None,
        high_availability=high_availability,
        zones=(),
        persistence=persistence,
        aof_frequency=raw.aof_frequency or "1s",
        rdb_frequency=raw.rdb_frequency,
        persistence_storage_account_id=None,
        geo_group_nickname=group_nickname,
        geo_linked_database_ids=raw.linked_database_ids,
        geo_secondary_location=secondary_location,
        public_network_access=raw.public_network_access,
        allowed_ip_ranges=(),
    )


def _cache_for_redis(
    section: Section, geo: Section, production_like: bool, location: str, raw: _Raw
) -> OnlineStoreSettings:
    _only_for(section, "highAvailability", raw.high_availability, MANAGED_REDIS)
    _only_for(section, "aofFrequency", raw.aof_frequency, MANAGED_REDIS)
    _only_for(geo, "groupNickname", raw.group_nickname, MANAGED_REDIS)
    _only_for(geo, "linkedDatabaseIds", raw.linked_database_ids, MANAGED_REDIS)
    sku = raw.sku if raw.sku is not None else ("Premium" if production_like else "Basic")
    if sku not in LEGACY_SKUS:
        raise section.fail(
            "sku", sku, "must be an Azure Cache for Redis tier, one of " + ", ".join(sorted(LEGACY_SKUS))
        )
    low, high = LEGACY_CAPACITY[sku]
    capacity = raw.capacity if raw.capacity is not None else low
    if not low <= capacity <= high:
        raise section.fail("capacity", capacity, f"{sku} takes a capacity from {low} to {high}")
    zones, persistence = raw.zones or (), raw.persistence
    secondary_location, storage_account_id = raw.secondary_location, raw.storage_account_id
    premium = sku == "Premium"
    if raw.rdb_frequency not in LEGACY_RDB_MINUTES:
        raise section.fail("rdbFrequency", raw.rdb_frequency, "must be one of " + ", ".join(LEGACY_RDB_MINUTES))
    if zones and not premium:
        # Learn cache-how-to-zone-redundancy: only Premium caches take user-chosen zones; a Standard
        # cache is spread over the region's zones automatically, a Basic cache is one node.
        raise section.fail(
            "zones",
            list(zones),
            f"choosing zones needs sku Premium (sku is {sku}); a Standard cache is spread over the region's "
            "zones automatically where Azure offers it, a Basic cache has a single node",
        )
    if persistence != "none" and not premium:
        raise section.fail("persistence", persistence, f"data persistence needs sku Premium (sku is {sku})")
    if persistence == "aof" and len(zones) > MAX_ZONES_WITH_AOF:
        # Learn cache-how-to-zone-redundancy: "Zone redundancy doesn't support Append-only File (AOF)
        # persistence with multiple replicas (more than one replica)"; N zones take N-1 replicas.
        raise section.fail(
            "zones",
            list(zones),
            f"{len(zones)} zones need {len(zones) - 1} replicas, and Azure Cache for Redis zone redundancy "
            f"supports AOF persistence with one replica only: list at most {MAX_ZONES_WITH_AOF} zones, "
            "or use persistence 'rdb'",
        )
    if persistence != "none" and storage_account_id is None:
        raise section.fail(
            "persistenceStorageAccountId",
            None,
            "required with persistence: the storage account that holds the RDB/AOF files",
        )
    if persistence == "none" and storage_account_id is not None:
        raise section.fail(
            "persistenceStorageAccountId", storage_account_id, "only applies with persistence 'rdb' or 'aof'"
        )
    if secondary_location is not None:
        if not premium:
            raise geo.fail(
                "secondaryLocation", secondary_location, f"passive geo-replication needs sku Premium (sku is {sku})"
            )
        if secondary_location == location:
            raise geo.fail(
                "secondaryLocation",
                secondary_location,
                "must be a region other than the stack's location (the primary's region)",
            )
        if persistence != "none":
            raise section.fail(
                "persistence",
                persistence,
                "Azure Cache for Redis cannot combine data persistence with passive geo-replication "
                "(geoReplication.secondaryLocation is set): choose one",
            )
        if zones:
            raise section.fail(
                "zones",
                list(zones),
                "Azure Cache for Redis cannot combine zone redundancy with passive geo-replication "
                "(geoReplication.secondaryLocation is set): choose one",
            )
    if raw.public_network_access == "Disabled" and raw.allowed_ip_ranges:
        raise section.fail(
            "allowedIpRanges",
            list(raw.allowed_ip_ranges),
            "firewall rules only take effect with publicNetworkAccess 'Enabled'; remove them or enable public access",
        )
    if production_like:
        if not premium:
            raise section.fail("sku", sku, "production-like stacks need sku Premium (replication, zones, persistence)")
        if not zones and persistence == "none" and secondary_location is None:
            raise section.fail(
                "zones",
                [],
                "production-like stacks need zone redundancy (zones), data persistence (persistence) or "
                "passive geo-replication (geoReplication.secondaryLocation)",
            )
    return OnlineStoreSettings(
        kind=CACHE_FOR_REDIS,
        sku=sku,
        capacity=capacity,
        high_availability=sku != "Basic",
        zones=tuple(zones),
        persistence=persistence,
        aof_frequency="1s",
        rdb_frequency=raw.rdb_frequency,
        persistence_storage_account_id=storage_account_id,
        geo_group_nickname=None,
        geo_linked_database_ids=(),
        geo_secondary_location=secondary_location,
        public_network_access=raw.public_network_access,
        allowed_ip_ranges=raw.allowed_ip_ranges,
    )

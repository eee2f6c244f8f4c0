"""Bad onlineStore settings: every combination Azure rejects stops the program, naming the key."""

import re

import pytest

from infra.offline.runner import project_name
from infra.settings import SettingsError, load_settings
from tests.support import config_with, run

LEGACY = "cache-for-redis"
KEY = "feathr-infra:onlineStore."
STORAGE_ID = (
    "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-redis-backup"
    "/providers/Microsoft.Storage/storageAccounts/contosoredisbackup"
)
OTHER_DATABASE_ID = (
    "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/contoso-prod-ne-rg"
    "/providers/Microsoft.Cache/redisEnterprise/contoso-prodne-amr/databases/default"
)
GEO = {"groupNickname": "feathr-prod"}
SECONDARY = {"secondaryLocation": "northeurope"}
THREE_ZONES = {"zones": ["1", "2", "3"]}
LEGACY_AOF = {"persistence": "aof", "persistenceStorageAccountId": STORAGE_ID}


def database_id(cluster_name: str) -> str:
    return (
        "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/contoso-prod-ne-rg"
        f"/providers/Microsoft.Cache/redisEnterprise/{cluster_name}/databases/default"
    )


# (stack, onlineStore section, key the message must name)
MANAGED_REDIS_REJECTED = {
    "persistence-and-geo-replication": ("prod", {"persistence": "aof", "geoReplication": GEO}, "persistence"),
    "persistence-and-geo-replication-dev": ("dev", {"persistence": "rdb", "geoReplication": GEO}, "persistence"),
    "prod-without-persistence-or-geo": ("prod", {"persistence": "none"}, "persistence"),
    "prod-without-high-availability": ("prod", {"persistence": "aof", "highAvailability": False}, "highAvailability"),
    "zones-are-automatic": ("prod", {"persistence": "aof", "zones": ["1", "2", "3"]}, "zones"),
    "zones-are-automatic-dev": ("dev", {"zones": ["1", "2"]}, "zones"),
    "bad-zone": ("prod", {"persistence": "aof", "zones": ["4"]}, "zones[0]"),
    "legacy-sku": ("dev", {"sku": "Premium"}, "sku"),
    "old-enterprise-sku": ("dev", {"sku": "Enterprise_E10"}, "sku"),
    "made-up-sku": ("dev", {"sku": "Balanced_B2"}, "sku"),
    "capacity-is-legacy-only": ("dev", {"capacity": 1}, "capacity"),
    "no-firewall-rules": ("dev", {"allowedIpRanges": ["203.0.113.0/24"]}, "allowedIpRanges"),
    # geoReplication.secondaryLocation on Managed Redis: a second cluster of the group, built here.
    "secondary-cluster-without-group": ("prod", {"geoReplication": SECONDARY}, "geoReplication.groupNickname"),
    "secondary-cluster-in-the-primary-region": (
        "prod",
        {"geoReplication": {**GEO, "secondaryLocation": "westeurope"}},
        "geoReplication.secondaryLocation",
    ),
    "secondary-cluster-not-a-region": (
        "prod",
        {"geoReplication": {**GEO, "secondaryLocation": "mars"}},
        "geoReplication.secondaryLocation",
    ),
    "secondary-cluster-with-persistence": (
        "prod",
        {"persistence": "aof", "geoReplication": {**GEO, **SECONDARY}},
        "persistence",
    ),
    "secondary-cluster-on-balanced-b1": (
        "prod",
        {"sku": "Balanced_B1", "geoReplication": {**GEO, **SECONDARY}},
        "sku",
    ),
    "secondary-cluster-without-high-availability": (
        "dev",
        {"sku": "Balanced_B3", "geoReplication": {**GEO, **SECONDARY}},
        "highAvailability",
    ),
    # Learn (how-to-active-geo-replication.md, 05/18/2025): "Flash Optimized SKUs don't support active geo-replication".
    "geo-replication-on-flash-optimized": ("prod", {"sku": "FlashOptimized_A250", "geoReplication": GEO}, "sku"),
    "geo-replication-on-largest-flash-optimized": (
        "prod",
        {"sku": "FlashOptimized_A4500", "geoReplication": {**GEO, **SECONDARY}},
        "sku",
    ),
    # Learn: a group holds "up to five instances": this stack's own, its secondary and the linked ones.
    "six-members-with-a-secondary": (
        "prod",
        {"geoReplication": {**GEO, **SECONDARY, "linkedDatabaseIds": [database_id(f"other{i}") for i in range(4)]}},
        "geoReplication.linkedDatabaseIds",
    ),
    "six-members-without-a-secondary": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id(f"other{i}") for i in range(5)]}},
        "geoReplication.linkedDatabaseIds",
    ),
    "linked-database-twice": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": [OTHER_DATABASE_ID, OTHER_DATABASE_ID]}},
        "geoReplication.linkedDatabaseIds",
    ),
    "storage-account-is-legacy-only": (
        "prod",
        {"persistence": "rdb", "persistenceStorageAccountId": STORAGE_ID},
        "persistenceStorageAccountId",
    ),
    "linked-databases-without-group": (
        "prod",
        {"persistence": "aof", "geoReplication": {"linkedDatabaseIds": [OTHER_DATABASE_ID]}},
        "geoReplication.groupNickname",
    ),
    "bad-linked-database-id": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": ["/subscriptions/x/redis"]}},
        "geoReplication.linkedDatabaseIds[0]",
    ),
    "aof-frequency-without-aof": ("prod", {"persistence": "rdb", "aofFrequency": "1s"}, "aofFrequency"),
    # Learn redis/how-to-persistence: AOF has one frequency (every second); the SDK deprecates 'always'.
    "aof-frequency-always": ("prod", {"persistence": "aof", "aofFrequency": "always"}, "aofFrequency"),
    # Learn redis/how-to-active-geo-replication: not on Balanced B0/B1, and only with high availability.
    "geo-replication-on-balanced-b0": ("dev", {"highAvailability": True, "geoReplication": GEO}, "sku"),
    "geo-replication-on-balanced-b1": ("prod", {"sku": "Balanced_B1", "geoReplication": GEO}, "sku"),
    "geo-replication-without-high-availability": (
        "dev",
        {"sku": "Balanced_B3", "highAvailability": False, "geoReplication": GEO},
        "highAvailability",
    ),
    "geo-replication-without-high-availability-by-default": (
        "dev",
        {"sku": "Balanced_B3", "geoReplication": GEO},
        "highAvailability",
    ),
    # SDK RedisEnterprise cluster_name: 1-60 characters, letters, digits and inner single hyphens.
    "linked-database-name-61-characters": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id("a" * 61)]}},
        "geoReplication.linkedDatabaseIds[0]",
    ),
    "linked-database-name-double-hyphen": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id("contoso--amr")]}},
        "geoReplication.linkedDatabaseIds[0]",
    ),
    "linked-database-name-trailing-hyphen": (
        "prod",
        {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id("contoso-amr-")]}},
        "geoReplication.linkedDatabaseIds[0]",
    ),
    "legacy-only-rdb-frequency": ("prod", {"persistence": "rdb", "rdbFrequency": "15m"}, "rdbFrequency"),
    "bad-public-network-access": ("dev", {"publicNetworkAccess": "Open"}, "publicNetworkAccess"),
    "unknown-key": ("dev", {"skuName": "Balanced_B0"}, "skuName"),
    "unknown-geo-key": ("prod", {"geoReplication": {**GEO, "nickname": "x"}}, "geoReplication.nickname"),
    "bad-kind": ("dev", {"kind": "redis"}, "kind"),
}

LEGACY_REJECTED = {
    "geo-replication-and-persistence": (
        "prod",
        {"geoReplication": SECONDARY, "persistence": "rdb", "persistenceStorageAccountId": STORAGE_ID},
        "persistence",
    ),
    "geo-replication-and-zones": ("prod", {"geoReplication": SECONDARY, "zones": ["1", "2"]}, "zones"),
    "zones-below-premium": ("dev", {"sku": "Standard", "zones": ["1", "2"]}, "zones"),
    "persistence-below-premium": (
        "dev",
        {"sku": "Standard", "persistence": "rdb", "persistenceStorageAccountId": STORAGE_ID},
        "persistence",
    ),
    "geo-replication-below-premium": (
        "dev",
        {"sku": "Standard", "geoReplication": SECONDARY},
        "geoReplication.secondaryLocation",
    ),
    "secondary-in-the-primary-region": (
        "prod",
        {"geoReplication": {"secondaryLocation": "westeurope"}},
        "geoReplication.secondaryLocation",
    ),
    "secondary-not-a-region": (
        "prod",
        {"geoReplication": {"secondaryLocation": "mars"}},
        "geoReplication.secondaryLocation",
    ),
    "prod-below-premium": ("prod", {"sku": "Standard", "capacity": 1}, "sku"),
    "prod-premium-without-protection": ("prod", {"sku": "Premium"}, "zones"),
    "premium-capacity-out-of-range": ("dev", {"sku": "Premium", "capacity": 0}, "capacity"),
    "capacity-above-range": ("dev", {"sku": "Basic", "capacity": 7}, "capacity"),
    "persistence-without-storage": ("prod", {"persistence": "rdb"}, "persistenceStorageAccountId"),
    "storage-without-persistence": (
        "prod",
        {"zones": ["1", "2"], "persistenceStorageAccountId": STORAGE_ID},
        "persistenceStorageAccountId",
    ),
    "bad-storage-account-id": (
        "prod",
        {"persistence": "rdb", "persistenceStorageAccountId": "contosoredisbackup"},
        "persistenceStorageAccountId",
    ),
    "managed-redis-sku": ("dev", {"sku": "Balanced_B0"}, "sku"),
    "high-availability-is-managed-only": ("dev", {"highAvailability": True}, "highAvailability"),
    "aof-frequency-is-managed-only": (
        "prod",
        {"persistence": "aof", "persistenceStorageAccountId": STORAGE_ID, "aofFrequency": "1s"},
        "aofFrequency",
    ),
    "group-nickname-is-managed-only": (
        "prod",
        {"zones": ["1", "2"], "geoReplication": GEO},
        "geoReplication.groupNickname",
    ),
    "linked-databases-are-managed-only": (
        "prod",
        {"zones": ["1", "2"], "geoReplication": {"linkedDatabaseIds": [OTHER_DATABASE_ID]}},
        "geoReplication.linkedDatabaseIds",
    ),
    "firewall-rules-with-public-access-disabled": (
        "dev",
        {"publicNetworkAccess": "Disabled", "allowedIpRanges": ["203.0.113.0/24"]},
        "allowedIpRanges",
    ),
    "firewall-rule-spanning-everything": ("dev", {"allowedIpRanges": ["0.0.0.0/0"]}, "allowedIpRanges[0]"),
    "firewall-rule-private-range": ("dev", {"allowedIpRanges": ["10.0.0.0/8"]}, "allowedIpRanges[0]"),
    # Learn cache-how-to-zone-redundancy: no AOF with more than one replica; three zones take two.
    "aof-with-three-zones": ("prod", {**THREE_ZONES, **LEGACY_AOF}, "zones"),
    "zones-on-basic": ("dev", {"sku": "Basic", "zones": ["1"]}, "zones"),
    "managed-only-rdb-frequency-value": (
        "prod",
        {"persistence": "rdb", "persistenceStorageAccountId": STORAGE_ID, "rdbFrequency": "2h"},
        "rdbFrequency",
    ),
}


def _expect_rejected(stack, section, key):
    with pytest.raises(SettingsError) as error:
        run(stack, config_with(stack, onlineStore=section))
    message = str(error.value)
    assert f"setting {KEY}{key} " in message + " ", message


@pytest.mark.parametrize("case", sorted(MANAGED_REDIS_REJECTED))
def test_managed_redis_rejects(case):
    stack, section, key = MANAGED_REDIS_REJECTED[case]
    _expect_rejected(stack, section, key)


@pytest.mark.parametrize("case", sorted(LEGACY_REJECTED))
def test_cache_for_redis_rejects(case):
    stack, section, key = LEGACY_REJECTED[case]
    _expect_rejected(stack, {"kind": LEGACY, **section}, key)


def online_store_settings(stack, section):
    """Only the settings (no program run): for accepted neighbours that need no resources."""
    return load_settings(config_with(stack, onlineStore=section), project_name(), stack).online_store


def test_messages_name_the_rule():
    with pytest.raises(
        SettingsError, match=r"offers no active geo-replication .* on Balanced_B0, Balanced_B1 or the Flash Optimized"
    ):
        run("prod", config_with("prod", onlineStore={"sku": "Balanced_B1", "geoReplication": GEO}))
    with pytest.raises(SettingsError, match=r"active geo-replication .* needs high availability"):
        run("dev", config_with("dev", onlineStore={"sku": "Balanced_B3", "geoReplication": GEO}))
    with pytest.raises(SettingsError, match=re.escape('zones = ["1", "2", "3"]: 3 zones need 2 replicas')):
        run("prod", config_with("prod", onlineStore={"kind": LEGACY, **THREE_ZONES, **LEGACY_AOF}))
    with pytest.raises(SettingsError, match="choosing zones needs sku Premium \\(sku is Standard\\)"):
        run("dev", config_with("dev", onlineStore={"kind": LEGACY, "sku": "Standard", "zones": ["1", "2"]}))


def test_aof_frequency_allows_every_second_only():
    with pytest.raises(SettingsError) as error:
        online_store_settings("prod", {"persistence": "aof", "aofFrequency": "always"})
    assert str(error.value) == ("setting feathr-infra:onlineStore.aofFrequency = 'always': must be one of 1s"), str(
        error.value
    )


# The accepted side of each new boundary (settings only).
def test_geo_replication_from_the_smallest_sku_that_offers_it():
    store = online_store_settings("dev", {"sku": "Balanced_B3", "highAvailability": True, "geoReplication": GEO})
    assert (store.sku, store.high_availability, store.geo_group_nickname) == ("Balanced_B3", True, "feathr-prod")


def test_secondary_cluster_from_the_smallest_sku_that_offers_it():
    store = online_store_settings(
        "dev", {"sku": "Balanced_B3", "highAvailability": True, "geoReplication": {**GEO, **SECONDARY}}
    )
    assert (store.sku, store.geo_secondary_location, store.managed_secondary) == ("Balanced_B3", "northeurope", True)


def test_geo_replication_on_memory_and_compute_optimized():
    for sku in ("MemoryOptimized_M10", "ComputeOptimized_X3"):
        assert online_store_settings("prod", {"sku": sku, "geoReplication": GEO}).geo_group_nickname == "feathr-prod"


def test_five_members_is_the_most_a_group_holds():
    with_secondary = online_store_settings(
        "prod", {"geoReplication": {**GEO, **SECONDARY, "linkedDatabaseIds": [database_id(f"o{i}") for i in range(3)]}}
    )
    assert len(with_secondary.geo_linked_database_ids) == 3 and with_secondary.managed_secondary
    alone = online_store_settings(
        "prod", {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id(f"o{i}") for i in range(4)]}}
    )
    assert len(alone.geo_linked_database_ids) == 4 and not alone.managed_secondary


def test_group_size_message_counts_the_members():
    with pytest.raises(SettingsError) as error:
        online_store_settings(
            "prod",
            {"geoReplication": {**GEO, **SECONDARY, "linkedDatabaseIds": [database_id(f"o{i}") for i in range(4)]}},
        )
    assert "holds at most 5 databases; with this stack's own and its secondaryLocation cluster it would hold 6" in str(
        error.value
    )


@pytest.mark.parametrize("cluster_name", ["1contoso-amr", "a" * 60, "7"])
def test_linked_database_names_may_start_with_a_digit_and_reach_60_characters(cluster_name):
    store = online_store_settings("prod", {"geoReplication": {**GEO, "linkedDatabaseIds": [database_id(cluster_name)]}})
    assert store.geo_linked_database_ids == (database_id(cluster_name),)


def test_aof_with_two_zones_is_one_replica_and_allowed():
    store = online_store_settings("prod", {"kind": LEGACY, "zones": ["1", "2"], **LEGACY_AOF})
    assert (store.zones, store.persistence) == (("1", "2"), "aof")


def test_messages_say_what_is_allowed():
    with pytest.raises(SettingsError, match="cannot combine data persistence with active geo-replication"):
        run("prod", config_with("prod", onlineStore={"persistence": "aof", "geoReplication": GEO}))
    with pytest.raises(SettingsError, match="cannot combine zone redundancy with passive geo-replication"):
        run("prod", config_with("prod", onlineStore={"kind": LEGACY, "geoReplication": SECONDARY, "zones": ["1"]}))


# The accepted neighbours of the rejected cases: each protection alone is enough in production.
ACCEPTED = {
    "managed-prod-persistence": ("prod", {"persistence": "rdb"}),
    "managed-prod-geo-replication": ("prod", {"geoReplication": GEO}),
    "managed-prod-secondary-cluster": ("prod", {"geoReplication": {**GEO, **SECONDARY}}),
    "managed-dev-defaults": ("dev", {}),
    "legacy-prod-zones": ("prod", {"kind": LEGACY, "zones": ["1", "2"]}),
    "legacy-prod-persistence": (
        "prod",
        {"kind": LEGACY, "persistence": "aof", "persistenceStorageAccountId": STORAGE_ID},
    ),
    "legacy-prod-geo-replication": ("prod", {"kind": LEGACY, "geoReplication": SECONDARY}),
    "legacy-dev-standard": ("dev", {"kind": LEGACY, "sku": "Standard", "capacity": 1}),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_combinations(case):
    stack, section = ACCEPTED[case]
    result = run(stack, config_with(stack, onlineStore=section))
    assert result.outputs["onlineStoreKind"].value == section.get("kind", "managed-redis")

"""Bad onlineStore settings: every combination Azure rejects stops the program, naming the key."""

import pytest

from infra.settings import SettingsError
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
    "secondary-location-is-legacy-only": (
        "prod",
        {"geoReplication": {**GEO, **SECONDARY}},
        "geoReplication.secondaryLocation",
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
    "aof-frequency-without-aof": ("prod", {"persistence": "rdb", "aofFrequency": "always"}, "aofFrequency"),
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


def test_messages_say_what_is_allowed():
    with pytest.raises(SettingsError, match="cannot combine data persistence with active geo-replication"):
        run("prod", config_with("prod", onlineStore={"persistence": "aof", "geoReplication": GEO}))
    with pytest.raises(SettingsError, match="cannot combine zone redundancy with passive geo-replication"):
        run("prod", config_with("prod", onlineStore={"kind": LEGACY, "geoReplication": SECONDARY, "zones": ["1"]}))


# The accepted neighbours of the rejected cases: each protection alone is enough in production.
ACCEPTED = {
    "managed-prod-persistence": ("prod", {"persistence": "rdb"}),
    "managed-prod-geo-replication": ("prod", {"geoReplication": GEO}),
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

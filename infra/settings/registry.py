"""The feature registry's backend choice and its SQL store (the `registry` section).

`registry.backend` picks the store (`sql` or `purview`); the registry API (`registryApi`) and the
Purview account (`purview`) have sections of their own. Every key of `registry.sql` is read even
when the backend is Purview (so a typo is still caught); the SQL rules apply whenever a SQL database
is created: for the SQL backend, and for registry RBAC, whose `userroles` table lives in SQL even
with Purview (`deploy/start.sh` hands `CONNECTION_STR` to the RBAC gateway in both modes).

Limits below are Azure's own (Microsoft Learn, Azure SQL Database): vCore service objectives,
serverless auto-pause 15-10080 minutes (or -1), point-in-time restore 1-35 days with differential
backups every 12 or 24 hours, long-term retention of at most 10 years, failover-with-data-loss
grace period of at least one hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from infra.settings.environment import AZURE_REGIONS
from infra.settings.reader import GUID, Section

BACKENDS = frozenset({"sql", "purview"})

# vCore service objectives Azure accepts for a single database (Gen5 hardware).
SERVERLESS_VCORES = (1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 32, 40, 80)
PROVISIONED_VCORES = (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 32, 40, 80, 128)
TIERS = {"GP_S": "GeneralPurpose", "GP": "GeneralPurpose", "BC": "BusinessCritical"}
SKU_RULE = (
    "a vCore Gen5 service objective: GP_S_Gen5_<n> (serverless, n in "
    + "/".join(map(str, SERVERLESS_VCORES))
    + "), GP_Gen5_<n> or BC_Gen5_<n> (provisioned, n in "
    + "/".join(map(str, PROVISIONED_VCORES))
    + ")"
)
BACKUP_REDUNDANCIES = frozenset({"Local", "Zone", "Geo", "GeoZone"})
GEO_BACKUP_REDUNDANCIES = frozenset({"Geo", "GeoZone"})
AUTO_PAUSE_MIN, AUTO_PAUSE_MAX = 15, 10080
LTR_MAX_PER_UNIT = {"D": 3650, "W": 520, "M": 120, "Y": 10}  # ten years in each unit
_DAYS_PER_UNIT = {"D": 1, "W": 7, "M": 30, "Y": 365}
# (minimum in days, what is allowed) per long-term retention key
LTR_LIMITS = {
    "weekly": (7, "an ISO-8601 duration from P1W to P520W (or P7D-P3650D, P1M-P120M, P1Y-P10Y)"),
    "monthly": (28, "an ISO-8601 duration from P1M to P120M (or P4W-P520W, P28D-P3650D, P1Y-P10Y)"),
    "yearly": (365, "an ISO-8601 duration from P1Y to P10Y (or P12M-P120M, P52W-P520W, P365D-P3650D)"),
}
RESERVED_LOGINS = frozenset(
    {
        "admin",
        "administrator",
        "sa",
        "root",
        "dbmanager",
        "loginmanager",
        "dbo",
        "guest",
        "public",
        "sysadmin",
        "azure_superuser",
        "feathr_registry_app",  # the registry app's own database user (components/registry/app_user.py)
    }
)
RERUN_RULE = "up to 64 letters, digits, '.', '_', ':' or '-' (e.g. a date); a new value re-runs the bootstrap"
# Keys `registry.sql` used to have; each names what replaced it, so an old stack file fails clearly.
_REPLACED = {
    key: "replaced by the network section: with network.mode private the schema bootstrap runs in the network's "
    "deployment-script subnet with a private storage account of its own (docs/networking.md); remove the key"
    for key in ("bootstrapSubnetId", "bootstrapStorageAccountId")
}


@dataclass(frozen=True)
class EntraAdmin:
    login: str
    object_id: str
    principal_type: str  # User | Group | Application


@dataclass(frozen=True)
class LongTermRetention:
    weekly: str | None
    monthly: str | None
    yearly: str | None
    week_of_year: int

    @property
    def enabled(self) -> bool:
        return any((self.weekly, self.monthly, self.yearly))


@dataclass(frozen=True)
class SqlSku:
    name: str  # e.g. GP_S_Gen5_1
    tier: str  # GeneralPurpose | BusinessCritical
    family: str  # Gen5
    capacity: int  # max vCores

    @property
    def serverless(self) -> bool:
        return self.name.startswith("GP_S_")


@dataclass(frozen=True)
class SqlStoreSettings:
    administrator_login: str
    entra_admin: EntraAdmin | None
    sku: SqlSku
    auto_pause_delay: int | None  # serverless only; -1 turns auto-pause off
    min_capacity: float | None  # serverless only
    zone_redundant: bool
    max_size_gb: int
    backup_storage_redundancy: str
    short_term_retention_days: int
    diff_backup_interval_hours: int
    long_term_retention: LongTermRetention
    secondary_location: str | None  # set = geo-replication with an auto-failover group
    failover_grace_period_minutes: int
    public_network_access: bool
    allow_azure_services: bool
    allowed_ip_ranges: tuple[str, ...]
    sqlcmd_version: str
    rerun_bootstrap: str  # changing it makes the next `pulumi up` re-run the schema bootstrap

    @property
    def geo_replicated(self) -> bool:
        return self.secondary_location is not None


@dataclass(frozen=True)
class RegistrySettings:
    backend: str  # "sql" | "purview"
    sql: SqlStoreSettings
    sql_database: bool  # a SQL database is created: the SQL backend, or RBAC's userroles with Purview


def _sku(section: Section) -> SqlSku:
    raw = section.string("sku", "GP_S_Gen5_1", rule=SKU_RULE)
    match = re.fullmatch(r"(GP_S|GP|BC)_Gen5_(\d+)", raw)
    vcores = SERVERLESS_VCORES if match and match.group(1) == "GP_S" else PROVISIONED_VCORES
    if not match or int(match.group(2)) not in vcores:
        raise section.fail("sku", raw, f"must be {SKU_RULE}")
    return SqlSku(name=raw, tier=TIERS[match.group(1)], family="Gen5", capacity=int(match.group(2)))


def _within_ten_years(duration: str) -> bool:
    """Azure keeps an LTR backup at most 10 years: P3650D, P520W, P120M or P10Y."""
    match = re.fullmatch(r"P(\d{1,4})([DWMY])", duration)
    assert match
    return int(match.group(1)) <= LTR_MAX_PER_UNIT[match.group(2)]


def _days(duration: str) -> int:
    match = re.fullmatch(r"P(\d{1,4})([DWMY])", duration)
    assert match
    return int(match.group(1)) * _DAYS_PER_UNIT[match.group(2)]


def _long_term_retention(section: Section) -> LongTermRetention:
    values = {}
    for key, (minimum, rule) in LTR_LIMITS.items():
        value = section.string(key, None, pattern=r"P\d{1,4}[DWMY]", rule=rule)
        if value is not None and not (minimum <= _days(value) and _within_ten_years(value)):
            raise section.fail(key, value, f"must be {rule}: Azure keeps long-term backups for at most 10 years")
        values[key] = value
    week_given = section.has("weekOfYear")
    # Az PowerShell Set-AzSqlDatabaseBackupLongTermRetentionPolicy / az sql db ltr-policy set: "1 to 52".
    week = section.integer("weekOfYear", 1, minimum=1, maximum=52)
    section.finish()
    if week_given and values["yearly"] is None:
        raise section.fail("weekOfYear", week, "only takes effect with a yearly retention; set yearly or remove it")
    return LongTermRetention(values["weekly"], values["monthly"], values["yearly"], week)


def _entra_admin(section: Section) -> EntraAdmin | None:
    admin = section.section("entraAdmin")
    if not section.has("entraAdmin"):
        return None
    parsed = EntraAdmin(
        login=admin.string(
            "login", pattern=r"\S.{0,127}", rule="the administrator's display name or UPN (1-128 characters)"
        ),
        object_id=admin.string("objectId", pattern=GUID, rule="the object id (GUID) of the user, group or application"),
        principal_type=admin.string("principalType", allowed={"User", "Group", "Application"}),
    )
    admin.finish()
    return parsed


def parse_sql_store(
    section: Section, production_like: bool, location: str, sql_database: bool, private: bool
) -> SqlStoreSettings:
    """`private`: network.mode is private (the servers get private endpoints, the app VNet integration)."""
    for old, why in _REPLACED.items():
        if section.has(old):
            raise section.fail(old, section.raw(old), why)
    sku = _sku(section)
    auto_pause_given, min_capacity_given = section.has("autoPauseDelay"), section.has("minCapacity")
    settings = SqlStoreSettings(
        administrator_login=section.string(
            "administratorLogin",
            "feathradmin",
            pattern=r"[A-Za-z][A-Za-z0-9_]{3,127}",
            rule="4-128 letters, digits or '_', starting with a letter",
        ),
        entra_admin=_entra_admin(section),
        sku=sku,
        auto_pause_delay=section.integer("autoPauseDelay", 60, minimum=-1, maximum=AUTO_PAUSE_MAX),
        min_capacity=section.number("minCapacity", max(0.5, sku.capacity / 8), minimum=0.5, maximum=80),
        zone_redundant=section.boolean("zoneRedundant", production_like),
        max_size_gb=section.integer("maxSizeGb", 32, minimum=1, maximum=4096),
        backup_storage_redundancy=section.string(
            "backupStorageRedundancy", "Geo" if production_like else "Local", allowed=BACKUP_REDUNDANCIES
        ),
        short_term_retention_days=section.integer("shortTermRetentionDays", 7, minimum=1, maximum=35),
        diff_backup_interval_hours=section.integer("diffBackupIntervalHours", 12, minimum=12, maximum=24),
        long_term_retention=_long_term_retention(section.section("longTermRetention")),
        secondary_location=section.string("secondaryLocation", None, allowed=AZURE_REGIONS),
        # Azure: at least 1 hour, set in hours (PowerShell -GracePeriodWithDataLossHours); 24 h is our bound.
        failover_grace_period_minutes=section.integer("failoverGracePeriodMinutes", 60, minimum=60, maximum=1440),
        # Both follow network.mode: only one value works in each mode (_check_network).
        public_network_access=section.boolean("publicNetworkAccess", not private),
        allow_azure_services=section.boolean("allowAzureServices", not private),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
        sqlcmd_version=section.string(
            "sqlcmdVersion", "1.8.2", pattern=r"\d+\.\d+\.\d+", rule="a go-sqlcmd release, e.g. 1.8.2"
        ),
        rerun_bootstrap=section.string("rerunBootstrap", "", pattern=r"[A-Za-z0-9._:-]{0,64}", rule=RERUN_RULE),
    )
    section.finish()
    if sql_database:
        _check_sql_store(section, settings, production_like, location, auto_pause_given, min_capacity_given)
        _check_network(section, settings, private)
    if not sku.serverless:
        settings = replace(settings, auto_pause_delay=None, min_capacity=None)
    return settings


def _check_sql_store(
    section: Section,
    s: SqlStoreSettings,
    production_like: bool,
    location: str,
    auto_pause_given: bool,
    min_capacity_given: bool,
) -> None:
    if s.entra_admin is None and production_like:
        raise section.fail(
            "entraAdmin",
            None,
            "required in production-like stacks: {login, objectId, principalType} of the server's "
            "Entra ID administrator (other stacks without it get SQL authentication only)",
        )
    if s.administrator_login.lower() in RESERVED_LOGINS:
        raise section.fail(
            "administratorLogin",
            s.administrator_login,
            "must not be a reserved name (" + ", ".join(sorted(RESERVED_LOGINS)) + ")",
        )
    if s.diff_backup_interval_hours not in (12, 24):
        raise section.fail("diffBackupIntervalHours", s.diff_backup_interval_hours, "must be 12 or 24")
    if s.failover_grace_period_minutes % 60:
        raise section.fail(
            "failoverGracePeriodMinutes",
            s.failover_grace_period_minutes,
            "must be a whole number of hours in minutes (60, 120, ... 1440)",
        )

    # Serverless-only knobs.
    if not s.sku.serverless:
        for key, given in (("autoPauseDelay", auto_pause_given), ("minCapacity", min_capacity_given)):
            if given:
                raise section.fail(
                    key,
                    getattr(s, "auto_pause_delay" if key == "autoPauseDelay" else "min_capacity"),
                    f"only applies to a serverless sku (GP_S_Gen5_<n>), not {s.sku.name}",
                )
    else:
        delay = s.auto_pause_delay
        if delay is not None and delay != -1 and not AUTO_PAUSE_MIN <= delay <= AUTO_PAUSE_MAX:
            raise section.fail(
                "autoPauseDelay",
                s.auto_pause_delay,
                f"must be -1 (no auto-pause) or {AUTO_PAUSE_MIN}-{AUTO_PAUSE_MAX} minutes",
            )
        lowest = max(0.5, s.sku.capacity / 8)
        if not lowest <= (s.min_capacity or 0) <= s.sku.capacity or (s.min_capacity or 0) * 4 % 1:
            raise section.fail(
                "minCapacity",
                s.min_capacity,
                f"must be a multiple of 0.25 from {lowest:g} to {s.sku.capacity} vCores for {s.sku.name}",
            )
        if s.auto_pause_delay != -1 and (s.geo_replicated or s.long_term_retention.enabled):
            raise section.fail(
                "autoPauseDelay",
                s.auto_pause_delay,
                "must be -1: Azure does not auto-pause a serverless database with geo-replication "
                "or long-term backup retention",
            )

    # Geo-replication and geo-redundant backups.
    if s.secondary_location is not None and s.secondary_location == location:
        raise section.fail(
            "secondaryLocation", s.secondary_location, f"must be a region other than the primary location {location!r}"
        )
    if production_like:
        if s.secondary_location is None:
            raise section.fail(
                "secondaryLocation",
                None,
                "required in production-like stacks: the region of the geo-secondary and failover partner",
            )
        if s.backup_storage_redundancy not in GEO_BACKUP_REDUNDANCIES:
            raise section.fail(
                "backupStorageRedundancy",
                s.backup_storage_redundancy,
                "production-like stacks keep backups restorable in the paired region: Geo or GeoZone",
            )
        if not s.long_term_retention.enabled:
            raise section.fail(
                "longTermRetention",
                {},
                "production-like stacks keep long-term backups: set at least one of weekly, monthly, yearly",
            )


def _check_network(section: Section, s: SqlStoreSettings, private: bool) -> None:
    """The registry app connects at start-up and crash-loops without a way to its database; so does the
    schema bootstrap. Each mode has exactly one way: private endpoints reached through the app's VNet
    integration and the script subnet (private), or the public endpoint with the 0.0.0.0 rule (public)."""
    if private:
        for key, value in (
            ("publicNetworkAccess", s.public_network_access),
            ("allowAzureServices", s.allow_azure_services),
        ):
            if value:
                raise section.fail(
                    key,
                    True,
                    "must be false with network.mode private: the servers take no public traffic, the registry app "
                    "(VNet integration) and the schema bootstrap (script subnet) reach them through their private "
                    "endpoints; remove the key",
                )
        if s.allowed_ip_ranges:
            # Azure rejects server firewall rules while public network access is off (error 42101).
            raise section.fail(
                "allowedIpRanges",
                list(s.allowed_ip_ranges),
                "must be empty with network.mode private: firewall rules need public network access; reach the "
                "servers over the network (VPN or hub peering, docs/networking.md)",
            )
        return
    if not s.public_network_access:
        raise section.fail(
            "publicNetworkAccess",
            False,
            "needs network.mode private: without public access only private endpoints reach the servers, and in "
            "public mode neither the registry app (no VNet integration) nor the schema bootstrap has one, so the app "
            "crash-loops at start-up",
        )
    if not s.allow_azure_services:
        raise section.fail(
            "allowAzureServices",
            False,
            "needs network.mode private: in public mode the registry app and the schema bootstrap connect from "
            "Azure's shared outbound addresses, which only the 0.0.0.0 'Allow Azure services' rule admits (they "
            "change and cannot be listed in allowedIpRanges); without it the app crash-loops at start-up",
        )


def parse_registry(
    section: Section, production_like: bool, location: str, rbac: bool, private: bool
) -> RegistrySettings:
    """`rbac`: registry RBAC is on (`registryApi`), so its roles need a SQL database whatever the backend.
    `private`: network.mode is private."""
    backend = section.string("backend", "sql", allowed=BACKENDS)
    sql_database = backend == "sql" or rbac
    sql = parse_sql_store(section.section("sql"), production_like, location, sql_database, private)
    section.finish()
    return RegistrySettings(backend=backend, sql=sql, sql_database=sql_database)

"""Alerting and health probes, read from the `monitoring` section: who is told (the action group's
mail and optional webhook), when (thresholds), from where the registry is probed, and whether SQL
gets Microsoft Defender for SQL.

The webhook URL may carry a token in its query string, so it is a secret setting of its own
(`alertWebhookUrl`, set with `pulumi config set --secret`); only whether it is given is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.settings.errors import SettingsError
from infra.settings.reader import OFFLINE_SECRET_PLACEHOLDER, Section

ALERT_WEBHOOK_KEY = "alertWebhookUrl"  # top-level secret setting (SECRET_SETTINGS)

# Learn, "Standard test" (azure-monitor/app/availability-standard-test), "Location population tags",
# table "Azure": the population names a test may run from (public Azure).
AVAILABILITY_LOCATIONS = frozenset(
    {
        "emea-au-syd-edge",  # Australia East
        "latam-br-gru-edge",  # Brazil South
        "us-fl-mia-edge",  # Central US
        "apac-hk-hkn-azr",  # East Asia
        "us-va-ash-azr",  # East US
        "emea-ch-zrh-edge",  # France South (formerly France Central)
        "emea-fr-pra-edge",  # France Central
        "apac-jp-kaw-edge",  # Japan East
        "emea-gb-db3-azr",  # North Europe
        "us-il-ch1-azr",  # North Central US
        "us-tx-sn1-azr",  # South Central US
        "apac-sg-sin-azr",  # Southeast Asia
        "emea-se-sto-edge",  # UK West
        "emea-nl-ams-azr",  # West Europe
        "us-ca-sjc-azr",  # West US
        "emea-ru-msa-edge",  # UK South
    }
)
# Same page: "Our minimum number of recommended test locations is five ... You can select up to 16 locations."
MIN_AVAILABILITY_LOCATIONS = 5
MAX_AVAILABILITY_LOCATIONS = 16
# Five European and US locations near the default region (West Europe), per the page's recommendation.
DEFAULT_AVAILABILITY_LOCATIONS = (
    "emea-nl-ams-azr",
    "emea-gb-db3-azr",
    "emea-ru-msa-edge",
    "emea-fr-pra-edge",
    "us-va-ash-azr",
)
# An address an Azure Monitor email receiver accepts; deliberately plain (one '@', a dot in the domain).
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"


@dataclass(frozen=True)
class AlertThresholds:
    sql_cpu_percent: int  # cpu_percent, average over 15 minutes
    sql_storage_percent: int  # storage_percent, maximum over 1 hour
    redis_memory_percent: int  # usedmemorypercentage, maximum over 15 minutes
    redis_server_load_percent: int  # serverLoad, maximum over 15 minutes
    http_5xx_per_5_minutes: int  # Http5xx on the registry web app, total over 5 minutes
    storage_availability_percent: float  # Availability of the offline store, average over 15 minutes (below)
    failed_spark_applications: int  # failed Spark applications in 1 hour


@dataclass(frozen=True)
class AlertSettings:
    enabled: bool
    email: str | None  # the action group's mail receiver (None only while alerting is off)
    webhook: bool  # whether alertWebhookUrl is set (its value is read as a Pulumi secret, never here)
    thresholds: AlertThresholds
    availability_locations: tuple[str, ...]
    sql_defender: bool  # Microsoft Defender for SQL (server security alert policy) on every SQL server

    @property
    def failed_locations_to_alert(self) -> int:
        """Learn, "Standard test", Alerts: "alert location threshold = number of test locations - 2"."""
        return len(self.availability_locations) - 2


def parse_alerting(
    section: Section, production_like: bool, owner: str, webhook_given: bool, webhook_url: str | None
) -> AlertSettings:
    """Read `monitoring.alerts`, `monitoring.availabilityTest` and `monitoring.sqlDefender` from the
    monitoring section (which the caller finishes). `webhook_url` is the secret's value, checked for
    its scheme only (not the offline plan's placeholder for an undecryptable `secure:` value); no message
    ever shows it."""
    alerts = section.section("alerts")
    enabled = alerts.boolean("enabled", production_like)
    owner_mail = owner if re.fullmatch(EMAIL, owner) else None
    email = alerts.string("email", owner_mail, pattern=EMAIL, rule="an e-mail address (name@domain.tld)")
    thresholds = AlertThresholds(
        sql_cpu_percent=alerts.integer("sqlCpuPercent", 80, minimum=1, maximum=100),
        sql_storage_percent=alerts.integer("sqlStoragePercent", 85, minimum=1, maximum=100),
        redis_memory_percent=alerts.integer("redisMemoryPercent", 80, minimum=1, maximum=100),
        redis_server_load_percent=alerts.integer("redisServerLoadPercent", 80, minimum=1, maximum=100),
        http_5xx_per_5_minutes=alerts.integer("http5xxPerFiveMinutes", 10, minimum=1, maximum=100000),
        storage_availability_percent=alerts.number("storageAvailabilityPercent", 99.0, minimum=1, maximum=100),
        failed_spark_applications=alerts.integer("failedSparkApplicationsPerHour", 1, minimum=1, maximum=1000),
    )
    alerts.finish()

    probe = section.section("availabilityTest")
    rule = f"{MIN_AVAILABILITY_LOCATIONS}-{MAX_AVAILABILITY_LOCATIONS} availability test location ids, each one of " + (
        ", ".join(sorted(AVAILABILITY_LOCATIONS))
    )
    locations = (
        probe.strings("locations", pattern="|".join(map(re.escape, sorted(AVAILABILITY_LOCATIONS))), rule=rule)
        if probe.has("locations")
        else DEFAULT_AVAILABILITY_LOCATIONS
    )
    probe.finish()
    if not MIN_AVAILABILITY_LOCATIONS <= len(locations) <= MAX_AVAILABILITY_LOCATIONS:
        raise probe.fail("locations", list(locations), f"must be {rule}")
    if len(set(locations)) != len(locations):
        raise probe.fail("locations", list(locations), "lists a location twice; list each location once")

    sql_defender = section.boolean("sqlDefender", production_like)

    if production_like and not enabled:
        raise alerts.fail("enabled", False, "production-like stacks keep alerting on (only dev may turn it off)")
    if production_like and not sql_defender:
        raise section.fail(
            "sqlDefender", False, "production-like stacks keep Microsoft Defender for SQL on (threat detection)"
        )
    if enabled and email is None:
        raise SettingsError(
            f"setting {alerts.key('email')} = (not set): required while alerting is on, because the owner "
            f"setting ({owner!r}) is no e-mail address; say where alerts go (name@domain.tld)"
        )
    if webhook_given and not enabled:
        raise SettingsError(
            f"setting {section.path.split(':')[0]}:{ALERT_WEBHOOK_KEY} (value not shown) is set, but "
            f"{alerts.key('enabled')} is false: nothing would call it; remove it or turn alerting on"
        )
    if webhook_given and webhook_url != OFFLINE_SECRET_PLACEHOLDER and not (webhook_url or "").startswith("https://"):
        raise SettingsError(
            f"setting {section.path.split(':')[0]}:{ALERT_WEBHOOK_KEY} (value not shown): must be an https:// URL"
        )
    return AlertSettings(
        enabled=enabled,
        email=email,
        webhook=webhook_given,
        thresholds=thresholds,
        availability_locations=tuple(locations),
        sql_defender=sql_defender,
    )

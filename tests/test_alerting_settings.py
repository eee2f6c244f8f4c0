"""Alerting settings (monitoring.alerts, monitoring.availabilityTest, monitoring.sqlDefender, the secret
alertWebhookUrl): defaults per stack, every limit at its edge and one past it, and each error naming its
full key. Limits are written here as numbers next to their sources."""

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import NS, config_merged, config_with

KEY = "feathr-infra:monitoring."
WEBHOOK = "https://hooks.example.com/services/T000/B000?token=not-a-real-token"
# Learn, "Standard test" (azure-monitor/app/availability-standard-test), "Location population tags", Azure.
ALL_LOCATIONS = [
    "emea-au-syd-edge",
    "latam-br-gru-edge",
    "us-fl-mia-edge",
    "apac-hk-hkn-azr",
    "us-va-ash-azr",
    "emea-ch-zrh-edge",
    "emea-fr-pra-edge",
    "apac-jp-kaw-edge",
    "emea-gb-db3-azr",
    "us-il-ch1-azr",
    "us-tx-sn1-azr",
    "apac-sg-sin-azr",
    "emea-se-sto-edge",
    "emea-nl-ams-azr",
    "us-ca-sjc-azr",
    "emea-ru-msa-edge",
]


def load(stack, config=None, secret_keys=()):
    return load_settings(config if config is not None else config_with(stack), "feathr-infra", stack, secret_keys)


def alerting(stack, **monitoring):
    return load(stack, config_merged(stack, "monitoring", **monitoring)).monitoring.alerting


def rejected(stack, key, config=None, secret_keys=(), **monitoring) -> str:
    with pytest.raises(SettingsError) as error:
        load(stack, config if config is not None else config_merged(stack, "monitoring", **monitoring), secret_keys)
    message = str(error.value)
    assert message.startswith(f"setting {key}"), message
    return message


def test_defaults_alert_in_production_only_and_mail_the_owner():
    dev, prod = alerting("dev"), alerting("prod")
    assert (dev.enabled, dev.sql_defender, dev.webhook) == (False, False, False)
    assert (prod.enabled, prod.sql_defender, prod.webhook) == (True, True, False)
    # Both stack files' owner is a mail address: the default receiver.
    assert dev.email == prod.email == "feature-platform@contoso.com"
    assert prod.availability_locations == (
        "emea-nl-ams-azr",
        "emea-gb-db3-azr",
        "emea-ru-msa-edge",
        "emea-fr-pra-edge",
        "us-va-ash-azr",
    )
    # Learn "Standard test", Alerts: location threshold = number of locations - 2.
    assert prod.failed_locations_to_alert == 3


def test_production_keeps_alerting_and_defender_on():
    message = rejected("prod", KEY + "alerts.enabled = false", alerts={"enabled": False})
    assert "production-like stacks keep alerting on" in message
    message = rejected("prod", KEY + "sqlDefender = false", sqlDefender=False)
    assert "Microsoft Defender for SQL" in message
    dev = alerting("dev", alerts={"enabled": True}, sqlDefender=True)
    assert (dev.enabled, dev.sql_defender) == (True, True)


def test_an_owner_that_is_no_mail_needs_alerts_email():
    config = config_merged("dev", "monitoring", alerts={"enabled": True})
    config[NS + "owner"] = "Feature platform team"
    message = rejected("dev", KEY + "alerts.email = (not set)", config=config)
    assert "required while alerting is on" in message and "'Feature platform team'" in message
    config[NS + "monitoring"] = {"alerts": {"enabled": True, "email": "oncall@contoso.com"}}
    assert load("dev", config).monitoring.alerting.email == "oncall@contoso.com"
    # With alerting off nothing needs a receiver.
    config[NS + "monitoring"] = {}
    assert load("dev", config).monitoring.alerting.email is None


@pytest.mark.parametrize("email", ["oncall", "oncall@contoso", "on call@contoso.com", "a@b@contoso.com", ""])
def test_alerts_email_must_be_an_address(email):
    message = rejected("prod", KEY + "alerts.email = ", alerts={"email": email})
    assert "must be an e-mail address" in message


# Percent thresholds: 1-100 (a percentage); counts from 1.
@pytest.mark.parametrize(
    "key, low, high",
    [
        ("sqlCpuPercent", 1, 100),
        ("sqlStoragePercent", 1, 100),
        ("redisMemoryPercent", 1, 100),
        ("redisServerLoadPercent", 1, 100),
        ("http5xxPerFiveMinutes", 1, 100000),
        ("failedSparkApplicationsPerHour", 1, 1000),
    ],
)
def test_thresholds_at_their_limits_and_one_past(key, low, high):
    for value in (low, high):
        alerting("prod", alerts={key: value})
    for value in (low - 1, high + 1):
        message = rejected("prod", f"{KEY}alerts.{key} = {value}", alerts={key: value})
        assert f"must be an integer from {low} to {high}" in message


def test_storage_availability_percent_is_a_percentage():
    assert alerting("prod", alerts={"storageAvailabilityPercent": 99.9}).thresholds.storage_availability_percent == 99.9
    assert alerting("prod", alerts={"storageAvailabilityPercent": 100}).thresholds.storage_availability_percent == 100
    message = rejected(
        "prod", KEY + "alerts.storageAvailabilityPercent = 100.5", alerts={"storageAvailabilityPercent": 100.5}
    )
    assert "must be a number from 1 to 100" in message


def test_threshold_defaults():
    thresholds = alerting("prod").thresholds
    assert (
        thresholds.sql_cpu_percent,
        thresholds.sql_storage_percent,
        thresholds.redis_memory_percent,
        thresholds.redis_server_load_percent,
        thresholds.http_5xx_per_5_minutes,
        thresholds.storage_availability_percent,
        thresholds.failed_spark_applications,
    ) == (80, 85, 80, 80, 10, 99.0, 1)


def test_unknown_alert_keys_are_refused():
    message = rejected("prod", KEY + "alerts.cpuPercent is not a known setting", alerts={"cpuPercent": 90})
    assert "sqlCpuPercent" in message
    rejected("prod", KEY + "availabilityTest.frequency is not a known setting", availabilityTest={"frequency": 300})


def test_availability_locations_five_to_sixteen_known_ids():
    # Learn "Standard test": at least five recommended, "up to 16 locations".
    assert alerting("prod", availabilityTest={"locations": ALL_LOCATIONS}).failed_locations_to_alert == 14
    assert alerting("prod", availabilityTest={"locations": ALL_LOCATIONS[:5]}).availability_locations == tuple(
        ALL_LOCATIONS[:5]
    )
    message = rejected("prod", KEY + "availabilityTest.locations = ", availabilityTest={"locations": ALL_LOCATIONS[:4]})
    assert "must be 5-16 availability test location ids" in message
    message = rejected(
        "prod",
        KEY + "availabilityTest.locations = ",
        availabilityTest={"locations": [*ALL_LOCATIONS[:5], ALL_LOCATIONS[0]]},
    )
    assert "lists a location twice" in message
    # A region name is not a location id; neither is an unknown id.
    message = rejected(
        "prod",
        KEY + "availabilityTest.locations[0] = 'westeurope'",
        availabilityTest={"locations": ["westeurope", *ALL_LOCATIONS[:4]]},
    )
    assert "emea-nl-ams-azr" in message


def test_webhook_is_a_secret_https_url_and_never_shown():
    secret = [NS + "alertWebhookUrl"]
    config = config_with("prod", alertWebhookUrl=WEBHOOK)
    assert load("prod", config, secret).monitoring.alerting.webhook is True
    # Plain text in the stack file: refused (the URL carries a token), without showing it.
    message = rejected("prod", "feathr-infra:alertWebhookUrl is given in plain text (value not shown)", config=config)
    assert "token" not in message
    plain_http = config_with("prod", alertWebhookUrl=WEBHOOK.replace("https://", "http://"))
    message = rejected("prod", "feathr-infra:alertWebhookUrl (value not shown)", config=plain_http, secret_keys=secret)
    assert "must be an https:// URL" in message and "token" not in message
    # Nothing would call it while alerting is off.
    dev = config_with("dev", alertWebhookUrl=WEBHOOK)
    message = rejected("dev", "feathr-infra:alertWebhookUrl (value not shown)", config=dev, secret_keys=secret)
    assert "monitoring.alerts.enabled is false" in message and "token" not in message


def test_the_offline_plans_placeholder_for_a_secure_webhook_passes():
    # A `secure:` value the offline plan cannot decrypt arrives as its placeholder (infra/offline/stack_files.py).
    from infra.offline.stack_files import OFFLINE_SECRET_PLACEHOLDER

    config = config_with("prod", alertWebhookUrl=OFFLINE_SECRET_PLACEHOLDER)
    assert load("prod", config, [NS + "alertWebhookUrl"]).monitoring.alerting.webhook is True

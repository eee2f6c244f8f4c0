"""keyVault lifetime and rotation settings: accepted at each limit, rejected one past it, naming the key."""

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import config_merged

KEY = "feathr-infra:keyVault."


def key_vault(stack, **values):
    return load_settings(config_merged(stack, "keyVault", **values), "feathr-infra", stack).key_vault


def test_defaults_rotate_every_60_days_and_expire_after_90():
    settings = key_vault("dev")
    assert (settings.rotation_days, settings.secret_lifetime_days, settings.rotation_trigger) == (60, 90, "")


@pytest.mark.parametrize(
    "stack, values",
    [
        ("dev", {"rotationDays": 1, "secretLifetimeDays": 2}),  # both minimums
        ("dev", {"rotationDays": 365, "secretLifetimeDays": 730}),  # both maximums
        ("dev", {"rotationDays": 29, "secretLifetimeDays": 30}),  # lifetime just longer than the interval
        ("prod", {"rotationDays": 60}),  # the production-like maximum
        ("dev", {"rotationTrigger": "a" * 64}),
        ("dev", {"rotationTrigger": "2026-12-24T10:00"}),
    ],
)
def test_accepted_at_the_limits(stack, values):
    settings = key_vault(stack, **values)
    assert settings.rotation_days == values.get("rotationDays", 60)


@pytest.mark.parametrize(
    "stack, values, key, fragment",
    [
        ("dev", {"rotationDays": 0}, "rotationDays", "an integer from 1 to 365"),
        ("dev", {"rotationDays": 366, "secretLifetimeDays": 730}, "rotationDays", "an integer from 1 to 365"),
        ("dev", {"secretLifetimeDays": 1, "rotationDays": 1}, "secretLifetimeDays", "an integer from 2 to 730"),
        ("dev", {"secretLifetimeDays": 731}, "secretLifetimeDays", "an integer from 2 to 730"),
        ("dev", {"rotationDays": 30, "secretLifetimeDays": 30}, "secretLifetimeDays", "longer than rotationDays (30)"),
        ("prod", {"rotationDays": 61}, "rotationDays", "at least every 60 days"),
        ("dev", {"rotationTrigger": "a" * 65}, "rotationTrigger", "up to 64"),
        ("dev", {"rotationTrigger": "next week"}, "rotationTrigger", "up to 64"),
        ("dev", {"rotationDays": "often"}, "rotationDays", "an integer"),
    ],
)
def test_rejected_one_past_the_limit_naming_the_key(stack, values, key, fragment):
    with pytest.raises(SettingsError) as error:
        key_vault(stack, **values)
    message = str(error.value)
    assert f"setting {KEY}{key} = " in message and fragment in message

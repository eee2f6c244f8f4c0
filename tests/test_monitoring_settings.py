"""monitoring settings: the workspace's retention at Azure's PerGB2018 limits and one past them, the production
floor, and the existing workspace's id (strict), each error naming its key."""

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import config_with

KEY = "feathr-infra:monitoring."
# Learn "Manage data retention in a Log Analytics workspace" and "Azure Monitor service limits" (Log Analytics
# workspaces, Current Per GB pricing tier): a workspace's retention is 30-730 days.
AZURE_MIN, AZURE_MAX = 30, 730
CENTRAL = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-monitoring"
    "/providers/Microsoft.OperationalInsights/workspaces/contoso-central-log"
)


def monitoring(stack, **values):
    return load_settings(config_with(stack, monitoring=values), "feathr-infra", stack).monitoring


def rejected(stack, key, **values) -> str:
    with pytest.raises(SettingsError) as error:
        monitoring(stack, **values)
    message = str(error.value)
    assert message.startswith(f"setting {KEY}{key} = "), message
    return message


def test_defaults_create_a_workspace_30_days_in_dev_90_in_production():
    assert (monitoring("dev").workspace_id, monitoring("dev").retention_days) == (None, 30)
    assert (monitoring("prod").workspace_id, monitoring("prod").retention_days) == (None, 90)


@pytest.mark.parametrize("stack, days", [("dev", AZURE_MIN), ("dev", AZURE_MAX), ("prod", 90), ("prod", AZURE_MAX)])
def test_retention_accepted_at_the_limits(stack, days):
    assert monitoring(stack, workspaceRetentionDays=days).retention_days == days


@pytest.mark.parametrize(
    "stack, days, fragment",
    [
        ("dev", AZURE_MIN - 1, "must be an integer from 30 to 730"),
        ("dev", AZURE_MAX + 1, "must be an integer from 30 to 730"),
        ("prod", AZURE_MAX + 1, "must be an integer from 30 to 730"),
        ("prod", 89, "production-like stacks keep logs at least 90 days"),
        ("dev", "a month", "must be an integer from 30 to 730"),
    ],
)
def test_retention_rejected_one_past_the_limit(stack, days, fragment):
    message = rejected(stack, "workspaceRetentionDays", workspaceRetentionDays=days)
    assert fragment in message, message


def test_an_existing_workspace_is_used_as_given_without_retention():
    settings = monitoring("prod", workspaceId=CENTRAL)
    assert (settings.workspace_id, settings.retention_days, settings.creates_workspace) == (CENTRAL, None, False)


def test_retention_of_an_existing_workspace_is_its_owners_business():
    message = rejected("dev", "workspaceRetentionDays", workspaceId=CENTRAL, workspaceRetentionDays=60)
    assert "only for a workspace this program creates" in message, message


@pytest.mark.parametrize(
    "workspace_id",
    [
        CENTRAL.replace("6f1c2b7e", "6f1c2b7"),  # not a GUID
        CENTRAL.replace("Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components"),
        CENTRAL.replace("contoso-central-log", "log"),  # 3 characters: Learn's minimum is 4
        CENTRAL.replace("contoso-central-log", "a" * 64),  # 64: the maximum is 63
        CENTRAL.replace("contoso-central-log", "contoso-central-"),  # ends with a hyphen
        CENTRAL + "/tables/AZKVAuditLogs",
        "contoso-central-log",  # a name, not an id
    ],
)
def test_workspace_id_is_strict(workspace_id):
    message = rejected("dev", "workspaceId", workspaceId=workspace_id)
    assert "a Log Analytics workspace resource id" in message, message


@pytest.mark.parametrize("name", ["abcd", "a" * 63])
def test_workspace_id_accepts_names_at_the_limits(name):
    workspace_id = CENTRAL.replace("contoso-central-log", name)
    assert monitoring("dev", workspaceId=workspace_id).workspace_id == workspace_id


def test_unknown_key_is_refused():
    with pytest.raises(SettingsError, match=r"setting feathr-infra:monitoring\.retentionDays is not a known setting"):
        monitoring("dev", retentionDays=60)


def test_no_name_override_for_a_workspace_the_stack_does_not_create():
    config = config_with("dev", monitoring={"workspaceId": CENTRAL}, names={"log_analytics_workspace": "contoso-log"})
    with pytest.raises(SettingsError) as error:
        load_settings(config, "feathr-infra", "dev")
    assert str(error.value).startswith("setting feathr-infra:names.log_analytics_workspace = 'contoso-log': ")
    assert "this stack builds no log analytics workspace" in str(error.value)

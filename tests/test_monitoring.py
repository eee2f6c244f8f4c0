"""The Log Analytics workspace per stack, an existing central one instead, and diagnostic settings to it."""

import pytest

from infra.components.monitoring.diagnostic_categories import diagnostics_for
from tests.support import config_with, run

WORKSPACE = "azure-native:operationalinsights:Workspace"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
CENTRAL = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-monitoring"
    "/providers/Microsoft.OperationalInsights/workspaces/contoso-central-log"
)


def settings_on(result, target_id):
    return [d for d in result.of_type(DIAGNOSTIC_SETTING) if d.inputs["resourceUri"] == target_id]


@pytest.mark.parametrize("stack, name, retention", [("dev", "contoso-dev-log", 30), ("prod", "contoso-prod-log", 90)])
def test_each_stack_has_its_own_workspace(stack, name, retention):
    workspace = run(stack).one(WORKSPACE)
    assert workspace.inputs["workspaceName"] == name
    assert workspace.inputs["resourceGroupName"] == f"contoso-{stack}-rg"
    assert workspace.inputs["location"] == "westeurope"
    assert workspace.inputs["sku"] == {"name": "PerGB2018"}
    assert workspace.inputs["retentionInDays"] == retention
    assert workspace.inputs["tags"]["environment"] == stack


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_key_vault_audit_events_go_to_the_workspace(stack):
    result = run(stack)
    vault = result.one("azure-native:keyvault:Vault")
    (setting,) = settings_on(result, vault.arm_id)
    assert setting.inputs["workspaceId"] == result.one(WORKSPACE).arm_id
    assert setting.inputs["name"] == "feathr-log-analytics"
    # Learn supported-logs/microsoft-keyvault-vaults-logs: AuditEvent, table AZKVAuditLogs (resource-specific).
    assert setting.inputs["logs"] == [{"category": "AuditEvent", "enabled": True}]
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert setting.inputs["logAnalyticsDestinationType"] == "Dedicated"
    assert setting.parent_urn.endswith("::key-vault")


def test_the_workspace_audits_its_own_queries():
    result = run("prod")
    workspace = result.one(WORKSPACE)
    (setting,) = settings_on(result, workspace.arm_id)
    # Learn supported-logs/microsoft-operationalinsights-workspaces-logs: Audit -> LAQueryLogs.
    assert setting.inputs["logs"] == [{"category": "Audit", "enabled": True}]
    assert setting.inputs["workspaceId"] == workspace.arm_id


def test_an_existing_central_workspace_replaces_the_created_one():
    result = run("dev", config_with("dev", monitoring={"workspaceId": CENTRAL}))
    assert result.of_type(WORKSPACE) == []
    settings = result.of_type(DIAGNOSTIC_SETTING)
    assert settings != []
    assert {s.inputs["workspaceId"] for s in settings} == {CENTRAL}
    assert {s.inputs["resourceUri"] for s in settings} >= {result.one("azure-native:keyvault:Vault").arm_id}


def test_a_type_without_a_row_is_refused_with_the_remedy():
    with pytest.raises(KeyError, match=r"add its row to infra/components/monitoring/diagnostic_categories\.py"):
        diagnostics_for("Microsoft.Contoso/widgets")


def test_the_offline_plan_inventory_shows_the_monitoring_part():
    from infra.offline.plan import inventory

    text = inventory(run("prod"))
    assert "feathr:monitoring:Monitoring monitoring" in text
    lines = text.splitlines()
    workspace = next(line for line in lines if "operationalinsights:Workspace" in line)
    assert "contoso-prod-log" in workspace and "retentionInDays=90" in workspace and "protected" in workspace
    # What each setting watches and sends, a child named "default" with its parent.
    assert any("target=contoso-prod-kv-78gz9l, logs=AuditEvent, metrics=AllMetrics" in line for line in lines)
    assert any(
        "target=contosoprodst78gz9l/blobServices/default, logs=allLogs, metrics=Transaction" in line for line in lines
    )

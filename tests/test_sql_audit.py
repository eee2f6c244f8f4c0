"""SQL auditing to Log Analytics and Microsoft Defender for SQL on every SQL server of a stack (both of a
geo-replicated registry), and Synapse workspace auditing, against values written here.

Sources: SDK sql.ServerBlobAuditingPolicy (API 2023-08-01) docstrings (isAzureMonitorTargetEnabled needs a
diagnostic setting with SQLSecurityAuditEvents on the master database; the portal's default action groups);
REST sql ServerSecurityAlertPolicies_CreateOrUpdate (.../securityAlertPolicies/Default); REST synapse
2021-06-01 examples CreateWorkspaceManagedSqlServerBlobAuditingSettingsWithAllParameters.json (path
workspaces/{ws}/auditingSettings/default, isAzureMonitorTargetEnabled).
"""

import pytest

from tests.variants import run_variant

AUDIT = "azure-native:sql:ServerBlobAuditingPolicy"
ALERT_POLICY = "azure-native:sql:ServerSecurityAlertPolicy"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
DEPLOYMENT = "azure-native:resources:Deployment"
OWNER = "feature-platform@contoso.com"
PORTAL_DEFAULT_GROUPS = [
    "BATCH_COMPLETED_GROUP",
    "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
    "FAILED_DATABASE_AUTHENTICATION_GROUP",
]
# The servers each variant builds (the Purview variant keeps its SQL database for registry RBAC).
SERVERS = {"dev": 1, "prod": 2}


def servers(result):
    return {r.inputs["serverName"]: r for r in result.of_type("azure-native:sql:Server")}


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", ["as deployed", "purview"])
def test_every_server_audits_to_the_workspace(stack, variant):
    result = run_variant(stack, variant)
    built = servers(result)
    assert len(built) == SERVERS[stack]
    audits = {r.inputs["serverName"]: r for r in result.of_type(AUDIT)}
    assert set(audits) == set(built)
    workspace = result.one("azure-native:operationalinsights:Workspace").arm_id
    masters = {
        r.inputs["resourceUri"]: r
        for r in result.of_type(DIAGNOSTICS)
        if r.inputs["resourceUri"].endswith("/databases/master")
    }
    assert set(masters) == {f"{server.arm_id}/databases/master" for server in built.values()}
    for name, audit in audits.items():
        assert audit.inputs["blobAuditingPolicyName"] == "default"
        assert audit.inputs["state"] == "Enabled"
        assert audit.inputs["isAzureMonitorTargetEnabled"] is True
        assert audit.inputs["auditActionsAndGroups"] == PORTAL_DEFAULT_GROUPS
        assert "storageEndpoint" not in audit.inputs and "retentionDays" not in audit.inputs
        master = masters[f"{built[name].arm_id}/databases/master"]
        assert master.inputs["logs"] == [{"category": "SQLSecurityAuditEvents", "enabled": True}]
        assert master.inputs["workspaceId"] == workspace
        assert master.urn in audit.depends_on  # the destination exists before auditing points at it
    # No database-level auditing policy: the server's covers its databases.
    assert result.of_type("azure-native:sql:DatabaseBlobAuditingPolicy") == []


@pytest.mark.parametrize("variant", ["as deployed", "purview"])
def test_prod_runs_defender_for_sql_on_both_servers(variant):
    result = run_variant("prod", variant)
    policies = {r.inputs["serverName"]: r.inputs for r in result.of_type(ALERT_POLICY)}
    assert set(policies) == set(servers(result))
    for inputs in policies.values():
        assert inputs["securityAlertPolicyName"] == "Default"
        assert inputs["state"] == "Enabled"
        assert inputs["emailAddresses"] == [OWNER]
        assert inputs["emailAccountAdmins"] is True
        assert inputs["disabledAlerts"] == []


def test_dev_has_no_defender_by_default():
    assert run_variant("dev", "as deployed").of_type(ALERT_POLICY) == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_synapse_workspace_audits_its_sql(stack):
    result = run_variant(stack, "as deployed")
    workspace = result.one("azure-native:synapse:Workspace")
    deployment = result.one(DEPLOYMENT)
    assert deployment.inputs["deploymentName"] == "feathr-synapse-sql-audit"
    properties = deployment.inputs["properties"]
    # Incremental: deleting the deployment leaves the settings (the API has no DELETE for them).
    assert properties["mode"] == "Incremental"
    assert properties["parameters"] == {"workspaceName": {"value": workspace.physical_name}}
    resources = [
        {
            "type": "Microsoft.Synapse/workspaces/auditingSettings",
            "apiVersion": "2021-06-01",
            "name": "[concat(parameters('workspaceName'), '/default')]",
            "properties": {
                "state": "Enabled",
                "isAzureMonitorTargetEnabled": True,
                "auditActionsAndGroups": PORTAL_DEFAULT_GROUPS,
            },
        }
    ]
    if stack == "prod":
        resources.append(
            {
                "type": "Microsoft.Synapse/workspaces/securityAlertPolicies",
                "apiVersion": "2021-06-01",
                "name": "[concat(parameters('workspaceName'), '/Default')]",
                "properties": {
                    "state": "Enabled",
                    "emailAddresses": [OWNER],
                    "emailAccountAdmins": True,
                    "disabledAlerts": [],
                },
            }
        )
    assert properties["template"] == {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"workspaceName": {"type": "string"}},
        "resources": resources,
    }
    assert workspace.urn in deployment.depends_on


def test_databricks_has_no_synapse_audit():
    assert run_variant("prod", "databricks").of_type(DEPLOYMENT) == []

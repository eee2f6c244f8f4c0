"""SQL auditing to Log Analytics and Microsoft Defender for SQL, on one logical server (called for both
servers of a geo-replicated registry: a failover makes the partner the primary, and auditing and the
security alert policy are server settings that Azure does not replicate).

Auditing to Azure Monitor takes two parts (SDK ServerBlobAuditingPolicy.is_azure_monitor_target_enabled,
API 2023-08-01: "In order to send the events to Azure Monitor, specify 'State' as 'Enabled' and
'IsAzureMonitorTargetEnabled' as true ... Diagnostic Settings with 'SQLSecurityAuditEvents' diagnostic
logs category on the database should be also created. Note that for server level audit you should use
the 'master' database"). Server auditing covers every database of the server, so the registry database
gets no auditing policy of its own (Learn, "Auditing for Azure SQL Database", "Avoid enabling both server
auditing and database blob auditing together" unless a database needs other settings). Retention is the
workspace's: the policy's retentionDays applies to a storage account target only (SDK docstring: "the
number of days to keep in the audit logs in the storage account").
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources, sql

# SDK ServerBlobAuditingPolicy.audit_actions_and_groups: "The recommended set ... audit all the queries and
# stored procedures executed against the database, as well as successful and failed logins ... also the set
# that is configured by default when enabling auditing from the Azure portal."
AUDIT_ACTIONS_AND_GROUPS = (
    "BATCH_COMPLETED_GROUP",
    "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
    "FAILED_DATABASE_AUTHENTICATION_GROUP",
)
AUDIT_CATEGORY = "SQLSecurityAuditEvents"  # the diagnostic log category audit records go to
MASTER = "master"  # server-level audit records flow through the master database's diagnostic setting


def audit_server(
    name: str,
    *,
    monitoring,  # infra.components.monitoring.Monitoring (typed loosely: it imports this module's package)
    server_name: pulumi.Input[str],
    server_id: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    defender: bool,
    alert_emails: tuple[str, ...],
    parent: pulumi.Resource,
) -> list[pulumi.CustomResource]:
    """Auditing (and, with `defender`, the server security alert policy) on one server. Logical names
    `<name>-audit`, `<name>-master-diagnostics`, `<name>-security-alert-policy`."""
    master_id = pulumi.Output.concat(server_id, "/databases/", MASTER)
    # The destination first: Learn's server-auditing-to-Log-Analytics template creates the master database's
    # diagnostic setting before the auditing settings that use it.
    destination = monitoring.diagnose(
        f"{name}-master",
        target_id=master_id,
        resource_type="Microsoft.Sql/servers/databases",
        parent=parent,
        categories=(AUDIT_CATEGORY,),
    )
    audit = sql.ServerBlobAuditingPolicy(
        f"{name}-audit",
        blob_auditing_policy_name="default",
        server_name=server_name,
        resource_group_name=resource_group_name,
        state=sql.BlobAuditingPolicyState.ENABLED,
        is_azure_monitor_target_enabled=True,
        audit_actions_and_groups=list(AUDIT_ACTIONS_AND_GROUPS),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[destination]),
    )
    made: list[pulumi.CustomResource] = [destination, audit]
    if defender:
        # Microsoft Defender for SQL's threat detection on the server (REST: servers/{server}/
        # securityAlertPolicies/Default); alerts go to the environment owner and the subscription's admins.
        made.append(
            sql.ServerSecurityAlertPolicy(
                f"{name}-security-alert-policy",
                security_alert_policy_name="Default",
                server_name=server_name,
                resource_group_name=resource_group_name,
                state=sql.SecurityAlertsPolicyState.ENABLED,
                email_addresses=list(alert_emails),
                email_account_admins=True,
                disabled_alerts=[],
                opts=pulumi.ResourceOptions(parent=parent),
            )
        )
    return made


# Synapse workspaces: the REST API has the same two settings on the workspace's managed SQL server
# (Microsoft.Synapse/workspaces/{ws}/auditingSettings/default and .../securityAlertPolicies/Default,
# API 2021-06-01, e.g. examples/CreateWorkspaceManagedSqlServerBlobAuditingSettingsWithAllParameters.json
# with isAzureMonitorTargetEnabled), but pulumi-azure-native 3.29 has no type for them (its synapse module
# offers only the vulnerability assessment), and the API has no DELETE for either (operations CreateOrUpdate,
# Get, List only). So they go through one ARM template deployment (incremental mode): deleting the deployment
# leaves the settings in place, deleting the workspace takes them along. Audit records reach Log Analytics
# through the workspace's own diagnostic setting (category SQLSecurityAuditEvents).
SYNAPSE_API_VERSION = "2021-06-01"
SYNAPSE_AUDIT_DEPLOYMENT = "feathr-synapse-sql-audit"  # one Synapse workspace per environment resource group
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def synapse_audit_template(defender: bool, alert_emails: tuple[str, ...]) -> dict:
    """The ARM template: auditing to Azure Monitor, and with `defender` the security alert policy."""
    resources = [
        {
            "type": "Microsoft.Synapse/workspaces/auditingSettings",
            "apiVersion": SYNAPSE_API_VERSION,
            "name": "[concat(parameters('workspaceName'), '/default')]",
            "properties": {
                "state": "Enabled",
                "isAzureMonitorTargetEnabled": True,
                "auditActionsAndGroups": list(AUDIT_ACTIONS_AND_GROUPS),
            },
        }
    ]
    if defender:
        resources.append(
            {
                "type": "Microsoft.Synapse/workspaces/securityAlertPolicies",
                "apiVersion": SYNAPSE_API_VERSION,
                "name": "[concat(parameters('workspaceName'), '/Default')]",
                "properties": {
                    "state": "Enabled",
                    "emailAddresses": list(alert_emails),
                    "emailAccountAdmins": True,
                    "disabledAlerts": [],
                },
            }
        )
    return {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"workspaceName": {"type": "string"}},
        "resources": resources,
    }


def audit_synapse_workspace(
    name: str,
    *,
    workspace_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    defender: bool,
    alert_emails: tuple[str, ...],
    tags: dict[str, str],
    depends_on: list[pulumi.Resource],
    parent: pulumi.Resource,
) -> resources.Deployment:
    """Auditing (and, with `defender`, the security alert policy) of a Synapse workspace's SQL endpoints.
    Logical name `<name>-sql-audit`."""
    return resources.Deployment(
        f"{name}-sql-audit",
        deployment_name=SYNAPSE_AUDIT_DEPLOYMENT,
        resource_group_name=resource_group_name,
        properties=resources.DeploymentPropertiesArgs(
            mode=resources.DeploymentMode.INCREMENTAL,
            template=synapse_audit_template(defender, alert_emails),
            parameters={"workspaceName": resources.DeploymentParameterArgs(value=workspace_name)},
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )

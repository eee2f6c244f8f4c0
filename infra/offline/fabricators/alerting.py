"""Alerting and health probes (action group, alert rules, Application Insights and its availability
test) and SQL / Synapse auditing. Application Insights computes its ids and connection string; the rest
only gets its ARM id."""

from infra.offline.azure_model import ArmType, register, stable_uuid

_INSIGHTS = "Microsoft.Insights"
_SERVER = "Microsoft.Sql/servers/{serverName}"


def _component(r, name, arm_id):
    key = stable_uuid("instrumentation-key", arm_id)
    return {
        "appId": stable_uuid("app-id", arm_id),
        "instrumentationKey": key,
        "connectionString": f"InstrumentationKey={key};IngestionEndpoint=https://{r.get('location')}.in.applicationinsights.azure.com/",
        "provisioningState": "Succeeded",
    }


register(
    ArmType("azure-native:monitor:ActionGroup", _INSIGHTS + "/actionGroups/{actionGroupName}", "actionGroupName"),
    ArmType("azure-native:monitor:MetricAlert", _INSIGHTS + "/metricAlerts/{ruleName}", "ruleName"),
    ArmType(
        "azure-native:monitor:ActivityLogAlert",
        _INSIGHTS + "/activityLogAlerts/{activityLogAlertName}",
        "activityLogAlertName",
    ),
    ArmType("azure-native:monitor:ScheduledQueryRule", _INSIGHTS + "/scheduledQueryRules/{ruleName}", "ruleName"),
    ArmType(
        "azure-native:applicationinsights:Component",
        _INSIGHTS + "/components/{resourceName}",
        "resourceName",
        computed=_component,
    ),
    ArmType("azure-native:applicationinsights:WebTest", _INSIGHTS + "/webtests/{webTestName}", "webTestName"),
    ArmType(
        "azure-native:sql:ServerBlobAuditingPolicy",
        _SERVER + "/auditingSettings/{blobAuditingPolicyName}",
        "blobAuditingPolicyName",
    ),
    ArmType(
        "azure-native:sql:ServerSecurityAlertPolicy",
        _SERVER + "/securityAlertPolicies/{securityAlertPolicyName}",
        "securityAlertPolicyName",
    ),
    # ARM template deployments (settings the SDK has no type for: Synapse workspace auditing).
    ArmType("azure-native:resources:Deployment", "Microsoft.Resources/deployments/{deploymentName}", "deploymentName"),
)

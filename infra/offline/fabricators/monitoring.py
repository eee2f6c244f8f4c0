"""Log Analytics workspaces and diagnostic settings."""

from infra.offline.azure_model import ArmType, register, stable_uuid

register(
    ArmType(
        "azure-native:operationalinsights:Workspace",
        "Microsoft.OperationalInsights/workspaces/{workspaceName}",
        "workspaceName",
        # customerId: the workspace GUID agents and the query API address it by.
        computed=lambda r, name, arm_id: {
            "customerId": stable_uuid("workspace", arm_id),
            "provisioningState": "Succeeded",
        },
    ),
    # An extension of the resource it watches: {resourceUri}/providers/Microsoft.Insights/diagnosticSettings/<name>
    ArmType(
        "azure-native:monitor:DiagnosticSetting",
        "Microsoft.Insights/diagnosticSettings/{name}",
        "name",
        scope="extension",
        scope_input="resourceUri",
    ),
)

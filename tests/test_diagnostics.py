"""Every resource the program records, for every stack and variant: its type is classified here as supporting
diagnostic settings or not (with the source), and every resource of a supporting type has exactly one diagnostic
setting, to the environment's workspace, collecting exactly what this file expects for its type.

The expectations are literals written here from Learn, never read from infra/components/monitoring: a type added
later is noticed (it is in neither table), and a category dropped or added in the code's table fails here.
Sources (below https://learn.microsoft.com/azure/azure-monitor/reference/): supported-logs/<provider>-<type>-logs
("Supported categories for Azure Monitor resource logs") and supported-metrics/<provider>-<type>-metrics.
"""

from __future__ import annotations

import pytest

from tests.support import STACKS
from tests.variants import VARIANTS, run_variant

DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
WORKSPACE = "azure-native:operationalinsights:Workspace"
ALL_LOGS = ("categoryGroup", "allLogs")


def logs(*categories: str) -> frozenset[tuple[str, str]]:
    return frozenset(("category", c) for c in categories)


# ARM type (lowercase: ARM compares types case-insensitively) -> (log categories or groups, metric categories,
# resource-specific tables). One row per type that supports diagnostic settings, with its source.
SUPPORTS: dict[str, tuple[frozenset[tuple[str, str]], frozenset[str], bool]] = {
    # supported-logs/microsoft-keyvault-vaults-logs: AuditEvent -> AZKVAuditLogs (the audit trail the issue asks for).
    "microsoft.keyvault/vaults": (logs("AuditEvent"), frozenset({"AllMetrics"}), True),
    # supported-logs/microsoft-operationalinsights-workspaces-logs: Audit -> LAQueryLogs.
    "microsoft.operationalinsights/workspaces": (logs("Audit"), frozenset({"AllMetrics"}), True),
    # supported-logs/microsoft-sql-servers-databases-logs (AzureDiagnostics only); supported-metrics/
    # microsoft-sql-servers-databases-metrics: metric categories Basic, InstanceAndAppAdvanced, WorkloadManagement.
    "microsoft.sql/servers/databases": (
        frozenset({ALL_LOGS}),
        frozenset({"Basic", "InstanceAndAppAdvanced", "WorkloadManagement"}),
        False,
    ),
    # No resource logs at account level (per service instead); supported-metrics/microsoft-storage-storageaccounts-
    # metrics: Transaction (exportable).
    "microsoft.storage/storageaccounts": (frozenset(), frozenset({"Transaction"}), False),
    # supported-logs/microsoft-storage-storageaccounts-blobservices-logs: StorageRead/Write/Delete -> StorageBlobLogs,
    # ADLS Gen2 (dfs) requests included ("Monitor Azure Blob Storage").
    "microsoft.storage/storageaccounts/blobservices": (frozenset({ALL_LOGS}), frozenset({"Transaction"}), True),
    # Managed Redis: metrics on the cluster (supported-metrics/microsoft-cache-redisenterprise-metrics), the
    # ConnectionEvents log on its database (supported-logs/microsoft-cache-redisenterprise-databases-logs).
    "microsoft.cache/redisenterprise": (frozenset(), frozenset({"AllMetrics"}), False),
    "microsoft.cache/redisenterprise/databases": (frozenset({ALL_LOGS}), frozenset(), True),
    # supported-logs/microsoft-cache-redis-logs: ConnectedClientList, MSEntraAuthenticationAuditLog.
    "microsoft.cache/redis": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), True),
    # supported-logs/microsoft-web-sites-logs: AppServiceHTTPLogs, AppServiceConsoleLogs, AppServiceAppLogs,
    # AppServicePlatformLogs... (AppService* tables).
    "microsoft.web/sites": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), True),
    # The plan: metrics (supported-metrics/microsoft-web-serverfarms-metrics); its log categories repeat the site's.
    "microsoft.web/serverfarms": (frozenset(), frozenset({"AllMetrics"}), False),
    # supported-logs/microsoft-synapse-workspaces-logs and ...-workspaces-bigdatapools-logs (BigDataPoolAppsEnded,
    # BigDataPoolDriverLogs, BigDataPoolExecutorLogs...).
    "microsoft.synapse/workspaces": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), True),
    "microsoft.synapse/workspaces/bigdatapools": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), True),
    # supported-logs/microsoft-databricks-workspaces-logs (Databricks* tables); no metrics page.
    "microsoft.databricks/workspaces": (frozenset({ALL_LOGS}), frozenset(), True),
    # supported-logs/microsoft-purview-accounts-logs: ScanStatusLogEvent, DataSensitivityLogEvent, Security.
    "microsoft.purview/accounts": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), True),
    # supported-logs/microsoft-network-networksecuritygroups-logs (flow events come from flow logs instead).
    "microsoft.network/networksecuritygroups": (
        logs("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter"),
        frozenset(),
        False,
    ),
    # supported-logs/microsoft-network-virtualnetworks-logs: VMProtectionAlerts; metrics exportable.
    "microsoft.network/virtualnetworks": (frozenset({ALL_LOGS}), frozenset({"AllMetrics"}), False),
    # supported-logs/microsoft-cdn-profiles-logs: the Front Door categories (AzureCdnAccessLog is classic CDN's).
    "microsoft.cdn/profiles": (
        logs("FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"),
        frozenset({"AllMetrics"}),
        False,
    ),
}

# ARM types that have no diagnostic settings of their own (no supported-logs page and no exportable metrics),
# and why.
DOES_NOT = {
    "microsoft.resources/resourcegroups": "no supported-logs page; its operations are in the Activity log",
    "microsoft.resources/deploymentscripts": "no supported-logs page; the script's output stays with its container",
    "microsoft.authorization/locks": "no supported-logs page; lock changes are in the Activity log",
    "microsoft.authorization/roleassignments": "no supported-logs page; role changes are in the Activity log",
    "microsoft.insights/diagnosticsettings": "the diagnostic settings themselves",
    "microsoft.managedidentity/userassignedidentities": "no supported-logs page; its sign-ins are Entra ID logs",
    "microsoft.keyvault/vaults/secrets": "no page of its own: secret reads and writes are the vault's AuditEvent",
    # Learn has no supported-logs page for Microsoft.Sql/servers: the server's audit goes through its master
    # database's diagnostic setting (SQL auditing to Log Analytics), the user databases log on their own.
    "microsoft.sql/servers": "no supported-logs page; audit via the master database",
    "microsoft.sql/servers/firewallrules": "configuration of the server",
    "microsoft.sql/servers/failovergroups": "configuration of the servers; failovers are in the Activity log",
    "microsoft.sql/servers/databases/backupshorttermretentionpolicies": "configuration of the database",
    "microsoft.sql/servers/databases/backuplongtermretentionpolicies": "configuration of the database",
    "microsoft.storage/storageaccounts/blobservices/containers": "logged by the blob service (StorageBlobLogs)",
    "microsoft.web/sites/config": "configuration of the site",
    "microsoft.web/sites/basicpublishingcredentialspolicies": "configuration of the site",
    "microsoft.synapse/workspaces/firewallrules": "configuration of the workspace",
    "microsoft.synapse/privatelinkhubs": "no supported-logs page; Studio traffic goes through its private endpoint",
    "microsoft.cache/redis/firewallrules": "configuration of the cache",
    "microsoft.cache/redis/linkedservers": "configuration of the cache (geo-replication link)",
    # supported-metrics/microsoft-network-privatednszones-metrics: DS Export "No"; no supported-logs page.
    "microsoft.network/privatednszones": "metrics not exportable, no resource logs",
    "microsoft.network/privatednszones/virtualnetworklinks": "configuration of the zone",
    # Learn's supported-logs index has no Microsoft.Network/privateEndpoints page; its traffic metrics
    # (PEBytesIn/PEBytesOut) stay in Azure Monitor metrics, read without a diagnostic setting.
    "microsoft.network/privateendpoints": "no resource logs (no supported-logs page); platform metrics only",
    "microsoft.network/privateendpoints/privatednszonegroups": "configuration of the private endpoint",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": "configuration of the virtual network",
    # Alerting and audit (monitoring/alerts.py, app_insights.py, sql_audit.py). Learn has supported-logs pages
    # for microsoft.insights only for components, autoscalesettings and data collection rules/endpoints.
    "microsoft.insights/actiongroups": "no supported-logs page; notifications are in the alert's history",
    "microsoft.insights/metricalerts": "no supported-logs page; fired alerts are in the Activity log",
    "microsoft.insights/activitylogalerts": "no supported-logs page; fired alerts are in the Activity log",
    "microsoft.insights/scheduledqueryrules": "no supported-logs page; fired alerts are in the Activity log",
    "microsoft.insights/webtests": "no supported-logs page; results go to its component (AppAvailabilityResults)",
    # supported-logs/microsoft-insights-components-logs lists App* categories, but a workspace-based component
    # already writes those tables into its workspace: a setting to the same workspace stores every record twice.
    "microsoft.insights/components": "workspace-based: its App* tables are already in the workspace",
    "microsoft.sql/servers/auditingsettings": "configuration of the server (its records: the master database)",
    "microsoft.sql/servers/securityalertpolicies": "configuration of the server (alerts: Defender for Cloud)",
    "microsoft.resources/deployments": "no supported-logs page; the template deployment is in the Activity log",
    # Front Door Standard/Premium logs per profile (Learn front-door/front-door-diagnostics: diagnostic settings are
    # set on the profile; supported-logs has pages for Microsoft.Cdn/profiles and classic CDN's profiles/endpoints
    # only). Its WAF policy's matches are the profile's FrontDoorWebApplicationFirewallLog (Learn
    # web-application-firewall/afds/waf-front-door-monitor).
    "microsoft.cdn/profiles/afdendpoints": "logged by the profile (FrontDoorAccessLog names the endpoint)",
    "microsoft.cdn/profiles/afdendpoints/routes": "configuration of the endpoint",
    "microsoft.cdn/profiles/origingroups": "logged by the profile (FrontDoorHealthProbeLog)",
    "microsoft.cdn/profiles/origingroups/origins": "logged by the profile (FrontDoorHealthProbeLog names the origin)",
    "microsoft.cdn/profiles/securitypolicies": "configuration of the profile",
    "microsoft.network/frontdoorwebapplicationfirewallpolicies": "logged by the profile (FrontDoorWebApplicationFirewallLog)",
}

# Pulumi resources that are no Azure Resource Manager resources at all.
NOT_ARM = {
    "azuread:index/application:Application": "an Entra ID app registration (tenant audit logs, not ARM)",
    "command:local:Command": "a command run where `pulumi up` runs",
    "random:index/randomPassword:RandomPassword": "a value in Pulumi state",
    "time:index/rotating:Rotating": "a timestamp in Pulumi state",
}


def arm_type(arm_id: str) -> str:
    """The ARM resource type of an id: the provider namespace and the type segments after the last /providers/."""
    if "/providers/" not in arm_id:
        assert "/resourceGroups/" in arm_id, arm_id
        return "microsoft.resources/resourcegroups"
    namespace, *rest = arm_id.rsplit("/providers/", 1)[1].split("/")
    return "/".join([namespace, *rest[0::2]]).lower()


RUNS = [(stack, variant) for stack in STACKS for variant in VARIANTS]


@pytest.mark.parametrize("stack, variant", RUNS)
def test_every_recorded_resource_type_is_classified(stack, variant):
    result = run_variant(stack, variant)
    unclassified = set()
    for resource in result.resources:
        if not resource.custom:
            continue
        if not resource.token.startswith("azure-native:"):
            if resource.token not in NOT_ARM:
                unclassified.add(f"{resource.token} (not an ARM resource? add it to NOT_ARM)")
            continue
        kind = arm_type(resource.arm_id)
        if kind not in SUPPORTS and kind not in DOES_NOT:
            unclassified.add(f"{kind} ({resource.token} '{resource.logical_name}')")
    assert not unclassified, (
        "resource types nobody has classified: add each to SUPPORTS (with the categories Learn's supported-logs page "
        "lists, and a monitoring.diagnose() call where the resource is made) or to DOES_NOT (with the source) in "
        f"tests/test_diagnostics.py: {sorted(unclassified)}"
    )


@pytest.mark.parametrize("stack, variant", RUNS)
def test_every_resource_of_a_supporting_type_has_exactly_its_diagnostic_setting(stack, variant):
    result = run_variant(stack, variant)
    workspace = result.one(WORKSPACE).arm_id
    settings: dict[str, list] = {}
    for setting in result.of_type(DIAGNOSTIC_SETTING):
        settings.setdefault(setting.inputs["resourceUri"], []).append(setting)
    watched = [r for r in result.resources if r.token.startswith("azure-native:") and arm_type(r.arm_id) in SUPPORTS]
    assert watched, "no resource of a supporting type: the variant did not build what it should"
    for resource in watched:
        found = settings.pop(resource.arm_id, [])
        assert len(found) == 1, f"{resource.logical_name} ({arm_type(resource.arm_id)}): {len(found)} settings"
        inputs = found[0].inputs
        expected_logs, expected_metrics, dedicated = SUPPORTS[arm_type(resource.arm_id)]
        label = f"{resource.logical_name} ({arm_type(resource.arm_id)})"
        assert inputs["workspaceId"] == workspace, label
        got_logs = [
            ("categoryGroup", x["categoryGroup"]) if "categoryGroup" in x else ("category", x["category"])
            for x in inputs.get("logs", [])
        ]
        assert sorted(got_logs) == sorted(expected_logs), label
        assert all(x["enabled"] is True for x in inputs.get("logs", []) + inputs.get("metrics", [])), label
        assert sorted(x["category"] for x in inputs.get("metrics", [])) == sorted(expected_metrics), label
        assert inputs.get("logAnalyticsDestinationType") == ("Dedicated" if dedicated else None), label
        # Nothing else goes anywhere else: no storage account, Event Hub or partner destination.
        assert set(inputs) <= {"name", "resourceUri", "workspaceId", "logs", "metrics", "logAnalyticsDestinationType"}
    # Each SQL server's master database (Azure's, not this program's): server audit records only, with no
    # metrics (tests/test_sql_audit.py).
    for server in result.of_type("azure-native:sql:Server"):
        (master,) = settings.pop(f"{server.arm_id}/databases/master", [])
        assert master.inputs["logs"] == [{"category": "SQLSecurityAuditEvents", "enabled": True}]
        assert master.inputs["workspaceId"] == workspace and not master.inputs.get("metrics")
    # A setting on anything else (a resource of a type classified as not supporting, or a typo'd id) is a bug.
    assert settings == {}, sorted(settings)

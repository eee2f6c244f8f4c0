"""What each resource type's diagnostic setting collects: ONE table keyed by ARM resource type.

Sources, per row, below https://learn.microsoft.com/azure/azure-monitor/reference/: Microsoft Learn
"Supported categories for Azure Monitor resource logs" (supported-logs/<provider>-<type>-logs: the category
and its table) and "Supported metrics" (supported-metrics/<provider>-<type>-metrics: "Exportable via
Diagnostic Settings"). Diagnostic settings use Azure REST API 2021-05-01-preview (the SDK's
monitor.DiagnosticSetting), which takes categories and category groups (`allLogs`, `audit`).

Rule: a category group `allLogs` where the type has several categories worth keeping (new categories
Azure adds are then collected too); named categories where only some are wanted. Metrics go along
("AllMetrics", or the type's own metric categories) wherever they are exportable. `dedicated` sends logs
to the resource-specific tables (logAnalyticsDestinationType "Dedicated") where the type has them (the
Log table column of the Learn page names a table other than AzureDiagnostics).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

ALL_LOGS = "allLogs"
ALL_METRICS = "AllMetrics"
WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces"


@dataclass(frozen=True)
class Diagnostics:
    categories: tuple[str, ...] = ()  # named log categories
    category_groups: tuple[str, ...] = ()  # allLogs / audit
    metrics: tuple[str, ...] = ()
    dedicated: bool = False  # resource-specific destination tables


DIAGNOSTICS: MappingProxyType[str, Diagnostics] = MappingProxyType(
    {
        # supported-logs/microsoft-keyvault-vaults-logs: AuditEvent (table AZKVAuditLogs) and
        # AzurePolicyEvaluationDetails; the audit trail is AuditEvent. Metrics: supported-metrics/
        # microsoft-keyvault-vaults-metrics, exportable.
        "Microsoft.KeyVault/vaults": Diagnostics(categories=("AuditEvent",), metrics=(ALL_METRICS,), dedicated=True),
        # supported-logs/microsoft-operationalinsights-workspaces-logs: Audit (LAQueryLogs: who ran which
        # query), SummaryLogs, Jobs. The query audit is the one that matters; it lands in the workspace itself.
        WORKSPACE_TYPE: Diagnostics(categories=("Audit",), metrics=(ALL_METRICS,), dedicated=True),
        # supported-logs/microsoft-sql-servers-databases-logs: AutomaticTuning, Blocks, Deadlocks, Errors,
        # Timeouts, QueryStore*, SQLInsights, SQLSecurityAuditEvents, DevOpsOperationsAudit... (all in
        # AzureDiagnostics: no resource-specific tables). Metrics: supported-metrics/
        # microsoft-sql-servers-databases-metrics, whose categories are Basic, InstanceAndAppAdvanced and
        # WorkloadManagement (the diagnostic setting names these, not AllMetrics).
        "Microsoft.Sql/servers/databases": Diagnostics(
            category_groups=(ALL_LOGS,), metrics=("Basic", "InstanceAndAppAdvanced", "WorkloadManagement")
        ),
        # Storage account level: no resource logs (they are per service, below); metrics: supported-metrics/
        # microsoft-storage-storageaccounts-metrics, categories Capacity and Transaction, exportable; the
        # diagnostic setting takes "Transaction" (Learn "Monitor Azure Blob Storage", diagnostic settings).
        "Microsoft.Storage/storageAccounts": Diagnostics(metrics=("Transaction",)),
        # supported-logs/microsoft-storage-storageaccounts-blobservices-logs: StorageRead, StorageWrite,
        # StorageDelete (table StorageBlobLogs). Learn "Monitor Azure Blob Storage": logs for blobs include Azure
        # Data Lake Storage Gen2, so the offline store's dfs traffic lands here too. Metrics as the account's.
        "Microsoft.Storage/storageAccounts/blobServices": Diagnostics(
            category_groups=(ALL_LOGS,), metrics=("Transaction",), dedicated=True
        ),
        # Managed Redis: the cluster has no resource logs (no supported-logs page for Microsoft.Cache/redisEnterprise),
        # its metrics are exportable (supported-metrics/microsoft-cache-redisenterprise-metrics).
        "Microsoft.Cache/redisEnterprise": Diagnostics(metrics=(ALL_METRICS,)),
        # supported-logs/microsoft-cache-redisenterprise-databases-logs: ConnectionEvents (table
        # REDConnectionEvents: new connection, authentication, disconnection). No metrics at this level.
        "Microsoft.Cache/redisEnterprise/databases": Diagnostics(category_groups=(ALL_LOGS,), dedicated=True),
        # supported-logs/microsoft-cache-redis-logs: ConnectedClientList (ACRConnectedClientList),
        # MSEntraAuthenticationAuditLog (ACREntraAuthenticationAuditLog). Metrics: supported-metrics/
        # microsoft-cache-redis-metrics, exportable.
        "Microsoft.Cache/redis": Diagnostics(category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,), dedicated=True),
        # supported-logs/microsoft-web-sites-logs: AppServiceHTTPLogs, AppServiceConsoleLogs (the container's
        # stdout/stderr: the registry's own output), AppServiceAppLogs, AppServicePlatformLogs, AppServiceAuditLogs,
        # AppServiceIPSecAuditLogs, AppServiceAuthenticationLogs... all in resource-specific AppService* tables.
        "Microsoft.Web/sites": Diagnostics(category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,), dedicated=True),
        # The App Service plan: supported-metrics/microsoft-web-serverfarms-metrics (CPU, memory, HTTP queue),
        # exportable. Learn's supported-logs/microsoft-web-serverfarms-logs also lists AppServiceConsoleLogs and
        # AppServicePlatformLogs: the same records the registry app's own setting collects, so not twice.
        "Microsoft.Web/serverfarms": Diagnostics(metrics=(ALL_METRICS,)),
        # supported-logs/microsoft-synapse-workspaces-logs: SynapseRbacOperations, GatewayApiRequests,
        # BuiltinSqlReqsEnded, IntegrationPipelineRuns/ActivityRuns/TriggerRuns, SQLSecurityAuditEvents,
        # SynapseLinkEvent (resource-specific Synapse* tables). Metrics: supported-metrics/
        # microsoft-synapse-workspaces-metrics.
        "Microsoft.Synapse/workspaces": Diagnostics(
            category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,), dedicated=True
        ),
        # supported-logs/microsoft-synapse-workspaces-bigdatapools-logs: BigDataPoolAppsEnded
        # (SynapseBigDataPoolApplicationsEnded: every ended Spark application, failed ones included) and the Spark
        # application logs and events (BigDataPoolDriverLogs, BigDataPoolExecutorLogs, BigDataPoolJobEvents...).
        "Microsoft.Synapse/workspaces/bigDataPools": Diagnostics(
            category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,), dedicated=True
        ),
        # supported-logs/microsoft-databricks-workspaces-logs: accounts, clusters, jobs, notebook, dbfs, secrets,
        # unityCatalog... (Databricks* tables; needs the premium tier, which spark.py uses). No metrics.
        "Microsoft.Databricks/workspaces": Diagnostics(category_groups=(ALL_LOGS,), dedicated=True),
        # supported-logs/microsoft-purview-accounts-logs: ScanStatusLogEvent, DataSensitivityLogEvent, Security
        # (PurviewSecurityLogs: role assignments and collection changes). Metrics: supported-metrics/
        # microsoft-purview-accounts-metrics.
        "Microsoft.Purview/accounts": Diagnostics(category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,), dedicated=True),
        # Networking (issue "Private by default"). supported-logs/microsoft-network-networksecuritygroups-logs:
        # NetworkSecurityGroupEvent, NetworkSecurityGroupRuleCounter (AzureDiagnostics); its
        # NetworkSecurityGroupFlowEvent comes from flow logs, not diagnostic settings. NSGs have no metrics.
        "Microsoft.Network/networkSecurityGroups": Diagnostics(
            categories=("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter")
        ),
        # supported-logs/microsoft-network-virtualnetworks-logs: VMProtectionAlerts; supported-metrics/
        # microsoft-network-virtualnetworks-metrics (DDoS), exportable.
        "Microsoft.Network/virtualNetworks": Diagnostics(category_groups=(ALL_LOGS,), metrics=(ALL_METRICS,)),
        # Front Door Standard/Premium (issue "Region loss"): supported-logs/microsoft-cdn-profiles-logs:
        # FrontDoorAccessLog, FrontDoorHealthProbeLog, FrontDoorWebApplicationFirewallLog (and AzureCdnAccessLog,
        # classic CDN only), all AzureDiagnostics. Metrics: supported-metrics/microsoft-cdn-profiles-metrics.
        "Microsoft.Cdn/profiles": Diagnostics(
            categories=("FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"),
            metrics=(ALL_METRICS,),
        ),
    }
)


_BY_LOWER = {key.lower(): row for key, row in DIAGNOSTICS.items()}


def diagnostics_for(resource_type: str) -> Diagnostics:
    """The row of `resource_type`; a type without a row is a programming error with its remedy in the message."""
    row = _BY_LOWER.get(resource_type.lower())  # ARM resource types are case-insensitive
    if row is None:
        raise KeyError(
            f"no diagnostic categories for {resource_type}: add its row to "
            "infra/components/monitoring/diagnostic_categories.py from Learn's supported-logs page"
        )
    return row

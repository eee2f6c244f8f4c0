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
        # supported-logs/microsoft-storage-storageaccounts-blobservices-logs: StorageRead, StorageWrite,
        # StorageDelete (table StorageBlobLogs). Requests to the dfs endpoint of an ADLS Gen2 account are logged
        # here too (Learn "Monitor Azure Blob Storage": Data Lake Storage requests appear under the blob service).
        # Metrics: supported-metrics/microsoft-storage-storageaccounts-blobservices-metrics (Transaction,
        # Capacity), exportable.
        "Microsoft.Storage/storageAccounts/blobServices": Diagnostics(
            category_groups=(ALL_LOGS,), metrics=("Transaction",), dedicated=True
        ),
        # supported-logs/microsoft-cache-redisenterprise-databases-logs: ConnectionEvents (table
        # REDConnectionEvents). The cluster itself has metrics only.
        "Microsoft.Cache/redisEnterprise/databases": Diagnostics(category_groups=(ALL_LOGS,), dedicated=True),
    }
)


def diagnostics_for(resource_type: str) -> Diagnostics:
    """The row of `resource_type`; a type without a row is a programming error with its remedy in the message."""
    row = DIAGNOSTICS.get(resource_type)
    if row is None:
        raise KeyError(
            f"no diagnostic categories for {resource_type}: add its row to "
            "infra/components/monitoring/diagnostic_categories.py from Learn's supported-logs page"
        )
    return row

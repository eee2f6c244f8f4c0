"""The Monitoring component: the Log Analytics workspace (created, or an existing central one) and
`diagnose()`, the one way any component gives a resource its diagnostic setting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from infra.components.monitoring.alerts import ActivityLogAlert, Alerting, AlertingArgs, LogAlert, MetricAlert
from infra.components.monitoring.diagnostic_categories import (
    DIAGNOSTICS,
    WORKSPACE_TYPE,
    Diagnostics,
    diagnostics_for,
)
from infra.components.protection import lock_against_deletion, stateful_options
from infra.settings.monitoring import MonitoringSettings

# The name every diagnostic setting of this program carries (unique per target resource, which is enough:
# ARM keys a diagnostic setting by resource id and name). Azure allows up to 5 settings per resource.
SETTING_NAME = "feathr-log-analytics"


@dataclass(frozen=True)
class MonitoringArgs:
    settings: MonitoringSettings
    workspace_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    production_like: bool
    tags: dict[str, str]
    # Alert rule and action group names: <prefix>-<environment>-...
    prefix: str = ""
    environment: str = ""


class Monitoring(pulumi.ComponentResource):
    """Where this environment's logs go. `diagnose()` makes the diagnostic setting of one resource with the
    categories its type offers (diagnostic_categories.py), always to this workspace."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:monitoring:Monitoring", name, None, opts)
        self._args = args
        settings = args.settings
        self.workspace: operationalinsights.Workspace | None = None
        if settings.workspace_id is None:
            # The workspace holds the environment's audit trail (Key Vault, SQL): stateful, so protected
            # and locked in production like the data stores themselves.
            workspace = operationalinsights.Workspace(
                name,
                workspace_name=args.workspace_name,
                resource_group_name=args.resource_group_name,
                location=args.location,
                sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
                retention_in_days=settings.retention_days,
                tags=args.tags,
                opts=stateful_options(args.production_like, self),
            )
            if args.production_like:
                lock_against_deletion(name, workspace, "Logs and audit trail of a production environment", self)
            self.workspace = workspace
            self.workspace_id: pulumi.Output[str] = workspace.id
        else:
            self.workspace_id = pulumi.Output.from_input(settings.workspace_id)
        # The action group every alert notifies, and the rules made from alert data; nothing while alerting
        # is off (monitoring.alerts.enabled), when action_group_id is None.
        self.alerting = Alerting(
            name,
            AlertingArgs(
                settings=settings.alerting,
                prefix=args.prefix,
                environment=args.environment,
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=args.tags,
            ),
            parent=self,
        )
        self.action_group_id: pulumi.Output[str] | None = self.alerting.action_group_id
        if self.workspace is not None:
            # The workspace's own query audit (who ran which query) lands in itself.
            self.diagnose(name, target_id=self.workspace.id, resource_type=WORKSPACE_TYPE, parent=self)
        self.register_outputs({"workspace_id": self.workspace_id})

    def diagnose(
        self,
        name: str,
        *,
        target_id: pulumi.Input[str],
        resource_type: str,
        parent: pulumi.Resource,
        categories: Sequence[str] | None = None,
        former_parent: pulumi.Resource | None = None,
    ) -> monitor.DiagnosticSetting:
        """The diagnostic setting of one resource (`resource_type` its ARM type, e.g. Microsoft.KeyVault/vaults):
        its log categories or category groups and metrics from DIAGNOSTICS, to the workspace, in resource-specific
        tables where the type has them. Logical name `<name>-diagnostics`. `categories` narrows the logs to
        those (of the type's), without metrics: the `master` database carries server audit records only.
        `former_parent`: the parent it had before, so a move keeps the deployed setting (a Pulumi alias)."""
        row = diagnostics_for(resource_type)
        if categories is not None:
            row = Diagnostics(categories=tuple(categories), dedicated=row.dedicated)
        return monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            name=SETTING_NAME,
            resource_uri=target_id,
            workspace_id=self.workspace_id,
            log_analytics_destination_type="Dedicated" if row.dedicated else None,
            logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in row.categories]
            + [monitor.DiagnosticsLogSettingsArgs(category_group=g, enabled=True) for g in row.category_groups],
            metrics=[monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in row.metrics],
            opts=pulumi.ResourceOptions(
                parent=parent, aliases=[pulumi.Alias(parent=former_parent)] if former_parent is not None else None
            ),
        )

    def watch(
        self,
        name: str,
        *,
        target_id: pulumi.Input[str] | Sequence[pulumi.Input[str]],
        alerts: Sequence[MetricAlert | ActivityLogAlert | LogAlert],
        parent: pulumi.Resource,
    ) -> list[pulumi.CustomResource]:
        """Alert rules on one resource from alert data (alerts.py), to the action group; none while alerting
        is off."""
        return self.alerting.watch(name, target_id=target_id, alerts=alerts, parent=parent)


__all__ = ["DIAGNOSTICS", "SETTING_NAME", "Monitoring", "MonitoringArgs"]

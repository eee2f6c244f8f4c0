"""Alerting: the environment's one action group and the one helper that turns alert DATA (defined next to
the component each alert watches: `MetricAlert`, `ActivityLogAlert`, `LogAlert`) into alert rules.

Every rule notifies the action group; with `monitoring.alerts.enabled` false nothing here is declared.
Metric names and namespaces are Learn's "Supported metrics for <type>" (azure-monitor/reference/
supported-metrics/...) and are written as literals in tests/test_alerts.py next to their sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import pulumi
from pulumi_azure_native import monitor

from infra.settings.alerting import ALERT_WEBHOOK_KEY, AlertSettings, AlertThresholds

# Action groups and metric / activity-log alert rules are global resources (REST specs: location "global").
GLOBAL = "global"
# REST spec monitor/.../actionGroups: groupShortName maxLength 12 (it heads every mail and SMS).
SHORT_NAME_MAX = 12


@dataclass(frozen=True)
class MetricAlert:
    """A static-threshold metric alert on one resource. `threshold` names an `AlertThresholds` field
    (monitoring.alerts.*) or is a fixed number; `dimensions` filter the metric (name, values)."""

    key: str  # what the rule is about, part of its name: sql-cpu, redis-memory, ...
    description: str
    namespace: str  # the metric namespace: the ARM type of the watched resource
    metric: str
    aggregation: str  # Average | Maximum | Minimum | Total | Count
    operator: str  # GreaterThan | GreaterThanOrEqual | LessThan | LessThanOrEqual
    threshold: str | float
    window: str = "PT15M"
    frequency: str = "PT5M"
    severity: int = 2
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ActivityLogAlert:
    """An activity-log alert on administrative operations (any of `operations`) within a scope."""

    key: str
    description: str
    operations: tuple[str, ...]
    category: str = "Administrative"


@dataclass(frozen=True)
class LogAlert:
    """A log search alert on one resource's logs (a resource-centric rule: the query sees only what that
    resource sent to Log Analytics, in whichever workspace): fires when the number of rows `query` returns in
    a window compares to `threshold` by `operator`."""

    key: str
    description: str
    query: str
    window: str = "PT1H"
    frequency: str = "PT1H"
    severity: int = 2
    threshold: str | float = 0
    operator: str = "GreaterThan"  # rows counted in the window, against the threshold


def threshold_value(threshold: str | float, thresholds: AlertThresholds) -> float:
    return float(getattr(thresholds, threshold) if isinstance(threshold, str) else threshold)


def short_name(environment: str) -> str:
    return f"feathr-{environment}"[:SHORT_NAME_MAX]


@dataclass(frozen=True)
class AlertingArgs:
    settings: AlertSettings
    prefix: str
    environment: str
    resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]


class Alerting:
    """The action group and the rules made from alert data; all no-ops while alerting is off.
    `action_group_id` is None then."""

    def __init__(self, name: str, args: AlertingArgs, parent: pulumi.Resource):
        self._args, self._parent = args, parent
        self.settings = args.settings
        self.rules: list[pulumi.CustomResource] = []
        self.action_group_id: pulumi.Output[str] | None = None
        settings = args.settings
        if not settings.enabled:
            return
        assert settings.email is not None  # the settings parser requires one while alerting is on
        webhooks = None
        if settings.webhook:
            # The URL may carry a token: a Pulumi secret from the CLI's encrypted config, and the provider's
            # echo of the receivers is kept secret in state too.
            url = pulumi.Config().require_secret(ALERT_WEBHOOK_KEY)
            webhooks = [monitor.WebhookReceiverArgs(name="webhook", service_uri=url, use_common_alert_schema=True)]
        group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=self.name("alerts"),
            resource_group_name=args.resource_group_name,
            location=GLOBAL,
            group_short_name=short_name(args.environment),
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name="owner", email_address=settings.email, use_common_alert_schema=True
                )
            ],
            webhook_receivers=webhooks,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["webhookReceivers"]),
        )
        self.action_group_id = group.id

    @property
    def mail_to(self) -> tuple[str, ...]:
        """Where Defender for SQL mails its alerts besides the subscription's admins: the alert address."""
        return (self.settings.email,) if self.settings.email else ()

    def name(self, *parts: str) -> str:
        """`<prefix>-<environment>-<parts...>`: the action group and every rule. Learn's naming rules give no
        limits for Microsoft.Insights action groups and alert rules ("Not specified"); these stay ASCII."""
        return "-".join([self._args.prefix, self._args.environment, *parts])

    def watch(
        self,
        name: str,
        *,
        target_id: pulumi.Input[str] | Sequence[pulumi.Input[str]],
        alerts: Sequence[MetricAlert | ActivityLogAlert | LogAlert],
        parent: pulumi.Resource,
    ) -> list[pulumi.CustomResource]:
        """Declare `alerts` on `target_id`: one resource id, or, for activity-log alerts, their scopes (resource
        id prefixes, one or several). Logical names `<name>-<key>-alert`, rule names
        `<prefix>-<environment>-<name>-<key>`."""
        if self.action_group_id is None:
            return []
        scopes = cast(
            "list[pulumi.Input[str]]", list(target_id) if isinstance(target_id, (list, tuple)) else [target_id]
        )
        if len(scopes) != 1 and any(not isinstance(a, ActivityLogAlert) for a in alerts):
            raise ValueError(f"{name}: metric and log alerts watch exactly one resource")
        made: list[pulumi.CustomResource] = []
        for alert in alerts:
            if isinstance(alert, MetricAlert):
                made.append(self._metric(name, scopes[0], alert, parent))
            elif isinstance(alert, ActivityLogAlert):
                made.append(self._activity(name, scopes, alert, parent))
            else:
                made.append(self._log(name, scopes[0], alert, parent))
        self.rules += made
        return made

    def metric_rule(
        self,
        logical_name: str,
        *,
        rule_name: str,
        description: str,
        scopes: Sequence[pulumi.Input[str]],
        criteria: pulumi.Input,
        window: str,
        frequency: str,
        severity: int,
        parent: pulumi.Resource,
    ) -> monitor.MetricAlert:
        """A metric alert rule with any criteria (the availability test's location criteria too)."""
        assert self.action_group_id is not None
        rule = monitor.MetricAlert(
            logical_name,
            rule_name=rule_name,
            resource_group_name=self._args.resource_group_name,
            location=GLOBAL,
            description=description,
            enabled=True,
            auto_mitigate=True,
            severity=severity,
            scopes=list(scopes),
            evaluation_frequency=frequency,
            window_size=window,
            criteria=criteria,
            actions=[monitor.MetricAlertActionArgs(action_group_id=self.action_group_id)],
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        return rule

    def _metric(self, name: str, target_id: pulumi.Input[str], alert: MetricAlert, parent: pulumi.Resource):
        criterion = monitor.MetricCriteriaArgs(
            criterion_type="StaticThresholdCriterion",
            name=alert.key,
            metric_namespace=alert.namespace,
            metric_name=alert.metric,
            time_aggregation=alert.aggregation,
            operator=alert.operator,
            threshold=threshold_value(alert.threshold, self._args.settings.thresholds),
            dimensions=[
                monitor.MetricDimensionArgs(name=dim, operator="Include", values=list(values))
                for dim, values in alert.dimensions
            ]
            or None,
        )
        return self.metric_rule(
            f"{name}-{alert.key}-alert",
            rule_name=self.name(name, alert.key),
            description=alert.description,
            scopes=[target_id],
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", all_of=[criterion]
            ),
            window=alert.window,
            frequency=alert.frequency,
            severity=alert.severity,
            parent=parent,
        )

    def _activity(self, name: str, scopes: list[pulumi.Input[str]], alert: ActivityLogAlert, parent: pulumi.Resource):
        assert self.action_group_id is not None
        return monitor.ActivityLogAlert(
            f"{name}-{alert.key}-alert",
            activity_log_alert_name=self.name(name, alert.key),
            resource_group_name=self._args.resource_group_name,
            location=GLOBAL,
            description=alert.description,
            enabled=True,
            scopes=scopes,
            condition=monitor.AlertRuleAllOfConditionArgs(
                all_of=[
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(field="category", equals=alert.category),
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(
                        any_of=[
                            monitor.AlertRuleLeafConditionArgs(field="operationName", equals=op)
                            for op in alert.operations
                        ]
                    ),
                ]
            ),
            actions=monitor.ActionListArgs(
                action_groups=[monitor.ActionGroupArgs(action_group_id=self.action_group_id)]
            ),
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def _log(self, name: str, target_id: pulumi.Input[str], alert: LogAlert, parent: pulumi.Resource):
        assert self.action_group_id is not None
        return monitor.ScheduledQueryRule(
            f"{name}-{alert.key}-alert",
            rule_name=self.name(name, alert.key),
            resource_group_name=self._args.resource_group_name,
            location=self._args.location,  # a log search alert rule is regional
            kind="LogAlert",
            description=alert.description,
            enabled=True,
            severity=alert.severity,
            scopes=[target_id],
            evaluation_frequency=alert.frequency,
            window_size=alert.window,
            criteria=monitor.ScheduledQueryRuleCriteriaArgs(
                all_of=[
                    monitor.ConditionArgs(
                        query=alert.query,
                        time_aggregation="Count",
                        operator=alert.operator,
                        threshold=threshold_value(alert.threshold, self._args.settings.thresholds),
                        failing_periods=monitor.ConditionFailingPeriodsArgs(
                            number_of_evaluation_periods=1, min_failing_periods_to_alert=1
                        ),
                    )
                ]
            ),
            actions=monitor.ActionsArgs(action_groups=[self.action_group_id]),
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )

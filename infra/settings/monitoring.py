"""Monitoring: the Log Analytics workspace every resource's diagnostics go to, created per environment
or an existing central one; alerting, the registry's availability test and Defender for SQL
(`alerting.py`) are read from the same section."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.settings.alerting import AlertSettings, parse_alerting
from infra.settings.reader import SUBSCRIPTION_ID_PREFIX, Section

# Learn, "Manage data retention in a Log Analytics workspace" (logs/data-retention-configure) and "Azure
# Monitor service limits" (Log Analytics workspaces, "Current Per GB pricing tier": data retention
# 30-730 days): a PerGB2018 workspace's default retention is 30 to 730 days (4 days is a table-level minimum).
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 730
# Production keeps at least 90 days: the window the landing-zone and AVM baselines use for investigations.
PRODUCTION_MIN_RETENTION_DAYS = 90
DEV_DEFAULT_RETENTION_DAYS = 30  # 31 days are included in the ingestion price: 30 costs nothing extra
# ARM id of a Log Analytics workspace. Learn naming rules, Microsoft.OperationalInsights / workspaces: 4-63,
# alphanumerics and hyphens, starting and ending with an alphanumeric.
WORKSPACE_ID = re.compile(
    SUBSCRIPTION_ID_PREFIX + r"/resourceGroups/[-\w.()]{1,90}"
    r"/providers/Microsoft\.OperationalInsights/workspaces/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]"
)


@dataclass(frozen=True)
class MonitoringSettings:
    # The existing workspace diagnostics go to, or None: the program creates one for the environment.
    workspace_id: str | None
    # Retention of the created workspace; None with an existing workspace (its owner decides).
    retention_days: int | None
    # monitoring.alerts, monitoring.availabilityTest, monitoring.sqlDefender and the secret alertWebhookUrl.
    alerting: AlertSettings

    @property
    def creates_workspace(self) -> bool:
        return self.workspace_id is None


def parse_monitoring(
    section: Section,
    production_like: bool,
    owner: str = "",
    webhook_given: bool = False,
    webhook_url: str | None = None,
) -> MonitoringSettings:
    workspace_id = (
        section.string(
            "workspaceId",
            "",
            pattern=WORKSPACE_ID.pattern,
            rule="a Log Analytics workspace resource id (/subscriptions/<subscription GUID>/resourceGroups/<rg>"
            "/providers/Microsoft.OperationalInsights/workspaces/<4-63 letters, digits, hyphens>)",
        )
        or None
    )
    given_retention = section.has("workspaceRetentionDays")
    retention = section.integer(
        "workspaceRetentionDays",
        PRODUCTION_MIN_RETENTION_DAYS if production_like else DEV_DEFAULT_RETENTION_DAYS,
        minimum=MIN_RETENTION_DAYS,
        maximum=MAX_RETENTION_DAYS,
    )
    alerting = parse_alerting(section, production_like, owner, webhook_given, webhook_url)
    section.finish()
    if workspace_id is not None and given_retention:
        raise section.fail(
            "workspaceRetentionDays",
            retention,
            "only for a workspace this program creates; with monitoring.workspaceId the central workspace's "
            "owner sets its retention. Remove one of the two",
        )
    if workspace_id is None and production_like and retention < PRODUCTION_MIN_RETENTION_DAYS:
        raise section.fail(
            "workspaceRetentionDays",
            retention,
            f"production-like stacks keep logs at least {PRODUCTION_MIN_RETENTION_DAYS} days "
            f"({PRODUCTION_MIN_RETENTION_DAYS}-{MAX_RETENTION_DAYS})",
        )
    return MonitoringSettings(
        workspace_id=workspace_id, retention_days=None if workspace_id else retention, alerting=alerting
    )

"""Monitoring: the environment's Log Analytics workspace and the one helper that sends a resource's logs
and metrics there (`Monitoring.diagnose`). Alerts and audit (issue 16, second part) live beside it."""

from infra.components.monitoring.monitoring import Monitoring, MonitoringArgs

__all__ = ["Monitoring", "MonitoringArgs"]

"""Rotation schedules (pulumiverse-time `Rotating`): Pulumi state only, no Azure resource.

The provider stamps the base timestamp with the deploying machine's clock when it creates the
schedule; offline it is one fixed instant, so plans and tests are reproducible.
"""

from datetime import UTC, datetime, timedelta

from infra.offline.azure_model import ArmType, Resource, register

MOCK_NOW = "2026-12-01T00:00:00Z"  # the base timestamp of every schedule created offline


def _parse(rfc3339: str) -> datetime:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).astimezone(UTC)


def _schedule(r: Resource, name: str, arm_id: str) -> dict:
    """What terraform-provider-time v0.12.1 `setRotationValues` computes: `rfc3339` and `id` are the
    base, `rotationRfc3339` and `unix`/`year`/... the rotation time (base + rotationDays)."""
    base_text = str(r.get("rfc3339") or MOCK_NOW)
    base = _parse(base_text)
    rotation = base + timedelta(days=int(r.get("rotationDays") or 0))
    return {
        "id": base_text,
        "rfc3339": base_text,
        "rotationRfc3339": rotation.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "unix": int(rotation.timestamp()),
        "year": rotation.year,
        "month": rotation.month,
        "day": rotation.day,
        "hour": rotation.hour,
        "minute": rotation.minute,
        "second": rotation.second,
    }


class RotatingSchedule(ArmType):
    """Its Pulumi id is the base timestamp (the Terraform resource's id)."""

    def arm_id(self, resource: Resource) -> str:
        return str(resource.get("rfc3339") or MOCK_NOW)


register(RotatingSchedule("time:index/rotating:Rotating", "", "", computed=_schedule))

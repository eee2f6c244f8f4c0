"""Rotation schedules: when a secret is renewed and when it expires, kept in Pulumi state.

A schedule is a `time.Rotating` resource (pulumiverse-time, the Terraform `time_rotating`): its base
timestamp `rfc3339` is set once, when it is created, and stays the same on every later `pulumi up`,
so nothing derived from it shows a diff. When a refresh (`pulumi up --refresh`, what CI runs) finds
that `rotation_days` have passed since the base, the provider drops the resource from state and the
same `up` creates it again with a new base (terraform-provider-time v0.12.1,
`internal/provider/resource_time_rotating.go`, `Read`). Everything keyed on the schedule follows:

- `keeper` (the base timestamp) goes into a generated password's `keepers`, or a command's
  `triggers`, so the credential is renewed exactly when the schedule rotates;
- `expires` (Unix seconds, what Key Vault's `attributes.expires` takes) is the base plus the
  secret lifetime, so each new version of a secret gets a new expiry and an unchanged one keeps its own.

A new `keyVault.rotationTrigger` value replaces every schedule at once (rotation on demand); one
schedule alone is renewed with `pulumi up --replace <its URN>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pulumi
import pulumiverse_time as time

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class RotationPolicy:
    rotation_days: int  # renew a rotating secret this often
    lifetime_days: int  # every secret expires this long after it was written (> rotation_days)
    trigger: str  # a new value rotates every schedule now


def expires_at(base_rfc3339: str, lifetime_days: int) -> int:
    """Unix seconds `lifetime_days` after the schedule's base timestamp (RFC 3339, UTC `Z`)."""
    base = datetime.fromisoformat(base_rfc3339.replace("Z", "+00:00"))
    return int(base.timestamp()) + lifetime_days * SECONDS_PER_DAY


class RotationSchedule:
    """One schedule. Give each independently rotating credential its own, so `--replace` on one
    renews only that credential; secrets that are never regenerated share the vault's schedule."""

    def __init__(self, logical_name: str, policy: RotationPolicy, parent: pulumi.Resource):
        self.policy = policy
        self.resource = time.Rotating(
            logical_name,
            rotation_days=policy.rotation_days,
            triggers={"rotationTrigger": policy.trigger},
            opts=pulumi.ResourceOptions(parent=parent),
        )
        # The base timestamp: the same on every run until the schedule rotates.
        self.keeper: pulumi.Output[str] = self.resource.rfc3339
        self.expires: pulumi.Output[int] = self.resource.rfc3339.apply(lambda t: expires_at(t, policy.lifetime_days))

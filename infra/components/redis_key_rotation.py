"""Redis access-key rotation: regenerate the key no client holds, then publish it to Key Vault.

When the key's rotation schedule rotates, a local command (`redis_key_rotation.sh`, `az rest` on
ARM) regenerates the key that REDIS-PASSWORD does not hold (its `feathr-key-slot` tag says which)
and prints its name; the list-keys call that feeds REDIS-PASSWORD waits for the command and picks
that key. Clients that read the old key keep working until the next rotation regenerates it.
ARM actions: Managed Redis `databases/regenerateKey` (long-running) and Cache for Redis
`regenerateKey` (azure-rest-api-specs, redisenterprise 2025-07-01 and redis 2024-11-01, the API
versions the SDK's list-keys functions use).
"""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi_command import local

from infra.components.secret_rotation import RotationSchedule

SCRIPT = Path(__file__).with_name("redis_key_rotation.sh")
SLOT_TAG = "feathr-key-slot"  # on REDIS-PASSWORD: which of the two keys it holds
KEY_SLOTS = ("Primary", "Secondary")
MANAGED_REDIS_API_VERSION = "2025-07-01"
CACHE_FOR_REDIS_API_VERSION = "2024-11-01"


class RedisKeyRotation:
    def __init__(
        self,
        logical_name: str,
        *,
        schedule: RotationSchedule,
        resource_id: pulumi.Input[str],
        api_version: str,
        secret_id: pulumi.Input[str],
        parent: pulumi.Resource,
        depends_on: list[pulumi.Resource],
    ):
        self.schedule = schedule
        script = SCRIPT.read_text()
        self.command = local.Command(
            logical_name,
            create=script,
            update=script,
            interpreter=["/bin/bash", "-c"],
            environment={
                "RESOURCE_ID": resource_id,
                "API_VERSION": api_version,
                "SECRET_ID": secret_id,
                "SLOT_TAG": SLOT_TAG,
            },
            # Runs again exactly when the schedule rotates (or the store is replaced).
            triggers=[schedule.keeper, resource_id],
            opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
        )
        self.slot: pulumi.Output[str] = self.command.stdout.apply(_slot)

    def published_key(self, primary: pulumi.Input[str], secondary: pulumi.Input[str]) -> pulumi.Output[str]:
        """The key REDIS-PASSWORD gets: the one just regenerated."""
        return pulumi.Output.secret(
            pulumi.Output.all(primary, secondary, self.slot).apply(lambda v: v[0] if v[2] == "Primary" else v[1])
        )


def _slot(stdout: str) -> str:
    slot = (stdout or "").strip()
    if slot not in KEY_SLOTS:
        raise ValueError(f"redis_key_rotation.sh printed {slot!r}, expected one of {KEY_SLOTS}")
    return slot

"""Commands run by `pulumi up` on the deploying machine (pulumi-command): no Azure state."""

from infra.offline.azure_model import ArmType, Resource, register, stable_uuid


class LocalCommand(ArmType):
    """A local command has no ARM id; Pulumi's id is a random string, stable here."""

    def arm_id(self, resource: Resource) -> str:
        return stable_uuid("local-command", resource.logical_name)


def _outputs(r, name, arm_id):
    # The Redis key rotation script prints the key it regenerated; on a first deployment (no
    # REDIS-PASSWORD yet, hence no slot tag) that is the secondary.
    environment = r.get("environment") or {}
    return {"stdout": "Secondary" if "SLOT_TAG" in environment else "", "stderr": ""}


register(LocalCommand("command:local:Command", "", "", computed=_outputs))

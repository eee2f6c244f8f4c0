"""Commands run by `pulumi up` on the deploying machine (pulumi-command): no Azure state."""

from infra.offline.azure_model import ArmType, Resource, register, stable_uuid


class LocalCommand(ArmType):
    """A local command has no ARM id; Pulumi's id is a random string, stable here."""

    def arm_id(self, resource: Resource) -> str:
        return stable_uuid("local-command", resource.logical_name)


register(LocalCommand("command:local:Command", "", "", computed=lambda r, name, arm_id: {"stdout": "", "stderr": ""}))

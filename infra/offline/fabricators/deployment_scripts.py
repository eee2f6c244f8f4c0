"""Azure deployment scripts (Azure CLI): scripts that run inside Azure during the deployment."""

from infra.offline.azure_model import ArmType, register, stable_uuid


def _script(r, name, arm_id):
    computed = {"provisioningState": "Succeeded", "status": {"containerInstanceId": f"{arm_id}-aci"}, "outputs": {}}
    identity = r.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # A list of ids on input, a map of id -> {principalId, clientId} on output.
        computed["identity"] = {
            **identity,
            "userAssignedIdentities": {
                i: {"principalId": stable_uuid("principal", i), "clientId": stable_uuid("client", i)}
                for i in identity["userAssignedIdentities"]
            },
        }
    return computed


register(
    ArmType(
        "azure-native:resources:AzureCliScript",
        "Microsoft.Resources/deploymentScripts/{scriptName}",
        "scriptName",
        computed=_script,
    ),
)

"""Azure deployment scripts (Azure CLI): scripts that run inside Azure during the deployment."""

from infra.offline.azure_model import ArmType, identity_output, register


def _script(r, name, arm_id):
    computed = {"provisioningState": "Succeeded", "status": {"containerInstanceId": f"{arm_id}-aci"}, "outputs": {}}
    identity = identity_output(r.get("identity"))
    return computed if identity is None else computed | {"identity": identity}


register(
    ArmType(
        "azure-native:resources:AzureCliScript",
        "Microsoft.Resources/deploymentScripts/{scriptName}",
        "scriptName",
        computed=_script,
    ),
)

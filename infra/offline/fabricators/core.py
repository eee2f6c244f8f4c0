"""Resource groups, identities, locks and the client config of the deploying identity."""

from infra.offline.azure_model import (
    DEPLOYER_OBJECT_ID,
    SUBSCRIPTION_ID,
    TENANT_ID,
    ArmType,
    register,
    register_call,
    stable_uuid,
)

register(
    ArmType(
        "azure-native:resources:ResourceGroup",
        "resourceGroups/{resourceGroupName}",
        "resourceGroupName",
        scope="subscription",
    ),
    ArmType(
        "azure-native:managedidentity:UserAssignedIdentity",
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
        "resourceName",
        computed=lambda r, name, arm_id: {
            "principalId": stable_uuid("principal", arm_id),
            "clientId": stable_uuid("client", arm_id),
            "tenantId": TENANT_ID,
        },
    ),
    ArmType(
        "azure-native:authorization:ManagementLockByScope",
        "Microsoft.Authorization/locks/{lockName}",
        "lockName",
        scope="extension",
    ),
    ArmType(
        "azure-native:authorization:RoleAssignment",
        "Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
        "roleAssignmentName",
        scope="extension",
    ),
)


@register_call("azure-native:authorization:getClientConfig")
def client_config(_args):
    return {
        "clientId": stable_uuid("deployer-client"),
        "objectId": DEPLOYER_OBJECT_ID,
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    }

"""Entra ID (Microsoft Graph, pulumi-azuread): app registrations and the deploying identity.

Graph objects have no ARM id; Pulumi's id of an application is `/applications/<objectId>`.
"""

from infra.offline.azure_model import (
    DEPLOYER_OBJECT_ID,
    TENANT_ID,
    ArmType,
    Resource,
    register,
    register_call,
    stable_uuid,
)


class GraphType(ArmType):
    """A Graph object: the physical name is its display name, the id `/<collection>/<objectId>`."""

    def arm_id(self, resource: Resource) -> str:
        return f"/{self.path}/{stable_uuid('graph-object', self.token, self.physical_name(resource))}"


def _application(r, name, arm_id):
    object_id = arm_id.rsplit("/", 1)[-1]
    return {
        "objectId": object_id,
        "clientId": stable_uuid("application-client", object_id),
        "publisherDomain": "feathrinfra.onmicrosoft.com",
        "disabledByMicrosoft": "",
        "appRoleIds": {},
        "oauth2PermissionScopeIds": {},
    }


register(GraphType("azuread:index/application:Application", "applications", "displayName", computed=_application))


@register_call("azuread:index/getClientConfig:getClientConfig")
def client_config(_args):
    return {
        "clientId": stable_uuid("deployer-client"),
        "objectId": DEPLOYER_OBJECT_ID,
        "tenantId": TENANT_ID,
        "id": f"{stable_uuid('deployer-client')}-{DEPLOYER_OBJECT_ID}-{TENANT_ID}",
    }

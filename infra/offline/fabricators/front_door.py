"""Azure Front Door Standard/Premium (Microsoft.Cdn profiles and their children) and its WAF policy
(Microsoft.Network/FrontDoorWebApplicationFirewallPolicies).

An endpoint's host is `<endpoint name>-<hash>.z01.azurefd.net` (Learn frontdoor/endpoint: "a
unique endpoint hostname ... <endpointname>-<hash>.z01.azurefd.net"); the hash here is stable per
endpoint id. A profile reports its `frontDoorId`, the GUID Front Door sends to origins in the
X-Azure-FDID header.
"""

from infra.offline.azure_model import ArmType, register, stable_uuid


def _profile(r, name, arm_id):
    return {"frontDoorId": stable_uuid("front-door-id", arm_id), "provisioningState": "Succeeded"}


def _endpoint(r, name, arm_id):
    digest = stable_uuid("afd-endpoint", arm_id).replace("-", "")
    return {"hostName": f"{name}-{digest[:16]}.z01.azurefd.net", "provisioningState": "Succeeded"}


PROFILE = "Microsoft.Cdn/profiles/{profileName}"
register(
    ArmType("azure-native:cdn:Profile", PROFILE, "profileName", computed=_profile),
    ArmType(
        "azure-native:cdn:AFDEndpoint", PROFILE + "/afdEndpoints/{endpointName}", "endpointName", computed=_endpoint
    ),
    ArmType("azure-native:cdn:AFDOriginGroup", PROFILE + "/originGroups/{originGroupName}", "originGroupName"),
    ArmType(
        "azure-native:cdn:AFDOrigin", PROFILE + "/originGroups/{originGroupName}/origins/{originName}", "originName"
    ),
    ArmType("azure-native:cdn:Route", PROFILE + "/afdEndpoints/{endpointName}/routes/{routeName}", "routeName"),
    ArmType(
        "azure-native:cdn:SecurityPolicy", PROFILE + "/securityPolicies/{securityPolicyName}", "securityPolicyName"
    ),
    ArmType(
        "azure-native:frontdoor:Policy",
        "Microsoft.Network/frontDoorWebApplicationFirewallPolicies/{policyName}",
        "policyName",
    ),
)

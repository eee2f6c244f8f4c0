"""VNets, subnets, NSGs, peerings, private endpoints and their DNS zone groups, private DNS zones and links."""

from infra.offline.azure_model import ArmType, register, stable_uuid


def _vnet(r, name, arm_id):
    # Inline subnets come back with their ids (ARM: <vnet id>/subnets/<name>).
    subnets = [{**s, "id": f"{arm_id}/subnets/{s.get('name')}"} for s in (r.get("subnets") or [])]
    return {"subnets": subnets, "resourceGuid": stable_uuid("vnet", arm_id)}


def _endpoint(r, name, arm_id):
    # Azure creates the endpoint's network interface (named as asked) and a private IP in the subnet.
    subnet_id = (r.get("subnet") or {}).get("id", "")
    group = subnet_id.split("/subnets/")[0].split("/resourceGroups/")[-1].split("/")[0] if subnet_id else ""
    nic = r.get("customNetworkInterfaceName") or f"{name}.nic.{stable_uuid('nic', arm_id)}"
    return {
        "networkInterfaces": [
            {
                "id": f"/subscriptions/{arm_id.split('/')[2]}/resourceGroups/{group}/providers/"
                f"Microsoft.Network/networkInterfaces/{nic}"
            }
        ],
        "provisioningState": "Succeeded",
    }


register(
    ArmType(
        "azure-native:network:VirtualNetwork",
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}",
        "virtualNetworkName",
        computed=_vnet,
    ),
    ArmType(
        "azure-native:network:NetworkSecurityGroup",
        "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
        "networkSecurityGroupName",
    ),
    ArmType(
        "azure-native:network:VirtualNetworkPeering",
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
        "virtualNetworkPeeringName",
        computed=lambda r, name, arm_id: {"peeringState": "Initiated"},
    ),
    ArmType(
        "azure-native:network:PrivateEndpoint",
        "Microsoft.Network/privateEndpoints/{privateEndpointName}",
        "privateEndpointName",
        computed=_endpoint,
    ),
    ArmType(
        "azure-native:network:PrivateDnsZoneGroup",
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
        "privateDnsZoneGroupName",
    ),
    ArmType(
        "azure-native:privatedns:PrivateZone",
        "Microsoft.Network/privateDnsZones/{privateZoneName}",
        "privateZoneName",
    ),
    ArmType(
        "azure-native:privatedns:VirtualNetworkLink",
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
        "virtualNetworkLinkName",
    ),
)

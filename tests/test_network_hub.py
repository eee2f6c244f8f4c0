"""A private prod in an enterprise hub-and-spoke: the created VNets peered to a hub through its gateway
(`hubVnetId`, `hubUseRemoteGateways`), pointed at the hub's DNS (`dnsServers`), every private DNS zone given by
id (`dnsZoneIds`), as a landing zone keeps them in the hub.
One program run of its own (the only one that takes these three settings)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support import NS, config_with, run

SUB = "6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14"
HUB_RG = f"/subscriptions/{SUB}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network"
HUB = f"{HUB_RG}/virtualNetworks/vnet-hub-westeurope"
RESOLVER = "10.0.4.4"  # the hub's DNS Private Resolver inbound endpoint
# The zones prod's endpoints use (Learn, "Azure Private Endpoint private DNS zone values"), all in the hub.
HUB_ZONES = {
    zone: f"{HUB_RG}/privateDnsZones/{zone}"
    for zone in (
        "privatelink.vaultcore.azure.net",
        "privatelink.dfs.core.windows.net",
        "privatelink.blob.core.windows.net",
        "privatelink.redis.azure.net",
        "privatelink.database.windows.net",
        "privatelink.azurewebsites.net",
        "privatelink.dev.azuresynapse.net",
        "privatelink.sql.azuresynapse.net",
        "privatelink.azuresynapse.net",
    )
}
# The mocks' subscription and the stack's resource group (infra/offline/azure_model.py).
RG = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/contoso-prod-rg/providers/Microsoft.Network"


def hub_spoke() -> dict[str, Any]:
    config = config_with("prod")
    network = copy.deepcopy(config[NS + "network"])
    network["hubVnetId"] = HUB
    network["hubUseRemoteGateways"] = True  # the VPN ends on the hub's gateway
    network["dnsZoneIds"] = HUB_ZONES
    network["primary"]["dnsServers"] = [RESOLVER]
    network["partner"]["dnsServers"] = [RESOLVER]
    config[NS + "network"] = network
    return config


@pytest.fixture(scope="module")
def result():
    return run("prod", hub_spoke())


def test_no_zone_and_no_link_is_created(result):
    assert result.of_type("azure-native:privatedns:PrivateZone") == []
    # The hub's owner links its zones to the hub; the spoke resolves through the hub's resolver (dnsServers).
    assert result.of_type("azure-native:privatedns:VirtualNetworkLink") == []


def test_every_zone_group_points_at_the_hub_zones(result):
    groups = result.of_type("azure-native:network:PrivateDnsZoneGroup")
    zone_ids = {c["privateDnsZoneId"] for g in groups for c in g.inputs["privateDnsZoneConfigs"]}
    assert zone_ids == set(HUB_ZONES.values())
    # Each endpoint's group into its own zone: the Key Vault endpoint's group has the vault zone only.
    by_endpoint = {g.inputs["privateEndpointName"]: g.inputs["privateDnsZoneConfigs"] for g in groups}
    assert by_endpoint["contoso-prod-key-vault-vault-pe"] == [
        {"name": "privatelink-vaultcore-azure-net", "privateDnsZoneId": HUB_ZONES["privatelink.vaultcore.azure.net"]}
    ]


def test_vnets_use_the_hub_resolver(result):
    vnets = {v.physical_name: v.inputs for v in result.of_type("azure-native:network:VirtualNetwork")}
    assert {name: v["dhcpOptions"] for name, v in vnets.items()} == {
        "contoso-prod-westeurope-vnet": {"dnsServers": [RESOLVER]},
        "contoso-prod-northeurope-vnet": {"dnsServers": [RESOLVER]},
    }


def test_peerings_to_the_hub_and_between_the_regions(result):
    peerings = {
        (p.inputs["virtualNetworkName"], p.inputs["virtualNetworkPeeringName"]): p.inputs
        for p in result.of_type("azure-native:network:VirtualNetworkPeering")
    }
    common = {"allowVirtualNetworkAccess": True, "allowForwardedTraffic": True, "resourceGroupName": "contoso-prod-rg"}
    assert peerings == {
        # Only the hub peering uses the remote (hub's) gateway: a VNet may set it on one peering only.
        ("contoso-prod-westeurope-vnet", "to-hub"): {
            **common,
            "virtualNetworkName": "contoso-prod-westeurope-vnet",
            "virtualNetworkPeeringName": "to-hub",
            "remoteVirtualNetwork": {"id": HUB},
            "useRemoteGateways": True,
        },
        ("contoso-prod-northeurope-vnet", "to-hub"): {
            **common,
            "virtualNetworkName": "contoso-prod-northeurope-vnet",
            "virtualNetworkPeeringName": "to-hub",
            "remoteVirtualNetwork": {"id": HUB},
            "useRemoteGateways": True,
        },
        ("contoso-prod-westeurope-vnet", "to-northeurope"): {
            **common,
            "virtualNetworkName": "contoso-prod-westeurope-vnet",
            "virtualNetworkPeeringName": "to-northeurope",
            "remoteVirtualNetwork": {"id": f"{RG}/virtualNetworks/contoso-prod-northeurope-vnet"},
        },
        ("contoso-prod-northeurope-vnet", "to-westeurope"): {
            **common,
            "virtualNetworkName": "contoso-prod-northeurope-vnet",
            "virtualNetworkPeeringName": "to-westeurope",
            "remoteVirtualNetwork": {"id": f"{RG}/virtualNetworks/contoso-prod-westeurope-vnet"},
        },
    }

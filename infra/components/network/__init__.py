"""The environment's network: VNets and subnets (created or existing), private DNS zones, and `expose()`,
the one way any component puts a resource behind private endpoints. Public mode declares nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import network, privatedns

from infra.components.network.dns_zones import zones_for
from infra.components.protection import lock_against_deletion, stateful_options

if TYPE_CHECKING:  # settings import dns_zones from this package: no import of settings at run time
    from infra.components.monitoring import Monitoring
    from infra.settings.network import NetworkSettings, RegionNetwork

__all__ = ["Network", "NetworkArgs"]

# Subnet names inside a created VNet, by role, and the service each delegated subnet is handed to.
SUBNET_NAMES = {"endpoints": "snet-endpoints", "appIntegration": "snet-app", "deploymentScripts": "snet-scripts"}
# Learn, app-service/overview-vnet-integration: "The subnet must be delegated to Microsoft.Web/serverFarms";
# Learn, azure-resource-manager/bicep/deployment-script-vnet: the subnet is delegated to
# Microsoft.ContainerInstance/containerGroups and has a Microsoft.Storage service endpoint (the script's
# storage account admits that subnet only).
DELEGATIONS = {
    "appIntegration": "Microsoft.Web/serverFarms",
    "deploymentScripts": "Microsoft.ContainerInstance/containerGroups",
}
SERVICE_ENDPOINTS = {"deploymentScripts": ("Microsoft.Storage",)}


@dataclass(frozen=True)
class NetworkArgs:
    settings: NetworkSettings
    prefix: str
    environment: str
    resource_group_name: pulumi.Input[str]
    tags: dict[str, str]
    monitoring: Monitoring
    # Production-like: VNets, NSGs and created zones are protected, each zone locked by its SOA record set.
    production_like: bool


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:network:Network", name, None, opts)
        self._args = args
        self._stem = f"{args.prefix}-{args.environment}".lower()
        self._subnet_ids: dict[tuple[str, str], pulumi.Output[str]] = {}  # (location, role) -> id
        # Every VNet the private zones are linked to: (link name, VNet id).
        self._vnet_ids: list[tuple[str, pulumi.Input[str]]] = []
        self._zone_ids: dict[str, pulumi.Input[str]] = dict(args.settings.dns_zone_ids)
        self._endpoint_names: set[str] = set()
        created: dict[str, network.VirtualNetwork] = {}
        for region in args.settings.regions:
            if region.created:
                created[region.location] = self._create_vnet(region)
            else:
                for role, subnet_id in region.subnet_ids:
                    self._subnet_ids[(region.location, role)] = pulumi.Output.from_input(subnet_id)
                self._vnet_ids.extend((v.rsplit("/", 1)[-1], v) for v in region.existing_vnet_ids)
        self._peer(created)
        self.register_outputs({})

    # --- what components ask for -------------------------------------------------------------------------

    @property
    def private(self) -> bool:
        return self._args.settings.private

    @property
    def locations(self) -> tuple[str, ...]:
        """Regions that have an endpoint subnet: the primary, then the registry's partner region if any."""
        return self._args.settings.locations

    def endpoint_subnet_id(self, location: str) -> pulumi.Output[str]:
        return self._subnet(location, "endpoints")

    def integration_subnet_id(self, location: str) -> pulumi.Output[str]:
        """App Service regional VNet integration (delegated to Microsoft.Web/serverFarms)."""
        return self._subnet(location, "appIntegration")

    def script_subnet_id(self, location: str) -> pulumi.Output[str]:
        """Deployment scripts' container groups (delegated to Microsoft.ContainerInstance/containerGroups)."""
        return self._subnet(location, "deploymentScripts")

    def expose(
        self,
        name: str,
        *,
        target_id: pulumi.Input[str],
        group_ids: Sequence[str],
        location: str,
        parent: pulumi.Resource,
    ) -> list[network.PrivateEndpoint]:
        """One private endpoint per group id of `target_id` in `location`'s endpoint subnet, each with a DNS zone
        group into its privatelink zone(s) (dns_zones.py). Public mode: nothing, []."""
        if not self.private:
            return []
        endpoints = []
        for group_id in group_ids:
            zones = zones_for(group_id)
            logical = f"{name}-{group_id.lower()}"
            if logical in self._endpoint_names:
                raise ValueError(f"expose(): {name!r} already has a private endpoint for group id {group_id!r}")
            self._endpoint_names.add(logical)
            # Learn resource-name-rules, Microsoft.Network / privateEndpoints: 2-64, alphanumerics, '_', '.', '-'.
            physical = f"{self._stem}-{name}-{group_id.lower().replace('_', '-')}-pe"[:64]
            endpoint = network.PrivateEndpoint(
                f"{logical}-pe",
                private_endpoint_name=physical,
                resource_group_name=self._args.resource_group_name,
                location=location,
                subnet=network.SubnetArgs(id=self.endpoint_subnet_id(location)),
                custom_network_interface_name=f"{physical}-nic"[:80],
                private_link_service_connections=[
                    network.PrivateLinkServiceConnectionArgs(
                        name=physical, private_link_service_id=target_id, group_ids=[group_id]
                    )
                ],
                tags=self._args.tags,
                opts=pulumi.ResourceOptions(parent=parent),
            )
            network.PrivateDnsZoneGroup(
                f"{logical}-dns",
                private_dns_zone_group_name="default",
                private_endpoint_name=endpoint.name,
                resource_group_name=self._args.resource_group_name,
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(name=zone.replace(".", "-"), private_dns_zone_id=self._zone(zone))
                    for zone in zones
                ],
                opts=pulumi.ResourceOptions(parent=endpoint),
            )
            endpoints.append(endpoint)
        return endpoints

    # --- building ------------------------------------------------------------------------------------------

    def _subnet(self, location: str, role: str) -> pulumi.Output[str]:
        if not self.private:
            raise ValueError(f"network is public: no {role} subnet (ask network.private first)")
        subnet = self._subnet_ids.get((location, role))
        if subnet is None:
            raise ValueError(
                f"no {role} subnet in {location!r}: the network has "
                + ", ".join(f"{r} in {loc}" for loc, r in self._subnet_ids)
            )
        return subnet

    def _create_vnet(self, region: RegionNetwork) -> network.VirtualNetwork:
        a = self._args
        base = f"{self._stem}-{region.location}"
        subnets = []
        for role in region.roles:
            # Learn resource-name-rules, Microsoft.Network / networkSecurityGroups: 1-80, alphanumerics, '_', '.', '-'.
            nsg = network.NetworkSecurityGroup(
                f"network-{region.location}-{role}-nsg",
                network_security_group_name=f"{base}-{SUBNET_NAMES[role]}-nsg",
                resource_group_name=a.resource_group_name,
                location=region.location,
                tags=a.tags,
                opts=stateful_options(a.production_like, self),
            )
            a.monitoring.diagnose(
                f"network-{region.location}-{role}-nsg",
                target_id=nsg.id,
                resource_type="Microsoft.Network/networkSecurityGroups",
                parent=self,  # not the NSG: a child would inherit its `protect`
                former_parent=nsg,  # its parent before the network was protected: keep the deployed setting
            )
            delegation = DELEGATIONS.get(role)
            subnets.append(
                network.SubnetArgs(
                    name=SUBNET_NAMES[role],
                    address_prefix=region.prefix(role),
                    network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                    delegations=[network.DelegationArgs(name=delegation.replace("/", "-"), service_name=delegation)]
                    if delegation
                    else None,
                    service_endpoints=[
                        network.ServiceEndpointPropertiesFormatArgs(service=s) for s in SERVICE_ENDPOINTS[role]
                    ]
                    if role in SERVICE_ENDPOINTS
                    else None,
                    # NSG rules apply to private endpoints only with network policies on (Learn,
                    # private-link/disable-private-endpoint-network-policy).
                    private_endpoint_network_policies="Enabled" if role == "endpoints" else None,
                    # No implicit internet egress: private subnets reach out only through what the VNet routes.
                    default_outbound_access=False,
                )
            )
        vnet = network.VirtualNetwork(
            f"network-{region.location}-vnet",
            virtual_network_name=f"{base}-vnet",
            resource_group_name=a.resource_group_name,
            location=region.location,
            address_space=network.AddressSpaceArgs(address_prefixes=list(region.address_space)),
            dhcp_options=network.DhcpOptionsArgs(dns_servers=list(region.dns_servers)) if region.dns_servers else None,
            subnets=subnets,  # inline: the VNet owns its subnets, so an update never drops one
            tags=a.tags,
            # Protected, not locked: a lock is inherited by the subnets and their children (the service association
            # links App Service and Container Instances own) and by the peerings. Azure already refuses to delete a
            # VNet that has resources connected to it (Learn, virtual-network/manage-virtual-network, "Delete a
            # virtual network"), and every data service's endpoint is.
            opts=stateful_options(a.production_like, self),
        )
        a.monitoring.diagnose(
            f"network-{region.location}-vnet",
            target_id=vnet.id,
            resource_type="Microsoft.Network/virtualNetworks",
            parent=self,
            former_parent=vnet,
        )
        for role in region.roles:
            # ARM's subnet id: <vnet id>/subnets/<name>.
            self._subnet_ids[(region.location, role)] = pulumi.Output.concat(vnet.id, "/subnets/", SUBNET_NAMES[role])
        self._vnet_ids.append((f"{base}-vnet", vnet.id))
        return vnet

    def _peer(self, created: dict[str, network.VirtualNetwork]) -> None:
        a = self._args
        vnets = list(created.items())
        # Primary <-> partner: after a failover the registry app (primary region) reaches the geo-secondary's
        # private endpoint in the partner VNet.
        pairs: list[tuple[str, network.VirtualNetwork, str, pulumi.Input[str]]] = []
        if len(vnets) == 2:
            (one, v1), (two, v2) = vnets
            pairs += [(f"{one}-to-{two}", v1, two, v2.id), (f"{two}-to-{one}", v2, one, v1.id)]
        if a.settings.hub_vnet_id:
            # Our side only: the hub's owner creates the hub -> spoke side (docs/networking.md); until then the
            # peering stays Initiated.
            pairs += [(f"{loc}-to-hub", v, "hub", a.settings.hub_vnet_id) for loc, v in vnets]
        for label, vnet, remote, remote_id in pairs:
            network.VirtualNetworkPeering(
                f"network-{label}-peering",
                virtual_network_peering_name=f"to-{remote}",
                virtual_network_name=vnet.name,
                resource_group_name=a.resource_group_name,
                remote_virtual_network=network.SubResourceArgs(id=remote_id),
                allow_virtual_network_access=True,
                allow_forwarded_traffic=True,
                # Through the hub's VPN/ExpressRoute gateway to on-premises and VPN clients: without it "traffic ...
                # can't flow through a virtual network gateway attached to" the hub (Learn, virtual-network-manage-
                # peering, "Virtual network gateway or Route Server"; the hub's side must allow gateway transit).
                # Only one peering of a VNet may set it: the hub's.
                use_remote_gateways=True if remote == "hub" and a.settings.hub_use_remote_gateways else None,
                # A child of the component (not of its VNet), so depending on the network waits for the peering
                # (Pulumi expands a component's children, not a custom resource's); the alias keeps the old URN.
                opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=vnet)]),
            )

    def _zone(self, zone: str) -> pulumi.Input[str]:
        """The zone's id: given in settings (a hub's zone, linked by its owner), else created here on first use
        and linked to every VNet of the environment."""
        if zone not in self._zone_ids:
            a = self._args
            created = privatedns.PrivateZone(
                f"network-{zone}",
                private_zone_name=zone,
                resource_group_name=a.resource_group_name,
                location="global",  # private DNS zones are global resources
                tags=a.tags,
                opts=stateful_options(a.production_like, self),
            )
            if a.production_like:
                # The lock goes on the zone's SOA record set: deleting the zone deletes it, so ARM refuses, while the
                # endpoints' zone groups still add and remove their A records (a lock on the zone is inherited by
                # every record set). Learn, dns/dns-protect-private-zones-recordsets, "Protecting against zone
                # deletion"; the SOA record set's id is <zone id>/SOA/@.
                lock_against_deletion(
                    f"network-{zone}-soa",
                    created,
                    "Private DNS zone of a production environment's private endpoints",
                    self,
                    scope=pulumi.Output.concat(created.id, "/SOA/@"),
                )
            for vnet_name, vnet_id in self._vnet_ids:
                # Learn resource-name-rules, Microsoft.Network / privateDnsZones/virtualNetworkLinks: 1-80,
                # alphanumerics, '_', '.', '-'; a VNet name is 2-64 of those.
                privatedns.VirtualNetworkLink(
                    f"network-{zone}-{vnet_name}-link",
                    virtual_network_link_name=f"{vnet_name}-link",
                    private_zone_name=created.name,
                    resource_group_name=a.resource_group_name,
                    location="global",
                    virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                    registration_enabled=False,  # records come from the endpoints' zone groups
                    tags=a.tags,
                    # Not the zone's child, which would inherit its `protect`; the alias keeps the deployed link.
                    opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=created)]),
                )
            self._zone_ids[zone] = created.id
        return self._zone_ids[zone]

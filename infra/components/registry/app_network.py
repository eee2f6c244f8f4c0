"""The registry web app's networking, in one place: how it is reached and how it reaches out.

network.mode public: no VNet; the app's default host `<app>.azurewebsites.net` is public, and it
reaches SQL, Key Vault and Purview over their public endpoints.

network.mode private:
- Outbound: regional VNet integration in the network's integration subnet (delegated to
  Microsoft.Web/serverFarms) with ALL outbound traffic routed into the VNet
  (`outboundVnetRouting.allTraffic`, which Learn "Manage Azure App Service virtual network integration
  routing" recommends; it includes configuration traffic such as the image pull), so the Key Vault
  reference (CONNECTION_STR) and the SQL connection resolve to private endpoints. Learn "Use Key Vault
  references as app settings": "Linux applications that connect to private endpoints must be explicitly
  configured to route all traffic through the virtual network" (`vnetRouteAllEnabled`, the older name of
  `outboundVnetRouting.applicationTraffic`, set too).
- Inbound: a `sites` private endpoint (privatelink.azurewebsites.net, which also takes the SCM host) and
  public network access Disabled, so nothing outside the network reaches the app.

The registry endpoint may still be public through a front (Front Door Premium with a Private Link origin
to this app's `sites` sub-resource): that keeps the app itself Disabled and is decided by
`infra.settings.registry_api.registry_endpoint_public` (RBAC may only be off where it is not public).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi_azure_native import web

if TYPE_CHECKING:
    from infra.components.network import Network

SITES_GROUP_ID = "sites"  # Learn private-endpoint-dns, Microsoft.Web/sites (a slot would be sites-<slot>)


def app_public_network_access(private: bool) -> str | None:
    """The web app's publicNetworkAccess: Disabled in private mode; public mode leaves Azure's default (Enabled)."""
    return "Disabled" if private else None


def web_app_network_args(network: Network, location: str) -> dict[str, Any]:
    """The web app's own networking properties (`web.WebApp` keyword arguments)."""
    if not network.private:
        return {}
    return {
        "virtual_network_subnet_id": network.integration_subnet_id(location),
        "outbound_vnet_routing": web.OutboundVnetRoutingArgs(all_traffic=True, application_traffic=True),
        "public_network_access": app_public_network_access(private=True),
    }


def site_config_network_args(network: Network) -> dict[str, Any]:
    """The site config's networking properties (`web.SiteConfigArgs` keyword arguments)."""
    return {"vnet_route_all_enabled": True} if network.private else {}


def expose_web_app(
    name: str, network: Network, app: web.WebApp, location: str, parent: pulumi.Resource
) -> list[pulumi.Resource]:
    """The app's `sites` private endpoint in private mode (none in public mode)."""
    return list(network.expose(name, target_id=app.id, group_ids=[SITES_GROUP_ID], location=location, parent=parent))

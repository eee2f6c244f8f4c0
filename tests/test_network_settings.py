"""network.* settings: every SettingsError of infra/settings/network.py, each asserted as the whole message (the
full key, the value as given, what is allowed), and the boundary values accepted at the limit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.settings import SettingsError, load_settings
from tests.support import NS, config_with

SUB = "6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14"
SPOKE = f"/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/spoke"
HUB = f"/subscriptions/{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub"
ZONES = f"/subscriptions/{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/privateDnsZones"
KEY = "setting feathr-infra:network."
SPACE_RULE = "IPv4 CIDR ranges from /8 to /29 (e.g. 10.20.0.0/22), no two overlapping"
SUBNET_ID_RULE = (
    "a subnet resource id: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/"
    "Microsoft.Network/virtualNetworks/<name>/subnets/<subnet>"
)


def prod(**changes: Any) -> dict[str, Any]:
    """Pulumi.prod.yaml with keys of its network section replaced (None: removed)."""
    config = config_with("prod")
    network = copy.deepcopy(config[NS + "network"])
    network.update(changes)
    config[NS + "network"] = {k: v for k, v in network.items() if v is not None}
    return config


def private_dev(**network: Any) -> dict[str, Any]:
    """dev (not geo-replicated) in private mode: the registry SQL keys only public mode allows removed."""
    config = config_with("dev", network={"mode": "private", "primary": created(), **network})
    sql = config[NS + "registry"]["sql"]
    config[NS + "registry"]["sql"] = {
        k: v for k, v in sql.items() if k not in ("allowAzureServices", "allowedIpRanges")
    }
    return config


def created(space: tuple[str, ...] = ("10.40.0.0/22",), **subnets: Any) -> dict[str, Any]:
    """The primary VNet as Pulumi.prod.yaml lays it out, with subnets replaced (None: removed)."""
    base = {"endpoints": "10.40.0.0/24", "appIntegration": "10.40.1.0/26", "deploymentScripts": "10.40.1.64/27"}
    merged = {k: v for k, v in {**base, **subnets}.items() if v is not None}
    return {"addressSpace": list(space), "subnets": merged}


def spoke(location: str = "westeurope", **subnets: Any) -> dict[str, Any]:
    """Existing subnets of a spoke VNet, with subnets replaced (None: removed)."""
    base = {role: f"{SPOKE}/subnets/{role}" for role in ("endpoints", "appIntegration", "deploymentScripts")}
    merged = {k: v for k, v in {**base, **subnets}.items() if v is not None}
    return {"location": location, "existingSubnets": merged}


PARTNER = {"addressSpace": ["10.41.0.0/24"], "subnets": {"endpoints": "10.41.0.0/26"}}

# (case, config, stack, the whole message). Messages are written out here, not built from the code's rules.
BAD: list[tuple[str, Any, str, str]] = [
    # --- mode and the production opt-out -------------------------------------------------------------------
    ("mode unknown", lambda: prod(mode="hybrid"), "prod", KEY + "mode = 'hybrid': must be one of private, public"),
    (
        "public production without the opt-out",
        lambda: prod(mode="public", primary=None, partner=None),
        "prod",
        KEY + "mode = 'public': production-like stacks are private (every data service behind a private endpoint); "
        "set 'private', or opt out explicitly with feathr-infra:network.allowPublicInProduction: true",
    ),
    (
        "opt-out in a private production stack",
        lambda: prod(allowPublicInProduction=True),
        "prod",
        KEY + "allowPublicInProduction = true: only opts a production-like stack out of private mode; this stack "
        "is private: remove it",
    ),
    (
        "opt-out in a stack that is not production-like",
        lambda: config_with("dev", network={"allowPublicInProduction": True}),
        "dev",
        KEY + "allowPublicInProduction = true: only opts a production-like stack out of private mode; this stack "
        "is not production-like: remove it",
    ),
    (
        "opt-out that is no boolean",
        lambda: config_with("prod", network={"mode": "public", "allowPublicInProduction": "yes"}),
        "prod",
        KEY + "allowPublicInProduction = 'yes': must be true or false",
    ),
    (
        "a network in a public stack",
        lambda: config_with("dev", network={"mode": "public", "primary": created()}),
        "dev",
        KEY + "primary = " + '{"addressSpace": ["10.40.0.0/22"], "subnets": {"endpoints": "10.40.0.0/24", '
        '"appIntegration": "10.40.1.0/26", "deploymentScripts": "10.40.1.64/27"}}'
        ": only used with network.mode 'private' (mode is 'public'): remove it",
    ),
    (
        "a hub in a public stack",
        lambda: config_with("dev", network={"hubVnetId": HUB}),
        "dev",
        KEY + f"hubVnetId = '{HUB}': only used with network.mode 'private' (mode is 'public'): remove it",
    ),
    (
        "a typo in a public stack",
        lambda: config_with("dev", network={"mdoe": "private"}),
        "dev",
        KEY + "mdoe is not a known setting; known keys here: allowPublicInProduction, dnsZoneIds, "
        "hubUseRemoteGateways, hubVnetId, mode, partner, primary",
    ),
    (
        "a typo in a private stack",
        lambda: prod(hubVnetID=HUB),
        "prod",
        KEY + "hubVnetID is not a known setting; known keys here: allowPublicInProduction, dnsZoneIds, "
        "hubUseRemoteGateways, hubVnetId, mode, partner, primary",
    ),
    # --- which regions have a network ------------------------------------------------------------------------
    (
        "private with no primary network",
        lambda: prod(primary=None),
        "prod",
        KEY + "primary = (not set): required in private mode: the network of westeurope (the stack's location), "
        "either addressSpace + subnets (a VNet this stack creates) or existingSubnets + location (a spoke's subnets)",
    ),
    (
        "geo-replicated registry without a partner network",
        lambda: prod(partner=None),
        "prod",
        KEY + "partner = (not set): required in private mode: the network of northeurope "
        "(registry.sql.secondaryLocation), either addressSpace + subnets (a VNet this stack creates) or "
        "existingSubnets + location (a spoke's subnets)",
    ),
    (
        "a partner network without geo-replication",
        lambda: private_dev(partner=PARTNER),
        "dev",
        KEY
        + "partner = "
        + '{"addressSpace": ["10.41.0.0/24"], "subnets": {"endpoints": "10.41.0.0/26"}}'
        + ": only used when the registry SQL database is geo-replicated (registry.sql.secondaryLocation is not "
        "set): remove it",
    ),
    (
        "a region that is no mapping",
        lambda: prod(primary="10.40.0.0/22"),
        "prod",
        KEY + "primary = '10.40.0.0/22': must be a mapping of settings",
    ),
    (
        "a typo in a region",
        lambda: prod(primary={**created(), "dnsServer": ["10.0.0.4"]}),
        "prod",
        KEY + "primary.dnsServer is not a known setting; known keys here: addressSpace, dnsServers, subnets",
    ),
    (
        "created and existing subnets at once",
        lambda: prod(primary={**created(), "existingSubnets": {"endpoints": f"{SPOKE}/subnets/pe"}}),
        "prod",
        KEY
        + "primary.existingSubnets = "
        + '{"endpoints": "'
        + SPOKE
        + '/subnets/pe"}'
        + ": give either addressSpace + subnets (a created VNet) or existingSubnets, not both",
    ),
    # --- a created VNet's address space ----------------------------------------------------------------------
    (
        "address space wider than a /8",
        lambda: prod(primary=created(space=("10.0.0.0/7",))),
        "prod",
        KEY + f"primary.addressSpace[0] = '10.0.0.0/7': must be {SPACE_RULE}",
    ),
    (
        "address space narrower than a /29",
        lambda: prod(primary=created(space=("10.40.0.0/22", "10.44.0.0/30"))),
        "prod",
        KEY + f"primary.addressSpace[1] = '10.44.0.0/30': must be {SPACE_RULE}",
    ),
    (
        "address space with host bits",
        lambda: prod(primary=created(space=("10.40.0.1/22",))),
        "prod",
        KEY + f"primary.addressSpace[0] = '10.40.0.1/22': must be {SPACE_RULE}",
    ),
    (
        "address space that is no CIDR",
        lambda: prod(primary=created(space=("10.40.0.0/33",))),
        "prod",
        KEY + f"primary.addressSpace[0] = '10.40.0.0/33': must be {SPACE_RULE}",
    ),
    (
        "address space given as a number",
        # 10.0.0.0 as an integer: ipaddress reads any integer as a /32, narrower than a /29
        lambda: prod(primary=created(space=(167772160,))),
        "prod",
        KEY + f"primary.addressSpace[0] = 167772160: must be {SPACE_RULE}",
    ),
    (
        "no address space",
        lambda: prod(primary=created(space=())),
        "prod",
        KEY + f"primary.addressSpace = []: required for a created VNet: {SPACE_RULE}",
    ),
    (
        "subnets without an address space",
        lambda: prod(primary={"subnets": created()["subnets"]}),
        "prod",
        KEY + f"primary.addressSpace = (not set): required for a created VNet: {SPACE_RULE}",
    ),
    (
        "address space that is no list",
        lambda: prod(primary={**created(), "addressSpace": "10.40.0.0/22"}),
        "prod",
        KEY + f"primary.addressSpace = '10.40.0.0/22': must be a list of {SPACE_RULE}",
    ),
    (
        "overlapping address spaces of one VNet",  # refused with the VNets' overlap check (_check_no_overlap)
        lambda: prod(primary=created(space=("10.40.0.0/22", "10.40.2.0/24"))),
        "prod",
        KEY + "primary.addressSpace[1] = '10.40.2.0/24': overlaps feathr-infra:network.primary.addressSpace[0] "
        "(10.40.0.0/22); address ranges must not overlap",
    ),
    (
        "overlapping VNets",
        lambda: prod(partner={"addressSpace": ["10.40.2.0/24"], "subnets": {"endpoints": "10.40.2.0/26"}}),
        "prod",
        KEY + "partner.addressSpace[0] = '10.40.2.0/24': overlaps feathr-infra:network.primary.addressSpace[0] "
        "(10.40.0.0/22); address ranges must not overlap",
    ),
    # --- a created VNet's subnets ----------------------------------------------------------------------------
    (
        "no endpoint subnet",
        lambda: prod(primary=created(endpoints=None)),
        "prod",
        KEY + "primary.subnets.endpoints = (not set): required: an IPv4 CIDR range inside addressSpace, /29 or larger",
    ),
    (
        "no integration subnet",
        lambda: prod(primary=created(appIntegration=None)),
        "prod",
        KEY + "primary.subnets.appIntegration = (not set): required: an IPv4 CIDR range inside addressSpace, /28 or "
        "larger (App Service needs a /28; Learn recommends a /26 for scale-out)",
    ),
    (
        "no deployment script subnet",
        lambda: prod(primary=created(deploymentScripts=None)),
        "prod",
        KEY + "primary.subnets.deploymentScripts = (not set): required: an IPv4 CIDR range inside addressSpace, /29 "
        "or larger",
    ),
    (
        "no endpoint subnet in the partner region",
        lambda: prod(partner={"addressSpace": ["10.41.0.0/24"], "subnets": {}}),
        "prod",
        KEY + "partner.subnets.endpoints = (not set): required: an IPv4 CIDR range inside addressSpace, /29 or larger",
    ),
    (
        "endpoint subnet narrower than a /29",
        lambda: prod(primary=created(endpoints="10.40.0.0/30")),
        "prod",
        KEY + "primary.subnets.endpoints = '10.40.0.0/30': must be an IPv4 CIDR range inside addressSpace, /29 or "
        "larger",
    ),
    (
        "integration subnet narrower than a /28",
        lambda: prod(primary=created(appIntegration="10.40.1.0/29")),
        "prod",
        KEY + "primary.subnets.appIntegration = '10.40.1.0/29': too small: must be an IPv4 CIDR range inside "
        "addressSpace, /28 or larger (App Service needs a /28; Learn recommends a /26 for scale-out)",
    ),
    (
        "deployment script subnet narrower than a /29",
        lambda: prod(primary=created(deploymentScripts="10.40.1.64/30")),
        "prod",
        KEY + "primary.subnets.deploymentScripts = '10.40.1.64/30': must be an IPv4 CIDR range inside addressSpace, "
        "/29 or larger",
    ),
    (
        "subnet that is no CIDR",
        lambda: prod(primary=created(endpoints="10.40.0.0")),  # a plain address parses as a /32
        "prod",
        KEY + "primary.subnets.endpoints = '10.40.0.0': must be an IPv4 CIDR range inside addressSpace, /29 or larger",
    ),
    (
        "subnet with host bits",
        lambda: prod(primary=created(endpoints="10.40.0.1/24")),
        "prod",
        KEY + "primary.subnets.endpoints = '10.40.0.1/24': must be an IPv4 CIDR range inside addressSpace, /29 or "
        "larger",
    ),
    (
        "subnet outside the address space",
        lambda: prod(primary=created(endpoints="10.50.0.0/24")),
        "prod",
        KEY + "primary.subnets.endpoints = '10.50.0.0/24': outside the VNet's addressSpace ['10.40.0.0/22']: must be "
        "an IPv4 CIDR range inside addressSpace, /29 or larger",
    ),
    (
        "subnet spanning two address spaces",  # inside their union, inside neither: Azure wants one prefix
        lambda: prod(primary=created(space=("10.40.0.0/23", "10.40.2.0/23"), endpoints="10.40.0.0/22")),
        "prod",
        KEY + "primary.subnets.endpoints = '10.40.0.0/22': outside the VNet's addressSpace ['10.40.0.0/23', "
        "'10.40.2.0/23']: must be an IPv4 CIDR range inside addressSpace, /29 or larger",
    ),
    (
        "overlapping subnets",
        lambda: prod(primary=created(appIntegration="10.40.0.0/26")),
        "prod",
        KEY + "primary.subnets.appIntegration = '10.40.0.0/26': overlaps feathr-infra:network.primary.subnets."
        "endpoints (10.40.0.0/24); address ranges must not overlap",
    ),
    (
        "a typo among the subnets",
        lambda: prod(primary=created(endpoint="10.40.2.0/24")),
        "prod",
        KEY + "primary.subnets.endpoint is not a known setting; known keys here: appIntegration, deploymentScripts, "
        "endpoints",
    ),
    (
        "a DNS server that is no IPv4 address",
        lambda: prod(primary={**created(), "dnsServers": ["10.0.0.256"]}),
        "prod",
        KEY + "primary.dnsServers[0] = '10.0.0.256': must be IPv4 addresses of the DNS servers the VNet uses (e.g. "
        "the hub's Private DNS Resolver inbound endpoint)",
    ),
    (
        "DNS servers with existing subnets",  # the spoke's owner sets its VNet's DNS servers
        lambda: prod(primary={**spoke(), "dnsServers": ["10.0.0.4"]}),
        "prod",
        KEY + "primary.dnsServers is not a known setting; known keys here: existingSubnets, location",
    ),
    # --- existing subnets ------------------------------------------------------------------------------------
    (
        "existing subnets without their region",
        lambda: prod(primary={"existingSubnets": spoke()["existingSubnets"]}),
        "prod",
        KEY + "primary.location = (not set): required with existingSubnets: the region of the subnets' VNet, which "
        "must be 'westeurope' (the stack's location); a private endpoint and its VNet share one region",
    ),
    (
        "existing subnets in another region",
        lambda: prod(primary=spoke(location="eastus")),
        "prod",
        KEY + "primary.location = 'eastus': must be 'westeurope' (the stack's location): a private endpoint is "
        "created in its subnet's region, and App Service VNet integration needs a VNet in the app's region",
    ),
    (
        "existing partner subnets in the primary region",
        lambda: prod(partner={"location": "westeurope", "existingSubnets": {"endpoints": f"{SPOKE}/subnets/pe"}}),
        "prod",
        KEY + "partner.location = 'westeurope': must be 'northeurope' (registry.sql.secondaryLocation): a private "
        "endpoint is created in its subnet's region, and App Service VNet integration needs a VNet in the app's "
        "region",
    ),
    (
        "a subnet id that is a VNet id",
        lambda: prod(primary=spoke(endpoints=SPOKE)),
        "prod",
        KEY + f"primary.existingSubnets.endpoints = '{SPOKE}': must be {SUBNET_ID_RULE}",
    ),
    (
        "a subnet id without a subscription GUID",
        lambda: prod(primary=spoke(endpoints=SPOKE.replace(SUB, "contoso") + "/subnets/pe")),
        "prod",
        KEY + "primary.existingSubnets.endpoints = '/subscriptions/contoso/resourceGroups/rg-spoke/providers/"
        f"Microsoft.Network/virtualNetworks/spoke/subnets/pe': must be {SUBNET_ID_RULE}",
    ),
    (
        "no existing endpoint subnet",
        lambda: prod(primary=spoke(endpoints=None)),
        "prod",
        KEY + f"primary.existingSubnets.endpoints = (not set): required: {SUBNET_ID_RULE}",
    ),
    (
        "no existing deployment script subnet",
        lambda: prod(primary=spoke(deploymentScripts=None)),
        "prod",
        KEY + f"primary.existingSubnets.deploymentScripts = (not set): required: {SUBNET_ID_RULE}",
    ),
    (
        "one existing subnet for two jobs",
        lambda: prod(primary=spoke(appIntegration=f"{SPOKE}/subnets/endpoints")),
        "prod",
        KEY + f"primary.existingSubnets.appIntegration = '{SPOKE}/subnets/endpoints': the same subnet as "
        "feathr-infra:network.primary.existingSubnets.endpoints: each job needs its own subnet (App Service and "
        "deployment scripts each take a delegated subnet of their own)",
    ),
    (
        "one existing subnet for two jobs, spelt in another case",  # ARM ids are case-insensitive
        lambda: prod(primary=spoke(deploymentScripts=f"{SPOKE}/subnets/APPINTEGRATION")),
        "prod",
        KEY + f"primary.existingSubnets.deploymentScripts = '{SPOKE}/subnets/APPINTEGRATION': the same subnet as "
        "feathr-infra:network.primary.existingSubnets.appIntegration: each job needs its own subnet (App Service and "
        "deployment scripts each take a delegated subnet of their own)",
    ),
    (
        "a typo among the existing subnets",
        lambda: prod(primary=spoke(endpoint=f"{SPOKE}/subnets/pe")),
        "prod",
        KEY + "primary.existingSubnets.endpoint is not a known setting; known keys here: appIntegration, "
        "deploymentScripts, endpoints",
    ),
    # --- hub peering -----------------------------------------------------------------------------------------
    (
        "a hub id that is a subnet id",
        lambda: prod(hubVnetId=f"{HUB}/subnets/hub"),
        "prod",
        KEY + f"hubVnetId = '{HUB}/subnets/hub': must be a virtual network resource id: /subscriptions/<subscription "
        "GUID>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>",
    ),
    (
        "a hub with existing subnets",
        lambda: prod(primary=spoke(), hubVnetId=HUB),
        "prod",
        KEY + f"hubVnetId = '{HUB}': peering is made from the VNets this stack creates; with existingSubnets the "
        "spoke's owner peers it to the hub: remove hubVnetId",
    ),
    (
        "a hub with existing subnets in the partner region only",
        lambda: prod(
            partner={"location": "northeurope", "existingSubnets": {"endpoints": f"{SPOKE}/subnets/pe"}}, hubVnetId=HUB
        ),
        "prod",
        KEY + f"hubVnetId = '{HUB}': peering is made from the VNets this stack creates; with existingSubnets the "
        "spoke's owner peers it to the hub: remove hubVnetId",
    ),
    (
        "the hub's gateway without a hub",
        lambda: prod(hubUseRemoteGateways=True),
        "prod",
        KEY + "hubUseRemoteGateways = true: only used with feathr-infra:network.hubVnetId (the hub whose VPN or "
        "ExpressRoute gateway the peering uses): set hubVnetId or remove it",
    ),
    (
        "the hub's gateway in a public stack",
        lambda: config_with("dev", network={"hubUseRemoteGateways": False}),
        "dev",
        KEY + "hubUseRemoteGateways = false: only used with network.mode 'private' (mode is 'public'): remove it",
    ),
    (
        "the hub's gateway that is no boolean",
        lambda: prod(hubVnetId=HUB, hubUseRemoteGateways="yes"),
        "prod",
        KEY + "hubUseRemoteGateways = 'yes': must be true or false",
    ),
    # --- existing private DNS zones --------------------------------------------------------------------------
    (
        "an unknown DNS zone name",
        lambda: prod(dnsZoneIds={"privatelink.vault.azure.net": f"{ZONES}/privatelink.vault.azure.net"}),
        "prod",
        KEY + f"dnsZoneIds.privatelink.vault.azure.net = '{ZONES}/privatelink.vault.azure.net': "
        "'privatelink.vault.azure.net' is no private DNS zone this program uses; known zones: "
        "privatelink.azuredatabricks.net, privatelink.azuresynapse.net, privatelink.azurewebsites.net, "
        "privatelink.blob.core.windows.net, privatelink.database.windows.net, privatelink.dev.azuresynapse.net, "
        "privatelink.dfs.core.windows.net, privatelink.purview.azure.com, privatelink.purviewstudio.azure.com, "
        "privatelink.queue.core.windows.net, privatelink.redis.azure.net, privatelink.redis.cache.windows.net, "
        "privatelink.servicebus.windows.net, privatelink.sql.azuresynapse.net, privatelink.vaultcore.azure.net",
    ),
    (
        "a DNS zone id under another zone's name",
        lambda: prod(dnsZoneIds={"privatelink.vaultcore.azure.net": f"{ZONES}/privatelink.blob.core.windows.net"}),
        "prod",
        KEY + f"dnsZoneIds.privatelink.vaultcore.azure.net = '{ZONES}/privatelink.blob.core.windows.net': must be the "
        "resource id of the private DNS zone 'privatelink.vaultcore.azure.net': /subscriptions/<subscription GUID>/"
        "resourceGroups/<group>/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
    ),
    (
        "a DNS zone id that is no string",
        lambda: prod(dnsZoneIds={"privatelink.vaultcore.azure.net": 5}),
        "prod",
        KEY + "dnsZoneIds.privatelink.vaultcore.azure.net = 5: must be the resource id of the private DNS zone "
        "'privatelink.vaultcore.azure.net': /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/"
        "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
    ),
    (
        "DNS zone ids that are no mapping",
        lambda: prod(dnsZoneIds=["privatelink.vaultcore.azure.net"]),
        "prod",
        KEY + 'dnsZoneIds = ["privatelink.vaultcore.azure.net"]: must be a mapping',
    ),
]


@pytest.mark.parametrize("case, config, stack, message", BAD, ids=[b[0] for b in BAD])
def test_bad_network_setting_is_refused_with_its_key_and_value(case, config, stack, message):
    with pytest.raises(SettingsError) as raised:
        load_settings(config(), "feathr-infra", stack)
    assert str(raised.value) == message


def test_a_region_that_is_no_azure_region_is_refused():
    with pytest.raises(SettingsError) as raised:
        load_settings(prod(primary=spoke(location="west-europe")), "feathr-infra", "prod")
    # The rest of the message lists every region of infra/settings/environment.py.
    assert str(raised.value).startswith(
        KEY + "primary.location = 'west-europe': must be one of australiacentral, australiacentral2, australiaeast, "
    )


def _network(config: dict[str, Any], stack: str = "prod"):
    return load_settings(config, "feathr-infra", stack).network


def test_address_space_of_a_slash_8_is_accepted():
    # The widest address plan; its partner outside 10/8 so the two do not overlap.
    # (prod's standby needs its appIntegration subnet in the partner VNet: infra/settings/cross_checks.py)
    partner = {
        "addressSpace": ["172.16.0.0/24"],
        "subnets": {"endpoints": "172.16.0.0/26", "appIntegration": "172.16.0.64/26"},
    }
    network = _network(prod(primary=created(space=("10.0.0.0/8",)), partner=partner))
    assert network.primary.address_space == ("10.0.0.0/8",)


def test_address_space_of_a_slash_29_is_accepted():
    network = _network(prod(primary=created(space=("10.40.0.0/22", "10.44.0.0/29"))))
    assert network.primary.address_space == ("10.40.0.0/22", "10.44.0.0/29")


def test_smallest_subnets_are_accepted():
    # endpoints and deploymentScripts: a /29 (Azure's smallest IPv4 subnet); appIntegration: a /28.
    network = _network(
        prod(
            primary=created(endpoints="10.40.0.0/29", appIntegration="10.40.1.0/28", deploymentScripts="10.40.1.64/29")
        )
    )
    assert dict(network.primary.subnet_prefixes) == {
        "endpoints": "10.40.0.0/29",
        "appIntegration": "10.40.1.0/28",
        "deploymentScripts": "10.40.1.64/29",
    }


def test_adjacent_subnets_and_vnets_are_accepted():
    # Touching ranges do not overlap: 10.40.0.0/24 ends at .0.255, 10.40.1.0/26 begins at .1.0.
    network = _network(
        prod(
            primary=created(appIntegration="10.40.1.0/26", deploymentScripts="10.40.1.64/27"),
            partner={
                "addressSpace": ["10.40.4.0/24"],
                "subnets": {"endpoints": "10.40.4.0/26", "appIntegration": "10.40.4.64/26"},
            },
        )
    )
    assert network.partner.address_space == ("10.40.4.0/24",)


def test_existing_subnets_hub_and_zones_as_given():
    zone = f"{ZONES}/privatelink.vaultcore.azure.net"
    network = _network(prod(dnsZoneIds={"privatelink.vaultcore.azure.net": zone}, hubVnetId=HUB))
    assert (network.hub_vnet_id, network.hub_use_remote_gateways) == (HUB, False)
    assert network.dns_zone_ids == (("privatelink.vaultcore.azure.net", zone),)
    assert _network(prod(hubVnetId=HUB, hubUseRemoteGateways=True)).hub_use_remote_gateways is True
    spoke_network = _network(prod(primary=spoke()))
    assert spoke_network.primary.subnet_ids == (
        ("endpoints", f"{SPOKE}/subnets/endpoints"),
        ("appIntegration", f"{SPOKE}/subnets/appIntegration"),
        ("deploymentScripts", f"{SPOKE}/subnets/deploymentScripts"),
    )
    assert spoke_network.primary.existing_vnet_ids == (SPOKE,)


def test_public_production_with_the_opt_out_is_accepted():
    network = _network(config_with("prod", network={"mode": "public", "allowPublicInProduction": True}))
    assert (network.mode, network.regions) == ("public", ())

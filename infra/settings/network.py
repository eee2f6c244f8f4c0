"""Network: public endpoints behind IP allow-lists, or private endpoints in VNets (created or existing).

In private mode every data service of the environment is reached through a private endpoint in the
endpoint subnet of its region, and its public network access is disabled. The primary region (the
stack's `location`) always has a network; the registry's partner region (registry.sql.secondaryLocation)
has one too when the registry SQL database is geo-replicated, for the geo-secondary's endpoint.

A region's network is either created here (`addressSpace` + `subnets`) or given as existing subnets
(`existingSubnets`, a landing-zone spoke, with the region's `location` stated so it can be checked).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from infra.components.network.dns_zones import ZONE_NAMES
from infra.settings.environment import AZURE_REGIONS
from infra.settings.errors import SettingsError
from infra.settings.reader import SUBSCRIPTION_ID_PREFIX, Section, describe

MODES = ("public", "private")
# Resource-group names: 1-90 of letters, digits, '_', '-', '.', '()' (Learn resource-name-rules), not ending in '.'.
_RG = r"[-\w._()]{0,89}[-\w_()]"
# Learn resource-name-rules, Microsoft.Network / virtualNetworks and virtualNetworks/subnets: 2-64 (subnets 1-80),
# alphanumerics, underscores, periods and hyphens; start with alphanumeric, end with alphanumeric or underscore.
_VNET = r"[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}[a-zA-Z0-9_]"
_SUBNET = r"[a-zA-Z0-9](?:[-a-zA-Z0-9_.]{0,78}[a-zA-Z0-9_])?"
VNET_ID = rf"{SUBSCRIPTION_ID_PREFIX}/resourceGroups/{_RG}/providers/Microsoft\.Network/virtualNetworks/{_VNET}"
SUBNET_ID = rf"{VNET_ID}/subnets/{_SUBNET}"
_ZONE_ID = rf"{SUBSCRIPTION_ID_PREFIX}/resourceGroups/{_RG}/providers/Microsoft\.Network/privateDnsZones/"

# Smallest subnet per job. Azure's smallest IPv4 subnet is a /29 (Learn, Azure Virtual Network FAQ: "The
# smallest supported IPv4 subnet is /29"); App Service regional VNet integration needs "an IPv4 /28 block
# (16 addresses). We recommend ... a minimum of 64 addresses (IPv4 /26 block) to allow for maximum horizontal
# scale" (Learn, app-service/configure-vnet-integration-enable).
SMALLEST_PREFIX = {"endpoints": 29, "appIntegration": 28, "deploymentScripts": 29}
SUBNET_ROLES = ("endpoints", "appIntegration", "deploymentScripts")
# Address spaces from a /8 (nothing wider is an address plan) to a /29 (the smallest subnet).
_WIDEST_SPACE = 8


@dataclass(frozen=True)
class RegionNetwork:
    """One region's network: created (address space + subnet prefixes) or existing (subnet ids)."""

    key: str  # the settings key, e.g. feathr-infra:network.primary
    location: str
    address_space: tuple[str, ...]  # empty for existing subnets
    subnet_prefixes: tuple[tuple[str, str], ...]  # (role, CIDR) of a created VNet
    subnet_ids: tuple[tuple[str, str], ...]  # (role, subnet id) of existing subnets
    dns_servers: tuple[str, ...]

    @property
    def created(self) -> bool:
        return bool(self.address_space)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role for role, _ in (self.subnet_prefixes or self.subnet_ids))

    def prefix(self, role: str) -> str | None:
        return dict(self.subnet_prefixes).get(role)

    def subnet_id(self, role: str) -> str | None:
        return dict(self.subnet_ids).get(role)

    @property
    def existing_vnet_ids(self) -> tuple[str, ...]:
        """The VNets holding the existing subnets (each gets the private DNS zone links), in order."""
        return tuple(dict.fromkeys(i.rsplit("/subnets/", 1)[0] for _, i in self.subnet_ids))


@dataclass(frozen=True)
class NetworkSettings:
    mode: str
    allow_public_in_production: bool
    primary: RegionNetwork | None
    partner: RegionNetwork | None
    hub_vnet_id: str | None
    # Existing private DNS zones (in a hub) by zone name; zones not listed are created in the stack.
    dns_zone_ids: tuple[tuple[str, str], ...]
    # The peering to the hub routes through the hub's VPN/ExpressRoute gateway (useRemoteGateways).
    hub_use_remote_gateways: bool = False

    @property
    def private(self) -> bool:
        return self.mode == "private"

    @property
    def regions(self) -> tuple[RegionNetwork, ...]:
        return tuple(r for r in (self.primary, self.partner) if r is not None)

    @property
    def locations(self) -> tuple[str, ...]:
        return tuple(r.location for r in self.regions)


def network_mode(section: Section, production_like: bool) -> str:
    """network.mode: private by default in production-like stacks (read ahead by the registry's settings)."""
    return section.string("mode", "private" if production_like else "public", allowed=set(MODES))


def parse_network(
    section: Section, production_like: bool, location: str, partner_location: str | None
) -> NetworkSettings:
    """`partner_location`: the registry SQL geo-secondary's region (None without geo-replication)."""
    mode = network_mode(section, production_like)
    allow_public = section.boolean("allowPublicInProduction", False)
    if mode == "public" and production_like and not allow_public:
        raise section.fail(
            "mode",
            mode,
            "production-like stacks are private (every data service behind a private endpoint); set 'private', "
            f"or opt out explicitly with {section.key('allowPublicInProduction')}: true",
        )
    if allow_public and not (production_like and mode == "public"):
        raise section.fail(
            "allowPublicInProduction",
            True,
            "only opts a production-like stack out of private mode; this stack is "
            + ("not production-like" if not production_like else "private")
            + ": remove it",
        )
    private_keys = ("primary", "partner", "hubVnetId", "hubUseRemoteGateways", "dnsZoneIds")
    given = [k for k in private_keys if section.has(k)]
    if mode == "public":
        for key in private_keys:
            section.raw(key)
        section.finish()
        if given:
            raise section.fail(
                given[0], section.raw(given[0]), "only used with network.mode 'private' (mode is 'public'): remove it"
            )
        return NetworkSettings(mode, allow_public, None, None, None, ())

    primary = _region(section, "primary", location, required_roles=SUBNET_ROLES, what="the stack's location")
    partner = None
    if partner_location is not None:
        partner = _region(
            section, "partner", partner_location, required_roles=("endpoints",), what="registry.sql.secondaryLocation"
        )
    elif section.has("partner"):
        raise section.fail(
            "partner",
            section.raw("partner"),
            "only used when the registry SQL database is geo-replicated (registry.sql.secondaryLocation is not set): "
            "remove it",
        )
    hub = section.string("hubVnetId", None, pattern=VNET_ID, rule=_VNET_RULE)
    remote_gateways = section.boolean("hubUseRemoteGateways", False)
    zones = _zone_ids(section)
    section.finish()
    regions = [r for r in (primary, partner) if r is not None]
    _check_no_overlap(regions)
    if hub is not None and not all(r.created for r in regions):
        raise section.fail(
            "hubVnetId",
            hub,
            "peering is made from the VNets this stack creates; with existingSubnets the spoke's owner peers it "
            "to the hub: remove hubVnetId",
        )
    if remote_gateways and hub is None:
        raise section.fail(
            "hubUseRemoteGateways",
            True,
            f"only used with {section.key('hubVnetId')} (the hub whose VPN or ExpressRoute gateway the peering "
            "uses): set hubVnetId or remove it",
        )
    return NetworkSettings(mode, allow_public, primary, partner, hub, zones, remote_gateways)


_VNET_RULE = (
    "a virtual network resource id: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/"
    "Microsoft.Network/virtualNetworks/<name>"
)
_SUBNET_RULE = _VNET_RULE.replace("a virtual network", "a subnet") + "/subnets/<subnet>"


def _region(parent: Section, name: str, location: str, *, required_roles: tuple[str, ...], what: str) -> RegionNetwork:
    if not parent.has(name):
        raise SettingsError(
            f"setting {parent.key(name)} = (not set): required in private mode: the network of {location} ({what}), "
            "either addressSpace + subnets (a VNet this stack creates) or existingSubnets + location (a spoke's "
            "subnets)"
        )
    section = parent.section(name)
    created = section.has("addressSpace") or section.has("subnets")
    existing = section.has("existingSubnets")
    if created and existing:
        raise section.fail(
            "existingSubnets",
            section.raw("existingSubnets"),
            "give either addressSpace + subnets (a created VNet) or existingSubnets, not both",
        )
    if existing:
        region = _existing(section, location, required_roles, what)
    else:
        region = _created(section, location, required_roles)
    section.finish()
    return region


def _created(section: Section, location: str, required_roles: tuple[str, ...]) -> RegionNetwork:
    space_rule = f"IPv4 CIDR ranges from /{_WIDEST_SPACE} to /29 (e.g. 10.20.0.0/22), no two overlapping"
    spaces = section.items("addressSpace", lambda e, k: _cidr(e, k, _WIDEST_SPACE, space_rule), space_rule)
    if not spaces:
        shown = describe(spaces) if section.has("addressSpace") else "(not set)"
        raise SettingsError(
            f"setting {section.key('addressSpace')} = {shown}: required for a created VNet: {space_rule}"
        )
    subnets = section.section("subnets")
    prefixes = []
    for role in SUBNET_ROLES:
        smallest = SMALLEST_PREFIX[role]
        rule = f"an IPv4 CIDR range inside addressSpace, /{smallest} or larger"
        if role == "appIntegration":
            rule += " (App Service needs a /28; Learn recommends a /26 for scale-out)"
        raw = subnets.raw(role)
        if raw is None:
            if role in required_roles:
                raise SettingsError(f"setting {subnets.key(role)} = (not set): required: {rule}")
            continue
        cidr = _cidr(raw, subnets.key(role), 0, rule)
        network = ipaddress.IPv4Network(cidr)
        if network.prefixlen > smallest:
            raise subnets.fail(role, raw, f"too small: must be {rule}")
        if not any(network.subnet_of(ipaddress.IPv4Network(s)) for s in spaces):
            raise subnets.fail(role, raw, f"outside the VNet's addressSpace {list(spaces)}: must be {rule}")
        prefixes.append((role, cidr))
    subnets.finish()
    _no_overlap([(subnets.key(role), cidr) for role, cidr in prefixes])
    dns = section.strings(
        "dnsServers",
        pattern=r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)",
        rule="IPv4 addresses of the DNS servers the VNet uses (e.g. the hub's Private DNS Resolver inbound endpoint)",
    )
    return RegionNetwork(section.path, location, spaces, tuple(prefixes), (), dns)


def _existing(section: Section, location: str, required_roles: tuple[str, ...], what: str) -> RegionNetwork:
    given = section.string("location", None, allowed=AZURE_REGIONS)
    if given is None:
        raise SettingsError(
            f"setting {section.key('location')} = (not set): required with existingSubnets: the region of the "
            f"subnets' VNet, which must be {location!r} ({what}); a private endpoint and its VNet share one region"
        )
    if given != location:
        raise section.fail(
            "location",
            given,
            f"must be {location!r} ({what}): a private endpoint is created in its subnet's region, and App Service "
            "VNet integration needs a VNet in the app's region",
        )
    subnets = section.section("existingSubnets")
    ids = []
    for role in SUBNET_ROLES:
        value = subnets.string(role, None, pattern=SUBNET_ID, rule=_SUBNET_RULE)
        if value is None:
            if role in required_roles:
                raise SettingsError(f"setting {subnets.key(role)} = (not set): required: {_SUBNET_RULE}")
            continue
        ids.append((role, value))
    subnets.finish()
    seen: dict[str, str] = {}
    for role, value in ids:
        if value.lower() in seen:
            raise subnets.fail(
                role,
                value,
                f"the same subnet as {subnets.key(seen[value.lower()])}: each job needs its own subnet "
                "(App Service and deployment scripts each take a delegated subnet of their own)",
            )
        seen[value.lower()] = role
    return RegionNetwork(section.path, location, (), (), tuple(ids), ())


def _zone_ids(section: Section) -> tuple[tuple[str, str], ...]:
    zones = section.mapping("dnsZoneIds")
    known = sorted(set(ZONE_NAMES))
    result = []
    for zone, zone_id in sorted(zones.items()):
        key = f"{section.key('dnsZoneIds')}.{zone}"
        if zone not in known:
            raise SettingsError(
                f"setting {key} = {describe(zone_id)}: {zone!r} is no private DNS zone this program uses; known zones: "
                + ", ".join(known)
            )
        if not isinstance(zone_id, str) or not re.fullmatch(_ZONE_ID + re.escape(zone), zone_id):
            raise SettingsError(
                f"setting {key} = {describe(zone_id)}: must be the resource id of the private DNS zone {zone!r}: "
                "/subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Network/"
                f"privateDnsZones/{zone}"
            )
        result.append((zone, zone_id))
    return tuple(result)


def _cidr(entry: Any, key: str, widest: int, rule: str) -> str:
    try:
        network = ipaddress.IPv4Network(entry, strict=True)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {key} = {describe(entry)}: must be {rule}") from None
    if network.prefixlen < widest or network.prefixlen > 29:
        raise SettingsError(f"setting {key} = {describe(entry)}: must be {rule}")
    return str(network)


def _no_overlap(ranges: list[tuple[str, str]]) -> None:
    for i, (key, cidr) in enumerate(ranges):
        for other_key, other in ranges[:i]:
            if ipaddress.IPv4Network(cidr).overlaps(ipaddress.IPv4Network(other)):
                raise SettingsError(
                    f"setting {key} = {describe(cidr)}: overlaps {other_key} ({other}); address ranges must not overlap"
                )


def _check_no_overlap(regions: list[RegionNetwork]) -> None:
    """No two address ranges of the environment overlap, in one VNet or across VNets: peering refuses overlapping
    VNets, and a client routed to both (through a hub) could not tell them apart."""
    _no_overlap([(f"{r.key}.addressSpace[{i}]", s) for r in regions for i, s in enumerate(r.address_space)])

"""Firewall rules from the client ranges in settings: one (name, start, end) per range."""

from __future__ import annotations

import ipaddress
from typing import NamedTuple


class FirewallRange(NamedTuple):
    name: str
    start: str
    end: str


# Azure's own name and range for "allow Azure services": 0.0.0.0-0.0.0.0 is a marker, not a range.
AZURE_SERVICES = FirewallRange("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0")


def client_range(cidr: str, separator: str = "-") -> FirewallRange:
    """A validated CIDR or address (see `Section.ip_ranges`) as a rule. Redis names allow no hyphen,
    so it asks for `_` as separator."""
    network = ipaddress.IPv4Network(cidr)
    address = str(network.network_address).replace(".", separator)
    return FirewallRange(
        f"client{separator}{address}{separator}{network.prefixlen}",
        str(network.network_address),
        str(network.broadcast_address),
    )

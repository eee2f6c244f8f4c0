"""Typed, path-aware reading of raw stack config, with errors that name the key.

Raw values arrive as Pulumi hands them to the program: strings for scalars, JSON text for
objects and lists (or already-decoded values under the mocks). A `Section` reads one mapping,
remembers which keys it consumed and rejects the rest, so a typo never passes silently.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from infra.settings.errors import SettingsError

T = TypeVar("T")
# Ranges Azure firewalls reject (private, loopback, link-local, "this network", multicast and reserved).
_NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
    )
)
_WIDEST_PREFIX = 8  # nothing wider than a /8: a rule that spans the internet is no rule
# A GUID as Azure writes subscription, tenant and object ids: 8-4-4-4-12 hex digits, nothing looser.
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
SUBSCRIPTION_ID_PREFIX = r"/subscriptions/" + GUID  # how every resource id in settings begins
_MISSING: Any = object()
# What the offline plan hands the program for a `secure:` stack-file value it cannot decrypt
# (infra/offline/stack_files.py): a secret setting's checks skip it, the real value comes from the CLI.
OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-for-a-secret-value"


def describe(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


def decode(raw: Any) -> Any:
    """Pulumi passes structured config as JSON text; plain strings stay strings."""
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


class Section:
    """One mapping of settings at a dotted key path, e.g. `feathr-infra:keyVault`."""

    def __init__(self, path: str, values: Mapping[str, Any]):
        self.path = path
        self._values = dict(values)
        self._read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if not self.path.endswith(":") else f"{self.path}{name}"

    def fail(self, name: str, value: Any, allowed: str) -> SettingsError:
        shown = "(not set)" if value is _MISSING else describe(value)
        return SettingsError(f"setting {self.key(name)} = {shown}: {allowed}")

    def has(self, name: str) -> bool:
        return name in self._values

    def raw(self, name: str) -> Any:
        """The value as given (decoded, unchecked), e.g. to quote it in an error."""
        self._read.add(name)
        return decode(self._values.get(name))

    def _take(self, name: str, default: Any, allowed: str) -> Any:
        self._read.add(name)
        if name in self._values and self._values[name] is not None:
            return decode(self._values[name])
        if default is _MISSING:
            raise self.fail(name, _MISSING, f"required; {allowed}")
        return default

    def string(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        allowed: Collection[str] | None = None,
        pattern: str | None = None,
        rule: str = "a string",
    ) -> Any:
        if allowed is not None:
            rule = "one of " + ", ".join(sorted(allowed))
        value = self._take(name, default, rule)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            raise self.fail(name, value, f"must be {rule}")
        if allowed is not None and value not in allowed:
            raise self.fail(name, value, f"must be {rule}")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise self.fail(name, value, f"must be {rule}")
        return value

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int, maximum: int) -> Any:
        rule = f"an integer from {minimum} to {maximum}"
        value = self._take(name, default, rule)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.fail(name, value, f"must be {rule}")
        return value

    def number(self, name: str, default: Any = _MISSING, *, minimum: float, maximum: float) -> Any:
        """An int or decimal, e.g. serverless vCores."""
        rule = f"a number from {minimum:g} to {maximum:g}"
        value = self._take(name, default, rule)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self.fail(name, value, f"must be {rule}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= maximum:
            raise self.fail(name, value, f"must be {rule}")
        return float(value)

    def boolean(self, name: str, default: Any = _MISSING) -> Any:
        value = self._take(name, default, "true or false")
        if value is default and default is not _MISSING:
            return value
        if value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise self.fail(name, value, "must be true or false")
        return value

    def items(self, name: str, read: Callable[[Any, str], T], rule: str) -> tuple[T, ...]:
        """A list whose entries are checked one by one by `read(entry, key_of_entry)`."""
        value = self._take(name, [], rule)
        if not isinstance(value, list):
            raise self.fail(name, value, f"must be a list of {rule}")
        return tuple(read(entry, f"{self.key(name)}[{i}]") for i, entry in enumerate(value))

    def strings(self, name: str, *, pattern: str, rule: str) -> tuple[str, ...]:
        def read(entry: Any, key: str) -> str:
            if not isinstance(entry, str) or not re.fullmatch(pattern, entry):
                raise SettingsError(f"setting {key} = {describe(entry)}: must be {rule}")
            return entry

        return self.items(name, read, rule)

    def ip_ranges(self, name: str) -> tuple[str, ...]:
        """Public IPv4 addresses or CIDR ranges; never the whole address space."""
        rule = (
            f"public IPv4 addresses or CIDR ranges from /{_WIDEST_PREFIX} to /30 (e.g. 203.0.113.0/24), never 0.0.0.0/0"
        )

        def read(entry: Any, key: str) -> str:
            try:
                network = ipaddress.IPv4Network(entry, strict=True)
            except (TypeError, ValueError):
                raise SettingsError(f"setting {key} = {describe(entry)}: must be {rule}") from None
            # Azure storage rejects /31 rules (it wants the two addresses); /32 becomes the plain address.
            if (
                network.prefixlen < _WIDEST_PREFIX
                or network.prefixlen == 31
                or any(network.overlaps(n) for n in _NOT_PUBLIC)
            ):
                raise SettingsError(f"setting {key} = {describe(entry)}: must be {rule}")
            return str(network) if network.prefixlen < 32 else str(network.network_address)

        ranges = self.items(name, read, rule)
        for later, cidr in enumerate(ranges):
            first = ranges.index(cidr)
            if first != later:
                # 203.0.113.7 and 203.0.113.7/32 are one range: one firewall rule name, which Pulumi refuses twice.
                raise SettingsError(
                    f"setting {self.key(name)}[{later}] = {describe(self._values[name][later])}: the same range as "
                    f"{self.key(name)}[{first}] ({describe(cidr)}); list each range once"
                )
        return ranges

    def secret_given(self, name: str) -> bool:
        """Whether a secret setting is set. Its value is read by the program as a Pulumi secret,
        never here, so no message can ever echo it."""
        self._read.add(name)
        return bool(self._values.get(name))

    def section(self, name: str) -> Section:
        value = self._take(name, {}, "a mapping")
        if not isinstance(value, Mapping):
            raise self.fail(name, value, "must be a mapping of settings")
        return Section(self.key(name), value)

    def mapping(self, name: str) -> dict[str, Any]:
        value = self._take(name, {}, "a mapping")
        if not isinstance(value, Mapping):
            raise self.fail(name, value, "must be a mapping")
        return dict(value)

    def finish(self) -> None:
        """Reject every key nobody read: a typo must not silently fall back to a default."""
        unknown = sorted(set(self._values) - self._read)
        if unknown:
            known = ", ".join(sorted(self._read)) or "(none)"
            raise SettingsError(f"setting {self.key(unknown[0])} is not a known setting; known keys here: {known}")

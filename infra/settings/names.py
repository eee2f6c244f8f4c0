"""Name overrides: any generated name may be replaced, but only by one Azure accepts."""

from __future__ import annotations

from types import MappingProxyType

from infra.naming import NAMED_RESOURCES, RULES
from infra.settings.errors import SettingsError
from infra.settings.reader import Section, describe


def parse_name_overrides(section: Section) -> MappingProxyType[str, str]:
    overrides = {}
    for name_key in NAMED_RESOURCES:
        value = section.string(name_key, None)
        if value is None:
            continue
        kind, _ = NAMED_RESOURCES[name_key]
        problems = RULES[kind].problems(value)
        if problems:
            raise SettingsError(
                f"setting {section.key(name_key)} = {describe(value)}: not a valid {kind.replace('_', ' ')} name: "
                + "; ".join(problems)
            )
        overrides[name_key] = value
    section.finish()
    return MappingProxyType(overrides)

"""make diff A=dev B=prod: what differs between two stacks, side by side.

    python -m infra.offline.diff <stack-a> <stack-b>

Settings as the program sees them (every key after its default), then resources by type and logical
name (the URN without the stack): those only one stack builds, and, for those both build, the key
properties (SKU, capacity, region, redundancy, network exposure, protection) that differ.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping
from typing import Any

from infra.offline.mocks import REDACTED, RecordedResource
from infra.offline.runner import ProgramRun, read_stack, run_program
from infra.offline.stack_files import StackFileError
from infra.settings import Settings, SettingsError, load_settings

# Inputs compared for resources both stacks build (wire names; nested ones as dotted paths).
KEY_PROPERTIES = (
    "location",
    "sku",
    "kind",
    "zones",
    "zoneRedundant",
    "highAvailability",
    "nodeSize",
    "nodeCount",
    "autoScale",
    "autoPause",
    "autoPauseDelay",
    "minCapacity",
    "maxSizeBytes",
    "requestedBackupStorageRedundancy",
    "createMode",
    "secondaryType",
    "retentionDays",
    "publicNetworkAccess",
    "minimumTlsVersion",
    "minimalTlsVersion",
    "allowSharedKeyAccess",
    "isHnsEnabled",
    "level",
    "properties.sku",
    "properties.enablePurgeProtection",
    "properties.softDeleteRetentionInDays",
    "siteConfig.alwaysOn",
)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Settings dataclasses as dotted keys (tuples of dataclasses by index)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            out.update(flatten(getattr(value, f.name), f"{prefix}{f.name}."))
        return out
    if isinstance(value, tuple) and value and all(dataclasses.is_dataclass(v) for v in value):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}{i}."))
        return out
    if isinstance(value, Mapping):
        return {prefix.rstrip("."): json.dumps(dict(value), sort_keys=True, default=str)}
    return {prefix.rstrip("."): value}


def settings_diff(a: Settings, b: Settings) -> list[tuple[str, Any, Any]]:
    skip = {"project", "stack"}
    fa = {k: v for k, v in flatten(a).items() if k.split(".")[0] not in skip}
    fb = {k: v for k, v in flatten(b).items() if k.split(".")[0] not in skip}
    missing = "(none)"
    return [
        (k, fa.get(k, missing), fb.get(k, missing))
        for k in sorted(fa.keys() | fb.keys())
        if fa.get(k, missing) != fb.get(k, missing)
    ]


def _keys(run: ProgramRun) -> dict[str, RecordedResource]:
    """Resources by URN without the stack (urn:pulumi:<stack>::<project>::<types>::<name>), with a stack's
    own physical names inside logical names (a secret named after its vault) put back to the logical name."""
    names = sorted(
        ((r.physical_name, r.logical_name) for r in run.resources if r.custom and len(r.physical_name) >= 8),
        key=lambda pair: -len(pair[0]),
    )
    keyed = {}
    for r in run.resources:
        if r.custom:
            key = r.urn.split("::", 2)[-1]
            for physical, logical in names:
                if physical != r.physical_name:
                    key = key.replace(physical, logical)
            keyed[key] = r
    return keyed


def _property(resource: RecordedResource, path: str) -> Any:
    value: Any = resource.redacted_inputs()
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


@dataclasses.dataclass
class ResourceDiff:
    only_a: list[RecordedResource]
    only_b: list[RecordedResource]
    changed: list[tuple[RecordedResource, list[tuple[str, Any, Any]]]]


def resources_diff(a: ProgramRun, b: ProgramRun) -> ResourceDiff:
    ra, rb = _keys(a), _keys(b)
    changed = []
    for key in sorted(ra.keys() & rb.keys()):
        props = [(p, _property(ra[key], p), _property(rb[key], p)) for p in KEY_PROPERTIES]
        props = [p for p in props if p[1] != p[2] and REDACTED not in (p[1], p[2])]
        if ra[key].protect != rb[key].protect:
            props.append(("protect", ra[key].protect, rb[key].protect))
        if props:
            changed.append((rb[key], props))
    return ResourceDiff(
        only_a=[ra[k] for k in sorted(ra.keys() - rb.keys())],
        only_b=[rb[k] for k in sorted(rb.keys() - ra.keys())],
        changed=changed,
    )


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 44 else text[:41] + "..."


def _name(r: RecordedResource) -> str:
    return f"{r.token.split(':', 1)[1]} {r.logical_name} ({r.physical_name})"


def render(a: str, b: str, settings: list[tuple[str, Any, Any]], resources: ResourceDiff) -> str:
    out = [f"{a} vs {b}", "", f"Settings that differ (effective, after defaults): {len(settings)}"]
    out.append(f"  {'key':<52} {a:<46} {b}")
    out += [f"  {k:<52} {_show(va):<46} {_show(vb)}" for k, va, vb in settings]
    out += ["", f"Resources only in {b}: {len(resources.only_b)}"]
    out += [f"  + {_name(r)}" for r in resources.only_b]
    out += ["", f"Resources only in {a}: {len(resources.only_a)}"]
    out += [f"  - {_name(r)}" for r in resources.only_a]
    out += ["", f"Resources in both whose key properties differ: {len(resources.changed)}"]
    for r, props in resources.changed:
        out.append(f"  ~ {r.token.split(':', 1)[1]} {r.logical_name}")
        out += [f"      {p:<34} {_show(va):<46} {_show(vb)}" for p, va, vb in props]
    return "\n".join(out)


def _settings(run: ProgramRun) -> Settings:
    found = read_stack(run.stack)
    return load_settings(found.values, run.project, run.stack, found.secret_keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    args = parser.parse_args(argv)
    try:
        run_a, run_b = run_program(args.a), run_program(args.b)
        print(render(args.a, args.b, settings_diff(_settings(run_a), _settings(run_b)), resources_diff(run_a, run_b)))
    except (StackFileError, SettingsError) as error:
        print(f"settings error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Offline plan: what a stack would create, without Azure credentials or the Pulumi CLI.

    python -m infra.offline.plan <stack> [--quiet] [--project-dir DIR] [--stack-file FILE]

Runs the real program under the mocks with the stack's real config (read as the Pulumi CLI reads
Pulumi.yaml and Pulumi.<stack>.yaml, from DIR, by default the repo), prints an inventory grouped
by component, and writes DIR/build/<stack>/plan.json (every resource with its inputs, secrets
redacted), DIR/build/<stack>/feathr_config.yaml once the program exports `feathrConfigYaml`, and the
environment picture drawn from the same run: environment.mmd (Mermaid) and environment.svg (Graphviz).
A stack file the CLI would refuse, a bad setting, or a registration the Pulumi engine would refuse
prints one message and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from infra.components.role_assignment import BUILT_IN_ROLES
from infra.offline.cost.estimate import estimate_stack_file, summary
from infra.offline.mocks import REDACTED, EngineRuleError, RecordedResource
from infra.offline.picture import RendererMissing, build_picture, to_mermaid, to_svg
from infra.offline.runner import REPO_ROOT, ProgramRun, run_program
from infra.offline.stack_files import StackFileError
from infra.settings import SettingsError

# Inputs worth a glance in the inventory, when a resource has them (wire names).
_HIGHLIGHTS = (
    "location",
    "sku",
    "kind",
    "minimumTlsVersion",
    "minimalTlsVersion",
    "publicNetworkAccess",
    "isHnsEnabled",
    "allowBlobPublicAccess",
    "allowSharedKeyAccess",
    "httpsOnly",
    "zones",
    "highAvailability",
    "clusteringPolicy",
    "clientProtocol",
    "createMode",
    "secondaryType",
    "requestedBackupStorageRedundancy",
    "retentionDays",
    "retentionInDays",
    "sparkVersion",
    "nodeSize",
    "level",
    "principalType",
    "startIpAddress",
    "endIpAddress",
)


def plan_document(run: ProgramRun) -> dict[str, Any]:
    return {
        "project": run.project,
        "stack": run.stack,
        "resources": [
            {
                "type": r.token,
                "logicalName": r.logical_name,
                "physicalName": r.physical_name if r.custom else None,
                "id": r.arm_id or None,
                "parent": r.parent_urn.rsplit("::", 1)[-1] if r.parent_urn else None,
                "protect": r.protect,
                "inputs": r.redacted_inputs(),
            }
            # Registration order depends on thread scheduling; the URN order does not, so two plans of one
            # stack compare byte for byte.
            for r in sorted(run.resources, key=lambda r: (r.urn, r.token, r.logical_name))
        ],
        "outputs": {key: (REDACTED if out.secret else out.value) for key, out in run.outputs.items()},
    }


def _role_summary(resource: RecordedResource) -> list[str]:
    """Role assignments read better by role name and the resource they are scoped to."""
    guid = str(resource.inputs.get("roleDefinitionId", "")).rsplit("/", 1)[-1]
    role = next((name for name, known in BUILT_IN_ROLES.items() if known == guid), guid)
    return [f"role={role}", f"scope={str(resource.inputs.get('scope', '')).rsplit('/', 1)[-1]}"]


def _diagnostic_summary(resource: RecordedResource) -> list[str]:
    """A diagnostic setting reads best as what it watches and what it sends (to the workspace)."""
    logs = [str(x.get("category") or x.get("categoryGroup")) for x in resource.inputs.get("logs") or []]
    metrics = [str(x.get("category")) for x in resource.inputs.get("metrics") or []]
    path = str(resource.inputs.get("resourceUri", "")).split("/")
    # A child named "default" (blob service, Redis database) reads better with its parent: <parent>/<type>/default.
    parts = [f"target={'/'.join(path[-3:]) if path[-1] == 'default' else path[-1]}"]
    parts += [f"logs={'+'.join(logs)}"] if logs else []
    parts += [f"metrics={'+'.join(metrics)}"] if metrics else []
    return parts


def _network_summary(resource: RecordedResource) -> list[str]:
    """The network part at a glance: address plan, subnets with their delegation, what an endpoint exposes."""
    i = resource.inputs
    if resource.token == "azure-native:network:VirtualNetwork":
        parts = [f"addressSpace={','.join((i.get('addressSpace') or {}).get('addressPrefixes') or [])}"]
        for subnet in i.get("subnets") or []:
            delegated = [d.get("serviceName") for d in subnet.get("delegations") or []]
            parts.append(
                f"{subnet.get('name')}={subnet.get('addressPrefix')}" + (f"->{delegated[0]}" if delegated else "")
            )
        return parts
    if resource.token == "azure-native:network:PrivateEndpoint":
        connections = i.get("privateLinkServiceConnections") or [{}]
        target = str(connections[0].get("privateLinkServiceId", "")).rsplit("/", 1)[-1]
        subnet = str((i.get("subnet") or {}).get("id", "")).rsplit("/virtualNetworks/", 1)[-1]
        return [f"target={target}", f"groupIds={','.join(connections[0].get('groupIds') or [])}", f"subnet={subnet}"]
    if resource.token == "azure-native:network:PrivateDnsZoneGroup":
        zones = [str(c.get("privateDnsZoneId", "")).rsplit("/", 1)[-1] for c in i.get("privateDnsZoneConfigs") or []]
        return [f"endpoint={i.get('privateEndpointName')}", f"zones={','.join(zones)}"]
    if resource.token == "azure-native:network:VirtualNetworkPeering":
        return [f"remote={str((i.get('remoteVirtualNetwork') or {}).get('id', '')).rsplit('/', 1)[-1]}"]
    if resource.token == "azure-native:privatedns:VirtualNetworkLink":
        return [
            f"zone={i.get('privateZoneName')}",
            f"vnet={str((i.get('virtualNetwork') or {}).get('id', '')).rsplit('/', 1)[-1]}",
        ]
    return []


def _summary(resource: RecordedResource) -> str:
    parts = _role_summary(resource) if resource.token == "azure-native:authorization:RoleAssignment" else []
    if resource.token == "azure-native:monitor:DiagnosticSetting":
        parts = _diagnostic_summary(resource)
    parts += _network_summary(resource)
    for key in _HIGHLIGHTS:
        if key in resource.secret_inputs or key not in resource.inputs:
            continue
        value = resource.inputs[key]
        if isinstance(value, dict) and "name" in value:
            value = value["name"]
        parts.append(f"{key}={json.dumps(value) if not isinstance(value, str) else value}")
    properties = resource.inputs.get("properties")
    if isinstance(properties, dict) and "properties" not in resource.secret_inputs:
        parts += [
            f"{k}={properties[k]}"
            for k in ("enableRbacAuthorization", "enablePurgeProtection", "publicNetworkAccess")
            if k in properties
        ]
        acls = properties.get("networkAcls")
        if isinstance(acls, dict) and "defaultAction" in acls:
            parts.append(f"networkDefaultAction={acls['defaultAction']}")
    if resource.protect:
        parts.append("protected")
    return ", ".join(parts)


def inventory(run: ProgramRun) -> str:
    by_urn = {r.urn: r for r in run.resources}

    def top_component(resource: RecordedResource) -> str:
        while resource.parent_urn in by_urn:
            parent = by_urn[resource.parent_urn]
            if parent.parent_urn not in by_urn:
                return f"{parent.token} {parent.logical_name}"
            resource = parent
        return "(stack)"

    groups: dict[str, list[RecordedResource]] = defaultdict(list)
    for r in run.resources:
        if r.custom:
            groups[top_component(r)].append(r)
    lines = [f"Offline plan for stack '{run.stack}': {sum(len(g) for g in groups.values())} Azure resources"]
    for component, members in groups.items():
        lines.append(f"\n{component}")
        for r in members:
            short_type = r.token.split(":", 1)[-1]
            lines.append(f"  {short_type:<48} {r.physical_name:<40} {_summary(r)}")
    lines.append("\nOutputs")
    for key, out in run.outputs.items():
        shown = REDACTED if out.secret else out.value
        if isinstance(shown, str) and "\n" in shown:
            shown = f"({len(shown.splitlines())} lines, see build/{run.stack}/)"
        lines.append(f"  {key:<28} {shown}")
    return "\n".join(lines)


def write_plan(run: ProgramRun, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "plan.json"]
    written[0].write_text(json.dumps(plan_document(run), indent=2, sort_keys=True, default=str) + "\n")
    config = run.outputs.get("feathrConfigYaml")
    if config is not None and not config.secret:
        path = out_dir / "feathr_config.yaml"
        path.write_text(config.value)
        written.append(path)
    picture = build_picture(run.stack, run.resources)
    written.append(out_dir / "environment.mmd")
    written[-1].write_text(to_mermaid(picture))
    written.append(out_dir / "environment.svg")
    written[-1].write_text(to_svg(picture))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack")
    parser.add_argument("--quiet", action="store_true", help="only print where the plan was written")
    parser.add_argument("--project-dir", type=Path, help="where Pulumi.yaml and the stack file are (default: the repo)")
    parser.add_argument("--stack-file", type=Path, help="the stack file (default: <project-dir>/Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    project_dir = args.project_dir or REPO_ROOT
    stack_file = args.stack_file or project_dir / f"Pulumi.{args.stack}.yaml"
    if not stack_file.exists():
        print(f"no stack file {stack_file.name} in {stack_file.parent}", file=sys.stderr)
        return 2
    try:
        run = run_program(args.stack, project_dir=project_dir, stack_file=stack_file)
    except StackFileError as error:
        print(f"stack file error: {error}", file=sys.stderr)
        return 1
    except SettingsError as error:
        print(f"settings error: {error}", file=sys.stderr)
        return 1
    except EngineRuleError as error:
        print(f"the Pulumi engine would refuse this program: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(inventory(run))
        if project_dir == REPO_ROOT and stack_file == REPO_ROOT / f"Pulumi.{args.stack}.yaml":
            print("\n" + summary(estimate_stack_file(run)))
    try:
        written = write_plan(run, project_dir / "build" / args.stack)
    except RendererMissing as error:
        print(f"cannot draw build/{args.stack}/environment.svg: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(project_dir) if path.is_relative_to(project_dir) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Access control: the role matrix applied to this environment's resources.

ARM role assignments for every Azure-plane grant (deterministic names, explicit principal type,
scope = the narrowest resource the grant is about). Synapse RBAC is applied during `pulumi up` by
the deploying identity: as the workspace's creator it is made Synapse Administrator, so it can
assign Synapse roles before any grant exists (Azure Owners of the workspace can too: Learn
synapse-workspace-synapse-rbac-roles; the program does not rely on that). Registry roles are seeded
by the registry's own bootstrap (see __main__).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
from pulumi_command import local

from infra.access.expand import Assignment
from infra.components.role_assignment import grant

SYNAPSE_SCRIPT = Path(__file__).with_name("synapse_roles.sh")


@dataclass(frozen=True)
class SynapseDataPlane:
    """Where Synapse roles go, and who keeps theirs whatever the table says (the deploying
    identity, which applies them, and the workspace's own identity)."""

    workspace_name: pulumi.Input[str]
    keep_object_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class AccessControlArgs:
    assignments: tuple[Assignment, ...]
    # target (see infra/access/matrix.py) -> the resource ids it covers; a missing target (e.g. a
    # shared Spark workspace owned by another stack) gets no grants here.
    # (a key that names the resource within its target, e.g. the secret name, or "" when the target is
    # one resource) -> its id. Keys keep logical names stable when a target gains resources.
    scopes: Mapping[str, Mapping[str, pulumi.Input[str]]]
    subscription_id: pulumi.Input[str]
    synapse: SynapseDataPlane | None = None
    depends_on: tuple[pulumi.Resource, ...] = field(default=())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def synapse_assignment_lines(assignments: Sequence[Assignment]) -> str:
    rows = sorted(
        {
            (a.grant.role, a.principal.object_id, a.principal.principal_type)
            for a in assignments
            if a.grant.plane == "synapse"
        }
    )
    return "\n".join("|".join(row) for row in rows)


class AccessControl(pulumi.ComponentResource):
    def __init__(self, name: str, args: AccessControlArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:access:AccessControl", name, None, opts)
        self.role_assignments = []
        for assignment in args.assignments:
            if assignment.grant.plane != "azure":
                continue
            scopes = args.scopes.get(assignment.grant.target, {})
            for scope_key, scope in scopes.items():
                suffix = f"-{_slug(scope_key)}" if scope_key else ""
                logical = (
                    f"{name}-{_slug(assignment.grant.target)}{suffix}-{_slug(assignment.grant.role)}-"
                    f"{assignment.principal.object_id}"
                )
                self.role_assignments.append(
                    grant(
                        logical,
                        role=assignment.grant.role,
                        scope=scope,
                        principal_id=assignment.principal.object_id,
                        principal_type=assignment.principal.principal_type,
                        subscription_id=args.subscription_id,
                        parent=self,
                        description=f"Feathr access table: {assignment.via}",
                    )
                )
        self.synapse_script = self._synapse_roles(name, args)
        self.register_outputs({"role_assignment_count": len(self.role_assignments)})

    def _synapse_roles(self, name: str, args: AccessControlArgs) -> local.Command | None:
        if args.synapse is None:
            return None
        lines = synapse_assignment_lines(args.assignments)  # may be empty: then it only revokes
        script = SYNAPSE_SCRIPT.read_text()
        keep = pulumi.Output.all(*args.synapse.keep_object_ids).apply(lambda ids: "\n".join(sorted(ids)))
        return local.Command(
            f"{name}-synapse-roles",
            create=script,
            update=script,
            interpreter=["/bin/bash", "-c"],
            environment={"WORKSPACE": args.synapse.workspace_name, "ASSIGNMENTS": lines, "KEEP_OBJECT_IDS": keep},
            # Re-run exactly when the table's Synapse rows or the script change; it is idempotent anyway.
            triggers=[hashlib.sha256((script + lines).encode()).hexdigest()],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )

"""Expand the access settings through the role matrix into concrete, de-duplicated assignments."""

from __future__ import annotations

from dataclasses import dataclass

from infra.access.matrix import PROJECT_ROLE_OF, REGISTRY, Grant, grants_for
from infra.settings.access import AccessSettings, Principal


@dataclass(frozen=True)
class Assignment:
    principal: Principal
    grant: Grant
    scope: str  # "global" or a Feathr project name (registry grants only)
    via: str  # the setting that led here, for the access table

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.grant.plane, self.grant.target, self.grant.role, self.principal.object_id, self.scope)


def expand(access: AccessSettings, spark_runtime: str, spark_dedicated: bool) -> tuple[Assignment, ...]:
    """Every grant the settings imply. Spark grants only when this stack owns its Spark workspace
    (a shared workspace's access belongs to the stack that created it)."""
    found: dict[tuple[str, str, str, str, str], Assignment] = {}

    def add(principal: Principal, grant: Grant, scope: str, via: str) -> None:
        if grant.target == "spark" and not spark_dedicated:
            return
        if grant.plane == "registry" and principal.azure_only:
            return  # a group: the registry accepts none (settings required azureOnly for it)
        assignment = Assignment(principal, grant, scope if grant.target == REGISTRY else "global", via)
        found.setdefault(assignment.key, assignment)

    for role, principals in access.by_role().items():
        for principal in principals:
            for grant in grants_for(role, spark_runtime):
                add(principal, grant, "global", principal.setting_key)
    for project in access.projects:
        for role, principals in (("producers", project.producers), ("consumers", project.consumers)):
            for principal in principals:
                for grant in grants_for(PROJECT_ROLE_OF[role], spark_runtime):
                    add(principal, grant, project.project, principal.setting_key)
    return tuple(found.values())


def registry_roles(assignments: tuple[Assignment, ...]) -> tuple[tuple[str, str, str], ...]:
    """(scope, user name, role) rows for the registry's userroles table, values lowercase."""
    return tuple(
        sorted(
            {
                (a.scope.lower(), a.principal.registry_user_name, a.grant.role.lower())
                for a in assignments
                if a.grant.plane == "registry"
            }
        )
    )

"""Who may do what in this environment: principals listed under roles, globally and per project."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra.settings.errors import SettingsError
from infra.settings.reader import GUID, Section, describe

ROLES = ("admins", "producers", "consumers")
PROJECT_ROLES = ("producers", "consumers")
PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal")
# A UPN / e-mail as Feathr's RBAC sees it (the token's preferred_username).
_UPN = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
REGISTRY_NAME_MAX = 50  # userroles.user_name is varchar(50)
# Feathr's registry stores project names in varchar(50); keep them simple identifiers. Its RBAC
# finds a feature's project as qualified_name.split("__")[0], the qualified name being
# "<project>__<name>" (access_control/rbac/access.py, sql-registry/registry/db_registry.py): a
# project name holding "__" or ending in "_" would be checked against another project's roles.
_PROJECT = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
PROJECT_NAME_MAX = 50
PROJECT_RULE = (
    f"1-{PROJECT_NAME_MAX} lowercase letters, digits or single '_' between them, starting with a letter "
    "(no '__' and no trailing '_': Feathr splits a feature's qualified name on '__' to find its project)"
)


@dataclass(frozen=True)
class Principal:
    object_id: str  # Entra object id: what Azure role assignments name
    principal_type: str  # User | Group | ServicePrincipal
    name: str  # UPN (users) or application id (service principals): what the registry knows
    azure_only: bool  # a group: Azure roles only, the registry accepts no groups
    setting_key: str  # where it was listed, for messages

    @property
    def registry_user_name(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class ProjectAccess:
    project: str
    producers: tuple[Principal, ...]
    consumers: tuple[Principal, ...]


@dataclass(frozen=True)
class AccessSettings:
    admins: tuple[Principal, ...]
    producers: tuple[Principal, ...]
    consumers: tuple[Principal, ...]
    projects: tuple[ProjectAccess, ...]

    def by_role(self) -> dict[str, tuple[Principal, ...]]:
        return {"admins": self.admins, "producers": self.producers, "consumers": self.consumers}


def _principal(entry: Any, key: str, registry_role: bool) -> Principal:
    if not isinstance(entry, dict):
        raise SettingsError(f"setting {key} = {describe(entry)}: must be a mapping with objectId, type and name")
    section = Section(key, entry)
    object_id = section.string("objectId", pattern=GUID, rule="an Entra object id (GUID)")
    principal_type = section.string("type", allowed=PRINCIPAL_TYPES)
    azure_only = section.boolean("azureOnly", principal_type == "Group" and not registry_role)
    name = section.string("name", "", rule="the UPN of a user or the application id of a service principal")
    section.finish()

    if principal_type == "Group" and not (azure_only and not registry_role):
        where = (
            "project roles exist only in the registry"
            if registry_role
            else "set azureOnly: true to grant it Azure roles only"
        )
        raise SettingsError(
            f"setting {key}.type = 'Group': the Feathr registry accepts no groups; list its users or service "
            f"principals here instead ({where})"
        )
    if principal_type == "User" and not re.fullmatch(_UPN, name):
        raise section.fail("name", name, "a user's UPN (e.g. alice@contoso.com): the registry identifies users by it")
    if principal_type == "ServicePrincipal" and not re.fullmatch(GUID, name):
        raise section.fail(
            "name", name, "a service principal's application (client) id: the registry identifies apps by it"
        )
    if not azure_only and len(name) > REGISTRY_NAME_MAX:
        raise section.fail(
            "name", name, f"at most {REGISTRY_NAME_MAX} characters: the registry stores user names in varchar(50)"
        )
    if azure_only and registry_role:
        raise section.fail("azureOnly", True, "not allowed in project roles, which exist only in the registry")
    return Principal(object_id.lower(), principal_type, name, azure_only, key)


def parse_access(section: Section) -> AccessSettings:
    lists = {
        role: section.items(role, lambda e, k: _principal(e, k, registry_role=False), "principals") for role in ROLES
    }
    projects = []
    for project, value in section.mapping("projects").items():
        key = section.key(f"projects.{project}")
        if not (re.fullmatch(_PROJECT, project) and len(project) <= PROJECT_NAME_MAX):
            raise SettingsError(f"setting {key}: project name {describe(project)} must be {PROJECT_RULE}")
        if not isinstance(value, dict):
            raise SettingsError(f"setting {key} = {describe(value)}: must be a mapping with producers and consumers")
        project_section = Section(key, value)
        members = {
            role: project_section.items(role, lambda e, k: _principal(e, k, registry_role=True), "principals")
            for role in PROJECT_ROLES
        }
        project_section.finish()
        projects.append(ProjectAccess(project, members["producers"], members["consumers"]))
    section.finish()

    settings = AccessSettings(lists["admins"], lists["producers"], lists["consumers"], tuple(projects))
    _reject_one_principal_in_two_global_roles(settings)
    return settings


def _reject_one_principal_in_two_global_roles(settings: AccessSettings) -> None:
    seen: dict[str, Principal] = {}
    for principals in settings.by_role().values():
        for principal in principals:
            first = seen.setdefault(principal.object_id, principal)
            if first is not principal:
                raise SettingsError(
                    f"setting {principal.setting_key}.objectId = {describe(principal.object_id)}: already listed at "
                    f"{first.setting_key}; list each principal under one global role (the highest it needs)"
                )

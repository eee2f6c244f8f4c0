"""Built-in role definitions: one table (role_assignment.BUILT_IN_ROLES), checked against Microsoft's list.

The reference is `tests/reference/azure-built-in-roles.json`, an extract (name -> role definition
GUID) of the project's snapshot of Microsoft's documentation source
(MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/*.md, commits inside).
It is committed so CI, which checks out this repository alone, can run these tests.
"""

import json
import re
from pathlib import Path

import pytest

from infra.access.matrix import ROLE_MATRIX
from infra.components.role_assignment import BUILT_IN_ROLES
from tests.support import config_merged, databricks_ready, run

REFERENCE = Path(__file__).parent / "reference" / "azure-built-in-roles.json"
# `../shared/reference/` next to the repository (one level further up from a git worktree), if present.
_SHARED = [p / "shared" / "reference" / "azure-built-in-roles.json" for p in Path(__file__).resolve().parents[2:4]]
SHARED_SNAPSHOT = next((p for p in _SHARED if p.exists()), _SHARED[0])
SNAPSHOT: dict[str, str] = json.loads(REFERENCE.read_text())["roles"]
ROLE_BY_GUID = {guid: name for name, guid in SNAPSHOT.items()}
ASSIGNMENT = "azure-native:authorization:RoleAssignment"

# Assignments made for a service identity (not from the access table), by logical name: the role each must be.
SERVICE_GRANTS = {
    "online-store-persistence-storage": "Storage Blob Data Contributor",
    "registry-api-acr-pull": "AcrPull",  # the registry app pulls its image from the stack's ACR
    "registry-api-key-vault-secrets-user": "Key Vault Secrets User",
    # prod's standby registry app (registryApi.standby): the same two grants for its own identity
    "registry-standby-api-acr-pull": "AcrPull",
    "registry-standby-api-key-vault-secrets-user": "Key Vault Secrets User",
    "registry-purview-admin-user-access-administrator": "User Access Administrator",
    # network.mode private: the deployment scripts' identities on the script storage account (their file share)
    "registry-sql-schema-script-storage": "Storage File Data Privileged Contributor",
    "registry-api-purview-data-curator-script-storage": "Storage File Data Privileged Contributor",
    "spark-offline-store-data-contributor": "Storage Blob Data Contributor",
}


def test_the_snapshot_is_the_full_list():
    # Microsoft documents several hundred built-in roles; a truncated extract would make the checks weak.
    assert len(SNAPSHOT) > 400
    assert SNAPSHOT["Owner"] == "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


@pytest.mark.skipif(not SHARED_SNAPSHOT.exists(), reason="the shared snapshot is outside this checkout")
def test_the_extract_matches_the_shared_snapshot():
    shared = json.loads(SHARED_SNAPSHOT.read_text())
    assert SNAPSHOT == {name: role["id"] for name, role in shared["roles"].items()}
    assert json.loads(REFERENCE.read_text())["commits"] == shared["commits"]


@pytest.mark.parametrize("name", sorted(BUILT_IN_ROLES))
def test_each_role_of_the_table_has_microsofts_guid(name):
    assert name in SNAPSHOT, f"{name!r} is not an Azure built-in role name"
    assert BUILT_IN_ROLES[name] == SNAPSHOT[name]


def test_user_access_administrator_guid():
    # upstream-facts A1: the table had ...-7773c4a72d9d, which makes every Purview deployment fail
    assert BUILT_IN_ROLES["User Access Administrator"] == "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"


def test_every_azure_role_of_the_access_matrix_is_in_the_table_and_the_snapshot():
    roles = {g.role for grants in ROLE_MATRIX.values() for g in grants if g.plane == "azure"}
    assert roles == {
        "Storage Blob Data Owner",
        "Storage Blob Data Contributor",
        "Storage Blob Data Reader",
        "Key Vault Administrator",
        "Key Vault Secrets User",
        "Contributor",
        "Reader",
    }
    for role in roles:
        assert BUILT_IN_ROLES[role] == SNAPSHOT[role]


def _purview():
    from tests.test_purview import purview_config

    return run("dev", purview_config("dev"))


def _legacy_with_persistence():
    from tests.test_online_store import STORAGE_ID, legacy

    return legacy("prod", persistence="rdb", rdbFrequency="6h", persistenceStorageAccountId=STORAGE_ID)


# Every stack, and the variants that add grants of their own (same configs as their own tests: cached runs).
VARIANTS = {
    "dev": lambda: run("dev"),
    "prod": lambda: run("prod"),
    "dev-purview": _purview,
    "prod-databricks": lambda: run(
        "prod", databricks_ready(config_merged("prod", "spark", runtime="databricks", synapse={}))
    ),
    "prod-cache-for-redis-persistence": _legacy_with_persistence,
}
# The roles each variant assigns (an unexpected role, or a GUID naming another role, changes the set).
ROLES_BY_VARIANT = {
    "dev": {
        "Contributor",
        "Key Vault Administrator",
        "Key Vault Secrets User",
        "Reader",
        "Storage Blob Data Contributor",
        "Storage Blob Data Owner",
        "Storage Blob Data Reader",
    },
}
# Production-like stacks pull the registry image from an ACR (registryApi.acrResourceId): AcrPull.
# Private ones (network.mode) add the schema bootstrap identity's file-share role on the script storage.
for _variant in ("prod", "prod-databricks", "prod-cache-for-redis-persistence"):
    ROLES_BY_VARIANT[_variant] = ROLES_BY_VARIANT["dev"] | {"AcrPull", "Storage File Data Privileged Contributor"}
# prod-databricks runs public (tests/support.py databricks_ready: the documented production opt-out).
ROLES_BY_VARIANT["prod-databricks"] = ROLES_BY_VARIANT["dev"] | {"AcrPull"}
ROLES_BY_VARIANT["dev-purview"] = ROLES_BY_VARIANT["dev"] | {"User Access Administrator"}


def _slug(role: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", role.lower()).strip("-")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_recorded_role_assignment_names_a_snapshot_role_it_means(variant):
    result = VARIANTS[variant]()
    assignments = result.of_type(ASSIGNMENT)
    assert assignments
    assigned = set()
    for assignment in assignments:
        definition = assignment.inputs["roleDefinitionId"]
        assert re.fullmatch(
            r"/subscriptions/[0-9a-f-]{36}/providers/Microsoft\.Authorization/roleDefinitions/[0-9a-f-]{36}", definition
        )
        guid = definition.rsplit("/", 1)[-1]
        assert guid in ROLE_BY_GUID, f"{assignment.logical_name}: {guid} is no built-in role"
        role = ROLE_BY_GUID[guid]
        if assignment.parent_urn.endswith("feathr:access:AccessControl::access"):
            # access-table assignments carry the role in their logical name: the GUID must be that role's
            assert f"-{_slug(role)}-" in assignment.logical_name, (assignment.logical_name, role)
        else:
            assert SERVICE_GRANTS[assignment.logical_name] == role, assignment.logical_name
        assigned.add(role)
    assert assigned == ROLES_BY_VARIANT[variant]

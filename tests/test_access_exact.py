"""The exact grants of every stack variant, written out here (not derived from infra/access/matrix.py):
an extra grant, a wider role or a wider scope fails as surely as a missing one.

Principals are the object ids of Pulumi.<stack>.yaml (named below), or `identity:<resource>` for a
managed identity this program creates; scopes are the logical names of the resources granted on.
"""

import base64
import re

import pytest

from tests.variants import run_variant

ADMIN = "9e1f3a5c-6b8d-4e0f-a2c4-1d3f5b7d9e57"  # feature-platform-admin@contoso.com (User)
PIPELINE = "2b8e4f1c-7a3d-4c59-b6e2-9d1f0a3c5e71"  # release pipeline (ServicePrincipal)
DANA = "8c2d6a4e-1f3b-4e7a-9c5d-0b2e4f6a8c13"  # dana.owner@contoso.com: producer (User)
SAM = "6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46"  # sam.analyst@contoso.com: consumer; in dev also fraud producer
SCIENTISTS = "4f6b8d0a-3c5e-4f7b-9d1a-6e8c0a2c4e35"  # dev: feathr-data-scientists, producers (Group)
READERS = "3e5a7c9b-2d4f-4a6b-8e1c-5f7a9b1d3e24"  # prod: feathr-prod-readers, consumers (Group)

SP, USER, GROUP = "ServicePrincipal", "User", "Group"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"

# Built-in role definition ids, from Microsoft Learn "Azure built-in roles"
# (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
ROLE_IDS = {
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "69566ab7-960f-475b-8e7c-b3118f30c6bd": "Storage File Data Privileged Contributor",
}
# Pulumi.prod.yaml registryApi.acrResourceId: the registry identity pulls the image from it.
PROD_ACR = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-shared"
    "/providers/Microsoft.ContainerRegistry/registries/contosofeathr"
)
ACR_PULL = ("identity:registry-api-identity", "ServicePrincipal", "AcrPull", PROD_ACR)
# prod's standby registry app (registryApi.standby): its own identity, the same two grants as the primary's
STANDBY = {
    ("identity:registry-standby-api-identity", "ServicePrincipal", "AcrPull", PROD_ACR),
    (
        "identity:registry-standby-api-identity",
        "ServicePrincipal",
        "Key Vault Secrets User",
        "contoso-prod-kv-78gz9l-feathr-registry-sql-connection-string",
    ),
}

DEV_KV, PROD_KV = "contoso-dev-kv-yk41aj", "contoso-prod-kv-78gz9l"


def _admins(principal, kind):
    return {
        (principal, kind, "Key Vault Administrator", "key-vault"),
        (principal, kind, "Storage Blob Data Owner", "offline-store"),
        (principal, kind, "Contributor", "online-store"),
        (principal, kind, "Contributor", "spark"),
    }


DEV = {
    *_admins(ADMIN, USER),
    *_admins(PIPELINE, SP),
    (SCIENTISTS, GROUP, "Storage Blob Data Contributor", "offline-store"),
    (SCIENTISTS, GROUP, "Key Vault Secrets User", f"{DEV_KV}-redis-password"),
    (SCIENTISTS, GROUP, "Reader", "spark"),
    (DANA, USER, "Storage Blob Data Contributor", "offline-store"),
    (DANA, USER, "Key Vault Secrets User", f"{DEV_KV}-redis-password"),
    (DANA, USER, "Reader", "spark"),
    # sam consumes everywhere and produces in project fraud: Azure data access is not per project
    (SAM, USER, "Storage Blob Data Reader", "offline-store"),
    (SAM, USER, "Storage Blob Data Contributor", "offline-store"),
    (SAM, USER, "Key Vault Secrets User", f"{DEV_KV}-redis-password"),
    (SAM, USER, "Reader", "spark"),
}
PROD = {
    *_admins(ADMIN, USER),
    *_admins(PIPELINE, SP),
    (DANA, USER, "Storage Blob Data Contributor", "offline-store"),
    (DANA, USER, "Key Vault Secrets User", f"{PROD_KV}-redis-password"),
    (DANA, USER, "Reader", "spark"),
    (READERS, GROUP, "Storage Blob Data Reader", "offline-store"),
    (READERS, GROUP, "Key Vault Secrets User", f"{PROD_KV}-redis-password"),
    (READERS, GROUP, "Reader", "spark"),
    (SAM, USER, "Storage Blob Data Reader", "offline-store"),
    (SAM, USER, "Key Vault Secrets User", f"{PROD_KV}-redis-password"),
    (SAM, USER, "Reader", "spark"),
}
SYNAPSE_IDENTITY = ("identity:spark", SP, "Storage Blob Data Contributor", "offline-store")


def _registry_identity(kv):
    return (
        "identity:registry-api-identity",
        SP,
        "Key Vault Secrets User",
        f"{kv}-feathr-registry-sql-connection-string",
    )


PURVIEW_ADMIN = ("identity:registry-purview-admin", SP, "User Access Administrator", "registry-purview")
# network.mode private (prod): each deployment script's identity holds its file share on the script storage.
_FILE_SHARE = "Storage File Data Privileged Contributor"
BOOTSTRAP_SCRIPT_STORAGE = ("identity:registry-sql-schema-identity", SP, _FILE_SHARE, "registry-script-storage")
CURATOR_SCRIPT_STORAGE = ("identity:registry-purview-admin", SP, _FILE_SHARE, "registry-script-storage")


def _account_key_readers(kv, *principals):
    return {
        (p, kind, "Key Vault Secrets User", f"{kv}-{secret}")
        for p, kind in principals
        for secret in ("adls-account", "adls-key")
    }


EXPECTED = {
    ("dev", "as deployed"): DEV | {SYNAPSE_IDENTITY, _registry_identity(DEV_KV)},
    ("dev", "legacy redis"): DEV | {SYNAPSE_IDENTITY, _registry_identity(DEV_KV)},
    # RBAC keeps its roles in SQL with the Purview backend too: the identity reads that connection
    ("dev", "purview"): DEV | {SYNAPSE_IDENTITY, PURVIEW_ADMIN, _registry_identity(DEV_KV)},
    # Databricks reaches the store with the account key: no identity grant, writers read the key
    ("dev", "databricks"): DEV
    | {_registry_identity(DEV_KV)}
    | _account_key_readers(DEV_KV, (SCIENTISTS, GROUP), (DANA, USER), (SAM, USER)),
    ("prod", "as deployed"): PROD
    | {SYNAPSE_IDENTITY, _registry_identity(PROD_KV), ACR_PULL, BOOTSTRAP_SCRIPT_STORAGE}
    | STANDBY,
    ("prod", "legacy redis"): PROD
    | {SYNAPSE_IDENTITY, _registry_identity(PROD_KV), ACR_PULL, BOOTSTRAP_SCRIPT_STORAGE}
    | STANDBY,
    # the standby needs the SQL backend: the Purview variant turns it off
    ("prod", "purview"): PROD
    | {SYNAPSE_IDENTITY, PURVIEW_ADMIN, _registry_identity(PROD_KV), ACR_PULL}
    | {BOOTSTRAP_SCRIPT_STORAGE, CURATOR_SCRIPT_STORAGE},
    # run public (tests/support.py databricks_ready): no script storage
    ("prod", "databricks"): PROD
    | {_registry_identity(PROD_KV), ACR_PULL}
    | STANDBY
    | _account_key_readers(PROD_KV, (DANA, USER)),
    # VNet injection and private endpoints change the network, not who may do what; the schema bootstrap runs
    # in the spoke's script subnet with the scripts' storage account
    ("prod", "databricks private"): PROD
    | {_registry_identity(PROD_KV), ACR_PULL, BOOTSTRAP_SCRIPT_STORAGE}
    | STANDBY
    | _account_key_readers(PROD_KV, (DANA, USER)),
}

DEV_SYNAPSE = {
    ("Synapse Administrator", PIPELINE, SP),
    ("Synapse Administrator", ADMIN, USER),
    ("Synapse Contributor", SCIENTISTS, GROUP),
    ("Synapse Contributor", DANA, USER),
    ("Synapse Contributor", SAM, USER),
    ("Synapse Compute Operator", SAM, USER),
}
PROD_SYNAPSE = {
    ("Synapse Administrator", PIPELINE, SP),
    ("Synapse Administrator", ADMIN, USER),
    ("Synapse Contributor", DANA, USER),
    ("Synapse Compute Operator", READERS, GROUP),
    ("Synapse Compute Operator", SAM, USER),
}

_REGISTRY_ADMINS = {
    ("global", "7f3c2a51-8e4d-4b69-a0f2-6c1d9e8b5a27", "admin"),
    ("global", "feature-platform-admin@contoso.com", "admin"),
    ("global", "dana.owner@contoso.com", "producer"),
    ("global", "sam.analyst@contoso.com", "consumer"),
}
REGISTRY_ROLES = {
    "dev": _REGISTRY_ADMINS | {("fraud", "sam.analyst@contoso.com", "producer")},
    "prod": _REGISTRY_ADMINS
    | {("fraud", "dana.owner@contoso.com", "producer"), ("fraud", "sam.analyst@contoso.com", "consumer")},
}


def azure_grants(result):
    by_id = {r.arm_id: r.logical_name for r in result.resources if r.arm_id}
    principals = {}
    for r in result.resources:
        identity = r.outputs.get("identity")
        if isinstance(identity, dict) and identity.get("principalId"):
            principals[identity["principalId"]] = f"identity:{r.logical_name}"
        if r.token == "azure-native:managedidentity:UserAssignedIdentity":
            principals[r.outputs["principalId"]] = f"identity:{r.logical_name}"
    grants = []
    for a in result.of_type(ROLE_ASSIGNMENT):
        role = ROLE_IDS.get(a.inputs["roleDefinitionId"].rsplit("/", 1)[-1], a.inputs["roleDefinitionId"])
        scope = by_id.get(a.inputs["scope"], a.inputs["scope"])
        principal = principals.get(a.inputs["principalId"], a.inputs["principalId"])
        grants.append((principal, a.inputs["principalType"], role, scope))
    return grants


@pytest.mark.parametrize("stack, variant", sorted(EXPECTED), ids=lambda v: str(v))
def test_azure_role_assignments_are_exactly_the_table(stack, variant):
    grants = azure_grants(run_variant(stack, variant))
    assert len(grants) == len(set(grants)), "a grant is declared twice"
    assert set(grants) - EXPECTED[(stack, variant)] == set(), "extra or wider grants"
    assert EXPECTED[(stack, variant)] - set(grants) == set(), "missing grants"


def synapse_rows(result):
    command = [c for c in result.of_type("command:local:Command") if c.logical_name == "access-synapse-roles"]
    if not command:
        return None
    (command,) = command
    return [tuple(line.split("|")) for line in command.inputs["environment"]["ASSIGNMENTS"].splitlines()]


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", ["as deployed", "legacy redis", "purview"])
def test_synapse_roles_are_exactly_the_table(stack, variant):
    rows = synapse_rows(run_variant(stack, variant))
    expected = DEV_SYNAPSE if stack == "dev" else PROD_SYNAPSE
    assert sorted(rows) == sorted(expected)


@pytest.mark.parametrize(
    "stack, variant", [("dev", "databricks"), ("prod", "databricks"), ("prod", "databricks private")]
)
def test_databricks_stacks_apply_no_synapse_roles(stack, variant):
    assert synapse_rows(run_variant(stack, variant)) is None


def registry_rows(result):
    script = [
        r for r in result.of_type("azure-native:resources:AzureCliScript") if r.logical_name == "registry-sql-schema"
    ]
    (script,) = script
    env = {e["name"]: e.get("value") or e.get("secureValue") for e in script.inputs["environmentVariables"]}
    sql = base64.b64decode(env["BOOTSTRAP_SQL_B64"]).decode()
    rows = re.findall(r"INSERT INTO dbo\.userroles[^;]*?VALUES\s*\(\s*N?'([^']*)',\s*N?'([^']*)',\s*N?'([^']*)'", sql)
    return rows


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("variant", ["as deployed", "legacy redis", "databricks", "purview"])
def test_registry_roles_seeded_are_exactly_the_table(stack, variant):
    rows = registry_rows(run_variant(stack, variant))
    assert len(rows) == len(set(rows))
    assert set(rows) == REGISTRY_ROLES[stack]


# uuid5(namespace 0b7cf6f4-3d59-4a8e-9b0a-2f52a6b2a9c1, "<scope>|<principal>|<role definition guid>",
# all lowercase), computed once by hand for the dev admin's Storage Blob Data Owner grant.
DEV_ADMIN_BLOB_OWNER_NAME = "70fdf950-81ed-50e1-9dc4-13b4667d16ba"
DEV_STORE_ID = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/contoso-dev-rg"
    "/providers/Microsoft.Storage/storageAccounts/contosodevstyk41aj"
)


def test_role_assignment_names_are_the_fixed_guids():
    from infra.components.role_assignment import assignment_guid

    assert assignment_guid(DEV_STORE_ID, ADMIN, "Storage Blob Data Owner") == DEV_ADMIN_BLOB_OWNER_NAME
    # ARM ids and object ids compare case-insensitively: the name must not change with their case
    assert assignment_guid(DEV_STORE_ID.upper(), ADMIN.upper(), "Storage Blob Data Owner") == DEV_ADMIN_BLOB_OWNER_NAME
    recorded = {
        (a.inputs["scope"], a.inputs["principalId"], a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]): a
        for a in run_variant("dev", "as deployed").of_type(ROLE_ASSIGNMENT)
    }
    grant = recorded[(DEV_STORE_ID, ADMIN, "b7e6dc6d-f1e8-4753-8033-0f276bb0955b")]
    assert grant.inputs["roleAssignmentName"] == DEV_ADMIN_BLOB_OWNER_NAME

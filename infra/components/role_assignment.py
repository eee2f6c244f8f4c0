"""Azure role assignments with deterministic names, so a re-run never creates a second one."""

from __future__ import annotations

import uuid

import pulumi
from pulumi_azure_native import authorization

# Azure built-in role definition GUIDs (identical in every tenant): the program's only table of them.
# tests/test_built_in_roles.py checks each pair against Microsoft's list (tests/reference/).
BUILT_IN_ROLES: dict[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage File Data Privileged Contributor": "69566ab7-960f-475b-8e7c-b3118f30c6bd",
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
}
PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal")
_ASSIGNMENT_NAMESPACE = uuid.UUID("0b7cf6f4-3d59-4a8e-9b0a-2f52a6b2a9c1")


def assignment_guid(scope: str, principal_id: str, role: str) -> str:
    """The same (scope, principal, role) always yields the same assignment name."""
    return str(uuid.uuid5(_ASSIGNMENT_NAMESPACE, f"{scope.lower()}|{principal_id.lower()}|{BUILT_IN_ROLES[role]}"))


def role_definition_id(subscription_id: str, role: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{BUILT_IN_ROLES[role]}"


def grant(
    logical_name: str,
    *,
    role: str,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    principal_type: str,
    subscription_id: pulumi.Input[str],
    parent: pulumi.Resource,
    description: str = "",
) -> authorization.RoleAssignment:
    """Assign a built-in `role` at `scope`. `principal_type` is always explicit: the API's default
    (User) makes assignments to managed identities fail intermittently on a fresh identity."""
    if role not in BUILT_IN_ROLES:
        raise ValueError(f"unknown built-in role {role!r}; known: {', '.join(sorted(BUILT_IN_ROLES))}")
    if principal_type not in PRINCIPAL_TYPES:
        raise ValueError(f"principal_type must be one of {PRINCIPAL_TYPES}, got {principal_type!r}")
    name = pulumi.Output.all(scope, principal_id).apply(lambda v: assignment_guid(v[0], v[1], role))
    return authorization.RoleAssignment(
        logical_name,
        role_assignment_name=name,
        scope=scope,
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=pulumi.Output.from_input(subscription_id).apply(lambda s: role_definition_id(s, role)),
        description=description or None,
        opts=pulumi.ResourceOptions(parent=parent),
    )

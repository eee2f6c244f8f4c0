"""What Azure computes for each resource type, fabricated from Azure's own naming rules.

Under the mocks, a resource's outputs are its inputs plus what Azure would have assigned: the ARM
id, host names, endpoints, identity ids. Fabricating them here (never echoing placeholders) lets
the offline plan render the same Feathr config a real deployment would. Each area registers its
types in a module of `infra/offline/fabricators/`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Stand-ins for the deploying identity's tenant and subscription in the offline plan.
SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
TENANT_ID = "00000000-0000-4000-8000-000000000002"
DEPLOYER_OBJECT_ID = "00000000-0000-4000-8000-000000000003"
_NAMESPACE = uuid.UUID("6f1c2d8e-4b7a-4e0f-9a51-3c2b1d0e9f47")


def stable_uuid(*parts: str) -> str:
    """A UUID that is the same on every run for the same parts (stands in for Azure-assigned ids)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def identity_output(identity: Any) -> dict[str, Any] | None:
    """A managed-identity block as Azure returns it: user-assigned identities go in as a list of
    ids and come back as a map of id -> {principalId, clientId} (the same ids the identity has)."""
    if not isinstance(identity, dict):
        return None
    assigned = identity.get("userAssignedIdentities")
    if not isinstance(assigned, list):
        return dict(identity)
    return {
        **identity,
        "userAssignedIdentities": {
            i: {"principalId": stable_uuid("principal", i), "clientId": stable_uuid("client", i)} for i in assigned
        },
    }


@dataclass(frozen=True)
class Resource:
    """One resource as the mocks see it: its type token, logical name and inputs (camelCase)."""

    token: str
    logical_name: str
    inputs: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.inputs.get(key, default)


@dataclass(frozen=True)
class ArmType:
    """How one Pulumi type token maps onto ARM.

    `path` is the ARM path below the scope, with `{inputName}` placeholders, e.g.
    `Microsoft.Storage/storageAccounts/{accountName}`. `scope` says where it hangs: a resource
    group (`resource_group`), the subscription, or another resource (`extension`, which reads the
    scope from the `scope_input` input, `scope` unless said). `name_input` is the input holding the physical name.
    """

    token: str
    path: str
    name_input: str
    scope: str = "resource_group"
    scope_input: str = "scope"  # the input holding the target's id, for `extension` types
    computed: Callable[[Resource, str, str], Mapping[str, Any]] | None = field(default=None, compare=False)

    def physical_name(self, resource: Resource) -> str:
        return str(resource.get(self.name_input) or resource.logical_name)

    def arm_id(self, resource: Resource) -> str:
        values = {key: str(value) for key, value in resource.inputs.items() if isinstance(value, (str, int))}
        values.setdefault(self.name_input, self.physical_name(resource))
        path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(1)), self.path)
        if self.scope == "extension":
            return f"{resource.get(self.scope_input)}/providers/{path}"
        if self.scope == "subscription":
            return f"/subscriptions/{SUBSCRIPTION_ID}/{path}"
        return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{resource.get('resourceGroupName')}/providers/{path}"


ARM_TYPES: dict[str, ArmType] = {}
CALLS: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {}


def register(*types: ArmType) -> None:
    for arm_type in types:
        ARM_TYPES[arm_type.token] = arm_type


def register_call(token: str) -> Callable[[Callable[[Mapping[str, Any]], Mapping[str, Any]]], Any]:
    def decorate(fn: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> Any:
        CALLS[token] = fn
        return fn

    return decorate


def fabricate(resource: Resource) -> tuple[str, str, dict[str, Any]]:
    """(ARM id, physical name, outputs) for a resource of a registered type."""
    arm_type = ARM_TYPES.get(resource.token)
    if arm_type is None:
        raise KeyError(
            f"no Azure model for {resource.token}: register it in infra/offline/fabricators/ "
            "so the offline plan shows what Azure would compute"
        )
    name = arm_type.physical_name(resource)
    arm_id = arm_type.arm_id(resource)
    outputs = {**resource.inputs, "name": name, "id": arm_id, "azureApiVersion": "mocked"}
    if arm_type.computed is not None:
        outputs.update(arm_type.computed(resource, name, arm_id))
    return arm_id, name, outputs

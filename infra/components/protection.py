"""Keeping production data from being lost by accident: `protect` plus a CanNotDelete lock."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization


def stateful_options(production_like: bool, parent: pulumi.Resource, **extra) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: Pulumi refuses to delete it in production-like stacks."""
    return pulumi.ResourceOptions(parent=parent, protect=production_like, **extra)


def lock_against_deletion(
    logical_name: str,
    resource: pulumi.CustomResource,
    reason: str,
    parent: pulumi.Resource,
    scope: pulumi.Input[str] | None = None,
) -> authorization.ManagementLockByScope:
    """A CanNotDelete lock: Azure itself refuses deletion, whoever asks (portal, CLI, another tool). `scope`: a
    child of `resource` to lock instead of the resource itself (a lock is inherited by every child)."""
    return authorization.ManagementLockByScope(
        f"{logical_name}-lock",
        scope=resource.id if scope is None else scope,
        lock_name="feathr-do-not-delete",
        level=authorization.LockLevel.CAN_NOT_DELETE,
        notes=reason,
        opts=pulumi.ResourceOptions(parent=parent),
    )

"""Azure deployment scripts: data-plane work (SQL DDL, Synapse RBAC, Purview policies) done inside
Azure during `pulumi up`, under a user-assigned identity, with no network path from the pipeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi_azure_native import resources

CLI_VERSION = "2.63.0"  # an mcr.microsoft.com/azure-cli image that deployment scripts accept
TIMEOUT = "PT30M"  # Azure allows up to P1D; every script here finishes well within minutes
# With OnSuccess, a failed run's container and log stay this long for diagnosis (Azure: PT1H-PT26H).
RETENTION = "PT6H"


def azure_cli_script(
    logical_name: str,
    *,
    script_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    identity_id: pulumi.Input[str] | None,  # None: the script calls no Azure API
    script_content: str,
    environment: Mapping[str, pulumi.Input[str]],
    force_update_tag: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    secure_environment: Mapping[str, pulumi.Input[str]] | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
    cli_version: str = CLI_VERSION,
    **network: Any,  # container_settings / storage_account_settings for private networking
) -> resources.AzureCliScript:
    """`force_update_tag` decides when the script re-runs: derive it from what the script does."""
    variables = [resources.EnvironmentVariableArgs(name=k, value=v) for k, v in environment.items()]
    variables += [
        resources.EnvironmentVariableArgs(name=k, secure_value=pulumi.Output.secret(v))
        for k, v in (secure_environment or {}).items()
    ]
    return resources.AzureCliScript(
        logical_name,
        script_name=script_name,
        resource_group_name=resource_group_name,
        location=location,
        kind="AzureCLI",
        az_cli_version=cli_version,
        identity=resources.ManagedServiceIdentityArgs(
            type=resources.ManagedServiceIdentityType.USER_ASSIGNED,
            user_assigned_identities=[identity_id],
        )
        if identity_id is not None
        else None,
        script_content=script_content,
        environment_variables=variables,
        force_update_tag=force_update_tag,
        timeout=TIMEOUT,
        retention_interval=RETENTION,
        cleanup_preference=resources.CleanupOptions.ON_SUCCESS,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
        **network,
    )

"""Azure deployment scripts: data-plane work (SQL DDL, Synapse RBAC, Purview policies) done inside
Azure during `pulumi up`, under a user-assigned identity, with no network path from the pipeline.

In network.mode private the data planes a script touches have no public endpoint, so the script's
container joins the network's deployment-script subnet (`ScriptStorage.runtime`), as Learn's "Access a
private virtual network from a Bicep deployment script" (azure-resource-manager/bicep/deployment-script-vnet,
API 2023-08-01) builds it: the container in the subnet delegated to Microsoft.ContainerInstance/
containerGroups, which carries a Microsoft.Storage service endpoint; a storage account of its own (the
script service keeps the script and its log in a file share there: StorageV2, Standard_LRS) whose
firewall denies everything but that subnet and trusted Azure services; the script's user-assigned
identity holding Storage File Data Privileged Contributor on it; the account named in
storageAccountSettings without a key. One such account serves every private script of an environment;
it is never the offline store. (Learn's other variant, a `file` private endpoint on an account without
public network access, deployment-script-vnet-private-endpoint, needs no service endpoint.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi_azure_native import resources, storage

from infra.components.protection import stateful_options
from infra.components.role_assignment import grant

if TYPE_CHECKING:
    from infra.components.monitoring import Monitoring
    from infra.components.network import Network

CLI_VERSION = "2.63.0"  # an mcr.microsoft.com/azure-cli image that deployment scripts accept
TIMEOUT = "PT30M"  # Azure allows up to P1D; every script here finishes well within minutes
# With OnSuccess, a failed run's container and log stay this long for diagnosis (Azure: PT1H-PT26H).
RETENTION = "PT6H"
SCRIPT_STORAGE_ROLE = "Storage File Data Privileged Contributor"


@dataclass(frozen=True)
class PrivateScriptRuntime:
    """Where a private deployment script runs: the script subnet and the private script storage account,
    and what must exist before the container starts (the identity's grant on the account)."""

    subnet_id: pulumi.Input[str]
    storage_account_name: pulumi.Input[str]
    ready: tuple[pulumi.Resource, ...]


class ScriptStorage(pulumi.ComponentResource):
    """The private deployment scripts' storage account (network.mode private only). `runtime(...)` grants
    one script identity its file-share role and returns where that script runs."""

    def __init__(
        self,
        name: str,
        *,
        account_name: str,
        resource_group_name: pulumi.Input[str],
        location: str,
        subscription_id: pulumi.Input[str],
        network: Network,
        monitoring: Monitoring,
        tags: dict[str, str],
        production_like: bool,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("feathr:deployment:ScriptStorage", name, None, opts)
        self._subscription_id = subscription_id
        self.subnet_id = network.script_subnet_id(location)
        self.account = storage.StorageAccount(
            name,
            account_name=account_name,
            resource_group_name=resource_group_name,
            location=location,
            kind=storage.Kind.STORAGE_V2,  # Learn: StorageV2 / Standard_LRS supports file shares
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),  # a scratch share: nothing to keep
            # Firewall, not "Disabled": a service endpoint reaches an account only while public network
            # access is enabled; the rules below admit nothing but the script subnet and trusted services.
            public_network_access=storage.PublicNetworkAccess.ENABLED,
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass=storage.Bypass.AZURE_SERVICES,
                virtual_network_rules=[
                    storage.VirtualNetworkRuleArgs(
                        virtual_network_resource_id=self.subnet_id, action=storage.Action.ALLOW
                    )
                ],
            ),
            enable_https_traffic_only=True,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            # Left on: Azure Container Instances mounts an Azure Files share with the account key only
            # (the script service reads it itself; no key is passed or kept by this program).
            allow_shared_key_access=True,
            tags=tags,
            # Protected like every storage account of a production-like stack (the policy pack's rule), but
            # never locked: a CanNotDelete lock reaches the file shares, which the script service deletes.
            opts=stateful_options(production_like, self),
        )
        # Account-level metrics like every account of ours. The file share is the script service's own scratch
        # space (created and deleted by it, not declared here), so no fileServices setting is declared.
        monitoring.diagnose(
            name, target_id=self.account.id, resource_type="Microsoft.Storage/storageAccounts", parent=self
        )
        self.account_name: pulumi.Output[str] = self.account.name
        self.register_outputs({"account_name": self.account_name, "account_id": self.account.id})

    def runtime(
        self, logical_name: str, principal_id: pulumi.Input[str], *, parent: pulumi.Resource
    ) -> PrivateScriptRuntime:
        """Grant the script identity `principal_id` the file-share role on this account; where it runs."""
        assignment = grant(
            logical_name,
            role=SCRIPT_STORAGE_ROLE,
            scope=self.account.id,
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            subscription_id=self._subscription_id,
            parent=parent,
            description="Deployment script: its file share in the private script storage account",
        )
        return PrivateScriptRuntime(
            subnet_id=self.subnet_id, storage_account_name=self.account_name, ready=(assignment,)
        )


def azure_cli_script(
    logical_name: str,
    *,
    script_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    identity_id: pulumi.Input[str] | None,  # None: the script calls no Azure API (public mode only)
    script_content: str,
    environment: Mapping[str, pulumi.Input[str]],
    force_update_tag: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    secure_environment: Mapping[str, pulumi.Input[str]] | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
    cli_version: str = CLI_VERSION,
    private: PrivateScriptRuntime | None = None,
) -> resources.AzureCliScript:
    """`force_update_tag` decides when the script re-runs: derive it from what the script does. `private`:
    run in the script subnet with the private script storage (network.mode private)."""
    if private is not None and identity_id is None:
        raise ValueError("a deployment script in a subnet needs a user-assigned identity (its file-share role)")
    variables = [resources.EnvironmentVariableArgs(name=k, value=v) for k, v in environment.items()]
    variables += [
        resources.EnvironmentVariableArgs(name=k, secure_value=pulumi.Output.secret(v))
        for k, v in (secure_environment or {}).items()
    ]
    network: dict[str, Any] = {}
    after = list(depends_on)
    if private is not None:
        network = {
            "container_settings": resources.ContainerConfigurationArgs(
                subnet_ids=[resources.ContainerGroupSubnetIdArgs(id=private.subnet_id)]
            ),
            "storage_account_settings": resources.StorageAccountConfigurationArgs(
                storage_account_name=private.storage_account_name
            ),
        }
        after += private.ready
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
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
        **network,
    )

"""The Purview registry backend: a Purview account, and Data Curator grants done inside the deployment.

Data Curator on the root collection is a Purview data-plane permission (a metadata policy), not an
ARM role assignment, and Feathr's own template leaves it as a portal step. Here an Azure deployment
script (Azure CLI) edits the root collection's metadata policy through the Purview policy store API.

Who may edit that policy: a root collection admin. The account's creator (the pipeline's identity)
is one, but a deployment script cannot run as the pipeline. So the script runs as its own
user-assigned identity that holds User Access Administrator on this Purview account only (the ARM
right that may call `addRootCollectionAdmin`); the script first makes itself a root collection
admin, then adds the registry identity to the Data Curator rule if it is not there yet.

Network (network.mode private): the account gets an `account` private endpoint (privatelink.purview.azure.com:
the registry image's pyapacheatlas client and the script call only https://<account>.purview.azure.com) and a
`portal` one (privatelink.purviewstudio.azure.com: the governance portal for operators), public network
access Disabled on the account and its managed resources, and the script runs in the script subnet. No
ingestion private endpoints: those carry scans (a self-hosted integration runtime into the managed storage
and Event Hubs), which the registry never runs (Learn catalog-private-link-faqs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import managedidentity, purview, resources

from infra.components.deployment_script import azure_cli_script
from infra.components.monitoring import Monitoring
from infra.components.protection import lock_against_deletion, stateful_options
from infra.components.role_assignment import grant
from infra.settings.purview import PurviewSettings

if TYPE_CHECKING:
    from infra.components.deployment_script import ScriptStorage
    from infra.components.network import Network

CURATOR_SCRIPT = Path(__file__).with_name("purview_data_curator.sh")
# Learn private-endpoint-dns, Microsoft.Purview/accounts: account (API, catalog, policy store) and portal.
PURVIEW_GROUP_IDS = ("account", "portal")


@dataclass(frozen=True)
class PurviewRegistryStoreArgs:
    settings: PurviewSettings
    account_name: str
    managed_resource_group_name: str
    admin_identity_name: str
    curator_script_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    production_like: bool
    tags: dict[str, str]
    monitoring: Monitoring
    network: Network
    script_storage: ScriptStorage | None = None  # network.mode private: where the curator script runs


def curator_script_tag(
    script: str, cli_version: str, account_name: str, admin_principal: str, curator_principal: str
) -> str:
    """The deployment script's force_update_tag: it re-runs exactly when what it does would change."""
    material = "\n".join((script, cli_version, account_name, admin_principal, curator_principal))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


class PurviewRegistryStore(pulumi.ComponentResource):
    """Outputs: `account_name`, `account_id`, `catalog_endpoint`, `scan_endpoint`, `principal_id`
    (the account's system-assigned identity). `grant_data_curator` adds the registry's identity."""

    def __init__(self, name: str, args: PurviewRegistryStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:PurviewRegistryStore", name, None, opts)
        self._args = args
        self._curator_grants = 0
        settings = args.settings
        account = purview.Account(
            name,
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity=purview.IdentityArgs(type=purview.ManagedIdentityType.SYSTEM_ASSIGNED),
            managed_resource_group_name=args.managed_resource_group_name,
            public_network_access=settings.public_network_access,
            # The managed storage and Event Hubs serve scans only: closed with the account in private mode.
            managed_resources_public_network_access="Disabled" if args.network.private else None,
            managed_event_hub_state=(
                purview.ManagedEventHubState.ENABLED
                if settings.managed_event_hub
                else purview.ManagedEventHubState.DISABLED
            ),
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        if args.production_like:
            lock_against_deletion(name, account, "Feathr feature registry (Purview) of a production environment", self)
        args.monitoring.diagnose(name, target_id=account.id, resource_type="Microsoft.Purview/accounts", parent=self)
        self.private_endpoints = list(
            args.network.expose(
                name, target_id=account.id, group_ids=list(PURVIEW_GROUP_IDS), location=args.location, parent=self
            )
        )

        # The identity the Data Curator script runs as, with the one ARM right it needs, on this account only.
        admin = managedidentity.UserAssignedIdentity(
            f"{name}-admin",
            resource_name_=args.admin_identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._admin_assignment = grant(
            f"{name}-admin-user-access-administrator",
            role="User Access Administrator",
            scope=account.id,
            principal_id=admin.principal_id,
            principal_type="ServicePrincipal",
            subscription_id=args.subscription_id,
            parent=self,
            description="Purview Data Curator script: may add itself as root collection admin",
        )
        self._account = account
        self._admin = admin
        self.account_name: pulumi.Output[str] = account.name
        self.account_id: pulumi.Output[str] = account.id
        self.catalog_endpoint: pulumi.Output[str] = account.endpoints.catalog
        self.scan_endpoint: pulumi.Output[str] = account.endpoints.scan
        self.principal_id: pulumi.Output[str] = account.identity.apply(lambda i: i.principal_id if i else "")
        self.admin_principal_id: pulumi.Output[str] = admin.principal_id
        self.register_outputs(
            {
                "account_name": self.account_name,
                "account_id": self.account_id,
                "catalog_endpoint": self.catalog_endpoint,
            }
        )

    def grant_data_curator(self, logical_name: str, principal_id: pulumi.Input[str]) -> resources.AzureCliScript:
        """Make `principal_id` a Data Curator on the root collection (the registry's identity)."""
        if self._curator_grants:
            raise ValueError("one Data Curator grant per Purview store: the script's name comes from settings")
        self._curator_grants += 1
        args = self._args
        script = CURATOR_SCRIPT.read_text()
        cli_version = args.settings.script_cli_version
        tag = pulumi.Output.all(self.account_name, self.admin_principal_id, principal_id).apply(
            lambda v: curator_script_tag(script, cli_version, v[0], v[1], v[2])
        )
        private = None
        if args.script_storage is not None:
            private = args.script_storage.runtime(
                f"{logical_name}-script-storage", self.admin_principal_id, parent=self
            )
        return azure_cli_script(
            logical_name,
            script_name=args.curator_script_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity_id=self._admin.id,
            script_content=script,
            environment={
                "PURVIEW_ACCOUNT": self.account_name,
                "PURVIEW_ACCOUNT_ID": self.account_id,
                "ADMIN_PRINCIPAL_ID": self.admin_principal_id,
                "CURATOR_PRINCIPAL_ID": principal_id,
            },
            force_update_tag=tag,
            tags=args.tags,
            parent=self,
            depends_on=[self._account, self._admin_assignment, *self.private_endpoints],
            cli_version=cli_version,
            private=private,
        )

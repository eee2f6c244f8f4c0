"""The offline store: an ADLS Gen2 account (or a shared existing one) and the feature-data container."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from infra.components.key_vault import SecretStore
from infra.components.monitoring import Monitoring
from infra.components.monitoring.alerts import MetricAlert
from infra.components.network import Network
from infra.components.protection import lock_against_deletion, stateful_options
from infra.settings.offline_store import READ_ACCESS_SECONDARY_SKUS, OfflineStoreSettings

ADLS_ACCOUNT_SECRET = "ADLS-ACCOUNT"
ADLS_KEY_SECRET = "ADLS-KEY"
# Learn, "Supported metrics for Microsoft.Storage/storageAccounts": Availability, Percent, Average, PT1M.
STORAGE_ALERTS = (
    MetricAlert(
        key="availability",
        description="Offline store availability below monitoring.alerts.storageAvailabilityPercent over 15 minutes",
        namespace="Microsoft.Storage/storageAccounts",
        metric="Availability",
        aggregation="Average",
        operator="LessThan",
        threshold="storage_availability_percent",
        severity=1,
    ),
)


@dataclass(frozen=True)
class OfflineStoreArgs:
    settings: OfflineStoreSettings
    account_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    production_like: bool
    tags: dict[str, str]
    monitoring: Monitoring
    network: Network
    # Databricks jobs reach ADLS with the account key, which Feathr reads from Key Vault as
    # ADLS-ACCOUNT / ADLS-KEY: publish them there (and only there) when set.
    key_vault: SecretStore | None = None


class OfflineStore(pulumi.ComponentResource):
    """Outputs: `account_name`, `account_id`, `dfs_endpoint` (https://<account>.dfs.core.windows.net/),
    `container_name`, and `abfss_root` (abfss://<container>@<account>.dfs.core.windows.net)."""

    def __init__(self, name: str, args: OfflineStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:storage:OfflineStore", name, None, opts)
        settings = args.settings
        self.shared = settings.shared
        if settings.shared:
            self._use_shared_account(settings)
        else:
            self._create_account(name, args)
        self.container_name: pulumi.Output[str] = pulumi.Output.from_input(settings.container)
        self.abfss_root: pulumi.Output[str] = pulumi.Output.concat(
            "abfss://", settings.container, "@", self.account_name, ".dfs.core.windows.net"
        )
        if args.key_vault is not None:
            self._publish_account_key(args.key_vault, settings)
        self.register_outputs(
            {"account_name": self.account_name, "account_id": self.account_id, "dfs_endpoint": self.dfs_endpoint}
        )

    def _publish_account_key(self, key_vault: SecretStore, settings: OfflineStoreSettings) -> None:
        resource_group = pulumi.Output.from_input(self.account_id).apply(
            lambda account_id: account_id.split("/resourceGroups/")[1].split("/")[0]
        )
        keys = storage.list_storage_account_keys_output(
            account_name=self.account_name,
            resource_group_name=resource_group,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        key_vault.add_secret(ADLS_ACCOUNT_SECRET, self.account_name, parent=self)
        # List results are not marked secret by the provider: mark the key before it goes anywhere.
        key_vault.add_secret(ADLS_KEY_SECRET, pulumi.Output.secret(keys.keys[0].value), parent=self)

    def _use_shared_account(self, settings: OfflineStoreSettings) -> None:
        # Data can be shared between environments; this stack only reads the account, never owns it.
        account_id = settings.existing_account_id or ""
        resource_group = account_id.split("/resourceGroups/")[1].split("/")[0]
        existing = storage.get_storage_account_output(
            account_name=settings.existing_account_name,
            resource_group_name=resource_group,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.account_name = existing.name
        self.account_id = pulumi.Output.from_input(account_id)
        self.dfs_endpoint = existing.primary_endpoints.dfs

    def _create_account(self, name: str, args: OfflineStoreArgs) -> None:
        settings = args.settings
        account = storage.StorageAccount(
            name,
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=settings.sku),
            is_hns_enabled=True,  # ADLS Gen2: Feathr and Spark address it as abfss://
            enable_https_traffic_only=True,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            allow_blob_public_access=False,
            allow_shared_key_access=settings.shared_key_access,
            default_to_o_auth_authentication=not settings.shared_key_access,
            allow_cross_tenant_replication=False,
            # Private mode: only the private endpoints below (and Synapse's managed private endpoint) reach it.
            # Nothing in `up` touches the data plane: the container and blob service are ARM resources.
            public_network_access=storage.PublicNetworkAccess.DISABLED if args.network.private else None,
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction(settings.network_default_action),
                bypass=storage.Bypass.AZURE_SERVICES,
                ip_rules=[storage.IPRuleArgs(i_p_address_or_range=r) for r in settings.allowed_ip_ranges],
            ),
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        retention = settings.soft_delete_days
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=retention > 0, days=retention or None),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=retention > 0, days=retention or None
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        storage.BlobContainer(
            f"{name}-container",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            container_name=settings.container,
            public_access=storage.PublicAccess.NONE,
            opts=stateful_options(args.production_like, self),
        )
        if args.production_like:
            lock_against_deletion(name, account, "Feathr offline store: feature data of a production environment", self)
        # A shared account (above) is its owner's to watch; this one is ours. Its blob service logs dfs requests too.
        args.monitoring.diagnose(
            name, target_id=account.id, resource_type="Microsoft.Storage/storageAccounts", parent=self
        )
        args.monitoring.diagnose(
            f"{name}-blob-service",
            target_id=blob_service.id,
            resource_type="Microsoft.Storage/storageAccounts/blobServices",
            parent=self,
        )
        # dfs for Spark and Feathr (abfss://), blob for clients that use the Blob API on the same account.
        args.network.expose(name, target_id=account.id, group_ids=("dfs", "blob"), location=args.location, parent=self)
        if args.network.private and settings.sku in READ_ACCESS_SECONDARY_SKUS:
            # The read-only secondary needs endpoints of its own (Learn storage-private-endpoints: "you need separate
            # private endpoints for both the primary and secondary instances"), under its own names
            # (<account>-secondary), so they share the zones without touching the primary's records. They sit in the
            # partner region's VNet when there is one: what reads the secondary does so when the primary region is down.
            args.network.expose(
                name,
                target_id=account.id,
                group_ids=("dfs_secondary", "blob_secondary"),
                location=args.network.locations[-1],
                parent=self,
            )
        args.monitoring.watch(name, target_id=account.id, alerts=STORAGE_ALERTS, parent=self)
        self.account_name = account.name
        self.account_id = account.id
        self.dfs_endpoint = account.primary_endpoints.dfs

"""Key Vault: where every secret of the environment lives, under the names Feathr looks up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import keyvault

from infra.components.monitoring.alerts import LogAlert
from infra.components.network import Network
from infra.components.protection import lock_against_deletion, stateful_options
from infra.components.secret_rotation import RotationPolicy, RotationSchedule
from infra.settings.key_vault import KeyVaultSettings

if TYPE_CHECKING:
    from infra.components.monitoring import Monitoring

# Key Vault has no metric for expiring secrets. It publishes near-expiry (30 days before) and expired events
# to Event Grid and writes each one into its AuditEvent log as SecretNearExpiryEventGridNotification /
# SecretExpiredEventGridNotification (Learn, key-vault/general/logging, "Operation names table", Secrets),
# logged even with no Event Grid subscription (same page, "What is logged"). So: a log search alert on the
# vault's resource-specific audit table (AZKVAuditLogs, Learn azure-monitor/reference/tables/azkvauditlogs,
# column OperationName), where its diagnostic setting sends AuditEvent.
SECRET_EXPIRY_ALERTS = (
    LogAlert(
        key="secret-expiry",
        description="A Key Vault secret expires within 30 days or has expired: a scheduled rotation did not run",
        query=(
            "AZKVAuditLogs\n"
            '| where OperationName in ("SecretNearExpiryEventGridNotification", "SecretExpiredEventGridNotification")'
        ),
    ),
)


@dataclass(frozen=True)
class KeyVaultArgs:
    settings: KeyVaultSettings
    vault_name: str
    tenant_id: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    location: str
    production_like: bool
    tags: dict[str, str]
    monitoring: Monitoring
    network: Network


class SecretStore(pulumi.ComponentResource):
    """An RBAC-authorized Key Vault. `add_secret` writes a secret through ARM (so vault network rules
    never block the deployment), always with an expiry, and returns its versionless URI for Key Vault
    references. `rotation_schedule` gives a credential its own renewal schedule (secret_rotation.py)."""

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:secrets:SecretStore", name, None, opts)
        self._args = args
        settings = args.settings
        properties = keyvault.VaultPropertiesArgs(
            tenant_id=args.tenant_id,
            sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName(settings.sku)),
            enable_rbac_authorization=True,
            enable_soft_delete=True,
            soft_delete_retention_in_days=settings.soft_delete_retention_days,
            # Purge protection can never be turned off again: omit it rather than pass False.
            enable_purge_protection=True if settings.purge_protection else None,
            # Private mode: the private endpoint only (secrets are still written through ARM, see add_secret).
            public_network_access="Disabled" if args.network.private else "Enabled",
            network_acls=keyvault.NetworkRuleSetArgs(
                default_action=settings.network_default_action,
                bypass="AzureServices" if settings.bypass_azure_services else "None",
                ip_rules=[keyvault.IPRuleArgs(value=r) for r in settings.allowed_ip_ranges],
            ),
        )
        vault = keyvault.Vault(
            name,
            vault_name=args.vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            properties=properties,
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        args.network.expose(name, target_id=vault.id, group_ids=("vault",), location=args.location, parent=self)
        if args.production_like:
            lock_against_deletion(name, vault, "Feathr secrets of a production environment", self)
        args.monitoring.diagnose(name, target_id=vault.id, resource_type="Microsoft.KeyVault/vaults", parent=self)
        args.monitoring.watch(name, target_id=vault.id, alerts=SECRET_EXPIRY_ALERTS, parent=self)
        self.vault = vault
        self.secrets: dict[str, keyvault.Secret] = {}  # by secret name: access grants scope to them
        self.vault_name: pulumi.Output[str] = vault.name
        self.vault_id: pulumi.Output[str] = vault.id
        self.vault_uri: pulumi.Output[str] = vault.properties.vault_uri
        self.rotation_policy = RotationPolicy(
            rotation_days=settings.rotation_days,
            lifetime_days=settings.secret_lifetime_days,
            trigger=settings.rotation_trigger,
        )
        # Secrets the program copies but never regenerates (ADLS-KEY, the Databricks token) still
        # expire; this schedule renews their expiry (a new version with the same value).
        self.default_rotation = self.rotation_schedule(f"{name}-secret-expiry")
        self.register_outputs({"vault_name": self.vault_name, "vault_uri": self.vault_uri})

    def rotation_schedule(self, logical_name: str, parent: pulumi.Resource | None = None) -> RotationSchedule:
        """A renewal schedule under this vault's policy (keyVault.rotationDays, secretLifetimeDays)."""
        return RotationSchedule(logical_name, self.rotation_policy, parent or self)

    def add_secret(
        self,
        secret_name: str,
        value: pulumi.Input[str],
        parent: pulumi.Resource | None = None,
        *,
        rotation: RotationSchedule | None = None,
        tags: dict[str, pulumi.Input[str]] | None = None,
    ) -> pulumi.Output[str]:
        """Store `value` (always marked secret) as `secret_name`, expiring `secretLifetimeDays` after
        `rotation` (default: the vault's schedule) last rotated; returns the versionless secret URI."""
        schedule = rotation or self.default_rotation
        secret = keyvault.Secret(
            f"{self._args.vault_name}-{secret_name.lower()}",
            vault_name=self.vault_name,
            resource_group_name=self._args.resource_group_name,
            secret_name=secret_name,
            properties=keyvault.SecretPropertiesArgs(
                value=pulumi.Output.secret(value),
                content_type="text/plain",
                attributes=keyvault.SecretAttributesArgs(enabled=True, expires=schedule.expires),
            ),
            tags={**self._args.tags, **(tags or {})},
            opts=pulumi.ResourceOptions(parent=parent or self, additional_secret_outputs=["properties"]),
        )
        self.secrets[secret_name] = secret
        return secret.properties.secret_uri

    def secret_version(self, secret_name: str) -> pulumi.Output[str]:
        """The current version id of a secret written here: it changes exactly when a new version is
        written. Not secret (the value never is in it); app settings use it to pick up a new version."""
        uri = self.secrets[secret_name].properties.secret_uri_with_version
        return pulumi.Output.unsecret(uri).apply(lambda u: u.rstrip("/").rsplit("/", 1)[-1])

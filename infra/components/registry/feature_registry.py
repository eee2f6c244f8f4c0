"""The feature registry of one environment: its store (Azure SQL or Purview, by setting) behind
Feathr's registry API. Each environment owns its registry alone. With Purview and registry RBAC,
the RBAC roles (`userroles`) still live in an Azure SQL database, created here as for the SQL backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from infra.components.deployment_script import ScriptStorage
from infra.components.key_vault import SecretStore
from infra.components.monitoring import Monitoring
from infra.components.registry.api import RegistryApi, RegistryApiArgs
from infra.components.registry.app_user import ALL_TABLES, RBAC_TABLES
from infra.components.registry.purview_store import PurviewRegistryStore, PurviewRegistryStoreArgs
from infra.components.registry.roles import RegistryRoleGrant
from infra.components.registry.sql_store import SqlRegistryStore, SqlRegistryStoreArgs
from infra.naming import Names
from infra.settings import Settings

if TYPE_CHECKING:
    from infra.components.network import Network


@dataclass(frozen=True)
class FeatureRegistryArgs:
    settings: Settings
    resource_group_name: pulumi.Input[str]
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    secrets: SecretStore
    role_grants: Sequence[RegistryRoleGrant]  # seeded into the SQL registry's userroles table
    entra_owner_object_ids: Sequence[pulumi.Input[str]]  # owners of the registry's Entra app
    monitoring: Monitoring
    network: Network
    # What the app must find reachable when it starts (network.mode private: the Key Vault private endpoint
    # behind its CONNECTION_STR reference): it resolves Key Vault references once at start-up.
    app_depends_on: Sequence[pulumi.Resource] = ()


class FeatureRegistry(pulumi.ComponentResource):
    """Outputs: `backend`, `api_endpoint` (https://<app>/api/v1) and, for SQL, `listener_host` (the
    failover group's read-write listener, or the server when not geo-replicated)."""

    def __init__(self, name: str, args: FeatureRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:FeatureRegistry", name, None, opts)
        settings, names, env = args.settings, args.settings.names, args.settings.env
        self.backend = settings.registry.backend
        child = pulumi.ResourceOptions(parent=self)
        # network.mode private: the deployment scripts (schema bootstrap, Data Curator) run in the script subnet.
        self.script_storage = self._script_storage(name, args) if args.network.private else None
        # A SQL database for the SQL backend, and for registry RBAC's userroles with Purview too.
        self.sql = self._sql_store(name, args, names) if settings.registry.sql_database else None
        self.purview = self._purview_store(name, args, names) if self.backend == "purview" else None
        self.api = RegistryApi(
            f"{name}-api",
            RegistryApiArgs(
                settings=settings.registry_api,
                backend=self.backend,
                plan_name=names.of("registry_plan"),
                app_name=names.of("registry_app"),
                identity_name=names.of("registry_identity"),
                entra_display_name=f"Feathr registry ({env.prefix} {env.environment})",
                resource_group_name=args.resource_group_name,
                location=env.location,
                tenant_id=args.tenant_id,
                subscription_id=args.subscription_id,
                connection_string_secret_id=self.sql.connection_string_secret_id if self.sql else None,
                production_like=env.production_like,
                tags=settings.tags,
                monitoring=args.monitoring,
                connection_string_secret_uri=self.sql.connection_string_secret_uri if self.sql else None,
                connection_string_secret_version=self.sql.connection_string_secret_version if self.sql else None,
                purview=self.purview,
                entra_owner_object_ids=tuple(args.entra_owner_object_ids),
                network=args.network,
                # The image connects at import and reads userroles: wait for the tables and its user (the
                # bootstrap waits for the SQL private endpoints), for Purview's endpoints, for Key Vault's.
                depends_on=(
                    *((self.sql.bootstrap.script,) if self.sql else ()),
                    *(self.purview.private_endpoints if self.purview else ()),
                    *args.app_depends_on,
                ),
            ),
            opts=child,
        )
        self.api_endpoint: pulumi.Output[str] = self.api.api_endpoint
        self.listener_host: pulumi.Output[str] | None = self.sql.listener_host if self.sql else None
        self.register_outputs({"backend": self.backend, "api_endpoint": self.api_endpoint})

    def _sql_store(self, name: str, args: FeatureRegistryArgs, names: Names) -> SqlRegistryStore:
        env = args.settings.env
        return SqlRegistryStore(
            f"{name}-sql",
            SqlRegistryStoreArgs(
                settings=args.settings.registry.sql,
                server_name=names.of("registry_sql_server"),
                partner_server_name=names.of("registry_sql_partner_server"),
                database_name=names.of("registry_sql_database"),
                failover_group_name=names.of("registry_sql_failover_group"),
                bootstrap_script_name=names.of("registry_bootstrap_script"),
                resource_group_name=args.resource_group_name,
                location=env.location,
                tenant_id=args.tenant_id,
                secrets=args.secrets,
                role_grants=tuple(args.role_grants),
                # With Purview the registry's entities live there; the database holds RBAC's userroles.
                app_tables=ALL_TABLES if args.settings.registry.backend == "sql" else RBAC_TABLES,
                production_like=env.production_like,
                tags=args.settings.tags,
                monitoring=args.monitoring,
                network=args.network,
                script_storage=self.script_storage,
                bootstrap_identity_name=names.of("registry_bootstrap_identity"),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _script_storage(self, name: str, args: FeatureRegistryArgs) -> ScriptStorage | None:
        settings = args.settings
        if not (settings.registry.sql_database or settings.registry.backend == "purview"):
            return None
        return ScriptStorage(
            f"{name}-script-storage",
            account_name=settings.names.of("script_storage_account"),
            resource_group_name=args.resource_group_name,
            location=settings.env.location,
            subscription_id=args.subscription_id,
            network=args.network,
            monitoring=args.monitoring,
            tags=settings.tags,
            production_like=settings.env.production_like,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _purview_store(self, name: str, args: FeatureRegistryArgs, names: Names) -> PurviewRegistryStore:
        env = args.settings.env
        return PurviewRegistryStore(
            f"{name}-purview",
            PurviewRegistryStoreArgs(
                settings=args.settings.purview,
                account_name=names.of("purview_account"),
                managed_resource_group_name=names.of("purview_managed_resource_group"),
                admin_identity_name=names.of("purview_admin_identity"),
                curator_script_name=names.of("purview_curator_script"),
                resource_group_name=args.resource_group_name,
                location=env.location,
                subscription_id=args.subscription_id,
                production_like=env.production_like,
                tags=args.settings.tags,
                monitoring=args.monitoring,
                network=args.network,
                script_storage=self.script_storage,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

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
from infra.components.registry.front_door import Origin, RegistryFrontDoor, RegistryFrontDoorArgs
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
    """Outputs: `backend`, `api_endpoint` (https://<app>/api/v1, or https://<Front Door endpoint>/api/v1 with a
    standby) and, for SQL, `listener_host` (the failover group's read-write listener, or the server when not
    geo-replicated)."""

    def __init__(self, name: str, args: FeatureRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:FeatureRegistry", name, None, opts)
        settings, names, env = args.settings, args.settings.names, args.settings.env
        self.backend = settings.registry.backend
        # network.mode private: the deployment scripts (schema bootstrap, Data Curator) run in the script subnet.
        self.script_storage = self._script_storage(name, args) if args.network.private else None
        # A SQL database for the SQL backend, and for registry RBAC's userroles with Purview too.
        self.sql = self._sql_store(name, args, names) if settings.registry.sql_database else None
        self.purview = self._purview_store(name, args, names) if self.backend == "purview" else None
        # With a standby: one global endpoint first; users sign in there, and (public origins) only it reaches the apps.
        self.front_door = self._front_door(name, args) if settings.registry_api.standby else None
        self.api = self._api(
            f"{name}-api",
            args,
            plan_name=names.of("registry_plan"),
            app_name=names.of("registry_app"),
            identity_name=names.of("registry_identity"),
            location=env.location,
        )
        self.standby_api: RegistryApi | None = None
        if self.front_door is not None:
            # The SQL partner region: the same function, image, settings and identity model; the same
            # connection string secret, whose host is the failover group's read-write listener.
            self.standby_api = self._api(
                f"{name}-standby-api",
                args,
                plan_name=names.of("registry_standby_plan"),
                app_name=names.of("registry_standby_app"),
                identity_name=names.of("registry_standby_identity"),
                location=settings.registry.sql.secondary_location or env.location,
                shared_entra_client_id=self.api.entra_client_id,
            )
            self.front_door.route_to(
                [
                    Origin("primary", self.api.host_name, self.api.web_app_id, self.api.location, priority=1),
                    Origin(
                        "standby",
                        self.standby_api.host_name,
                        self.standby_api.web_app_id,
                        self.standby_api.location,
                        priority=2,
                    ),
                ],
                depends_on=[self.api, self.standby_api],
            )
        self.api_endpoint: pulumi.Output[str] = (
            self.front_door.api_endpoint if self.front_door is not None else self.api.api_endpoint
        )
        self.listener_host: pulumi.Output[str] | None = self.sql.listener_host if self.sql else None
        self.register_outputs({"backend": self.backend, "api_endpoint": self.api_endpoint})

    def _api(
        self,
        name: str,
        args: FeatureRegistryArgs,
        *,
        plan_name: str,
        app_name: str,
        identity_name: str,
        location: str,
        shared_entra_client_id: pulumi.Input[str] | None = None,
    ) -> RegistryApi:
        """A registry app: the primary, or the standby in the SQL partner region (same everything but place)."""
        settings, env = args.settings, args.settings.env
        front_door = self.front_door
        return RegistryApi(
            name,
            RegistryApiArgs(
                settings=settings.registry_api,
                backend=self.backend,
                plan_name=plan_name,
                app_name=app_name,
                identity_name=identity_name,
                entra_display_name=f"Feathr registry ({env.prefix} {env.environment})",
                resource_group_name=args.resource_group_name,
                location=location,
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
                redirect_origin=front_door.origin if front_door is not None else None,
                shared_entra_client_id=shared_entra_client_id,
                # Only this Front Door may use the app's public endpoint. Private origins come through Private Link,
                # which access restrictions do not evaluate (Learn app-service networking/private-endpoint,
                # "Security"): the rule stays the public endpoint's lock wherever one is open.
                front_door_id=front_door.front_door_id if front_door is not None else None,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _front_door(self, name: str, args: FeatureRegistryArgs) -> RegistryFrontDoor:
        names = args.settings.names
        return RegistryFrontDoor(
            f"{name}-front-door",
            RegistryFrontDoorArgs(
                profile_name=names.of("registry_front_door"),
                endpoint_name=names.of("registry_front_door_endpoint"),
                waf_policy_name=names.of("registry_waf_policy"),
                resource_group_name=args.resource_group_name,
                private_origins=args.settings.network.private,
                tags=args.settings.tags,
                monitoring=args.monitoring,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

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

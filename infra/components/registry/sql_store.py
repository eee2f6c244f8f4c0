"""The registry's SQL store: Azure SQL server + database, geo-replicated behind an auto-failover group
in production-like stacks, backed up per settings, with its schema and RBAC roles bootstrapped.

The registry image (pymssql) connects with a SQL user + password, so SQL authentication stays on
next to the Entra ID administrator. The app logs in as its own contained database user
(`app_user.py`, created by the schema bootstrap) with rights on its three tables only; that user's
generated password is written only into the Key Vault secret holding the whole ADO connection
string, which the registry API references. The server administrator's generated password is used
by the bootstrap and otherwise kept in Key Vault for break-glass access: only holders of a
vault-wide Key Vault role (the access table's admins) can read it.

Network: in network.mode private each server (primary and partner) gets a `sqlServer` private endpoint
in its own region, public network access is off and no firewall rule exists; the registry app reaches
the listener through its VNet integration, the bootstrap through the script subnet. Otherwise the
public endpoint with firewall rules (settings decide which mode allows what: settings/registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_random as random
from pulumi_azure_native import sql

from infra.components.firewall import AZURE_SERVICES, FirewallRange, client_range
from infra.components.key_vault import SecretStore
from infra.components.monitoring import Monitoring
from infra.components.monitoring.alerts import ActivityLogAlert, MetricAlert
from infra.components.monitoring.sql_audit import audit_server
from infra.components.protection import lock_against_deletion, stateful_options
from infra.components.registry.app_user import APP_USER
from infra.components.registry.roles import RegistryRoleGrant
from infra.components.registry.schema_bootstrap import RegistrySchemaBootstrap, SchemaBootstrapArgs
from infra.settings.registry import SqlStoreSettings

if TYPE_CHECKING:
    from infra.components.deployment_script import ScriptStorage
    from infra.components.network import Network

CONNECTION_STRING_SECRET = "FEATHR-REGISTRY-SQL-CONNECTION-STRING"  # the app user's, for the registry app
ADMIN_PASSWORD_SECRET = "FEATHR-REGISTRY-SQL-ADMIN-PASSWORD"  # break-glass only: no grant names this secret
SQL_PORT = 1433
SQL_HOST_SUFFIX = "database.windows.net"  # <server>.database.windows.net, <failover group>.database.windows.net
SQL_GROUP_ID = (
    "sqlServer"  # private endpoint sub-resource (Learn private-endpoint-dns: privatelink.database.windows.net)
)
# Specials that survive the ADO connection string (no ';', '=', quotes, braces or spaces, which the
# image's hand-written parser splits or trips on) and need no escaping in a shell environment value.
PASSWORD_SPECIALS = "!#()*+-_.[]~"
PASSWORD_LENGTH = 40

# Alerts on the registry database (Learn, "Supported metrics for Microsoft.Sql/servers/databases": cpu_percent
# and storage_percent, Percent, Average/Maximum/Minimum, PT1M), on whichever server holds the primary.
DATABASE_ALERTS = (
    MetricAlert(
        key="cpu",
        description="Registry database CPU above monitoring.alerts.sqlCpuPercent for 15 minutes",
        namespace="Microsoft.Sql/servers/databases",
        metric="cpu_percent",
        aggregation="Average",
        operator="GreaterThan",
        threshold="sql_cpu_percent",
    ),
    MetricAlert(
        key="storage",
        description="Registry database data space used above monitoring.alerts.sqlStoragePercent of its max size",
        namespace="Microsoft.Sql/servers/databases",
        metric="storage_percent",
        aggregation="Maximum",
        operator="GreaterThan",
        threshold="sql_storage_percent",
        window="PT1H",
        frequency="PT15M",
    ),
)
# The failover group switched roles: a planned or forced failover, recorded in the activity log under these
# operations (Learn, "Azure permissions for Databases", Microsoft.Sql: servers/failoverGroups/failover/action
# "Executes planned failover in an existing failover group", .../forceFailoverAllowDataLoss/action). Scoped to
# the resource group: the operation is posted on whichever server is becoming the primary.
FAILOVER_ALERTS = (
    ActivityLogAlert(
        key="failover",
        description="The registry's SQL failover group changed its primary server (failover or forced failover)",
        operations=(
            "Microsoft.Sql/servers/failoverGroups/failover/action",
            "Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action",
        ),
    ),
)


def connection_string(host: str, database: str, login: str, password: str) -> str:
    """The ADO connection string the registry image parses (reference doc, section 2)."""
    return (
        f"Server=tcp:{host},{SQL_PORT};Initial Catalog={database};Persist Security Info=False;"
        f"User ID={login};Password={password};MultipleActiveResultSets=False;Encrypt=True;"
        "TrustServerCertificate=False;Connection Timeout=30;"
    )


@dataclass(frozen=True)
class SqlRegistryStoreArgs:
    settings: SqlStoreSettings
    server_name: str
    partner_server_name: str
    database_name: str
    failover_group_name: str
    bootstrap_script_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    secrets: SecretStore
    role_grants: tuple[RegistryRoleGrant, ...]
    app_tables: tuple[str, ...]  # what the app's user may use: all three tables, or userroles (Purview)
    production_like: bool
    tags: dict[str, str]
    monitoring: Monitoring
    network: Network
    # network.mode private: the bootstrap runs in the script subnet as its own identity (this name).
    script_storage: ScriptStorage | None = None
    bootstrap_identity_name: str | None = None


class SqlRegistryStore(pulumi.ComponentResource):
    """Outputs: `connection_string_secret_uri` (versionless Key Vault secret URI), `listener_host`
    (failover group listener, or the server FQDN without geo-replication), `server_id`,
    `database_id`, `database_name`."""

    def __init__(self, name: str, args: SqlRegistryStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:SqlRegistryStore", name, None, opts)
        self._args = args
        settings = args.settings
        # Each password renews on its own schedule (keyVault.rotationDays, secret_rotation.py). A new
        # server (name) or a rotation of its schedule gets a new administrator password, which the
        # server and the break-glass secret take in the same `pulumi up`.
        self.admin_password_rotation = args.secrets.rotation_schedule(f"{name}-admin-password-rotation", parent=self)
        self._password = self._generated_password(
            f"{name}-admin-password", {"server": args.server_name, "rotation": self.admin_password_rotation.keeper}
        )
        # The app user's: the new value reaches the database because the bootstrap's tag follows it.
        self.app_password_rotation = args.secrets.rotation_schedule(f"{name}-app-password-rotation", parent=self)
        app_password = self._generated_password(
            f"{name}-app-password", {"database": args.database_name, "rotation": self.app_password_rotation.keeper}
        )

        server = self._server(f"{name}-server", args.server_name, args.location)
        self._endpoints = self._expose(f"{name}-server", server, args.location)
        primary_rules: list[pulumi.Resource] = [*self._firewall(f"{name}-server", server), *self._endpoints]
        database = sql.Database(
            f"{name}-database",
            database_name=args.database_name,
            server_name=server.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            max_size_bytes=settings.max_size_gb * 1024**3,
            **self._database_shape(),
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        args.monitoring.diagnose(
            f"{name}-database", target_id=database.id, resource_type="Microsoft.Sql/servers/databases", parent=self
        )
        sql.BackupShortTermRetentionPolicy(
            f"{name}-short-term-retention",
            server_name=server.name,
            database_name=database.name,
            resource_group_name=args.resource_group_name,
            policy_name="default",
            retention_days=settings.short_term_retention_days,
            diff_backup_interval_in_hours=settings.diff_backup_interval_hours,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._long_term_retention(f"{name}-long-term-retention", server, database)
        if args.production_like:
            lock_against_deletion(
                f"{name}-server", server, "Feathr registry SQL server of a production environment", self
            )
            lock_against_deletion(
                f"{name}-database", database, "Feathr registry database of a production environment", self
            )

        self._audit(f"{name}-server", server)
        args.monitoring.watch("registry-db", target_id=database.id, alerts=DATABASE_ALERTS, parent=self)

        bootstrap_after: list[pulumi.Resource] = [database, *primary_rules]
        if settings.geo_replicated:
            failover_group = self._geo_replication(name, server, database, bootstrap_after)
            self.listener_host: pulumi.Output[str] = failover_group.name.apply(lambda n: f"{n}.{SQL_HOST_SUFFIX}")
            self.failover_group_name: pulumi.Output[str] | None = failover_group.name
        else:
            self.listener_host = server.fully_qualified_domain_name
            self.failover_group_name = None

        self.connection_string_secret_uri: pulumi.Output[str] = args.secrets.add_secret(
            CONNECTION_STRING_SECRET,
            pulumi.Output.secret(
                pulumi.Output.all(self.listener_host, database.name, app_password).apply(
                    lambda v: connection_string(v[0], v[1], APP_USER, v[2])
                )
            ),
            parent=self,
            rotation=self.app_password_rotation,
        )
        # The registry identity reads this one secret, nothing else in the vault.
        self.connection_string_secret_id: pulumi.Output[str] = args.secrets.secrets[CONNECTION_STRING_SECRET].id
        # Changes with every new version of the secret: as an app setting it makes App Service re-fetch
        # its Key Vault references at once instead of within 24 hours (docs/operations.md, section 5).
        self.connection_string_secret_version: pulumi.Output[str] = args.secrets.secret_version(
            CONNECTION_STRING_SECRET
        )
        # Break-glass: the administrator password, readable only through a vault-wide role (admins).
        args.secrets.add_secret(
            ADMIN_PASSWORD_SECRET, self._password, parent=self, rotation=self.admin_password_rotation
        )

        self.bootstrap = RegistrySchemaBootstrap(
            f"{name}-schema",
            SchemaBootstrapArgs(
                script_name=args.bootstrap_script_name,
                resource_group_name=args.resource_group_name,
                location=args.location,
                sql_host=self.listener_host,
                database_name=database.name,
                database_id=database.database_id,
                administrator_login=settings.administrator_login,
                administrator_password=self._password,
                app_password=app_password,
                role_grants=tuple(args.role_grants),
                app_tables=args.app_tables,
                sqlcmd_version=settings.sqlcmd_version,
                rerun=settings.rerun_bootstrap,
                script_storage=args.script_storage,
                identity_name=args.bootstrap_identity_name,
                tags=args.tags,
                depends_on=tuple(bootstrap_after),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.server_id: pulumi.Output[str] = server.id
        self.server_name: pulumi.Output[str] = server.name
        self.database_id: pulumi.Output[str] = database.id
        self.database_name: pulumi.Output[str] = database.name
        self.register_outputs(
            {
                "connection_string_secret_uri": self.connection_string_secret_uri,
                "listener_host": self.listener_host,
                "server_id": self.server_id,
                "database_id": self.database_id,
            }
        )

    def _generated_password(self, logical_name: str, keepers: dict[str, pulumi.Input[str]]) -> pulumi.Output[str]:
        password = random.RandomPassword(
            logical_name,
            length=PASSWORD_LENGTH,
            special=True,
            override_special=PASSWORD_SPECIALS,
            min_upper=4,
            min_lower=4,
            min_numeric=4,
            min_special=2,
            keepers=keepers,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return pulumi.Output.secret(password.result)

    def _server(self, logical_name: str, server_name: str, location: str) -> sql.Server:
        args, settings = self._args, self._args.settings
        admin = settings.entra_admin
        administrators = None
        if admin is not None:
            administrators = sql.ServerExternalAdministratorArgs(
                administrator_type=sql.AdministratorType.ACTIVE_DIRECTORY,
                login=admin.login,
                sid=admin.object_id,
                principal_type=admin.principal_type,
                tenant_id=args.tenant_id,
                # Kept False on purpose: the registry image connects with pymssql, which only does SQL
                # login + password; Entra-only authentication would lock the registry out.
                azure_ad_only_authentication=False,
            )
        return sql.Server(
            logical_name,
            server_name=server_name,
            resource_group_name=args.resource_group_name,
            location=location,
            version="12.0",
            minimal_tls_version="1.2",
            administrator_login=settings.administrator_login,
            administrator_login_password=self._password,
            administrators=administrators,
            public_network_access="Enabled" if settings.public_network_access else "Disabled",
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )

    def _audit(self, prefix: str, server: sql.Server) -> None:
        """Auditing to Log Analytics and (monitoring.sqlDefender) Defender for SQL: a server setting, so each
        server of a failover pair gets its own (monitoring/sql_audit.py)."""
        monitoring = self._args.monitoring
        audit_server(
            prefix,
            monitoring=monitoring,
            server_name=server.name,
            server_id=server.id,
            resource_group_name=self._args.resource_group_name,
            defender=monitoring.alerting.settings.sql_defender,
            alert_emails=monitoring.alerting.mail_to,
            parent=self,
        )

    def _expose(self, prefix: str, server: sql.Server, location: str) -> list[pulumi.Resource]:
        """The server's private endpoint in its own region (none in public mode). Learn "Failover groups":
        a private endpoint per server in one Private DNS zone, established before the failover group."""
        return list(
            self._args.network.expose(
                prefix, target_id=server.id, group_ids=[SQL_GROUP_ID], location=location, parent=self
            )
        )

    def _firewall(self, prefix: str, server: sql.Server) -> list[sql.FirewallRule]:
        """Server-level rules (never replicated by Azure, so each server of a failover pair gets them)."""
        args, settings = self._args, self._args.settings
        rules: list[FirewallRange] = []
        # "Allow Azure services" (0.0.0.0-0.0.0.0): in public mode the registry web app has no VNet integration
        # and the schema bootstrap runs in Azure Container Instances, both from Azure's shared outbound addresses.
        # It admits any Azure tenant's traffic to the login prompt. In private mode public network access is
        # off, Azure rejects firewall rules, and the settings allow none (settings/registry.py, _check_network).
        if settings.public_network_access and settings.allow_azure_services:
            rules.append(AZURE_SERVICES)
        if settings.public_network_access:
            rules += [client_range(cidr) for cidr in settings.allowed_ip_ranges]
        return [
            sql.FirewallRule(
                f"{prefix}-fw-{rule_name}",
                firewall_rule_name=rule_name,
                server_name=server.name,
                resource_group_name=args.resource_group_name,
                start_ip_address=start,
                end_ip_address=end,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for rule_name, start, end in rules
        ]

    def _database_shape(self, secondary: bool = False) -> dict:
        """SKU, zone redundancy, backup redundancy and serverless knobs shared by primary and secondary."""
        settings = self._args.settings
        sku = settings.sku
        shape: dict = {
            "sku": sql.SkuArgs(name=sku.name, tier=sku.tier, family=sku.family, capacity=sku.capacity),
            "zone_redundant": settings.zone_redundant,
            "requested_backup_storage_redundancy": settings.backup_storage_redundancy,
        }
        if sku.serverless:
            shape["auto_pause_delay"] = -1 if secondary else settings.auto_pause_delay
            shape["min_capacity"] = settings.min_capacity
        return shape

    def _long_term_retention(self, logical_name: str, server: sql.Server, database: sql.Database) -> None:
        args, ltr = self._args, self._args.settings.long_term_retention
        if not ltr.enabled:
            return
        sql.LongTermRetentionPolicy(
            logical_name,
            server_name=server.name,
            database_name=database.name,
            resource_group_name=args.resource_group_name,
            policy_name="default",
            weekly_retention=ltr.weekly,
            monthly_retention=ltr.monthly,
            yearly_retention=ltr.yearly,
            week_of_year=ltr.week_of_year if ltr.yearly else None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _geo_replication(
        self, name: str, server: sql.Server, database: sql.Database, bootstrap_after: list[pulumi.Resource]
    ) -> sql.FailoverGroup:
        args, settings = self._args, self._args.settings
        assert settings.secondary_location is not None
        partner = self._server(f"{name}-partner-server", args.partner_server_name, settings.secondary_location)
        bootstrap_after += self._firewall(f"{name}-partner-server", partner)
        self._audit(f"{name}-partner-server", partner)
        partner_endpoints = self._expose(f"{name}-partner-server", partner, settings.secondary_location)
        bootstrap_after += partner_endpoints
        secondary = sql.Database(
            f"{name}-secondary-database",
            database_name=args.database_name,  # a geo-secondary keeps the primary's name
            server_name=partner.name,
            resource_group_name=args.resource_group_name,
            location=settings.secondary_location,
            create_mode=sql.CreateMode.SECONDARY,
            source_database_id=database.id,
            secondary_type=sql.SecondaryType.GEO,
            **self._database_shape(secondary=True),
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        # The geo-secondary logs on its own (it serves reads, and becomes the primary after a failover).
        args.monitoring.diagnose(
            f"{name}-secondary-database",
            target_id=secondary.id,
            resource_type="Microsoft.Sql/servers/databases",
            parent=self,
        )
        # Backups are taken only on the primary, but the policy must already be in place on the
        # secondary for when a failover makes it the primary (Azure's advice for LTR with geo-replication).
        self._long_term_retention(f"{name}-secondary-long-term-retention", partner, secondary)
        failover_group = sql.FailoverGroup(
            f"{name}-failover-group",
            failover_group_name=args.failover_group_name,
            server_name=server.name,
            resource_group_name=args.resource_group_name,
            partner_servers=[sql.PartnerInfoArgs(id=partner.id)],
            databases=[database.id],
            read_write_endpoint=sql.FailoverGroupReadWriteEndpointArgs(
                failover_policy=sql.ReadWriteEndpointFailoverPolicy.AUTOMATIC,
                failover_with_data_loss_grace_period_minutes=settings.failover_grace_period_minutes,
            ),
            read_only_endpoint=sql.FailoverGroupReadOnlyEndpointArgs(
                failover_policy=sql.ReadOnlyEndpointFailoverPolicy.DISABLED
            ),
            tags=args.tags,
            # Learn: the private links exist before the failover group is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[secondary, *self._endpoints, *partner_endpoints]),
        )
        args.monitoring.watch("registry-db-secondary", target_id=secondary.id, alerts=DATABASE_ALERTS, parent=self)
        # Either server may hold the failover group's primary role: the failover operation is posted on the
        # group under the server becoming primary. Activity-log alert scopes are resource id prefixes (SDK
        # ActivityLogAlert.scopes: "resourceIds that fall under one of these prefixes").
        args.monitoring.watch("registry-sql", target_id=[server.id, partner.id], alerts=FAILOVER_ALERTS, parent=self)
        if args.production_like:
            lock_against_deletion(
                f"{name}-partner-server",
                partner,
                "Feathr registry SQL failover partner of a production environment",
                self,
            )
            lock_against_deletion(
                f"{name}-secondary-database",
                secondary,
                "Feathr registry geo-secondary database of a production environment",
                self,
            )
        bootstrap_after.append(failover_group)
        self.partner_server_id: pulumi.Output[str] = partner.id
        self.secondary_database_id: pulumi.Output[str] = secondary.id
        return failover_group

"""Create the registry's tables and seed its RBAC roles from inside Azure, during `pulumi up`.

An Azure deployment script (`resources.AzureCliScript`: an Azure CLI container in Azure Container
Instances) installs go-sqlcmd and runs `schema.sql` followed by the role seed rendered from the
grants. The pipeline needs no network path to the database. The script re-runs only when the SQL
it would run changes (`force_update_tag` is a hash of it), and the SQL is idempotent anyway.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
from pulumi_azure_native import managedidentity, resources, storage

from infra.components.registry.roles import RegistryRoleGrant, render_seed

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
SCRIPT_FILE = Path(__file__).with_name("schema_bootstrap.sh")
CLI_VERSION = "2.63.0"  # an mcr.microsoft.com/azure-cli image deployment scripts accept
SCRIPT_TIMEOUT = "PT30M"  # Azure allows up to P1D; install + 8 attempts take well under 10 minutes
# With OnSuccess, a failed run's container and logs stay this long for diagnosis (Azure: PT1H-PT26H).
SCRIPT_RETENTION = "PT6H"


def bootstrap_sql(grants: Sequence[RegistryRoleGrant]) -> str:
    """The whole T-SQL the script runs: the schema DDL, then the role seed."""
    return SCHEMA_FILE.read_text() + "\n" + render_seed(grants)


def bootstrap_tag(sql: str) -> str:
    """Changes exactly when the DDL or the seed changes, so the script re-runs only then."""
    return hashlib.sha256(sql.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SchemaBootstrapArgs:
    script_name: str
    identity_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    sql_host: pulumi.Input[str]  # the failover group listener (or the server FQDN without geo-replication)
    database_name: pulumi.Input[str]
    administrator_login: str
    administrator_password: pulumi.Input[str]  # passed only as a secure environment variable
    role_grants: tuple[RegistryRoleGrant, ...]
    sqlcmd_version: str
    tags: dict[str, str]
    # Private access: the script's container joins this subnet and uses this storage account.
    subnet_id: str | None = None
    storage_account_id: str | None = None
    depends_on: tuple[pulumi.Resource, ...] = field(default=())


class RegistrySchemaBootstrap(pulumi.ComponentResource):
    """Outputs: `script_id`, `force_update_tag`, `identity_id`."""

    def __init__(self, name: str, args: SchemaBootstrapArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:RegistrySchemaBootstrap", name, None, opts)
        sql = bootstrap_sql(args.role_grants)
        tag = bootstrap_tag(sql)

        # The script's own identity. It needs no Azure role: the script talks only to SQL, with the
        # SQL login, but deployment scripts run under a user-assigned identity of their own.
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

        container_settings = storage_settings = None
        if args.subnet_id is not None and args.storage_account_id is not None:
            container_settings = resources.ContainerConfigurationArgs(
                subnet_ids=[resources.ContainerGroupSubnetIdArgs(id=args.subnet_id)]
            )
            account_rg = args.storage_account_id.split("/resourceGroups/")[1].split("/")[0]
            account_name = args.storage_account_id.rsplit("/", 1)[-1]
            keys = storage.list_storage_account_keys_output(
                account_name=account_name, resource_group_name=account_rg, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            storage_settings = resources.StorageAccountConfigurationArgs(
                storage_account_name=account_name,
                storage_account_key=pulumi.Output.secret(keys.keys[0].value),
            )

        env = resources.EnvironmentVariableArgs
        self.script = resources.AzureCliScript(
            name,
            script_name=args.script_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="AzureCLI",
            az_cli_version=CLI_VERSION,
            identity=resources.ManagedServiceIdentityArgs(
                type=resources.ManagedServiceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[identity.id],
            ),
            script_content=SCRIPT_FILE.read_text(),
            environment_variables=[
                env(name="SQL_HOST", value=args.sql_host),
                env(name="SQL_DATABASE", value=args.database_name),
                env(name="SQL_LOGIN", value=args.administrator_login),
                env(name="SQLCMDPASSWORD", secure_value=pulumi.Output.secret(args.administrator_password)),
                env(name="SQLCMD_VERSION", value=args.sqlcmd_version),
                env(name="BOOTSTRAP_SQL_B64", value=base64.b64encode(sql.encode()).decode()),
            ],
            force_update_tag=tag,
            timeout=SCRIPT_TIMEOUT,
            retention_interval=SCRIPT_RETENTION,
            cleanup_preference=resources.CleanupOptions.ON_SUCCESS,
            container_settings=container_settings,
            storage_account_settings=storage_settings,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.script_id: pulumi.Output[str] = self.script.id
        self.force_update_tag = tag
        self.identity_id: pulumi.Output[str] = identity.id
        self.register_outputs({"script_id": self.script_id, "force_update_tag": tag})

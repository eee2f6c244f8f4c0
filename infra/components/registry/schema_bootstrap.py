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
from pulumi_azure_native import resources, storage

from infra.components.deployment_script import azure_cli_script
from infra.components.registry.roles import RegistryRoleGrant, render_seed

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
SCRIPT_FILE = Path(__file__).with_name("schema_bootstrap.sh")


def bootstrap_sql(grants: Sequence[RegistryRoleGrant]) -> str:
    """The whole T-SQL the script runs: the schema DDL, then the role seed."""
    return SCHEMA_FILE.read_text() + "\n" + render_seed(grants)


def bootstrap_tag(sql: str) -> str:
    """Changes exactly when the DDL or the seed changes, so the script re-runs only then."""
    return hashlib.sha256(sql.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SchemaBootstrapArgs:
    script_name: str
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
    """Outputs: `script_id`, `force_update_tag`."""

    def __init__(self, name: str, args: SchemaBootstrapArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:RegistrySchemaBootstrap", name, None, opts)
        sql = bootstrap_sql(args.role_grants)
        tag = bootstrap_tag(sql)

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

        self.script = azure_cli_script(
            name,
            script_name=args.script_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity_id=None,  # it talks only to SQL, with the SQL login: no Azure identity needed
            script_content=SCRIPT_FILE.read_text(),
            environment={
                "SQL_HOST": args.sql_host,
                "SQL_DATABASE": args.database_name,
                "SQL_LOGIN": args.administrator_login,
                "SQLCMD_VERSION": args.sqlcmd_version,
                "BOOTSTRAP_SQL_B64": base64.b64encode(sql.encode()).decode(),
            },
            secure_environment={"SQLCMDPASSWORD": args.administrator_password},
            force_update_tag=tag,
            tags=args.tags,
            parent=self,
            depends_on=args.depends_on,
            container_settings=container_settings,
            storage_account_settings=storage_settings,
        )
        self.script_id: pulumi.Output[str] = self.script.id
        self.force_update_tag = tag
        self.register_outputs({"script_id": self.script_id, "force_update_tag": tag})

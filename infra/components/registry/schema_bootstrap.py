"""Create the registry's tables, its app's database user and its RBAC roles from inside Azure,
during `pulumi up`.

An Azure deployment script (`resources.AzureCliScript`: an Azure CLI container in Azure Container
Instances) installs go-sqlcmd and runs `schema.sql`, the app user (`app_user.py`) and the role seed
rendered from the grants. The pipeline needs no network path to the database: in network.mode private
the container joins the script subnet and reaches the servers' private endpoints (`deployment_script.py`);
it then runs as a user-assigned identity of its own, whose one right is its file share. Azure re-runs a
deployment script only when `force_update_tag` changes, so the tag is derived from everything the
run depends on: the SQL, the database's server-assigned id (a database re-created under the same
name is a new database and gets its tables), a fingerprint of the app user's password (a new
password must reach the database) and the operator's `rerunBootstrap` setting. The SQL is
idempotent, so an extra run changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
from pulumi_azure_native import managedidentity

from infra.components.deployment_script import ScriptStorage, azure_cli_script
from infra.components.registry.app_user import ALL_TABLES, APP_USER, PASSWORD_VARIABLE, render_app_user
from infra.components.registry.roles import RegistryRoleGrant, render_seed

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
SCRIPT_FILE = Path(__file__).with_name("schema_bootstrap.sh")


def bootstrap_sql(grants: Sequence[RegistryRoleGrant], app_tables: Sequence[str] = ALL_TABLES) -> str:
    """The whole T-SQL the script runs: the schema DDL, the app user (rights on `app_tables`), then
    the role seed."""
    sql = SCHEMA_FILE.read_text() + "\n" + render_app_user(app_tables) + render_seed(grants)
    # sqlcmd substitutes $(NAME) everywhere, literals included: only the password may use it.
    if sql.count("$(") != sql.count(f"$({PASSWORD_VARIABLE})"):
        raise ValueError("the bootstrap SQL holds a '$(' sqlcmd would treat as a variable")
    return sql


def password_fingerprint(password: str) -> str:
    """A one-way digest of a generated password: it changes with the password and reveals nothing
    of a 40-character random value, so it may sit in plain state as part of the tag."""
    return hashlib.sha256(b"feathr-registry-app-password\0" + password.encode()).hexdigest()


def bootstrap_tag(sql: str, database_id: str, password_digest: str, rerun: str) -> str:
    """Changes when the SQL, the database, the app password or the operator's re-run value does."""
    material = "\0".join((sql, database_id, password_digest, rerun))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SchemaBootstrapArgs:
    script_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    sql_host: pulumi.Input[str]  # the failover group listener (or the server FQDN without geo-replication)
    database_name: pulumi.Input[str]
    database_id: pulumi.Input[str]  # the server-assigned database id (sql.Database.database_id)
    administrator_login: str
    administrator_password: pulumi.Input[str]  # passed only as a secure environment variable
    app_password: pulumi.Input[str]  # the registry app user's; likewise only a secure variable
    role_grants: tuple[RegistryRoleGrant, ...]
    sqlcmd_version: str
    rerun: str  # registry.sql.rerunBootstrap: a new value re-runs the script
    tags: dict[str, str]
    app_tables: tuple[str, ...] = ALL_TABLES  # the tables the app user may use (app_user.py)
    # network.mode private: the script runs in the script subnet, as this identity (its name), with this storage.
    script_storage: ScriptStorage | None = None
    identity_name: str | None = None
    depends_on: tuple[pulumi.Resource, ...] = field(default=())


class RegistrySchemaBootstrap(pulumi.ComponentResource):
    """Outputs: `script_id`, `force_update_tag`."""

    def __init__(self, name: str, args: SchemaBootstrapArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:RegistrySchemaBootstrap", name, None, opts)
        sql = bootstrap_sql(args.role_grants, args.app_tables)
        # The digest of a secret is a secret to Pulumi; this one is safe in plain (password_fingerprint).
        digest = pulumi.Output.unsecret(pulumi.Output.from_input(args.app_password).apply(password_fingerprint))
        tag: pulumi.Output[str] = pulumi.Output.all(pulumi.Output.from_input(args.database_id), digest).apply(
            lambda v: bootstrap_tag(sql, v[0], v[1], args.rerun)
        )

        identity_id = private = None
        if args.script_storage is not None:
            if args.identity_name is None:
                raise ValueError("a private schema bootstrap needs identity_name")
            identity = managedidentity.UserAssignedIdentity(
                f"{name}-identity",
                resource_name_=args.identity_name,
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            identity_id = identity.id
            private = args.script_storage.runtime(f"{name}-script-storage", identity.principal_id, parent=self)

        self.script = azure_cli_script(
            name,
            script_name=args.script_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            # It talks only to SQL, with the SQL login: an Azure identity only where its subnet requires one.
            identity_id=identity_id,
            script_content=SCRIPT_FILE.read_text(),
            environment={
                "SQL_HOST": args.sql_host,
                "SQL_DATABASE": args.database_name,
                "SQL_DATABASE_ID": args.database_id,
                "SQL_LOGIN": args.administrator_login,
                "APP_USER": APP_USER,
                "SQLCMD_VERSION": args.sqlcmd_version,
                "BOOTSTRAP_SQL_B64": base64.b64encode(sql.encode()).decode(),
            },
            secure_environment={"SQLCMDPASSWORD": args.administrator_password, PASSWORD_VARIABLE: args.app_password},
            force_update_tag=tag,
            tags=args.tags,
            parent=self,
            depends_on=args.depends_on,
            private=private,
        )
        self.script_id: pulumi.Output[str] = self.script.id
        self.force_update_tag: pulumi.Output[str] = tag
        self.register_outputs({"script_id": self.script_id, "force_update_tag": tag})

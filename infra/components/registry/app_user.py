"""The registry app's own database user: a contained user with exactly the table rights the
feathr-registry image's queries need, so the app never logs in as the server administrator.

A contained user lives in the database itself, so it is replicated to the geo-secondary with the
data and works after a failover (a server login would exist on one server only). The image can
only log in with a SQL user and password (pymssql, reference doc section 2).

The rights below are every statement the image v1.0.0 runs against each table:
- entities: SELECT, INSERT (create_project*, create_project_*), DELETE (_delete_entity);
  never UPDATE (sql-registry/registry/db_registry.py).
- edges: SELECT, INSERT (_create_edge: IF NOT EXISTS (SELECT ...) INSERT), DELETE
  (_delete_all_entity_edges); never UPDATE (same file).
- userroles: SELECT (_get_userroles, get_userroles_by_*, init_userrole), INSERT (add_userrole,
  init_project_admin), UPDATE (delete_userrole: a soft delete); never DELETE
  (access_control/rbac/db_rbac.py).
With the Purview backend the database holds RBAC's userroles only, so the user gets its userroles
rights alone (RBAC_TABLES). CONNECT comes with CREATE USER. Anything else found on the user
(granted by hand) is revoked, and it is taken out of every database role, so each bootstrap run
leaves exactly this set.

The password never appears in the rendered SQL: it is the sqlcmd scripting variable
`$(REGISTRY_APP_PASSWORD)`, which go-sqlcmd resolves from the deployment script's secure
environment variable of that name.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from infra.components.registry.roles import sql_literal

APP_USER = "feathr_registry_app"
PASSWORD_VARIABLE = "REGISTRY_APP_PASSWORD"
# table (in dbo) -> the permissions the image needs on it; nothing else is granted.
TABLE_PERMISSIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "entities": ("SELECT", "INSERT", "DELETE"),
        "edges": ("SELECT", "INSERT", "DELETE"),
        "userroles": ("SELECT", "INSERT", "UPDATE"),
    }
)
ALL_TABLES = tuple(TABLE_PERMISSIONS)  # the SQL backend: the registry and its RBAC
RBAC_TABLES = ("userroles",)  # the Purview backend: only the RBAC gateway uses the database


def render_app_user(tables: Sequence[str] = ALL_TABLES) -> str:
    """Idempotent T-SQL batches: create (or re-password) the user, remove any drift, grant the set
    on `tables` (and nothing on the others)."""
    unknown = set(tables) - set(TABLE_PERMISSIONS)
    if unknown or not tables:
        raise ValueError(f"app user tables must be among {ALL_TABLES}, got {tuple(tables)}")
    granted = {table: TABLE_PERMISSIONS[table] for table in ALL_TABLES if table in tables}
    user = f"[{APP_USER}]"
    name = "N" + sql_literal(APP_USER)
    password = f"N'$({PASSWORD_VARIABLE})'"
    kept = ",\n".join(
        f"        (N{sql_literal(table)}, N{sql_literal(permission)})"
        for table, permissions in granted.items()
        for permission in permissions
    )
    lines = [
        "-- The registry app's contained database user, rendered by feathr-infra (do not edit by hand).",
        f"IF DATABASE_PRINCIPAL_ID({name}) IS NULL",
        f"    CREATE USER {user} WITH PASSWORD = {password}, DEFAULT_SCHEMA = dbo;",
        "ELSE",
        f"    ALTER USER {user} WITH PASSWORD = {password};",
        "GO",
        "-- Drift: revoke every permission granted to it by hand and take it out of every role.",
        "DECLARE @drift nvarchar(max) = N'';",
        "SELECT @drift = @drift + N'REVOKE ' + p.permission_name COLLATE DATABASE_DEFAULT",
        "    + CASE p.class",
        "        WHEN 1 THEN N' ON OBJECT::' + QUOTENAME(OBJECT_SCHEMA_NAME(p.major_id)) + N'.'",
        "            + QUOTENAME(OBJECT_NAME(p.major_id))",
        "            + CASE WHEN p.minor_id > 0 THEN N' (' + QUOTENAME(COL_NAME(p.major_id, p.minor_id)) + N')'"
        " ELSE N'' END",
        "        WHEN 3 THEN N' ON SCHEMA::' + QUOTENAME(SCHEMA_NAME(p.major_id))",
        "        ELSE N'' END",
        f"    + N' FROM {user} CASCADE;'",
        "FROM sys.database_permissions AS p",
        f"WHERE p.grantee_principal_id = DATABASE_PRINCIPAL_ID({name}) AND p.class IN (0, 1, 3)",
        "  AND NOT (p.class = 0 AND p.permission_name = N'CONNECT')",
        "  AND NOT EXISTS (SELECT 1 FROM (VALUES",
        kept,
        "      ) AS kept (table_name, permission_name)",
        "      WHERE p.class = 1 AND p.minor_id = 0 AND p.major_id = OBJECT_ID(N'dbo.' + kept.table_name)",
        "        AND p.permission_name = kept.permission_name);",
        f"SELECT @drift = @drift + N'ALTER ROLE ' + QUOTENAME(r.name) + N' DROP MEMBER {user};'",
        "FROM sys.database_role_members AS m",
        "JOIN sys.database_principals AS r ON r.principal_id = m.role_principal_id",
        f"WHERE m.member_principal_id = DATABASE_PRINCIPAL_ID({name});",
        "EXEC sys.sp_executesql @drift;",
        "GO",
    ]
    for table, permissions in granted.items():
        lines += [f"GRANT {', '.join(permissions)} ON dbo.{table} TO {user};", "GO"]
    return "\n".join(lines) + "\n"

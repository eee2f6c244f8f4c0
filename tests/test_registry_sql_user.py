"""The registry app's contained database user, as the bootstrap SQL creates it (parsed with sqlglot
where sqlglot understands T-SQL; CREATE USER and the dynamic drift batch are checked as text)."""

import re

import pytest
import sqlglot
from sqlglot import exp

from infra.components.registry.roles import RegistryRoleGrant
from infra.components.registry.schema_bootstrap import bootstrap_sql
from infra.settings.registry import RESERVED_LOGINS
from tests.test_registry_schema import batches

USER = "feathr_registry_app"
# Every statement the feathr-registry image v1.0.0 runs, per table (issue 14, reference doc C8):
# sql-registry/registry/db_registry.py: entities and edges are selected, inserted and deleted
# (_delete_entity, _delete_all_entity_edges), never updated;
# access_control/rbac/db_rbac.py: userroles is selected, inserted and updated (the soft delete of
# delete_userrole), never deleted.
GRANTED = {
    ("entities", "SELECT"),
    ("entities", "INSERT"),
    ("entities", "DELETE"),
    ("edges", "SELECT"),
    ("edges", "INSERT"),
    ("edges", "DELETE"),
    ("userroles", "SELECT"),
    ("userroles", "INSERT"),
    ("userroles", "UPDATE"),
}
SQL = bootstrap_sql((RegistryRoleGrant("global", "admin@contoso.com", "admin"),))


def grants(sql):
    """(table, permission, grantee) of every GRANT statement in the script."""
    found = set()
    for batch in batches(sql):
        if not re.search(r"(?im)^\s*GRANT\b", batch):
            continue
        statement = sqlglot.parse_one(batch, read="tsql")
        assert isinstance(statement, exp.Grant), batch
        securable = statement.args["securable"]
        assert securable.db == "dbo", batch
        principals = [p.this.name for p in statement.args["principals"]]
        for privilege in statement.args["privileges"]:
            for principal in principals:
                found.add((securable.name, privilege.this.name, principal))
    return found


def test_the_bootstrap_grants_exactly_the_documented_set():
    assert grants(SQL) == {(table, permission, USER) for table, permission in GRANTED}


def test_no_other_grant_role_or_login_anywhere():
    upper = SQL.upper()
    assert len(re.findall(r"(?m)^\s*GRANT\b", SQL)) == 3  # one per table
    for forbidden in ("ADD MEMBER", "SP_ADDROLEMEMBER", "CREATE LOGIN", "WITH GRANT OPTION", "DB_OWNER"):
        assert forbidden not in upper, forbidden


def test_the_user_is_contained_and_its_password_is_a_sqlcmd_variable():
    creation = next(b for b in batches(SQL) if "CREATE USER" in b)
    assert (
        "IF DATABASE_PRINCIPAL_ID(N'feathr_registry_app') IS NULL\n"
        "    CREATE USER [feathr_registry_app] WITH PASSWORD = N'$(REGISTRY_APP_PASSWORD)', DEFAULT_SCHEMA = dbo;\n"
        "ELSE\n"
        "    ALTER USER [feathr_registry_app] WITH PASSWORD = N'$(REGISTRY_APP_PASSWORD)';"
    ) in creation
    # WITH PASSWORD (a contained user, replicated with the database), never FROM LOGIN (one server only)
    assert "FROM LOGIN" not in SQL.upper() and "WITHOUT LOGIN" not in SQL.upper()
    assert re.findall(r"\$\(\w+\)", SQL) == ["$(REGISTRY_APP_PASSWORD)", "$(REGISTRY_APP_PASSWORD)"]


def test_drift_removal_keeps_exactly_connect_and_the_grants():
    drift = next(b for b in batches(SQL) if "@drift" in b)
    kept = set(re.findall(r"\(N'(\w+)', N'(\w+)'\)", drift))
    assert kept == GRANTED
    assert "NOT (p.class = 0 AND p.permission_name = N'CONNECT')" in drift
    assert "DROP MEMBER [feathr_registry_app]" in drift and "EXEC sys.sp_executesql @drift;" in drift


def test_the_user_comes_before_the_seed_and_after_the_tables():
    assert SQL.index("CREATE TABLE dbo.userroles") < SQL.index("CREATE USER") < SQL.index("INSERT INTO dbo.userroles")


def test_a_sqlcmd_variable_in_the_seed_is_refused():
    with pytest.raises(ValueError, match=r"\$\("):
        bootstrap_sql((RegistryRoleGrant("global", "$(SQLCMDPASSWORD)@contoso.com", "admin"),))


def test_the_app_user_name_cannot_be_the_administrator_login():
    assert USER in RESERVED_LOGINS


def test_with_purview_the_user_gets_userroles_only():
    # The Purview backend keeps entities in Purview; the database holds RBAC's userroles alone.
    sql = bootstrap_sql((), app_tables=("userroles",))
    assert grants(sql) == {("userroles", "SELECT", USER), ("userroles", "INSERT", USER), ("userroles", "UPDATE", USER)}
    drift = next(b for b in batches(sql) if "@drift" in b)
    assert set(re.findall(r"\(N'(\w+)', N'(\w+)'\)", drift)) == {
        ("userroles", "SELECT"),
        ("userroles", "INSERT"),
        ("userroles", "UPDATE"),
    }


@pytest.mark.parametrize("tables", [(), ("entities", "features")])
def test_unknown_or_no_tables_are_refused(tables):
    with pytest.raises(ValueError):
        bootstrap_sql((), app_tables=tables)

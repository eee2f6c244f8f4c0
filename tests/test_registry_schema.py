"""The registry DDL (schema.sql) and the rendered role seed, parsed with sqlglot's T-SQL dialect."""

import re

import pytest
import sqlglot
from sqlglot import exp

from infra.components.registry.roles import RegistryRoleGrant, render_seed, sql_literal
from infra.components.registry.schema_bootstrap import SCHEMA_FILE, bootstrap_sql, bootstrap_tag

# Reference doc, section 2: the tables the feathr-registry image reads and writes.
# column -> (T-SQL type as sqlglot renders it, nullable)
REFERENCE_COLUMNS = {
    "entities": {
        "entity_id": ("VARCHAR(50)", False),
        "qualified_name": ("VARCHAR(200)", False),
        "entity_type": ("VARCHAR(100)", False),
        "attributes": ("NVARCHAR(MAX)", False),
    },
    "edges": {
        "edge_id": ("VARCHAR(50)", False),
        "from_id": ("VARCHAR(50)", False),
        "to_id": ("VARCHAR(50)", False),
        "conn_type": ("VARCHAR(20)", False),
    },
    "userroles": {
        "record_id": ("INTEGER", False),
        "project_name": ("VARCHAR(50)", False),
        "user_name": ("VARCHAR(50)", False),
        "role_name": ("VARCHAR(50)", False),
        "create_by": ("VARCHAR(50)", False),
        "create_reason": ("VARCHAR(50)", False),
        "create_time": ("DATETIME", False),
        "delete_by": ("VARCHAR(50)", True),
        "delete_reason": ("VARCHAR(50)", True),
        "delete_time": ("DATETIME", True),
    },
}
PRIMARY_KEYS = {"entities": "entity_id", "edges": "edge_id", "userroles": "record_id"}


def batches(script: str) -> list[str]:
    """Split on GO lines, as sqlcmd does; each batch is parsed on its own."""
    parts = re.split(r"(?im)^\s*GO\s*$", script)
    return [p for p in parts if re.sub(r"--[^\n]*", "", p).strip()]


def parse_batch(batch: str) -> exp.Expression:
    statements = [s for s in sqlglot.parse(batch, read="tsql") if s is not None]
    assert len(statements) == 1, batch
    statement = statements[0]
    assert not list(statement.find_all(exp.Command)), f"sqlglot could not parse: {batch}"
    return statement


def parsed_tables() -> dict[str, exp.Create]:
    tables = {}
    for batch in batches(SCHEMA_FILE.read_text()):
        statement = parse_batch(batch)
        # Idempotent: IF OBJECT_ID(N'dbo.<table>', N'U') IS NULL CREATE TABLE dbo.<table> (...)
        assert isinstance(statement, exp.IfBlock), batch
        creates = list(statement.find_all(exp.Create))
        assert len(creates) == 1, batch
        create = creates[0]
        table = create.this.this
        condition = statement.this
        assert isinstance(condition, exp.Is) and isinstance(condition.expression, exp.Null), batch
        object_id = condition.this
        assert isinstance(object_id, exp.ObjectId), batch
        assert object_id.this.sql("tsql") == f"N'dbo.{table.name}'" and object_id.expression.sql("tsql") == "N'U'"
        assert table.db == "dbo"
        tables[table.name] = create
    return tables


def columns(create: exp.Create) -> dict[str, tuple[str, bool]]:
    found = {}
    for column in create.this.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        constraints = [c.kind for c in column.args.get("constraints") or []]
        not_null = any(isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in constraints)
        found[column.name] = (column.args["kind"].sql("tsql"), not not_null)
    return found


def test_schema_has_exactly_the_reference_tables():
    assert set(parsed_tables()) == set(REFERENCE_COLUMNS)


@pytest.mark.parametrize("table", sorted(REFERENCE_COLUMNS))
def test_columns_types_and_nullability_match_the_reference(table):
    assert columns(parsed_tables()[table]) == REFERENCE_COLUMNS[table]


@pytest.mark.parametrize("table", sorted(REFERENCE_COLUMNS))
def test_every_column_states_its_nullability_explicitly(table):
    for column in parsed_tables()[table].this.expressions:
        kinds = [type(c.kind) for c in column.args.get("constraints") or []]
        assert exp.NotNullColumnConstraint in kinds, column.sql("tsql")


@pytest.mark.parametrize("table, key", sorted(PRIMARY_KEYS.items()))
def test_primary_keys(table, key):
    column = next(c for c in parsed_tables()[table].this.expressions if c.name == key)
    assert any(isinstance(c.kind, exp.PrimaryKeyColumnConstraint) for c in column.args["constraints"])


def test_record_id_is_an_identity():
    column = next(c for c in parsed_tables()["userroles"].this.expressions if c.name == "record_id")
    assert any(isinstance(c.kind, exp.GeneratedAsIdentityColumnConstraint) for c in column.args["constraints"])


def test_schema_only_creates_tables():
    for batch in batches(SCHEMA_FILE.read_text()):
        statement = parse_batch(batch)
        assert not list(statement.find_all(exp.Drop, exp.Delete, exp.Update, exp.Insert, exp.Alter)), batch


# --- the role seed -------------------------------------------------------------------------------

NASTY = "o'brien');drop table entities;--@contoso.com"


def seed_statements(seed: str) -> tuple[list[exp.Expression], exp.Update]:
    """The seed's inserts, and its last batch: the revocation of grants the table no longer lists."""
    statements = [parse_batch(batch) for batch in batches(seed)]
    assert isinstance(statements[-1], exp.Update), "the seed ends with the revocation"
    return statements[:-1], statements[-1]


def kept_by_revocation(seed: str) -> list[tuple[str, str, str]]:
    """What the revocation leaves active (besides grants made in the UI, which it never touches)."""
    _, update = seed_statements(seed)
    assert update.this.name == "r" and update.args["from_"].this.name == "userroles"
    assert {e.this.name for e in update.expressions} == {"delete_by", "delete_reason", "delete_time"}
    where = update.args["where"].sql("tsql")
    assert "r.create_by = 'feathr-infra'" in where and "r.delete_reason IS NULL" in where
    values = update.find(exp.Values)
    if values is None:
        return []
    return [tuple(c.this for c in row.expressions) for row in values.expressions]


def seeded_rows(seed: str) -> list[dict[str, str]]:
    rows = []
    inserts, _ = seed_statements(seed)
    for statement in inserts:
        batch = statement.sql("tsql")
        assert isinstance(statement, exp.IfBlock), batch
        assert isinstance(statement.this, exp.Not) and isinstance(statement.this.this, exp.Exists), batch
        guard = statement.this.this.this
        assert guard.find(exp.Table).name == "userroles"
        guard_values = {eq.this.name: eq.expression.this for eq in guard.find_all(exp.EQ)}
        assert any(isinstance(i, exp.Is) and i.this.name == "delete_reason" for i in guard.find_all(exp.Is))
        inserts = list(statement.find_all(exp.Insert))
        assert len(inserts) == 1 and inserts[0].this.this.name == "userroles"
        assert not list(statement.find_all(exp.Drop, exp.Delete, exp.Update))
        names = [c.name for c in inserts[0].this.expressions]
        values = inserts[0].expression.expressions[0].expressions
        row = {}
        for name, value in zip(names, values, strict=True):
            row[name] = value.this if isinstance(value, exp.Literal) else value.sql("tsql")
        assert {k: row[k] for k in ("project_name", "user_name", "role_name")} == guard_values
        rows.append(row)
    return rows


def test_seed_inserts_each_grant_with_bootstrap_provenance():
    grants = [
        RegistryRoleGrant("global", "Admin@Contoso.com", "Admin"),
        RegistryRoleGrant("fraud_detection", "data.scientist@contoso.com", "producer"),
    ]
    rows = seeded_rows(render_seed(grants))
    assert rows == [
        {
            "project_name": "fraud_detection",
            "user_name": "data.scientist@contoso.com",
            "role_name": "producer",
            "create_by": "feathr-infra",
            "create_reason": "bootstrap",
            "create_time": "GETUTCDATE()",
        },
        {
            "project_name": "global",
            "user_name": "admin@contoso.com",
            "role_name": "admin",
            "create_by": "feathr-infra",
            "create_reason": "bootstrap",
            "create_time": "GETUTCDATE()",
        },
    ]


def test_a_quote_in_a_user_name_cannot_break_out_of_its_literal():
    rows = seeded_rows(render_seed([RegistryRoleGrant("global", NASTY, "admin")]))
    assert len(rows) == 1 and rows[0]["user_name"] == NASTY  # the whole value, as data
    assert sql_literal("a'b") == "'a''b'"


def test_grants_no_longer_listed_are_revoked_and_listed_ones_kept():
    grants = [RegistryRoleGrant("global", "a@contoso.com", "admin"), RegistryRoleGrant("fraud", NASTY, "consumer")]
    assert sorted(kept_by_revocation(render_seed(grants))) == [
        ("fraud", NASTY, "consumer"),
        ("global", "a@contoso.com", "admin"),
    ]
    # an empty table revokes every grant the seed ever made (and only those)
    assert kept_by_revocation(render_seed([])) == []
    assert "NOT EXISTS" not in render_seed([])


def test_seed_is_deduplicated_and_empty_without_grants():
    grant = RegistryRoleGrant("global", "a@contoso.com", "admin")
    assert len(seeded_rows(render_seed([grant, RegistryRoleGrant("GLOBAL", "A@contoso.com", "ADMIN")]))) == 1
    assert seeded_rows(render_seed([])) == []


@pytest.mark.parametrize(
    "scope, user, role",
    [
        ("global", "a@contoso.com", "owner"),  # not a registry role
        ("Fraud Detection", "a@contoso.com", "admin"),  # not a project name
        ("global", "x" * 40 + "@contoso.com", "admin"),  # longer than userroles.user_name
        ("global", "tab\tuser@contoso.com", "admin"),  # control character
        ("global", "", "consumer"),
    ],
)
def test_invalid_grants_are_rejected(scope, user, role):
    with pytest.raises(ValueError):
        RegistryRoleGrant(scope, user, role)


def test_force_update_tag_follows_the_sql():
    def admin(user):
        return (RegistryRoleGrant("global", user, "admin"),)

    one = bootstrap_sql(admin("a@contoso.com"))
    assert one.startswith(SCHEMA_FILE.read_text())
    assert bootstrap_tag(one) == bootstrap_tag(bootstrap_sql(admin("a@contoso.com")))
    assert bootstrap_tag(one) != bootstrap_tag(bootstrap_sql(admin("b@contoso.com")))

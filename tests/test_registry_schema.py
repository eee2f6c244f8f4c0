"""The registry DDL (schema.sql) and the rendered role seed, parsed with sqlglot's T-SQL dialect."""

import re

import pytest
import sqlglot
from sqlglot import exp

from infra.components.registry.roles import RegistryRoleGrant, render_seed, sql_literal
from infra.components.registry.schema_bootstrap import SCHEMA_FILE, bootstrap_sql, bootstrap_tag, password_fingerprint

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


def schema_creates() -> list[exp.Create]:
    """Every batch of schema.sql is one idempotent `IF <not there> CREATE ...`."""
    creates = []
    for batch in batches(SCHEMA_FILE.read_text()):
        statement = parse_batch(batch)
        assert isinstance(statement, exp.IfBlock), batch
        found = list(statement.find_all(exp.Create))
        assert len(found) == 1, batch
        creates.append((statement, found[0]))
    return creates


def parsed_tables() -> dict[str, exp.Create]:
    tables = {}
    for statement, create in schema_creates():
        if create.args["kind"] != "TABLE":
            continue
        # IF OBJECT_ID(N'dbo.<table>', N'U') IS NULL CREATE TABLE dbo.<table> (...)
        table = create.this.this
        condition = statement.this
        assert isinstance(condition, exp.Is) and isinstance(condition.expression, exp.Null), statement.sql("tsql")
        object_id = condition.this
        assert isinstance(object_id, exp.ObjectId), statement.sql("tsql")
        assert object_id.this.sql("tsql") == f"N'dbo.{table.name}'" and object_id.expression.sql("tsql") == "N'U'"
        assert table.db == "dbo"
        tables[table.name] = create
    return tables


def parsed_indexes() -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...], bool]]:
    """index name -> (table, key columns, included columns, unique), each guarded by its own name."""
    indexes = {}
    for statement, create in schema_creates():
        if create.args["kind"] != "INDEX":
            continue
        index = create.this
        table = index.args["table"]
        assert table.db == "dbo"
        # IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'dbo.<t>') AND name = N'<ix>')
        guard = statement.this
        assert isinstance(guard, exp.Not) and isinstance(guard.this, exp.Exists), statement.sql("tsql")
        select = guard.this.this
        assert select.find(exp.Table).sql("tsql") == "sys.indexes"
        where = select.args["where"].sql("tsql")
        assert f"object_id = OBJECT_ID(N'dbo.{table.name}')" in where and f"name = N'{index.name}'" in where
        params = index.args["params"]
        keys = tuple(c.this.name for c in params.args["columns"])
        include = tuple(i.name for i in params.args.get("include") or [])
        indexes[index.name] = (table.name, keys, include, bool(create.args.get("unique")))
    return indexes


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


def test_schema_creates_exactly_the_tables_and_indexes():
    kinds = sorted(create.args["kind"] for _, create in schema_creates())
    assert kinds == ["INDEX", "INDEX", "TABLE", "TABLE", "TABLE"]


# Issue 11 / reference doc S6: the image's check-then-insert has no lock (sq/registry/db_registry.py
# create_project*), so only a unique index keeps one entity per qualified name; every lookup and
# traversal reads edges by from_id and conn_type (get_neighbors, _bfs_step).
def test_unique_qualified_names_and_an_edge_lookup_index():
    assert parsed_indexes() == {
        "ux_entities_qualified_name": ("entities", ("qualified_name",), (), True),
        "ix_edges_from_id_conn_type": ("edges", ("from_id", "conn_type"), ("to_id",), False),
    }


def test_index_keys_fit_sql_servers_key_limit():
    # A nonclustered index key holds at most 1700 bytes; varchar(n) takes up to n bytes. (max) cannot be a key.
    widths = {"VARCHAR(200)": 200, "VARCHAR(50)": 50, "VARCHAR(20)": 20}
    for table, keys, _, _ in parsed_indexes().values():
        types = [REFERENCE_COLUMNS[table][k][0] for k in keys]
        assert all(t in widths for t in types), types
        assert sum(widths[t] for t in types) <= 1700


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


def test_schema_only_creates_tables_and_indexes():
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
        # R10: the image takes a feature's project as qualified_name.split("__")[0]
        ("fraud__detection", "a@contoso.com", "admin"),
        ("fraud_", "a@contoso.com", "admin"),  # "fraud_" + "__" + name splits to "fraud"
        ("p" * 51, "a@contoso.com", "admin"),  # one past userroles.project_name
    ],
)
def test_invalid_grants_are_rejected(scope, user, role):
    with pytest.raises(ValueError):
        RegistryRoleGrant(scope, user, role)


@pytest.mark.parametrize("scope", ["fraud_detection", "a_b_c", "fraud-2", "p" * 50])
def test_valid_project_scopes(scope):
    assert RegistryRoleGrant(scope, "a@contoso.com", "admin").scope == scope


DB_A, DB_B = "0b9a4f3e-1c2d-4e5f-8a7b-6c5d4e3f2a10", "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3921"


def test_force_update_tag_follows_the_sql():
    def admin(user):
        return (RegistryRoleGrant("global", user, "admin"),)

    one = bootstrap_sql(admin("a@contoso.com"))
    assert one.startswith(SCHEMA_FILE.read_text())
    assert bootstrap_tag(one, DB_A, "d", "") == bootstrap_tag(bootstrap_sql(admin("a@contoso.com")), DB_A, "d", "")
    assert bootstrap_tag(one, DB_A, "d", "") != bootstrap_tag(bootstrap_sql(admin("b@contoso.com")), DB_A, "d", "")


def test_a_new_database_a_new_app_password_or_a_rerun_value_reruns_the_bootstrap():
    sql = bootstrap_sql(())
    tag = bootstrap_tag(sql, DB_A, password_fingerprint("first-password"), "")
    assert len(tag) == 32 and int(tag, 16) >= 0
    # a database re-created under the same name has a new server-assigned id
    assert bootstrap_tag(sql, DB_B, password_fingerprint("first-password"), "") != tag
    assert bootstrap_tag(sql, DB_A, password_fingerprint("second-password"), "") != tag
    assert bootstrap_tag(sql, DB_A, password_fingerprint("first-password"), "2026-12-01") != tag
    assert bootstrap_tag(sql, DB_A, password_fingerprint("first-password"), "") == tag


def test_the_password_fingerprint_is_a_digest_not_the_password():
    password = "Xy7!Xy7!Xy7!Xy7!Xy7!Xy7!Xy7!Xy7!Xy7!Xy7!"
    digest = password_fingerprint(password)
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and password not in digest
    assert digest != password_fingerprint(password[:-1] + "?")

"""Registry RBAC grants and the idempotent T-SQL that seeds them into `userroles`.

Feathr's registry keeps its RBAC in the `userroles` table (reference doc, section 2): roles
`admin`, `producer`, `consumer`; scope `global` or a project name; users by UPN / e-mail, service
principals by application id; values stored lowercase. A row is active while `delete_reason` is
NULL (that is the image's own test), so the seed inserts a grant only when no active row for the
same (scope, user, role) exists: re-running it changes nothing. A listed grant an administrator
revoked through the registry (delete_reason set) is inserted again the next time the seed RUNS,
which is not every `pulumi up`: the deployment script runs when its tag changes (schema_bootstrap.py:
the SQL, the database, the app password, or `registry.sql.rerunBootstrap`).

Every value is rendered as a T-SQL string literal with embedded quotes doubled, and validated first
(printable ASCII, at most 50 characters: the column width), so no UPN can break out of its literal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ROLES = ("admin", "producer", "consumer")
GLOBAL_SCOPE = "global"
COLUMN_WIDTH = 50  # userroles.project_name / user_name / role_name are varchar(50)
CREATED_BY = "feathr-infra"
CREATE_REASON = "bootstrap"
REVOKE_REASON = "removed from access table"  # delete_reason is varchar(50)
# No "__" and no trailing "_": the image finds a feature's project as split("__")[0] (settings/access.py).
_PROJECT = r"[a-z][a-z0-9-]*(?:_[a-z0-9-]+)*"
_PRINTABLE_ASCII = r"[\x20-\x7e]+"


@dataclass(frozen=True)
class RegistryRoleGrant:
    """One registry role: `user_name` (UPN / e-mail, or app id) holds `role` at `scope`
    ('global' or a Feathr project name). Values are normalised to lowercase."""

    scope: str
    user_name: str
    role: str

    def __post_init__(self) -> None:
        scope, user, role = self.scope.strip().lower(), self.user_name.strip().lower(), self.role.strip().lower()
        if role not in ROLES:
            raise ValueError(f"registry role must be one of {', '.join(ROLES)}, got {self.role!r}")
        if scope != GLOBAL_SCOPE and not (re.fullmatch(_PROJECT, scope) and len(scope) <= COLUMN_WIDTH):
            raise ValueError(
                f"registry scope must be 'global' or a project name (lowercase letters, digits, '-', single '_' "
                f"between them, at most {COLUMN_WIDTH} characters), got {self.scope!r}"
            )
        if not re.fullmatch(_PRINTABLE_ASCII, user) or len(user) > COLUMN_WIDTH:
            raise ValueError(
                f"registry user name must be 1-{COLUMN_WIDTH} printable ASCII characters (a UPN or app id), "
                f"got {self.user_name!r}"
            )
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "user_name", user)
        object.__setattr__(self, "role", role)


def sql_literal(value: str) -> str:
    """A T-SQL string literal: the value between single quotes, embedded quotes doubled."""
    if "\x00" in value:
        raise ValueError("a NUL character cannot be part of a T-SQL literal")
    return "'" + value.replace("'", "''") + "'"


def render_seed(grants: Sequence[RegistryRoleGrant]) -> str:
    """Idempotent T-SQL batches (separated by `GO`, as sqlcmd runs them) seeding `grants`."""
    unique = sorted(set(grants), key=lambda g: (g.scope, g.user_name, g.role))
    lines = [
        "-- Registry role seed, rendered by feathr-infra from the stack's settings (do not edit by hand).",
        f"-- {len(unique)} grant(s); each is inserted only if no active row (delete_reason IS NULL) exists.",
    ]
    for grant in unique:
        scope, user, role = sql_literal(grant.scope), sql_literal(grant.user_name), sql_literal(grant.role)
        lines += [
            "IF NOT EXISTS (SELECT 1 FROM dbo.userroles",
            f"               WHERE project_name = {scope} AND user_name = {user} AND role_name = {role}",
            "                 AND delete_reason IS NULL)",
            "    INSERT INTO dbo.userroles (project_name, user_name, role_name, create_by, create_reason, create_time)",
            f"    VALUES ({scope}, {user}, {role}, {sql_literal(CREATED_BY)}, {sql_literal(CREATE_REASON)}, "
            "GETUTCDATE());",
            "GO",
        ]
    lines += _revoke_unlisted(unique)
    return "\n".join(lines) + "\n"


def _revoke_unlisted(grants: Sequence[RegistryRoleGrant]) -> list[str]:
    """Soft-delete (the image's own convention) the grants this seed made that the table no longer
    lists: leaving the access table must take the role away. Grants made in the UI are not touched."""
    keep = ",\n".join(
        f"        ({sql_literal(g.scope)}, {sql_literal(g.user_name)}, {sql_literal(g.role)})" for g in grants
    )
    still_listed = (
        [
            "  AND NOT EXISTS (SELECT 1 FROM (VALUES",
            keep,
            "      ) AS listed (project_name, user_name, role_name)",
            "      WHERE listed.project_name = r.project_name AND listed.user_name = r.user_name",
            "        AND listed.role_name = r.role_name)",
        ]
        if grants
        else []
    )
    return [
        f"UPDATE r SET delete_by = {sql_literal(CREATED_BY)}, delete_reason = {sql_literal(REVOKE_REASON)},",
        "       delete_time = GETUTCDATE()",
        "FROM dbo.userroles AS r",
        f"WHERE r.create_by = {sql_literal(CREATED_BY)} AND r.delete_reason IS NULL",
        *still_listed,
        ";",
        "GO",
    ]

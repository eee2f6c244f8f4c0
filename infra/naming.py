"""Azure naming rules and the deterministic names this program gives its resources.

Every physical name is derived here from the settings' prefix and environment, so two stacks never
collide and a re-run never renames anything. Globally unique names (they become DNS labels) carry
a short suffix hashed from prefix and environment: stable across runs, different per environment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class NamingRule:
    """What Azure accepts as the name of one resource type."""

    abbreviation: str
    min_length: int
    max_length: int
    pattern: str  # full-match regex for the allowed characters and shape
    allowed: str  # the same rule in words, for error messages
    globally_unique: bool = False
    hyphens: bool = True  # whether generated names join their parts with hyphens
    lowercase: bool = True
    forbidden_substrings: tuple[str, ...] = ()

    def problems(self, name: str) -> list[str]:
        found = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(f"length {len(name)} is outside {self.min_length}-{self.max_length}")
        if not re.fullmatch(self.pattern, name):
            found.append(f"must be {self.allowed}")
        found += [f"must not contain '{s}'" for s in self.forbidden_substrings if s in name]
        return found


_ALNUM_HYPHEN_NO_DOUBLE = r"(?!.*--)"
# Letters/digits in runs joined by single hyphens: no leading, trailing or double hyphen.
_ALNUM_RUNS = r"[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*"

# Sources: Azure "Naming rules and restrictions for Azure resources" (Microsoft Learn), and the SDK's
# docstrings where they are stricter or newer (cited per rule).
RULES: MappingProxyType[str, NamingRule] = MappingProxyType(
    {
        "resource_group": NamingRule(
            "rg", 1, 90, r"[-\w.()]*[-\w()]", "letters, digits, '-', '_', '.', '()', not ending in '.'"
        ),
        "storage_account": NamingRule(
            "st", 3, 24, r"[a-z0-9]+", "lowercase letters and digits only", globally_unique=True, hyphens=False
        ),
        # SDK BlobContainer container_name: "Every dash (-) character must be immediately preceded and
        # followed by a letter or number" (so no trailing dash either).
        "storage_container": NamingRule(
            "data",
            3,
            63,
            r"[a-z0-9]+(?:-[a-z0-9]+)*",
            "lowercase letters, digits and hyphens, every hyphen between two letters or digits",
        ),
        "key_vault": NamingRule(
            "kv",
            3,
            24,
            _ALNUM_HYPHEN_NO_DOUBLE + r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]",
            "letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
            globally_unique=True,
        ),
        "user_assigned_identity": NamingRule(
            "id", 3, 128, r"[a-zA-Z0-9][-\w]*", "letters, digits, '-' and '_', starting with a letter or digit"
        ),
        "sql_server": NamingRule(
            "sql",
            1,
            63,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        "sql_database": NamingRule(
            "sqldb",
            1,
            128,
            r"[^<>*%&:\\/?\x00-\x1f]*[^<>*%&:\\/?\x00-\x1f. ]",
            "any characters except <>*%&:\\/? and control characters, not ending in '.' or space",
        ),
        "sql_failover_group": NamingRule(
            "fog",
            1,
            63,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        "app_service_plan": NamingRule("asp", 1, 60, r"[a-zA-Z0-9-]+", "letters, digits and hyphens"),
        "web_app": NamingRule(
            "app",
            2,
            60,
            r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
            "letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        "redis_cache": NamingRule(
            "redis",
            1,
            63,
            _ALNUM_HYPHEN_NO_DOUBLE + r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
            "letters, digits and single hyphens, starting and ending with a letter or digit",
            globally_unique=True,
        ),
        # SDK RedisEnterprise cluster_name (API 2025-07-01): 1-60 letters, digits and hyphens, "no leading
        # nor trailing nor consecutive hyphens" (a leading digit is fine).
        "managed_redis": NamingRule(
            "amr",
            1,
            60,
            _ALNUM_RUNS,
            "letters, digits and single hyphens, starting and ending with a letter or digit",
            globally_unique=True,
        ),
        "synapse_workspace": NamingRule(
            "syn",
            1,
            50,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, starting and ending with a letter or digit",
            globally_unique=True,
            forbidden_substrings=("-ondemand",),
        ),
        "synapse_spark_pool": NamingRule(
            "spark", 1, 15, r"[a-zA-Z][a-zA-Z0-9]*", "letters and digits, starting with a letter", hyphens=False
        ),
        # ARM template reference Microsoft.Purview/accounts: 3-63, ^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$
        "purview_account": NamingRule(
            "pview",
            3,
            63,
            _ALNUM_RUNS,
            "letters, digits and single hyphens, starting and ending with a letter or digit",
            globally_unique=True,
        ),
        "deployment_script": NamingRule(
            "ds", 1, 90, r"[-\w.()]*[-\w()]", "letters, digits, '-', '_', '.', '()', not ending in '.'"
        ),
        # Unique per resource group, not globally (Learn naming rules, Microsoft.Databricks/workspaces);
        # the workspace URL is adb-<workspace id>.<n>.azuredatabricks.net, not the name.
        "databricks_workspace": NamingRule("dbw", 3, 64, r"[a-zA-Z0-9][-\w]*", "letters, digits, '-' and '_'"),
    }
)

SUFFIX_LENGTH = 6
_SUFFIX_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def unique_suffix(prefix: str, environment: str) -> str:
    """A short, stable, lowercase alphanumeric suffix for globally unique names of one environment."""
    digest = int.from_bytes(hashlib.sha256(f"{prefix}/{environment}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(SUFFIX_LENGTH):
        digest, index = divmod(digest, len(_SUFFIX_ALPHABET))
        chars.append(_SUFFIX_ALPHABET[index])
    return "".join(chars)


# Every resource this program names, keyed by the name key used for overrides in settings
# (`names: {<key>: <name>}`): the Azure resource kind, and a role that tells apart two
# resources of one kind in one environment (e.g. the primary and the partner SQL server).
NAMED_RESOURCES: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "resource_group": ("resource_group", ""),
        "storage_account": ("storage_account", ""),
        "storage_container": ("storage_container", ""),
        "key_vault": ("key_vault", ""),
        "registry_sql_server": ("sql_server", "reg"),
        "registry_sql_partner_server": ("sql_server", "regdr"),
        "registry_sql_database": ("sql_database", "registry"),
        "registry_sql_failover_group": ("sql_failover_group", "reg"),
        "registry_bootstrap_script": ("deployment_script", "regschema"),
        "synapse_workspace": ("synapse_workspace", ""),
        "synapse_spark_pool": ("synapse_spark_pool", ""),
        "synapse_managed_resource_group": ("resource_group", "synapse-managed"),
        "databricks_workspace": ("databricks_workspace", ""),
        "databricks_managed_resource_group": ("resource_group", "databricks-managed"),
        "registry_plan": ("app_service_plan", "registry"),
        "registry_app": ("web_app", "registry"),
        "registry_identity": ("user_assigned_identity", "registry"),
        "purview_account": ("purview_account", ""),
        "purview_managed_resource_group": ("resource_group", "purview-managed"),
        "purview_admin_identity": ("user_assigned_identity", "purview-admin"),
        "purview_curator_script": ("deployment_script", "purview-curator"),
        "managed_redis": ("managed_redis", ""),
        "redis_cache": ("redis_cache", ""),
        "redis_cache_secondary": ("redis_cache", "secondary"),
        "redis_persistence_identity": ("user_assigned_identity", "redis"),
    }
)


def generate_name(kind: str, prefix: str, environment: str, role: str = "") -> str:
    """The default name of a resource of `kind` (and `role`) for this prefix and environment."""
    rule = RULES[kind]
    suffix = unique_suffix(prefix, environment) if rule.globally_unique else ""
    separator = "-" if rule.hyphens else ""
    parts = [prefix, environment, role, rule.abbreviation]
    parts = [p for p in parts if p]
    if not rule.hyphens:
        parts = [re.sub(r"[^a-zA-Z0-9]", "", p) for p in parts]
    stem = separator.join(parts)
    if rule.lowercase:
        stem = stem.lower()
    budget = rule.max_length - len(suffix) - (len(separator) if suffix else 0)
    stem = stem[:budget].rstrip("-_.")
    return f"{stem}{separator}{suffix}" if suffix else stem


@dataclass(frozen=True)
class Names:
    """Resolved physical names for one environment: generated unless overridden in settings."""

    prefix: str
    environment: str
    overrides: MappingProxyType[str, str]

    def of(self, name_key: str) -> str:
        kind, role = NAMED_RESOURCES[name_key]
        return self.overrides.get(name_key) or generate_name(kind, self.prefix, self.environment, role)

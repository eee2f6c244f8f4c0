"""Azure naming rules and the deterministic names this program gives its resources.

Every physical name is derived here from the settings' prefix and environment, so two stacks never
collide and a re-run never renames anything. Globally unique names (they become DNS labels) carry
a short suffix hashed from prefix and environment: stable across runs, different per environment.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
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
    # The pattern's \w stands for .NET Char.IsLetterOrDigit (letters and decimal digits), narrower than
    # Python's \w, which also takes other numerals such as '²' or 'Ⅻ'.
    dotnet_letters_or_digits: bool = False

    def problems(self, name: str) -> list[str]:
        found = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(f"length {len(name)} is outside {self.min_length}-{self.max_length}")
        if not re.fullmatch(self.pattern, name) or (self.dotnet_letters_or_digits and not _dotnet_letters(name)):
            found.append(f"must be {self.allowed}")
        found += [f"must not contain '{s}'" for s in self.forbidden_substrings if s in name]
        return found


# The Unicode categories of .NET Char.IsLetterOrDigit (Learn names them on the resource-group row).
_DOTNET_LETTER_OR_DIGIT = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def _dotnet_letters(name: str) -> bool:
    return all(unicodedata.category(c) in _DOTNET_LETTER_OR_DIGIT for c in name if c.isalnum())


_ALNUM_HYPHEN_NO_DOUBLE = r"(?!.*--)"
# Letters/digits in runs joined by single hyphens: no leading, trailing or double hyphen.
_ALNUM_RUNS = r"[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*"

# Sources, cited per rule: Microsoft Learn "Naming rules and restrictions for Azure resources"
# (azure-resource-manager/management/resource-name-rules, ms.date 2025-03-14; "Learn <provider> / <entity>"
# below), the SDK's docstrings and the Azure REST API specs where Learn is silent or newer.
# Character classes are ASCII on purpose: Python's \w also matches non-ASCII letters and digits, which
# "alphanumerics" (a-z, A-Z, 0-9 on that page) excludes; only resource groups allow Unicode letters.
RULES: MappingProxyType[str, NamingRule] = MappingProxyType(
    {
        # Learn Microsoft.Resources / resourcegroups: 1-90; underscores, hyphens, periods, parentheses and
        # letters or digits (Char.IsLetterOrDigit, Unicode); can't end with a period.
        "resource_group": NamingRule(
            "rg",
            1,
            90,
            r"[-\w.()]*[-\w()]",
            "letters, digits, '-', '_', '.', '()', not ending in '.'",
            dotnet_letters_or_digits=True,
        ),
        # Learn Microsoft.Storage / storageAccounts: 3-24, lowercase letters and numbers.
        "storage_account": NamingRule(
            "st", 3, 24, r"[a-z0-9]+", "lowercase letters and digits only", globally_unique=True, hyphens=False
        ),
        # Learn Microsoft.Storage / storageAccounts / blobServices / containers: 3-63, lowercase letters, numbers,
        # hyphens; and SDK BlobContainer container_name: "Every dash (-) character must be immediately preceded and
        # followed by a letter or number" (so no trailing dash either).
        "storage_container": NamingRule(
            "data",
            3,
            63,
            r"[a-z0-9]+(?:-[a-z0-9]+)*",
            "lowercase letters, digits and hyphens, every hyphen between two letters or digits",
        ),
        # Learn Microsoft.KeyVault / vaults: 3-24, alphanumerics and hyphens; start with a letter, end with a
        # letter or digit, no consecutive hyphens.
        "key_vault": NamingRule(
            "kv",
            3,
            24,
            _ALNUM_HYPHEN_NO_DOUBLE + r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]",
            "letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
            globally_unique=True,
        ),
        # Learn Microsoft.ManagedIdentity / userAssignedIdentities: 3-128, alphanumerics, hyphens, underscores,
        # starting with a letter or number (the REST spec, ManagedIdentity/Identity.tsp, sets no pattern).
        "user_assigned_identity": NamingRule(
            "id",
            3,
            128,
            r"[a-zA-Z0-9][-a-zA-Z0-9_]*",
            "ASCII letters, digits, '-' and '_', starting with a letter or digit",
        ),
        # Learn Microsoft.Sql / servers: 1-63, lowercase letters, numbers, hyphens; no leading/trailing hyphen.
        "sql_server": NamingRule(
            "sql",
            1,
            63,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        # Learn Microsoft.Sql / servers / databases: 1-128; can't use <>*%&:\/? or control characters (C0, DEL
        # and C1), can't end with a period or space.
        "sql_database": NamingRule(
            "sqldb",
            1,
            128,
            r"[^<>*%&:\\/?\x00-\x1f\x7f-\x9f]*[^<>*%&:\\/?\x00-\x1f\x7f-\x9f. ]",
            "any characters except <>*%&:\\/? and control characters, not ending in '.' or space",
        ),
        # Learn Microsoft.Sql / servers / failoverGroups: 1-63, same characters as servers (global: a DNS name).
        "sql_failover_group": NamingRule(
            "fog",
            1,
            63,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        # Learn Microsoft.Web / serverfarms: 1-60, alphanumerics and hyphens (and Unicode that maps to
        # Punycode, which this rule leaves out).
        "app_service_plan": NamingRule("asp", 1, 60, r"[a-zA-Z0-9-]+", "letters, digits and hyphens"),
        # Learn Microsoft.Web / sites: 2-60, alphanumerics and hyphens (Punycode-mappable Unicode left out),
        # can't start or end with a hyphen.
        "web_app": NamingRule(
            "app",
            2,
            60,
            r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
            "letters, digits and hyphens, not starting or ending with a hyphen",
            globally_unique=True,
        ),
        # Learn Microsoft.Cache / Redis: 1-63, alphanumerics and hyphens; start and end with alphanumeric, no
        # consecutive hyphens.
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
        # Learn Microsoft.Synapse / workspaces: 1-50, lowercase letters, hyphens, numbers; start and end with a
        # letter or number; can't contain -ondemand.
        "synapse_workspace": NamingRule(
            "syn",
            1,
            50,
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
            "lowercase letters, digits and hyphens, starting and ending with a letter or digit",
            globally_unique=True,
            forbidden_substrings=("-ondemand",),
        ),
        # Learn Microsoft.Synapse / workspaces / bigDataPools: 1-15, letters and numbers, start with a letter.
        "synapse_spark_pool": NamingRule(
            "spark", 1, 15, r"[a-zA-Z][a-zA-Z0-9]*", "letters and digits, starting with a letter", hyphens=False
        ),
        # Synapse private link hub (Microsoft.Synapse/privateLinkHubs): neither Learn's naming page nor the REST spec
        # (synapse 2021-06-01, privateLinkHubName: a plain string) states a rule. This program's conservative
        # choice, unverified: lowercase letters and digits, at most 45, globally unique like the workspace.
        "synapse_private_link_hub": NamingRule(
            "synhub",
            1,
            45,
            r"[a-z0-9]+",
            "lowercase letters and digits",
            globally_unique=True,
            hyphens=False,
        ),
        # No Learn row. REST spec specification/purview/resource-manager/Microsoft.Purview/Purview/Account.tsp
        # (and the ARM template reference): 3-63, NamePattern ^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$.
        "purview_account": NamingRule(
            "pview",
            3,
            63,
            _ALNUM_RUNS,
            "letters, digits and single hyphens, starting and ending with a letter or digit",
            globally_unique=True,
        ),
        # REST spec Microsoft.Resources deploymentScripts (stable/2023-08-01/deploymentScripts.json, scriptName;
        # DeploymentScript.tsp): 1-90, no pattern; Learn's naming page has no deploymentScripts row. The
        # characters are this program's conservative choice: the resource-group set in ASCII.
        "deployment_script": NamingRule(
            "ds",
            1,
            90,
            r"[-a-zA-Z0-9_.()]*[-a-zA-Z0-9_()]",
            "ASCII letters, digits, '-', '_', '.', '()', not ending in '.'",
        ),
        # Learn Microsoft.Cdn / profiles: 1-260, alphanumerics and hyphens, start and end with alphanumeric.
        "front_door_profile": NamingRule(
            "afd",
            1,
            260,
            r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
            "letters, digits and hyphens, starting and ending with a letter or digit",
        ),
        # Front Door endpoint (Microsoft.Cdn/profiles/afdEndpoints): Learn has no afdEndpoints row; this takes its
        # neighbour's, Microsoft.Cdn / profiles / endpoints: global, 1-50, alphanumerics and hyphens, start and end
        # with alphanumeric. Global (SDK AFDEndpoint endpoint_name: "unique globally"): suffixed.
        "front_door_endpoint": NamingRule(
            "fde",
            1,
            50,
            r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
            "letters, digits and hyphens, starting and ending with a letter or digit",
            globally_unique=True,
        ),
        # Learn Microsoft.Network / frontdoorWebApplicationFirewallPolicies: 1-128, alphanumerics, start with letter.
        "front_door_waf_policy": NamingRule(
            "waf", 1, 128, r"[a-zA-Z][a-zA-Z0-9]*", "letters and digits, starting with a letter", hyphens=False
        ),
        # Learn Microsoft.Databricks / workspaces: 3-64, alphanumerics, underscores and hyphens (no rule on the
        # first character; REST spec Databricks/Workspace.tsp: 3-64, no pattern). Unique per resource group,
        # not globally: the workspace URL is adb-<workspace id>.<n>.azuredatabricks.net, not the name.
        "databricks_workspace": NamingRule("dbw", 3, 64, r"[-a-zA-Z0-9_]+", "ASCII letters, digits, '-' and '_'"),
        # Learn Microsoft.OperationalInsights / workspaces: 4-63, alphanumerics and hyphens, start and end with
        # an alphanumeric; unique per resource group.
        "log_analytics_workspace": NamingRule(
            "log",
            4,
            63,
            r"[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]",
            "letters, digits and hyphens, starting and ending with a letter or digit",
        ),
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
        # network.mode private only: the schema bootstrap's identity, the private deployment scripts' storage.
        "registry_bootstrap_identity": ("user_assigned_identity", "regschema"),
        "script_storage_account": ("storage_account", "ds"),
        "synapse_workspace": ("synapse_workspace", ""),
        "synapse_spark_pool": ("synapse_spark_pool", ""),
        "synapse_managed_resource_group": ("resource_group", "synapse-managed"),
        "synapse_private_link_hub": ("synapse_private_link_hub", ""),
        "databricks_workspace": ("databricks_workspace", ""),
        "databricks_managed_resource_group": ("resource_group", "databricks-managed"),
        "registry_plan": ("app_service_plan", "registry"),
        "registry_app": ("web_app", "registry"),
        "registry_identity": ("user_assigned_identity", "registry"),
        # The standby registry API in registry.sql.secondaryLocation, and the global entry point in front of both.
        "registry_standby_plan": ("app_service_plan", "registry-standby"),
        "registry_standby_app": ("web_app", "registry-standby"),
        "registry_standby_identity": ("user_assigned_identity", "registry-standby"),
        "registry_front_door": ("front_door_profile", "registry"),
        "registry_front_door_endpoint": ("front_door_endpoint", "registry"),
        "registry_waf_policy": ("front_door_waf_policy", "registry"),
        "purview_account": ("purview_account", ""),
        "purview_managed_resource_group": ("resource_group", "purview-managed"),
        "purview_admin_identity": ("user_assigned_identity", "purview-admin"),
        "purview_curator_script": ("deployment_script", "purview-curator"),
        "managed_redis": ("managed_redis", ""),
        "managed_redis_secondary": ("managed_redis", "secondary"),
        "redis_cache": ("redis_cache", ""),
        "redis_cache_secondary": ("redis_cache", "secondary"),
        "redis_persistence_identity": ("user_assigned_identity", "redis"),
        "log_analytics_workspace": ("log_analytics_workspace", ""),
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

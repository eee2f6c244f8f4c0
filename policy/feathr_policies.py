"""The feathr-infra guardrails: plain validate functions, wrapped as pulumi-policy policies.

Every policy is written against azure-native type tokens and wire (camelCase) property names, never
against this program's components, so a resource type added by any component is covered the moment
it is declared. `__main__.py` only builds the pack from `ALL_POLICIES`; the tests import this module
and call the validate functions with the framework's own argument objects.

How a policy knows the stack is production-like
-----------------------------------------------
From the stack's own setting `feathr-infra:productionLike`, the same value the program branches on
(`settings.env.production_like`). The Pulumi CLI hands every policy pack the stack's configuration
in the `PULUMI_CONFIG` environment variable (as it does for the program), so no program code,
tag, output or pipeline flag is needed. A policy config value `productionLike` (boolean; e.g.
`pulumi preview --policy-pack policy --policy-pack-config guardrails.json`) overrides it, for a
pipeline that must hold a stack to production rules whatever its stack file says.

Not chosen: the CanNotDelete locks or the `environment` tag. The locks are made from the same flag
these policies are meant to check, so a stack that forgot them would also escape the checks; and a
list of "production" environment names would branch on names, which this repo never does.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import taggable_types
from pulumi.runtime.config import get_config_env
from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

PROJECT = "feathr-infra"
PRODUCTION_LIKE_KEY = f"{PROJECT}:productionLike"

# --- production-likeness -------------------------------------------------------------------------

PRODUCTION_LIKE_SCHEMA = PolicyConfigSchema(
    properties={
        "productionLike": {
            "type": "boolean",
            "description": "Overrides the stack setting feathr-infra:productionLike for this policy.",
        }
    }
)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def production_like(args: ResourceValidationArgs | StackValidationArgs) -> bool:
    """Policy config `productionLike` if given, else the stack's `feathr-infra:productionLike` (default false)."""
    config = args.get_config()
    if "productionLike" in config:
        return _truthy(config["productionLike"])
    return _truthy(get_config_env().get(PRODUCTION_LIKE_KEY, False))


# --- helpers -------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A property value as it reads in stack files: true, null, "Blob"."""
    return json.dumps(value, default=str)


def _describe(resource_type: str, name: str) -> str:
    return f"{resource_type} '{name}'"


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) in a property tree. Values unknown during preview are skipped: the same
    policy runs again during `pulumi up`, when they are known."""
    yield path, value
    if isinstance(value, Mapping):
        for key in list(value):
            try:
                child = value[key]
            except UnknownValueError:
                continue
            yield from _walk(child, (*path, str(key)))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for index in range(len(value)):
            try:
                child = value[index]
            except UnknownValueError:
                continue
            yield from _walk(child, (*path, str(index)))


def _dotted(path: Sequence[str]) -> str:
    return ".".join(path)


def _lookup(props: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = props
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


# --- 1. TLS 1.2 minimum --------------------------------------------------------------------------

# Types whose minimum TLS version must be set explicitly (Azure's default depends on the API version
# and on when the service was created). Any other property anywhere that looks like a minimum TLS
# version (TLS_PROPERTY) is checked too when it is set, on any type.
TLS_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "azure-native:storage:StorageAccount": (("minimumTlsVersion",),),
    "azure-native:sql:Server": (("minimalTlsVersion",),),
    "azure-native:sql:ManagedInstance": (("minimalTlsVersion",),),
    "azure-native:web:WebApp": (("siteConfig", "minTlsVersion"),),
    "azure-native:web:WebAppSlot": (("siteConfig", "minTlsVersion"),),
    "azure-native:web:WebAppSiteConfig": (("minTlsVersion",),),
    "azure-native:redis:Redis": (("minimumTlsVersion",),),
    "azure-native:redisenterprise:RedisEnterprise": (("minimumTlsVersion",),),
    "azure-native:eventhub:Namespace": (("minimumTlsVersion",),),
    "azure-native:servicebus:Namespace": (("minimumTlsVersion",),),
    "azure-native:cosmosdb:DatabaseAccount": (("minimalTlsVersion",),),
}
TLS_PROPERTY = re.compile(r"(?i)^(scm)?min(imum|imal)?tlsversion$")
_TLS_VERSION = re.compile(r"(?i)\s*(?:tls)?\s*v?(\d)[._]?(\d)\s*")


def tls_at_least_1_2(value: Any) -> bool:
    """'TLS1_2', '1.2', 'Tls12', 'TLS1_3' pass; '1.0', 'TLS1_1', 'None' and anything unreadable fail."""
    match = _TLS_VERSION.fullmatch(str(value))
    if match is None:
        return False
    return (int(match.group(1)), int(match.group(2))) >= (1, 2)


def validate_tls_minimum(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    what = _describe(args.resource_type, args.name)
    for path in TLS_REQUIRED.get(args.resource_type, ()):
        if _lookup(args.props, path) is None:
            report_violation(f"{what}: property '{_dotted(path)}' is not set; set it to TLS 1.2 or later.", None)
    if not args.resource_type.startswith("azure-native:"):
        return
    for path, value in _walk(args.props):
        if path and TLS_PROPERTY.match(path[-1]) and value is not None and not tls_at_least_1_2(value):
            report_violation(f"{what}: property '{_dotted(path)}' is '{value}'; TLS 1.2 or later is required.", None)


# --- 2. No public blob access --------------------------------------------------------------------


def validate_no_public_blob_access(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    what = _describe(args.resource_type, args.name)
    if args.resource_type == "azure-native:storage:StorageAccount":
        value = args.props.get("allowBlobPublicAccess")
        if value is not False:
            report_violation(f"{what}: property 'allowBlobPublicAccess' is {_show(value)}; it must be false.", None)
    elif args.resource_type == "azure-native:storage:BlobContainer":
        value = args.props.get("publicAccess")
        if value not in (None, "None"):
            report_violation(f"{what}: property 'publicAccess' is {_show(value)}; it must be None (private).", None)


# --- 3. No allow-all firewall rule ---------------------------------------------------------------

# Wider than a /8 is "the internet" for a firewall rule. 0.0.0.0-0.0.0.0 (SQL's and Synapse's
# "AllowAllWindowsAzureIps", i.e. Azure services only) is a single address and passes.
_MAX_PREFIX = 8
_START_KEYS = {"startipaddress", "startip"}
_END_KEYS = {"endipaddress", "endip"}
_RULE_LISTS = {"iprules", "ipsecurityrestrictions", "scmipsecurityrestrictions"}
_RULE_ADDRESS_KEYS = {"value", "ipaddressorrange", "ipaddress", "ipaddressrange"}
_ALLOW_ALL_WORDS = {"any", "*", "internet"}


def _too_wide(address_count: int, version: int) -> bool:
    bits = 32 if version == 4 else 128
    return address_count > 2 ** (bits - _MAX_PREFIX)


def _range_too_wide(start: Any, end: Any) -> bool:
    try:
        first, last = ipaddress.ip_address(str(start).strip()), ipaddress.ip_address(str(end).strip())
    except ValueError:
        return False
    if first.version != last.version:
        return True
    return _too_wide(int(last) - int(first) + 1, first.version)


def _cidr_too_wide(value: Any) -> bool:
    text = str(value).strip()
    if text.lower() in _ALLOW_ALL_WORDS:
        return True
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False  # a service tag or another non-address value: not an address range
    return _too_wide(network.num_addresses, network.version)


def validate_no_allow_all_firewall_rule(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("azure-native:"):
        return
    what = _describe(args.resource_type, args.name)
    for path, value in _walk(args.props):
        if not isinstance(value, Mapping):
            continue
        keys = {key.lower(): key for key in value}
        start_key = next((keys[k] for k in _START_KEYS if k in keys), None)
        end_key = next((keys[k] for k in _END_KEYS if k in keys), None)
        if start_key and end_key:
            start, end = value.get(start_key), value.get(end_key)
            if _range_too_wide(start, end):
                where = _dotted((*path, start_key)) + "/" + end_key
                report_violation(
                    f"{what}: firewall range '{where}' = {start}-{end} is wider than a /{_MAX_PREFIX}; "
                    "allow specific address ranges only.",
                    None,
                )
        if len(path) >= 2 and path[-2].lower() in _RULE_LISTS:
            if str(value.get("action", "Allow")).lower() == "deny":
                continue
            for lower, key in keys.items():
                if lower in _RULE_ADDRESS_KEYS and _cidr_too_wide(value.get(key)):
                    report_violation(
                        f"{what}: network rule '{_dotted((*path, key))}' = {value.get(key)} is wider than "
                        f"a /{_MAX_PREFIX}; allow specific address ranges only.",
                        None,
                    )


# --- 4. Key Vault purge protection (production-like) ---------------------------------------------

PURGE_PROTECTED_TYPES = ("azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm")


def validate_key_vault_purge_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in PURGE_PROTECTED_TYPES or not production_like(args):
        return
    properties = args.props.get("properties") or {}
    if properties.get("enablePurgeProtection") is not True:
        report_violation(
            f"{_describe(args.resource_type, args.name)}: property 'properties.enablePurgeProtection' is "
            f"{_show(properties.get('enablePurgeProtection'))}; it must be true in a production-like stack.",
            None,
        )


# --- 5. Registry geo-replication and backups (production-like, stack) ----------------------------

SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
SQL_FAILOVER_GROUP = "azure-native:sql:FailoverGroup"
SQL_SHORT_TERM_RETENTION = "azure-native:sql:BackupShortTermRetentionPolicy"
PURVIEW_ACCOUNT = "azure-native:purview:Account"
GEO_BACKUP_REDUNDANCY = ("Geo", "GeoZone")
GEO_SECONDARY_CREATE_MODES = ("Secondary", "OnlineSecondary")


def validate_registry_resilience(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not production_like(args):
        return
    by_type: dict[str, list[Any]] = {}
    for resource in args.resources:
        by_type.setdefault(resource.resource_type, []).append(resource)
    servers, databases = by_type.get(SQL_SERVER, []), by_type.get(SQL_DATABASE, [])
    purview = by_type.get(PURVIEW_ACCOUNT, [])

    if not servers and not purview:
        report_violation(
            "production-like stack: no feature registry found (neither an azure-native:sql:Server nor an "
            "azure-native:purview:Account); the registry must be geo-replicated.",
            None,
        )
    if servers and not by_type.get(SQL_FAILOVER_GROUP):
        for server in servers:
            report_violation(
                f"{_describe(server.resource_type, server.name)}: no azure-native:sql:FailoverGroup in a "
                "production-like stack; the SQL registry must be geo-replicated.",
                server.urn,
            )
    for database in databases:
        redundancy = database.props.get("requestedBackupStorageRedundancy")
        if redundancy not in GEO_BACKUP_REDUNDANCY:
            report_violation(
                f"{_describe(database.resource_type, database.name)}: property 'requestedBackupStorageRedundancy' "
                f"is {_show(redundancy)}; it must be one of {', '.join(GEO_BACKUP_REDUNDANCY)} "
                "in a production-like stack.",
                database.urn,
            )
    # A geo-secondary takes no backups of its own while it is a secondary; its primary's retention
    # policy is the one that must exist. Stack policies see outputs, where ARM does not echo the
    # write-only `createMode`, so a database that depends on another database counts as a replica too.
    retention = by_type.get(SQL_SHORT_TERM_RETENTION, [])
    for database in databases:
        if _is_replica(database):
            continue
        if not any(_depends_on(policy, database) for policy in retention):
            report_violation(
                f"{_describe(database.resource_type, database.name)}: no azure-native:sql:"
                "BackupShortTermRetentionPolicy for this database in a production-like stack.",
                database.urn,
            )


def _is_replica(database: Any) -> bool:
    if database.props.get("createMode") in GEO_SECONDARY_CREATE_MODES or database.props.get("secondaryType"):
        return True
    return any(dependency.resource_type == SQL_DATABASE for dependency in database.dependencies)


def _depends_on(resource: Any, target: Any) -> bool:
    """Whether `resource` depends on `target` (a resource dependency or a property dependency)."""
    if any(dependency.urn == target.urn for dependency in resource.dependencies):
        return True
    return any(dep.urn == target.urn for deps in resource.property_dependencies.values() for dep in deps)


# --- 6. Stateful resources protected (production-like, stack) ------------------------------------

STATEFUL_TYPES = frozenset(
    {
        "azure-native:storage:StorageAccount",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:ManagedHsm",
        "azure-native:sql:Server",
        "azure-native:sql:Database",
        "azure-native:sql:ManagedInstance",
        "azure-native:purview:Account",
        "azure-native:redis:Redis",
        "azure-native:redisenterprise:RedisEnterprise",
        "azure-native:redisenterprise:Database",
        "azure-native:cosmosdb:DatabaseAccount",
        "azure-native:storage:BlobContainer",
        "azure-native:synapse:Workspace",
        "azure-native:databricks:Workspace",
    }
)


def validate_stateful_resources_protected(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not production_like(args):
        return
    for resource in args.resources:
        if resource.resource_type in STATEFUL_TYPES and not resource.opts.protect:
            report_violation(
                f"{_describe(resource.resource_type, resource.name)}: resource option 'protect' is false; "
                "stateful resources must be protected in a production-like stack.",
                resource.urn,
            )


# --- 7. Required tags ----------------------------------------------------------------------------

REQUIRED_TAGS = ("environment", "stack", "managed-by", "owner", "cost-center")
TAGGABLE_TYPES = taggable_types.load()


def validate_required_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in TAGGABLE_TYPES:
        return
    tags = args.props.get("tags") or {}
    missing = [tag for tag in REQUIRED_TAGS if not str(tags.get(tag) or "").strip()]
    if missing:
        report_violation(
            f"{_describe(args.resource_type, args.name)}: property 'tags' lacks {', '.join(missing)}; "
            f"every taggable resource carries {', '.join(REQUIRED_TAGS)}.",
            None,
        )


# --- the policies --------------------------------------------------------------------------------

TLS_MINIMUM = ResourceValidationPolicy(
    name="tls-1-2-minimum",
    description="Every minimum-TLS-version setting is TLS 1.2 or later, and is set explicitly on storage "
    "accounts, SQL servers, web apps, Redis caches and Managed Redis clusters.",
    validate=validate_tls_minimum,
)
NO_PUBLIC_BLOB_ACCESS = ResourceValidationPolicy(
    name="no-public-blob-access",
    description="Storage accounts set allowBlobPublicAccess to false; blob containers have no public access.",
    validate=validate_no_public_blob_access,
)
NO_ALLOW_ALL_FIREWALL_RULE = ResourceValidationPolicy(
    name="no-allow-all-firewall-rule",
    description="No firewall rule or network IP rule admits a range wider than a /8 (0.0.0.0-255.255.255.255 "
    "included); SQL's 0.0.0.0-0.0.0.0 'Azure services' rule is allowed.",
    validate=validate_no_allow_all_firewall_rule,
)
KEY_VAULT_PURGE_PROTECTION = ResourceValidationPolicy(
    name="key-vault-purge-protection",
    description="In production-like stacks, Key Vaults and managed HSMs have purge protection enabled.",
    validate=validate_key_vault_purge_protection,
    config_schema=PRODUCTION_LIKE_SCHEMA,
)
REGISTRY_RESILIENCE = StackValidationPolicy(
    name="registry-geo-replication-and-backups",
    description="In production-like stacks the feature registry is geo-replicated (a SQL failover group, or the "
    "Purview backend) and every SQL database has geo-redundant backups and a short-term retention policy.",
    validate=validate_registry_resilience,
    config_schema=PRODUCTION_LIKE_SCHEMA,
)
STATEFUL_RESOURCES_PROTECTED = StackValidationPolicy(
    name="stateful-resources-protected",
    description="In production-like stacks, storage accounts, key vaults, SQL servers and databases, Purview "
    "accounts and Redis caches/clusters have the `protect` resource option.",
    validate=validate_stateful_resources_protected,
    config_schema=PRODUCTION_LIKE_SCHEMA,
)
REQUIRED_TAGS_PRESENT = ResourceValidationPolicy(
    name="required-tags",
    description="Every azure-native resource that accepts tags carries environment, stack, managed-by, owner and "
    "cost-center.",
    validate=validate_required_tags,
)

RESOURCE_POLICIES: list[ResourceValidationPolicy] = [
    TLS_MINIMUM,
    NO_PUBLIC_BLOB_ACCESS,
    NO_ALLOW_ALL_FIREWALL_RULE,
    KEY_VAULT_PURGE_PROTECTION,
    REQUIRED_TAGS_PRESENT,
]
STACK_POLICIES: list[StackValidationPolicy] = [REGISTRY_RESILIENCE, STATEFUL_RESOURCES_PROTECTED]
ALL_POLICIES: list[Policy] = [*RESOURCE_POLICIES, *STACK_POLICIES]

"""The role matrix: for each role and each part of the environment, what it is granted.

This table is the single source of who may do what. Azure built-in roles are applied as ARM role
assignments; Synapse and registry roles are data-plane roles applied inside the deployment.
Producers write; consumers read the registry and data and may run Spark jobs; only admins manage.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# The parts of an environment a grant can target (its scope is the narrowest resource below).
OFFLINE_STORE = "offline_store"  # the ADLS Gen2 account
KEY_VAULT = "key_vault"  # the vault, for admins
FEATHR_SECRETS = "feathr_secrets"  # the individual secrets the Feathr client reads
ADLS_KEY_SECRETS = "adls_key_secrets"  # ADLS-ACCOUNT / ADLS-KEY (Databricks): the key can write
SPARK = "spark"  # the Synapse or Databricks workspace
ONLINE_STORE = "online_store"  # the Redis cache / cluster
REGISTRY = "registry"  # the Feathr registry (its own RBAC)


@dataclass(frozen=True)
class Grant:
    plane: str  # "azure" (ARM role assignment), "synapse" (Synapse RBAC) or "registry" (Feathr RBAC)
    target: str
    role: str
    runtime: str = ""  # only for this Spark runtime ("synapse" / "databricks"); "" = always


def _azure(target: str, role: str, runtime: str = "") -> Grant:
    return Grant("azure", target, role, runtime)


ROLE_MATRIX: MappingProxyType[str, tuple[Grant, ...]] = MappingProxyType(
    {
        "admins": (
            _azure(OFFLINE_STORE, "Storage Blob Data Owner"),
            _azure(KEY_VAULT, "Key Vault Administrator"),
            _azure(SPARK, "Contributor"),
            Grant("synapse", SPARK, "Synapse Administrator", "synapse"),
            _azure(ONLINE_STORE, "Contributor"),
            Grant("registry", REGISTRY, "admin"),
        ),
        "producers": (
            _azure(OFFLINE_STORE, "Storage Blob Data Contributor"),
            _azure(FEATHR_SECRETS, "Key Vault Secrets User"),
            _azure(ADLS_KEY_SECRETS, "Key Vault Secrets User", "databricks"),
            _azure(SPARK, "Reader"),
            Grant("synapse", SPARK, "Synapse Contributor", "synapse"),
            Grant("registry", REGISTRY, "producer"),
        ),
        "consumers": (
            _azure(OFFLINE_STORE, "Storage Blob Data Reader"),
            _azure(FEATHR_SECRETS, "Key Vault Secrets User"),
            _azure(SPARK, "Reader"),
            Grant("synapse", SPARK, "Synapse Compute Operator", "synapse"),
            Grant("registry", REGISTRY, "consumer"),
        ),
    }
)

# Roles that let their holder change data, configuration or access. No consumer may hold one.
WRITE_OR_MANAGE_ROLES = frozenset(
    {
        "Owner",
        "Contributor",
        "User Access Administrator",
        "Storage Blob Data Owner",
        "Storage Blob Data Contributor",
        "Key Vault Administrator",
        "Key Vault Secrets Officer",
        "Synapse Administrator",
        "Synapse Contributor",
        "admin",
        "producer",
    }
)

# Secrets the Feathr client reads at construction (see the reference doc, section 1). The Managed Redis
# secondary's key (online geo-replication) is what a client reads as REDIS_PASSWORD once it has moved over
# in a region loss (docs/disaster-recovery.md); granted only where the stack builds it.
FEATHR_CLIENT_SECRETS = ("REDIS-PASSWORD", "REDIS-PASSWORD-SECONDARY", "DATABRICKS-WORKSPACE-TOKEN-VALUE")
# Secrets Databricks job submission reads; the account key writes, so consumers never get them.
ADLS_KEY_CLIENT_SECRETS = ("ADLS-ACCOUNT", "ADLS-KEY")

# Project roles: the registry role is scoped to the project; data-plane Azure roles cannot be,
# so a project member gets the Azure grants of the same global role.
PROJECT_ROLE_OF = MappingProxyType({"producers": "producers", "consumers": "consumers"})


def grants_for(role: str, spark_runtime: str) -> tuple[Grant, ...]:
    return tuple(g for g in ROLE_MATRIX[role] if g.runtime in ("", spark_runtime))

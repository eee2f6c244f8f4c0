"""The stack variants the exact-expectation tests cover: each stack file as deployed, and prod/dev
with the other registry backend, Spark runtime and online store. The configs are built exactly as
the component tests build them, so a worker that runs both shares the cached program run."""

from __future__ import annotations

from typing import Any

from tests.support import NS, config_merged, config_with, databricks_ready, run
from tests.support import purview_config as support_purview_config


def purview(stack: str) -> dict[str, Any]:
    # RBAC stays on: its roles live in the stack's SQL database (as tests/test_purview.py builds it)
    return support_purview_config(stack)


def databricks(stack: str) -> dict[str, Any]:
    return databricks_ready(config_merged(stack, "spark", runtime="databricks", synapse={}))


# A landing-zone spoke: the network's subnets and Databricks' two injection subnets in one VNet (the VNet the
# private DNS zones are linked to).
PRIVATE_SPOKE = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-spoke"
    "/providers/Microsoft.Network/virtualNetworks/vnet-contoso-feathr"
)


def databricks_private(stack: str) -> dict[str, Any]:
    """A private stack on VNet-injected Databricks: the network on existing spoke subnets, the workspace injected
    into two more subnets of that spoke (settings: spark.databricks.injection)."""
    config = config_merged(stack, "network")
    network = dict(config["feathr-infra:network"])
    network["primary"] = {
        "location": "westeurope",
        "existingSubnets": {
            role: f"{PRIVATE_SPOKE}/subnets/snet-{name}"
            for role, name in (
                ("endpoints", "endpoints"),
                ("appIntegration", "app"),
                ("deploymentScripts", "scripts"),
            )
        },
    }
    config["feathr-infra:network"] = network
    store = dict(config.get("feathr-infra:offlineStore") or {})
    store["sharedKeyAccess"] = True  # Databricks jobs reach ADLS with the account key
    config["feathr-infra:offlineStore"] = store
    config["feathr-infra:spark"] = {
        "runtime": "databricks",
        "databricks": {
            "injection": {
                "virtualNetworkId": PRIVATE_SPOKE,
                "hostSubnetName": "snet-dbw-host",
                "containerSubnetName": "snet-dbw-container",
            }
        },
    }
    return config


# A private network for a stack whose file has none (dev): the created VNet, as Pulumi.prod.yaml lays it out.
PRIVATE_NETWORK = {
    "mode": "private",
    "primary": {
        "addressSpace": ["10.50.0.0/22"],
        "subnets": {
            "endpoints": "10.50.0.0/24",
            "appIntegration": "10.50.1.0/26",
            "deploymentScripts": "10.50.1.64/27",
        },
    },
}


def private_dev(stack: str) -> dict[str, Any]:
    """`stack` (dev: public, not geo-replicated) in network.mode private; the registry SQL keys that only
    public mode allows (the Azure services rule, client ranges) removed, Synapse in its managed VNet."""
    config = config_with(stack, network=PRIVATE_NETWORK)
    registry = dict(config.get(NS + "registry") or {})
    registry["sql"] = {
        k: v for k, v in (registry.get("sql") or {}).items() if k not in ("allowAzureServices", "allowedIpRanges")
    }
    config[NS + "registry"] = registry
    # A private offline store takes Spark only through the Synapse managed VNet's private endpoint.
    spark = dict(config.get(NS + "spark") or {})
    # Private Synapse (infra/settings/spark_network.py): no client ranges, the RBAC step on a runner in the
    # network, no materialization from Spark (no managed private endpoint reaches Redis).
    synapse = {k: v for k, v in (spark.get("synapse") or {}).items() if k != "allowedIpRanges"}
    spark["synapse"] = {**synapse, "managedVirtualNetwork": True, "rbacRunner": "deployingMachine"}
    spark["materializeOnlineStore"] = False
    config[NS + "spark"] = spark
    return config


def legacy_redis(stack: str) -> dict[str, Any]:
    # Legacy production needs Premium plus zones, persistence or geo-replication: zones is the plain one.
    section: dict[str, Any] = {"kind": "cache-for-redis"}
    if stack == "prod":
        section["zones"] = ["1", "2", "3"]
    return config_with(stack, onlineStore=section)


VARIANTS = {
    "as deployed": None,
    "purview": purview,
    "databricks": databricks,
    "legacy redis": legacy_redis,
}
# Variants only some stacks have (private networking needs a private stack: prod).
STACK_VARIANTS = {"databricks private": databricks_private}


def run_variant(stack: str, variant: str):
    build = VARIANTS[variant] if variant in VARIANTS else STACK_VARIANTS[variant]
    return run(stack) if build is None else run(stack, build(stack))

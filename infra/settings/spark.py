"""Spark compute: Synapse or Databricks, created by this stack (dedicated) or used from another (shared).

Keys under `spark`:
  runtime (synapse|databricks), mode (dedicated|shared), feathrRuntimeLocation (optional jar location),
  synapse:    pool and workspace (dedicated only): sparkVersion, nodeSizeFamily, nodeSize, minNodes, maxNodes,
              autoPauseMinutes, managedVirtualNetwork, preventDataExfiltration, allowedIpRanges;
              Feathr jobs (both modes): workspaceDir, executorSize, executorNum
  databricks: the Feathr job cluster (both modes): sparkVersion, nodeTypeId, numWorkers | minWorkers+maxWorkers,
              workDir
  shared:     where the shared Spark comes from (shared mode only): stackReference, or
              synapse {workspaceName, poolName, identityPrincipalId} / databricks {workspaceUrl}

The section of the runtime not in use is still parsed and checked, then ignored, so switching runtime is a
one-line change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.feathr_config import DEFAULT_DATABRICKS_SPARK_VERSION
from infra.settings.reader import GUID, Section

RUNTIMES = ("synapse", "databricks")
MODES = ("dedicated", "shared")

# Synapse: only the Spark 3.5 runtime is still supported (3.4 ended 2026-03-31; 3.5 is supported through
# 2028-10-31). Feathr 1.0's runtime jar was built for Spark 3.1 / Scala 2.12: keep it a setting.
SYNAPSE_SPARK_VERSIONS = ("3.5",)
SYNAPSE_NODE_SIZE_FAMILIES = ("MemoryOptimized",)  # the GPU / FPGA families retired with Spark 3.1/3.2
# vCores per node (MemoryOptimized) and per Feathr executor size (Livy: Small 4, Medium 8, Large 16).
SYNAPSE_NODE_VCORES = {"Small": 4, "Medium": 8, "Large": 16, "XLarge": 32, "XXLarge": 64, "XXXLarge": 80}
EXECUTOR_VCORES = {"Small": 4, "Medium": 8, "Large": 16}
# XXXLarge is the isolated-compute size, offered only in East US, West US 2, South Central US (and US Gov
# Arizona/Virginia, outside this program's regions): Learn synapse-analytics/spark/apache-spark-pool-configurations.
XXXLARGE_REGIONS = ("eastus", "southcentralus", "westus2")
# Learn synapse-analytics/spark/apache-spark-autoscale: autoscale "up to 200 nodes", never "fewer than three".
SYNAPSE_MIN_NODES, SYNAPSE_MAX_NODES = 3, 200
SYNAPSE_POOL_KEYS = (
    "sparkVersion",
    "nodeSizeFamily",
    "nodeSize",
    "minNodes",
    "maxNodes",
    "autoPauseMinutes",
    "managedVirtualNetwork",
    "preventDataExfiltration",
    "allowedIpRanges",
    "allowAzureServices",
)
# Where the Synapse RBAC step (infra/components/synapse_roles.sh) runs: the machine running `pulumi up`. In
# private mode the workspace's dev endpoint has only a private endpoint, so that machine must be a self-hosted
# runner inside the VNet (or a peered hub resolving the privatelink zones), and the stack says so explicitly
# (infra/settings/spark_network.py). A deployment script in the VNet is not offered yet (docs/spark.md).
RBAC_RUNNERS = ("deployingMachine",)

# Databricks LTS runtimes on Scala 2.12 still in support (Feathr 1.0's jar is Scala 2.12; 17.x is 2.13 only).
# End of support: 14.3 LTS 2027-02, 15.4 LTS 2027-08, 16.4 LTS 2028-05. 13.3 LTS ended 2026-08.
DATABRICKS_SPARK_VERSIONS = ("14.3.x-scala2.12", "15.4.x-scala2.12", "16.4.x-scala2.12")
DATABRICKS_MAX_WORKERS = 1000

STACK_REFERENCE = r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}"
DATABRICKS_HOST = r"adb-\d+\.\d+\.azuredatabricks\.net"
DIRECTORY = r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*"
SUBNET_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,78}[A-Za-z0-9_])?"
SUBNET_RULE = "a subnet name (1-80 letters, digits, '_', '.', '-'; starts alphanumeric, ends alphanumeric or '_')"


@dataclass(frozen=True)
class SynapseSettings:
    spark_version: str
    node_size_family: str
    node_size: str
    min_nodes: int
    max_nodes: int
    auto_pause_minutes: int
    managed_virtual_network: bool
    prevent_data_exfiltration: bool
    allowed_ip_ranges: tuple[str, ...]
    allow_azure_services: bool
    allow_azure_services_given: bool  # set in the stack file (private mode refuses it: no firewall to open)
    rbac_runner_given: str | None  # RBAC_RUNNERS; None: the deploying machine, public mode only
    workspace_dir: str  # directory in the offline store container, e.g. feathr_getting_started
    executor_size: str
    executor_num: int


@dataclass(frozen=True)
class DatabricksInjection:
    """Existing subnets a VNet-injected workspace uses (Learn: "Deploy Azure Databricks in your Azure virtual
    network (VNet injection)"): both delegated to Microsoft.Databricks/workspaces, each with an NSG."""

    virtual_network_id: str
    host_subnet_name: str  # customPublicSubnetName ("host" subnet)
    container_subnet_name: str  # customPrivateSubnetName ("container" subnet)


@dataclass(frozen=True)
class DatabricksSettings:
    spark_version: str
    node_type_id: str
    num_workers: int | None  # a fixed-size job cluster, or
    min_workers: int | None  # an autoscaling one
    max_workers: int | None
    work_dir: str  # dbfs:/...
    injection: DatabricksInjection | None = None  # existing VNet injection subnets (private mode)

    @property
    def autoscale(self) -> bool:
        return self.min_workers is not None


@dataclass(frozen=True)
class SharedSparkSettings:
    """Where a shared Spark is read from: another stack's outputs, or explicit values."""

    stack_reference: str | None
    synapse_workspace_name: str | None
    synapse_pool_name: str | None
    synapse_identity_principal_id: str | None
    databricks_workspace_url: str | None  # https://adb-<id>.<n>.azuredatabricks.net (no trailing slash)


@dataclass(frozen=True)
class SparkSettings:
    runtime: str
    mode: str
    feathr_runtime_location: str | None
    # Feathr materialization jobs write the online store (Redis) from Spark executors.
    materialize_online_store: bool
    synapse: SynapseSettings
    databricks: DatabricksSettings
    shared_source: SharedSparkSettings

    @property
    def shared(self) -> bool:
        return self.mode == "shared"


def _synapse(section: Section) -> SynapseSettings:
    return SynapseSettings(
        spark_version=section.string("sparkVersion", "3.5", pattern=r"\d+\.\d+", rule="a Spark version such as 3.5"),
        node_size_family=section.string("nodeSizeFamily", "MemoryOptimized", allowed=SYNAPSE_NODE_SIZE_FAMILIES),
        node_size=section.string("nodeSize", "Small", allowed=SYNAPSE_NODE_VCORES),
        min_nodes=section.integer("minNodes", SYNAPSE_MIN_NODES, minimum=SYNAPSE_MIN_NODES, maximum=SYNAPSE_MAX_NODES),
        max_nodes=section.integer("maxNodes", 10, minimum=SYNAPSE_MIN_NODES, maximum=SYNAPSE_MAX_NODES),
        # 5-10080: Learn and the REST spec state no bounds; the azurerm provider documents these (third-party).
        auto_pause_minutes=section.integer("autoPauseMinutes", 15, minimum=5, maximum=10080),
        managed_virtual_network=section.boolean("managedVirtualNetwork", False),
        prevent_data_exfiltration=section.boolean("preventDataExfiltration", False),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
        # Azure-hosted deploy runners apply Synapse RBAC from the access table through this rule.
        allow_azure_services=section.boolean("allowAzureServices", True),
        allow_azure_services_given=section.has("allowAzureServices"),
        rbac_runner_given=section.string("rbacRunner", None, allowed=RBAC_RUNNERS),
        workspace_dir=section.string(
            "workspaceDir",
            "feathr_getting_started",
            pattern=DIRECTORY,
            rule="a directory path inside the offline store container, e.g. feathr_getting_started (no leading '/')",
        ),
        executor_size=section.string("executorSize", "Small", allowed=EXECUTOR_VCORES),
        executor_num=section.integer("executorNum", 2, minimum=1, maximum=200),  # our bound: the pool's 200 nodes
    )


def _databricks(section: Section) -> DatabricksSettings:
    return DatabricksSettings(
        spark_version=section.string(
            "sparkVersion", DEFAULT_DATABRICKS_SPARK_VERSION, pattern=r"\S+", rule="a runtime"
        ),
        node_type_id=section.string(
            "nodeTypeId",
            "Standard_D4ds_v5",
            pattern=r"Standard_[A-Za-z0-9_]+",
            rule="an Azure VM size, e.g. Standard_D4ds_v5",
        ),
        num_workers=section.integer("numWorkers", None, minimum=1, maximum=DATABRICKS_MAX_WORKERS),
        min_workers=section.integer("minWorkers", None, minimum=1, maximum=DATABRICKS_MAX_WORKERS),
        max_workers=section.integer("maxWorkers", None, minimum=1, maximum=DATABRICKS_MAX_WORKERS),
        work_dir=section.string(
            "workDir",
            "dbfs:/feathr_getting_started",
            pattern=r"dbfs:/" + DIRECTORY,
            rule="a DBFS directory, e.g. dbfs:/feathr_getting_started",
        ),
        injection=_injection(section),
    )


def _injection(parent: Section) -> DatabricksInjection | None:
    given = parent.mapping("injection")
    if not given:
        return None
    section = Section(parent.key("injection"), given)
    injection = DatabricksInjection(
        virtual_network_id=section.string(
            "virtualNetworkId",
            pattern=rf"/subscriptions/{GUID}/resourceGroups/[-\w._()]+/providers/Microsoft\.Network/virtualNetworks/"
            r"[A-Za-z0-9][-A-Za-z0-9_.]*",
            rule="the resource id of the virtual network that holds both subnets",
        ),
        # Learn resource-name-rules, Microsoft.Network / virtualNetworks / subnets: 1-80, alphanumerics,
        # underscores, periods and hyphens; start with alphanumeric, end with alphanumeric or underscore.
        host_subnet_name=section.string("hostSubnetName", pattern=SUBNET_NAME, rule=SUBNET_RULE),
        container_subnet_name=section.string("containerSubnetName", pattern=SUBNET_NAME, rule=SUBNET_RULE),
    )
    section.finish()
    if injection.host_subnet_name.lower() == injection.container_subnet_name.lower():
        raise section.fail(
            "containerSubnetName", injection.container_subnet_name, "must differ from hostSubnetName (two subnets)"
        )
    return injection


def _shared(section: Section) -> SharedSparkSettings:
    synapse, databricks = section.section("synapse"), section.section("databricks")
    workspace_url = databricks.string(
        "workspaceUrl",
        None,
        pattern=rf"(https://)?{DATABRICKS_HOST}/?",
        rule="the workspace URL, https://adb-<id>.<n>.azuredatabricks.net/",
    )
    settings = SharedSparkSettings(
        stack_reference=section.string(
            "stackReference", None, pattern=STACK_REFERENCE, rule="a stack name: <organization>/<project>/<stack>"
        ),
        synapse_workspace_name=synapse.string(
            "workspaceName", None, pattern=r"[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?", rule="a Synapse workspace name"
        ),
        synapse_pool_name=synapse.string(
            "poolName",
            None,
            pattern=r"[A-Za-z][A-Za-z0-9]{0,14}",
            rule="a Spark pool name (letters and digits, at most 15)",
        ),
        synapse_identity_principal_id=synapse.string(
            "identityPrincipalId", None, pattern=GUID, rule="the workspace identity's object id (a GUID)"
        ),
        databricks_workspace_url=("https://" + re.sub(r"^https://|/$", "", workspace_url) if workspace_url else None),
    )
    synapse.finish()
    databricks.finish()
    return settings


def parse_spark(section: Section, production_like: bool, location: str) -> SparkSettings:
    synapse_section, databricks_section = section.section("synapse"), section.section("databricks")
    shared_section = section.section("shared")
    settings = SparkSettings(
        runtime=section.string("runtime", "synapse", allowed=RUNTIMES),
        mode=section.string("mode", "dedicated", allowed=MODES),
        feathr_runtime_location=section.string(
            "feathrRuntimeLocation",
            None,
            pattern=r"(abfss|abfs|wasbs|https|dbfs)://?\S+",
            rule="the Feathr runtime jar (abfss://, wasbs://, https:// or dbfs:/); unset uses the Maven artifact",
        ),
        materialize_online_store=section.boolean("materializeOnlineStore", True),
        synapse=_synapse(synapse_section),
        databricks=_databricks(databricks_section),
        shared_source=_shared(shared_section),
    )
    synapse_section.finish()
    databricks_section.finish()
    shared_section.finish()
    section.finish()

    _check_synapse(settings, synapse_section, location)
    _check_databricks(settings.databricks, databricks_section)
    _check_source(settings, shared_section)
    if settings.feathr_runtime_location:
        schemes = (
            ("abfss://", "abfs://", "wasbs://", "https://") if settings.runtime == "synapse" else ("dbfs:/", "https://")
        )
        if not settings.feathr_runtime_location.startswith(schemes):
            raise section.fail(
                "feathrRuntimeLocation",
                settings.feathr_runtime_location,
                f"with runtime {settings.runtime!r} must start with one of {', '.join(schemes)}",
            )
    return settings


def _check_synapse(settings: SparkSettings, section: Section, location: str) -> None:
    s = settings.synapse
    if s.spark_version not in SYNAPSE_SPARK_VERSIONS:
        raise section.fail(
            "sparkVersion",
            s.spark_version,
            f"unsupported Synapse Spark runtime; supported: {', '.join(SYNAPSE_SPARK_VERSIONS)} "
            "(3.4 and older are out of support)",
        )
    if s.min_nodes > s.max_nodes:
        raise section.fail("minNodes", s.min_nodes, f"the autoscale minimum must not exceed maxNodes ({s.max_nodes})")
    if s.prevent_data_exfiltration and not s.managed_virtual_network:
        raise section.fail("preventDataExfiltration", True, "only possible with managedVirtualNetwork: true")
    if settings.runtime != "synapse":
        return
    if settings.shared:
        given = [key for key in SYNAPSE_POOL_KEYS if section.has(key)]
        if given:
            attribute = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), given[0])
            value = getattr(s, attribute)
            raise section.fail(
                given[0],
                list(value) if isinstance(value, tuple) else value,
                "sizes the workspace and pool of mode 'dedicated'; a shared Spark is sized by the stack that owns it",
            )
        return
    if s.node_size == "XXXLarge" and location not in XXXLARGE_REGIONS:
        raise section.fail(
            "nodeSize",
            s.node_size,
            f"XXXLarge (isolated compute) is offered only in {', '.join(XXXLARGE_REGIONS)}; the stack's location is "
            f"{location}: choose XXLarge or smaller",
        )
    if EXECUTOR_VCORES[s.executor_size] > SYNAPSE_NODE_VCORES[s.node_size]:
        raise section.fail(
            "executorSize",
            s.executor_size,
            f"an executor must fit on one node: at most nodeSize {s.node_size} "
            f"({SYNAPSE_NODE_VCORES[s.node_size]} vCores)",
        )
    capacity = s.max_nodes * SYNAPSE_NODE_VCORES[s.node_size]
    needed = (s.executor_num + 1) * EXECUTOR_VCORES[s.executor_size]  # executors plus a driver of the same size
    if needed > capacity:
        raise section.fail(
            "executorNum",
            s.executor_num,
            f"{s.executor_num} {s.executor_size} executors plus the driver need {needed} vCores; the pool has "
            f"{capacity} ({s.max_nodes} x {s.node_size})",
        )


def _check_databricks(d: DatabricksSettings, section: Section) -> None:
    if d.spark_version not in DATABRICKS_SPARK_VERSIONS:
        raise section.fail(
            "sparkVersion",
            d.spark_version,
            "unsupported Databricks runtime; supported LTS runtimes on Scala 2.12: "
            + ", ".join(DATABRICKS_SPARK_VERSIONS),
        )
    if (d.min_workers is None) != (d.max_workers is None):
        missing = "maxWorkers" if d.max_workers is None else "minWorkers"
        raise section.fail(missing, None, "autoscaling needs both minWorkers and maxWorkers")
    if d.min_workers is not None and d.num_workers is not None:
        raise section.fail(
            "numWorkers",
            d.num_workers,
            "a fixed size and autoscaling exclude each other: drop numWorkers or min/maxWorkers",
        )
    if d.min_workers is not None and d.max_workers is not None and d.min_workers > d.max_workers:
        raise section.fail(
            "minWorkers", d.min_workers, f"the autoscale minimum must not exceed maxWorkers ({d.max_workers})"
        )


def _check_source(settings: SparkSettings, section: Section) -> None:
    source = settings.shared_source
    explicit = {
        "synapse": [
            v
            for v in (source.synapse_workspace_name, source.synapse_pool_name, source.synapse_identity_principal_id)
            if v
        ],
        "databricks": [v for v in (source.databricks_workspace_url,) if v],
    }
    given = source.stack_reference is not None or any(explicit.values())
    if not settings.shared:
        if given:
            if source.stack_reference is not None:
                raise section.fail("stackReference", source.stack_reference, "only used with mode 'shared'")
            runtime = "synapse" if explicit["synapse"] else "databricks"
            raise section.fail(runtime, explicit[runtime], "only used with mode 'shared'")
        return
    other = "databricks" if settings.runtime == "synapse" else "synapse"
    if explicit[other]:
        raise section.fail(other, explicit[other], f"this stack's runtime is {settings.runtime!r}")
    if source.stack_reference is not None and explicit[settings.runtime]:
        raise section.fail(
            "stackReference",
            source.stack_reference,
            f"give one source for the shared Spark: a stack reference or spark.shared.{settings.runtime}, not both",
        )
    if source.stack_reference is not None:
        return
    if not explicit[settings.runtime]:
        raise section.fail(
            "stackReference",
            None,
            f"mode 'shared' needs a source: a stack reference (<organization>/<project>/<stack>) to the stack that "
            f"owns the Spark, or explicit spark.shared.{settings.runtime} settings",
        )
    if settings.runtime == "synapse" and not (source.synapse_workspace_name and source.synapse_pool_name):
        missing = "workspaceName" if not source.synapse_workspace_name else "poolName"
        raise Section(section.key("synapse"), {}).fail(missing, None, "required for an explicit shared Synapse source")

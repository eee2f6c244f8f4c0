"""Spark compute for Feathr: a Synapse workspace and Spark pool, or a Databricks workspace and a Feathr
job-cluster template; created by this stack (dedicated) or read from the stack that owns it (shared).

What the Feathr config needs comes out as `feathr_spark` (`SynapseSpark` | `DatabricksSpark` from
infra/feathr_config.py). What a *shared* consumer stack reads comes out as `exports` (stack outputs under
the names in `EXPORTS`), and a shared stack exports the same names again, so sharing can be chained.

Databricks: the Feathr client authenticates with a personal access token read from Key Vault secret
`DATABRICKS-WORKSPACE-TOKEN-VALUE` (env var DATABRICKS_WORKSPACE_TOKEN_VALUE). ARM cannot create a Databricks
token, so this program does not write that secret (and never a placeholder): an operator, or a pipeline step
running after `pulumi up` with the Databricks CLI, creates the token (preferably for a service principal) and
stores it with `az keyvault secret set --vault-name <keyVaultName> --name DATABRICKS-WORKSPACE-TOKEN-VALUE`.
See docs/spark.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi_azure_native import databricks, synapse
from pulumi_command import local

from infra.components.firewall import AZURE_SERVICES, client_range
from infra.components.monitoring import Monitoring
from infra.components.monitoring.alerts import LogAlert, MetricAlert
from infra.components.monitoring.sql_audit import audit_synapse_workspace
from infra.components.protection import lock_against_deletion, stateful_options
from infra.components.role_assignment import grant
from infra.feathr_config import DatabricksSpark, SynapseSpark, databricks_config_template
from infra.naming import Names
from infra.settings.spark import DatabricksSettings, SparkSettings

APPROVE_PRIVATE_ENDPOINTS = Path(__file__).with_name("approve_private_endpoints.sh")
FILL_IN = "FEATHR_FILL_IN"
FEATHR_JOIN_JOB = "com.linkedin.feathr.offline.job.FeatureJoinJob"

# Failed Spark applications. Synapse: Learn, "Supported metrics for Microsoft.Synapse/workspaces/bigDataPools":
# BigDataPoolApplicationsEnded, Count, Total, dimensions JobType and JobResult, PT1M.
SYNAPSE_ALERTS = (
    MetricAlert(
        key="failed-applications",
        description="Feathr Spark applications failed on the Synapse pool (alerts.failedSparkApplicationsPerHour)",
        namespace="Microsoft.Synapse/workspaces/bigDataPools",
        metric="BigDataPoolApplicationsEnded",
        aggregation="Total",
        operator="GreaterThanOrEqual",
        threshold="failed_spark_applications",
        window="PT1H",
        frequency="PT15M",
        dimensions=(("JobResult", ("Failed",)),),
    ),
)
# Databricks has no job metrics in Azure Monitor: its `jobs` diagnostic logs land in DatabricksJobs (Learn,
# azure-monitor/reference/tables/databricksjobs), where a failed run is ActionName "runFailed" (Databricks,
# "Audit log reference", jobs events).
DATABRICKS_ALERTS = (
    LogAlert(
        key="failed-applications",
        description="Feathr Spark job runs failed in the Databricks workspace",
        query='DatabricksJobs\n| where ActionName == "runFailed"',
        threshold="failed_spark_applications",
        operator="GreaterThanOrEqual",
    ),
)

# Stack outputs: what the Feathr config and a shared consumer stack read. Written by every stack (dedicated
# or shared); read back through a StackReference in shared mode (and fabricated by the offline mocks).
EXPORTS = {
    "runtime": "sparkRuntime",  # synapse | databricks
    "mode": "sparkMode",  # dedicated | shared
    "endpoint": "sparkEndpoint",  # Synapse dev endpoint or Databricks workspace URL, with https://
    "workspace_name": "sparkWorkspaceName",
    "workspace_id": "sparkWorkspaceId",  # ARM id of the workspace (for access control)
    "pool_name": "sparkPoolName",  # Synapse only
    "identity_principal_id": "sparkIdentityPrincipalId",  # Synapse workspace identity (object id)
    "workspace_dir": "sparkWorkspaceDir",  # Synapse: abfss://<container>@<account>.dfs.core.windows.net/<dir>
    "work_dir": "sparkWorkDir",  # Databricks: dbfs:/<dir>
    "config_template": "sparkConfigTemplate",  # Databricks: the Feathr job cluster template
}


@dataclass(frozen=True)
class SparkComputeArgs:
    settings: SparkSettings
    names: Names
    environment: str
    resource_group_name: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    production_like: bool
    tags: dict[str, str]
    # The offline store (infra/components/offline_store.py): the Synapse default filesystem and workspace_dir
    # live there, and the Spark identity gets Storage Blob Data Contributor on its account.
    offline_store: Any
    monitoring: Monitoring
    # The environment's Network (infra/components/network): in private mode the workspace gets private
    # endpoints (`network.expose`) and no public network access. None: public (tests of this component alone).
    network: Any = None


# Private endpoint group ids (Learn "Azure Private Endpoint private DNS zone values"; zones in
# infra/components/network/dns_zones.py). Synapse: Dev (the dev endpoint Feathr submits Livy jobs to),
# Sql (dedicated SQL) and SqlOnDemand (serverless SQL); Studio loads through a private link hub (Web).
SYNAPSE_GROUP_IDS = ("Dev", "Sql", "SqlOnDemand")
SYNAPSE_STUDIO_GROUP_IDS = ("Web",)
# Databricks (Learn "Azure Private Link concepts", full private isolation; "Enable Azure Private Link as a
# simplified deployment": one databricks_ui_api endpoint in the workspace VNet serves front end and back end;
# browser_authentication carries the Entra ID SSO callback, one per region and private DNS zone).
DATABRICKS_GROUP_IDS = ("databricks_ui_api", "browser_authentication")


def _private(args: SparkComputeArgs) -> bool:
    return args.network is not None and bool(args.network.private)


def job_cluster_template(settings: DatabricksSettings, tags: dict[str, str]) -> dict:
    """The Databricks runs/submit body Feathr fills in, sized from this environment's settings."""
    autoscale = (settings.min_workers, settings.max_workers) if settings.autoscale else None
    return databricks_config_template(
        spark_version=settings.spark_version,
        node_type_id=settings.node_type_id,
        num_workers=settings.num_workers if settings.num_workers is not None else 1,
        autoscale=autoscale,  # type: ignore[arg-type]
        custom_tags=dict(tags),  # cost attribution of the job clusters' VMs
        main_class_name=FEATHR_JOIN_JOB,
    )


class SparkCompute(pulumi.ComponentResource):
    """Outputs: `feathr_spark` (Output[SynapseSpark | DatabricksSpark]), `endpoint`, `workspace_id`,
    `workspace_name`, `identity_principal_id` (Synapse; None for Databricks), `pool_name`, and `exports`."""

    def __init__(self, name: str, args: SparkComputeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:spark:SparkCompute", name, None, opts)
        settings = args.settings
        self.runtime, self.mode = settings.runtime, settings.mode
        self.pool_name: pulumi.Output[str] | None = None
        self.identity_principal_id: pulumi.Output[str] | None = None
        self.workspace: pulumi.CustomResource | None = None  # None in shared mode
        self.workspace_dir: pulumi.Output[str] | None = None
        self.work_dir: str | None = None
        self.config_template: dict | None = None
        self.private_endpoints: list[Any] = []
        self.studio_hub: synapse.PrivateLinkHub | None = None
        if settings.shared:
            self._use_shared(name, args)
        elif settings.runtime == "synapse":
            self._create_synapse(name, args)
        else:
            self._create_databricks(name, args)
        if self.identity_principal_id is not None:
            # The job runs as the workspace identity: it reads and writes feature data in this offline store.
            # In a shared offline store, the scope is the shared account.
            self.offline_store_access = grant(
                f"{name}-offline-store-data-contributor",
                role="Storage Blob Data Contributor",
                scope=args.offline_store.account_id,
                principal_id=self.identity_principal_id,
                principal_type="ServicePrincipal",
                subscription_id=args.subscription_id,
                parent=self,
                description=f"Feathr Spark ({settings.runtime}) reads and writes the {args.environment} offline store",
            )
        self.feathr_spark = self._feathr_spark(settings)
        self.exports = self._exports()
        self.register_outputs(dict(self.exports))

    # ------------------------------------------------------------------ dedicated Synapse

    def _create_synapse(self, name: str, args: SparkComputeArgs) -> None:
        s, store = args.settings.synapse, args.offline_store
        private = _private(args)
        workspace = synapse.Workspace(
            name,
            workspace_name=args.names.of("synapse_workspace"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity=synapse.ManagedIdentityArgs(type=synapse.ResourceIdentityType.SYSTEM_ASSIGNED),
            default_data_lake_storage=synapse.DataLakeStorageAccountDetailsArgs(
                account_url=pulumi.Output.from_input(store.dfs_endpoint).apply(lambda url: url.rstrip("/")),
                filesystem=store.container_name,
                resource_id=store.account_id,
                # Reaches a network-restricted offline store through the managed virtual network.
                create_managed_private_endpoint=True if s.managed_virtual_network else None,
            ),
            azure_ad_only_authentication=True,  # no SQL logins: Entra ID only
            managed_resource_group_name=args.names.of("synapse_managed_resource_group"),
            # Both are fixed at creation: changing them replaces the workspace.
            managed_virtual_network="default" if s.managed_virtual_network else None,
            managed_virtual_network_settings=synapse.ManagedVirtualNetworkSettingsArgs(
                prevent_data_exfiltration=s.prevent_data_exfiltration,
                allowed_aad_tenant_ids_for_linking=[],
            )
            if s.managed_virtual_network
            else None,
            # Private: only the Dev/Sql/SqlOnDemand private endpoints reach the workspace (firewall rules are void).
            public_network_access=synapse.WorkspacePublicNetworkAccess.DISABLED
            if private
            else synapse.WorkspacePublicNetworkAccess.ENABLED,
            tags=args.tags,
            # The default filesystem (the offline store container) must exist first.
            opts=stateful_options(args.production_like, self, depends_on=[store]),
        )
        if args.production_like:
            lock_against_deletion(name, workspace, "Feathr Spark workspace of a production environment", self)
        args.monitoring.diagnose(
            name, target_id=workspace.id, resource_type="Microsoft.Synapse/workspaces", parent=self
        )
        # Only the client ranges from settings; never 0.0.0.0-255.255.255.255 (Feathr's own template did).
        # 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule, not a range: deployments from
        # Azure-hosted CI runners apply Synapse RBAC through it (self-hosted runners list their range).
        rules = [client_range(cidr) for cidr in s.allowed_ip_ranges]
        if private:
            rules = []  # settings refuse ranges and allowAzureServices in private mode
            self._expose_synapse(name, args, workspace)
        for rule in [AZURE_SERVICES, *rules] if s.allow_azure_services and not private else rules:
            synapse.IpFirewallRule(
                f"{name}-{rule.name}",
                rule_name=rule.name,
                workspace_name=workspace.name,
                resource_group_name=args.resource_group_name,
                start_ip_address=rule.start,
                end_ip_address=rule.end,
                opts=pulumi.ResourceOptions(parent=self),
            )
        pool = synapse.BigDataPool(
            f"{name}-pool",
            big_data_pool_name=args.names.of("synapse_spark_pool"),
            workspace_name=workspace.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            spark_version=s.spark_version,
            node_size_family=s.node_size_family,
            node_size=s.node_size,
            node_count=s.min_nodes,
            auto_scale=synapse.AutoScalePropertiesArgs(
                enabled=True, min_node_count=s.min_nodes, max_node_count=s.max_nodes
            ),
            auto_pause=synapse.AutoPausePropertiesArgs(enabled=True, delay_in_minutes=s.auto_pause_minutes),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Every ended Spark application (failed ones too) and the driver/executor logs, per pool.
        args.monitoring.diagnose(
            f"{name}-pool", target_id=pool.id, resource_type="Microsoft.Synapse/workspaces/bigDataPools", parent=self
        )
        args.monitoring.watch(f"{name}-pool", target_id=pool.id, alerts=SYNAPSE_ALERTS, parent=self)
        # The workspace's serverless SQL endpoint: audited, and with Defender for SQL threat detection.
        audit_synapse_workspace(
            name,
            workspace_name=workspace.name,
            resource_group_name=args.resource_group_name,
            defender=args.monitoring.alerting.settings.sql_defender,
            alert_emails=args.monitoring.alerting.mail_to,
            tags=args.tags,
            depends_on=[workspace],
            parent=self,
        )
        self.workspace = workspace
        self.workspace_name: pulumi.Output[str] = workspace.name
        self.workspace_id: pulumi.Output[str] | None = workspace.id
        self.endpoint: pulumi.Output[str] = workspace.connectivity_endpoints.apply(lambda e: e["dev"].rstrip("/"))
        self.pool_name = pool.name
        self.identity_principal_id = workspace.identity.apply(lambda i: i.principal_id)  # type: ignore[union-attr]
        self.workspace_dir = pulumi.Output.concat(store.abfss_root, "/", s.workspace_dir)
        if s.managed_virtual_network and not store.shared:
            # The managed private endpoint to the store stays Pending until the store's side approves it.
            script = APPROVE_PRIVATE_ENDPOINTS.read_text()
            local.Command(
                f"{name}-approve-store-endpoint",
                create=script,
                interpreter=["/bin/bash", "-c"],
                environment={"STORAGE_ACCOUNT_ID": store.account_id, "WORKSPACE": workspace.name},
                triggers=[workspace.id, store.account_id],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[workspace]),
            )

    def _expose_synapse(self, name: str, args: SparkComputeArgs, workspace: synapse.Workspace) -> None:
        network = args.network
        self.private_endpoints = network.expose(
            f"{name}-workspace",
            target_id=workspace.id,
            group_ids=list(SYNAPSE_GROUP_IDS),
            location=args.location,
            parent=self,
        )
        # Synapse Studio's static content comes through a private link hub (Learn "Connect to Azure Synapse
        # Studio using Azure Private Link Hubs"); one hub serves any workspace, this one is the environment's own.
        self.studio_hub = synapse.PrivateLinkHub(
            f"{name}-studio-hub",
            private_link_hub_name=args.names.of("synapse_private_link_hub"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.private_endpoints += network.expose(
            f"{name}-studio",
            target_id=self.studio_hub.id,
            group_ids=list(SYNAPSE_STUDIO_GROUP_IDS),
            location=args.location,
            parent=self,
        )

    # ------------------------------------------------------------------ dedicated Databricks

    def _create_databricks(self, name: str, args: SparkComputeArgs) -> None:
        managed_group = args.names.of("databricks_managed_resource_group")
        private = _private(args)
        injection = args.settings.databricks.injection if private else None
        workspace = databricks.Workspace(
            name,
            workspace_name=args.names.of("databricks_workspace"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            # Premium: RBAC, job access control, and a prerequisite of Private Link (Learn "Azure Private Link
            # concepts": premium plan, VNet injection, secure cluster connectivity).
            sku=databricks.SkuArgs(name="premium"),
            # Required on create: Feathr submits classic job clusters, which need the Hybrid mode.
            compute_mode=databricks.ComputeMode.HYBRID,
            managed_resource_group_id=pulumi.Output.concat(
                "/subscriptions/", args.subscription_id, "/resourceGroups/", managed_group
            ),
            # Secure cluster connectivity: cluster nodes get no public IP addresses. Private: VNet injection into
            # the given subnets (customPublicSubnetName = host, customPrivateSubnetName = container).
            parameters=databricks.WorkspaceCustomParametersArgs(
                enable_no_public_ip=databricks.WorkspaceNoPublicIPBooleanParameterArgs(value=True),
                custom_virtual_network_id=databricks.WorkspaceCustomStringParameterArgs(
                    value=injection.virtual_network_id
                )
                if injection
                else None,
                custom_public_subnet_name=databricks.WorkspaceCustomStringParameterArgs(
                    value=injection.host_subnet_name
                )
                if injection
                else None,
                custom_private_subnet_name=databricks.WorkspaceCustomStringParameterArgs(
                    value=injection.container_subnet_name
                )
                if injection
                else None,
            ),
            # Private: front end closed; NoAzureDatabricksRules because clusters reach the control plane through
            # the back-end private endpoint, not through Databricks-managed NSG rules.
            public_network_access=databricks.PublicNetworkAccess.DISABLED if private else None,
            required_nsg_rules=databricks.RequiredNsgRules.NO_AZURE_DATABRICKS_RULES if private else None,
            tags=args.tags,
            opts=stateful_options(args.production_like, self),
        )
        if args.production_like:
            lock_against_deletion(name, workspace, "Feathr Spark workspace of a production environment", self)
        args.monitoring.diagnose(
            name, target_id=workspace.id, resource_type="Microsoft.Databricks/workspaces", parent=self
        )
        args.monitoring.watch(name, target_id=workspace.id, alerts=DATABRICKS_ALERTS, parent=self)
        self.workspace = workspace
        self.workspace_name = workspace.name
        self.workspace_id = workspace.id
        self.endpoint = workspace.workspace_url.apply(lambda host: f"https://{host.rstrip('/')}")
        if private:
            self.private_endpoints = args.network.expose(
                f"{name}-workspace",
                target_id=workspace.id,
                group_ids=list(DATABRICKS_GROUP_IDS),
                location=args.location,
                parent=self,
            )
        self._databricks_job(args)

    def _databricks_job(self, args: SparkComputeArgs) -> None:
        self.work_dir = args.settings.databricks.work_dir
        self.config_template = job_cluster_template(args.settings.databricks, args.tags)

    # ------------------------------------------------------------------ shared

    def _use_shared(self, name: str, args: SparkComputeArgs) -> None:
        """Nothing Spark-side is created. The config points at the shared Spark; workspace_dir / work_dir and
        the offline store stay this environment's own."""
        settings, source = args.settings, args.settings.shared_source
        if source.stack_reference is not None:
            self._read_stack_reference(name, args)
        elif settings.runtime == "synapse":
            workspace_name = source.synapse_workspace_name or ""
            self.workspace_name = pulumi.Output.from_input(workspace_name)
            self.workspace_id = None
            self.endpoint = pulumi.Output.from_input(f"https://{workspace_name}.dev.azuresynapse.net")
            self.pool_name = pulumi.Output.from_input(source.synapse_pool_name or "")
            if source.synapse_identity_principal_id:
                self.identity_principal_id = pulumi.Output.from_input(source.synapse_identity_principal_id)
        else:
            url = source.databricks_workspace_url or ""
            self.workspace_name = pulumi.Output.from_input(url.removeprefix("https://").split(".")[0])
            self.workspace_id = None
            self.endpoint = pulumi.Output.from_input(url)
        if settings.runtime == "synapse":
            self.workspace_dir = pulumi.Output.concat(
                args.offline_store.abfss_root, "/", settings.synapse.workspace_dir
            )
        else:
            self._databricks_job(args)

    def _read_stack_reference(self, name: str, args: SparkComputeArgs) -> None:
        settings = args.settings
        stack = settings.shared_source.stack_reference
        reference = pulumi.StackReference(f"{name}-shared", stack_name=stack, opts=pulumi.ResourceOptions(parent=self))

        def check(runtime: Any) -> str:
            if runtime != settings.runtime:
                raise ValueError(
                    f"setting feathr-infra:spark.shared.stackReference = {stack!r}: that stack exports "
                    f"{EXPORTS['runtime']} = {runtime!r}, but this stack's feathr-infra:spark.runtime is "
                    f"{settings.runtime!r}; point at a stack with the same runtime"
                )
            return runtime

        checked = reference.require_output(EXPORTS["runtime"]).apply(check)

        def read(key: str, required: bool = True) -> pulumi.Output[Any]:
            value = (reference.require_output if required else reference.get_output)(EXPORTS[key])
            return pulumi.Output.all(checked, value).apply(lambda v: v[1])

        self.endpoint = read("endpoint")
        self.workspace_name = read("workspace_name", required=False)
        self.workspace_id = read("workspace_id", required=False)
        if settings.runtime == "synapse":
            self.pool_name = read("pool_name")
            self.identity_principal_id = read("identity_principal_id")

    # ------------------------------------------------------------------ outputs

    def _feathr_spark(self, settings: SparkSettings) -> pulumi.Output[Any]:
        location = settings.feathr_runtime_location
        if settings.runtime == "synapse":
            s = settings.synapse
            return pulumi.Output.all(self.endpoint, self.pool_name, self.workspace_dir).apply(
                lambda v: SynapseSpark(
                    dev_url=v[0],
                    pool_name=v[1],
                    workspace_dir=v[2],
                    executor_size=s.executor_size,
                    executor_num=s.executor_num,
                    feathr_runtime_location=location,
                )
            )
        template, work_dir = self.config_template, self.work_dir
        if template is None or work_dir is None:  # set by _databricks_job for every Databricks stack
            raise AssertionError("Databricks job template and work dir must be set before the config")
        return self.endpoint.apply(
            lambda url: DatabricksSpark(
                workspace_instance_url=url,
                config_template=template,
                work_dir=work_dir,
                feathr_runtime_location=location,
            )
        )

    def _exports(self) -> dict[str, Any]:
        values = {
            "runtime": self.runtime,
            "mode": self.mode,
            "endpoint": self.endpoint,
            "workspace_name": self.workspace_name,
            "workspace_id": self.workspace_id,
            "pool_name": self.pool_name,
            "identity_principal_id": self.identity_principal_id,
            "workspace_dir": self.workspace_dir,
            "work_dir": self.work_dir,
            "config_template": self.config_template,
        }
        return {EXPORTS[key]: value for key, value in values.items() if value is not None}

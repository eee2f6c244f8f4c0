"""Spark compute: Synapse or Databricks, dedicated or shared, in dev and prod."""

from __future__ import annotations

import ipaddress
import json
import runpy
import subprocess
import sys
import textwrap

import pytest
from pulumi.runtime.sync_await import _sync_await

from infra.components.spark import EXPORTS, FILL_IN, job_cluster_template
from infra.feathr_config import DatabricksSpark, FeathrEndpoints, SynapseSpark, feathr_config
from infra.offline import runner
from infra.offline.azure_model import SUBSCRIPTION_ID
from infra.settings.spark import DatabricksSettings
from tests.support import config_merged, databricks_ready, offline_store_account, run

WORKSPACE = "azure-native:synapse:Workspace"
POOL = "azure-native:synapse:BigDataPool"
FIREWALL = "azure-native:synapse:IpFirewallRule"
DATABRICKS = "azure-native:databricks:Workspace"
ROLE = "azure-native:authorization:RoleAssignment"
LOCK = "azure-native:authorization:ManagementLockByScope"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
SHARED_ACCOUNT_ID = (
    "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/shared-data"
    "/providers/Microsoft.Storage/storageAccounts/contososhared"
)
STACKS = ("dev", "prod")
JOB_KEYS = ("workspaceDir", "executorSize", "executorNum")  # the synapse keys a shared stack still sets


def spark_config(stack: str, **values):
    config = config_merged(stack, "spark", **values)
    return databricks_ready(config) if values.get("runtime") == "databricks" else config


def databricks(stack: str, **databricks_values):
    return spark_config(stack, runtime="databricks", databricks=databricks_values)


def shared(stack: str, runtime: str = "synapse", **source):
    """The stack's config with its Spark switched to shared mode (pool sizing dropped, job settings kept)."""
    base = config_merged(stack, "spark")["feathr-infra:spark"]
    synapse_job = {k: v for k, v in (base.get("synapse") or {}).items() if k in JOB_KEYS}
    return spark_config(stack, runtime=runtime, mode="shared", synapse=synapse_job, shared=source)


def spark_tokens(result):
    return [r.token for r in result.resources if "synapse" in r.token.lower() or "databricks" in r.token.lower()]


def resolve_feathr_spark(stack: str, config=None):
    """Run the program and resolve the Spark component's `feathr_spark` output."""
    captured = {}
    real_run_path = runpy.run_path

    def capture(path, *args, **kwargs):
        captured.update(real_run_path(path, *args, **kwargs))
        return captured

    runner.runpy.run_path = capture
    try:
        runner.run_program(stack, config)
    finally:
        runner.runpy.run_path = real_run_path
    return _sync_await(captured["spark"].feathr_spark.future())


def accepted_by_feathr_config(spark) -> dict:
    """The pure Feathr config builder validates every Spark field the client needs."""
    return feathr_config(
        FeathrEndpoints(
            project_name="feathr_getting_started",
            spark=spark,
            redis_host="contoso.westeurope.redis.azure.net",
            redis_port=10000,
            registry_api_endpoint="https://contoso-registry.azurewebsites.net/api/v1",
            key_vault_name="contoso-dev-kv",
        )
    )["spark_config"]


# ---------------------------------------------------------------- Synapse, dedicated


@pytest.mark.parametrize("stack", STACKS)
def test_synapse_workspace_uses_the_offline_store_and_entra_only(stack):
    result = run(stack)
    workspace = result.one(WORKSPACE)
    account = result.outputs["offlineStoreAccountName"].value
    assert workspace.inputs["identity"] == {"type": "SystemAssigned"}
    assert workspace.inputs["azureADOnlyAuthentication"] is True
    assert "sqlAdministratorLoginPassword" not in workspace.inputs
    lake = workspace.inputs["defaultDataLakeStorage"]
    assert lake["accountUrl"] == f"https://{account}.dfs.core.windows.net"
    assert lake["filesystem"] == "features"
    assert lake["resourceId"] == offline_store_account(result).arm_id
    assert workspace.inputs["managedResourceGroupName"] == f"contoso-{stack}-synapse-managed-rg"
    assert workspace.inputs["tags"]["environment"] == stack
    # the default filesystem must exist before the workspace
    assert result.one("azure-native:storage:BlobContainer").urn in workspace.depends_on


def test_managed_network_and_protection_per_environment(dev, prod):
    dev_ws, prod_ws = dev.one(WORKSPACE), prod.one(WORKSPACE)
    assert "managedVirtualNetwork" not in dev_ws.inputs and not dev_ws.protect
    assert prod_ws.inputs["managedVirtualNetwork"] == "default"
    assert prod_ws.inputs["managedVirtualNetworkSettings"]["preventDataExfiltration"] is False
    assert prod_ws.inputs["defaultDataLakeStorage"]["createManagedPrivateEndpoint"] is True
    assert prod_ws.protect
    assert [lock.inputs["scope"] for lock in prod.of_type(LOCK) if lock.inputs["scope"] == prod_ws.arm_id]
    assert not [lock for lock in dev.of_type(LOCK) if lock.inputs["scope"] == dev_ws.arm_id]


def test_spark_pool_per_environment(dev, prod):
    pools = {"dev": dev.one(POOL), "prod": prod.one(POOL)}
    expected = {"dev": ("Small", 3, 5, 15), "prod": ("Medium", 3, 10, 30)}
    for stack, pool in pools.items():
        size, low, high, pause = expected[stack]
        assert pool.inputs["sparkVersion"] == "3.5"
        assert pool.inputs["nodeSizeFamily"] == "MemoryOptimized"
        assert pool.inputs["nodeSize"] == size
        assert pool.inputs["autoScale"] == {"enabled": True, "minNodeCount": low, "maxNodeCount": high}
        assert pool.inputs["autoPause"] == {"enabled": True, "delayInMinutes": pause}
        assert pool.inputs["workspaceName"] == (dev if stack == "dev" else prod).one(WORKSPACE).physical_name
        assert pool.physical_name == f"contoso{stack}spark"[:15]
        assert not pool.protect


def test_smaller_pool_in_dev_by_settings():
    pool = run(
        "dev",
        spark_config(
            "dev",
            synapse={
                "maxNodes": 4,
                "nodeSize": "Large",
                "autoPauseMinutes": 5,
                "executorSize": "Large",
                "executorNum": 1,
            },
        ),
    ).one(POOL)
    assert pool.inputs["autoScale"]["maxNodeCount"] == 4 and pool.inputs["nodeSize"] == "Large"
    assert pool.inputs["autoPause"]["delayInMinutes"] == 5


@pytest.mark.parametrize("stack", ["dev"])  # prod is private: no firewall rule (tests/test_spark_network.py)
def test_firewall_only_client_ranges_never_the_whole_address_space(stack):
    result = run(stack)
    rules = [r for r in result.of_type(FIREWALL) if r.inputs["ruleName"] != "AllowAllWindowsAzureIps"]
    assert [(r.inputs["startIpAddress"], r.inputs["endIpAddress"]) for r in rules] == [("203.0.113.0", "203.0.113.255")]
    for rule in result.of_type(FIREWALL):
        start = ipaddress.IPv4Address(rule.inputs["startIpAddress"])
        end = ipaddress.IPv4Address(rule.inputs["endIpAddress"])
        assert int(end) - int(start) + 1 <= 2**24
        assert rule.inputs["workspaceName"] == result.one(WORKSPACE).physical_name


def test_no_client_ranges_means_no_client_firewall_rule():
    result = run("dev", spark_config("dev", synapse={"allowAzureServices": False}))
    assert result.of_type(FIREWALL) == []
    assert result.one(WORKSPACE)


def test_azure_services_rule_is_the_zero_address_only_and_can_be_turned_off():
    rule = [r for r in run("dev").of_type(FIREWALL) if r.inputs["ruleName"] == "AllowAllWindowsAzureIps"]
    assert [(r.inputs["startIpAddress"], r.inputs["endIpAddress"]) for r in rule] == [("0.0.0.0", "0.0.0.0")]
    off = run("dev", spark_config("dev", synapse={"allowAzureServices": False}))
    assert not [r for r in off.of_type(FIREWALL) if r.inputs["ruleName"] == "AllowAllWindowsAzureIps"]


def test_workspace_has_no_csp_only_admin_property(stack_run):
    # cspWorkspaceAdminProperties applies to CSP subscriptions only: the deployer (the creator) is
    # the Synapse Administrator that applies the access table's Synapse roles.
    assert "cspWorkspaceAdminProperties" not in stack_run.one(WORKSPACE).inputs


@pytest.mark.parametrize("stack", STACKS)
def test_workspace_identity_gets_blob_data_contributor_on_the_offline_store(stack):
    result = run(stack)
    workspace = result.one(WORKSPACE)
    grants = [
        r for r in result.of_type(ROLE) if r.inputs["principalId"] == workspace.outputs["identity"]["principalId"]
    ]
    assert len(grants) == 1
    grant = grants[0].inputs
    assert grant["scope"] == offline_store_account(result).arm_id
    assert grant["principalType"] == "ServicePrincipal"
    assert grant["roleDefinitionId"] == (
        f"/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/{BLOB_DATA_CONTRIBUTOR}"
    )


def test_shared_offline_store_scopes_the_grant_to_the_shared_account():
    result = run("dev", config_merged("dev", "offlineStore", mode="shared", existingAccountId=SHARED_ACCOUNT_ID))
    workspace = result.one(WORKSPACE)
    assert workspace.inputs["defaultDataLakeStorage"]["resourceId"] == SHARED_ACCOUNT_ID
    assert workspace.inputs["defaultDataLakeStorage"]["accountUrl"] == "https://contososhared.dfs.core.windows.net"
    grant = next(
        r for r in result.of_type(ROLE) if r.inputs["principalId"] == workspace.outputs["identity"]["principalId"]
    )
    assert grant.inputs["scope"] == SHARED_ACCOUNT_ID


@pytest.mark.parametrize("stack", STACKS)
def test_synapse_outputs_for_feathr_and_for_shared_consumers(stack):
    result = run(stack)
    workspace = result.one(WORKSPACE)
    outputs = {k: v for k, v in result.outputs.items() if k.startswith("spark")}
    assert not any(o.secret for o in outputs.values())
    account = result.outputs["offlineStoreAccountName"].value
    directory = {"dev": "feathr_getting_started", "prod": "feathr"}[stack]
    assert {k: v.value for k, v in outputs.items()} == {
        "sparkRuntime": "synapse",
        "sparkMode": "dedicated",
        "sparkEndpoint": f"https://{workspace.physical_name}.dev.azuresynapse.net",
        "sparkWorkspaceName": workspace.physical_name,
        "sparkWorkspaceId": workspace.arm_id,
        "sparkPoolName": result.one(POOL).physical_name,
        "sparkIdentityPrincipalId": workspace.outputs["identity"]["principalId"],
        "sparkWorkspaceDir": f"abfss://features@{account}.dfs.core.windows.net/{directory}",
    }


def test_synapse_feathr_spark_is_a_valid_feathr_config(dev):
    spark = resolve_feathr_spark("dev")
    assert spark == SynapseSpark(
        dev_url=dev.outputs["sparkEndpoint"].value,
        pool_name=dev.outputs["sparkPoolName"].value,
        workspace_dir=dev.outputs["sparkWorkspaceDir"].value,
        executor_size="Small",
        executor_num=2,
    )
    section = accepted_by_feathr_config(spark)
    assert section["spark_cluster"] == "azure_synapse"


def test_prod_executors_and_runtime_location():
    config = spark_config("prod", feathrRuntimeLocation="abfss://jars@contosojars.dfs.core.windows.net/feathr.jar")
    spark = resolve_feathr_spark("prod", config)
    assert (spark.executor_size, spark.executor_num) == ("Medium", 4)
    assert spark.feathr_runtime_location == "abfss://jars@contosojars.dfs.core.windows.net/feathr.jar"
    accepted_by_feathr_config(spark)


# ---------------------------------------------------------------- Databricks, dedicated

DATABRICKS_VARIANTS = {
    "dev": {"numWorkers": 1},
    "prod": {"nodeTypeId": "Standard_D8ds_v5", "minWorkers": 2, "maxWorkers": 8, "workDir": "dbfs:/feathr/prod"},
}


@pytest.mark.parametrize("stack", STACKS)
def test_databricks_workspace_premium_without_public_ip(stack):
    result = run(stack, databricks(stack, **DATABRICKS_VARIANTS[stack]))
    workspace = result.one(DATABRICKS)
    assert workspace.inputs["sku"] == {"name": "premium"}
    assert workspace.inputs["parameters"]["enableNoPublicIp"]["value"] is True
    assert workspace.inputs["computeMode"] == "Hybrid"  # required on create; classic job clusters
    assert workspace.inputs["managedResourceGroupId"] == (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/contoso-{stack}-databricks-managed-rg"
    )
    assert workspace.physical_name == f"contoso-{stack}-dbw"  # unique per resource group: no suffix
    assert workspace.inputs["tags"]["cost-center"] == "CC-4711"
    assert workspace.protect is (stack == "prod")
    assert bool([lock for lock in result.of_type(LOCK) if lock.inputs["scope"] == workspace.arm_id]) is (
        stack == "prod"
    )
    assert [t for t in spark_tokens(result) if t != DATABRICKS] == []  # no Synapse
    host = workspace.outputs["workspaceUrl"]
    assert result.outputs["sparkEndpoint"].value == f"https://{host}"
    assert result.outputs["sparkRuntime"].value == "databricks"
    assert result.outputs["sparkWorkspaceId"].value == workspace.arm_id
    assert "sparkIdentityPrincipalId" not in result.outputs


@pytest.mark.parametrize("stack", STACKS)
def test_databricks_job_cluster_template_per_environment(stack):
    spark = resolve_feathr_spark(stack, databricks(stack, **DATABRICKS_VARIANTS[stack]))
    assert isinstance(spark, DatabricksSpark)
    assert spark.workspace_instance_url.startswith("https://adb-")
    assert spark.workspace_instance_url.endswith(".azuredatabricks.net")
    template = spark.config_template
    cluster = template["new_cluster"]
    assert cluster["spark_version"] == "15.4.x-scala2.12"
    assert template["run_name"] == FILL_IN
    assert cluster["spark_conf"] == {FILL_IN: FILL_IN}
    assert template["spark_jar_task"] == {
        "main_class_name": "com.linkedin.feathr.offline.job.FeatureJoinJob",
        "parameters": [FILL_IN],
    }
    assert template["libraries"] == [{}]
    if stack == "dev":
        assert (cluster["node_type_id"], cluster["num_workers"]) == ("Standard_D4ds_v5", 1)
        assert "autoscale" not in cluster and spark.work_dir == "dbfs:/feathr_getting_started"
    else:
        assert cluster["node_type_id"] == "Standard_D8ds_v5"
        assert cluster["autoscale"] == {"min_workers": 2, "max_workers": 8} and "num_workers" not in cluster
        assert spark.work_dir == "dbfs:/feathr/prod"
    assert cluster["custom_tags"]["environment"] == stack
    section = accepted_by_feathr_config(spark)
    assert section["spark_cluster"] == "databricks"
    assert json.loads(section["databricks"]["config_template"]) == template


def test_databricks_runtime_from_settings():
    template = job_cluster_template(
        DatabricksSettings("16.4.x-scala2.12", "Standard_E8ds_v5", 3, None, None, "dbfs:/x"), {}
    )
    assert template["new_cluster"]["spark_version"] == "16.4.x-scala2.12"
    assert template["new_cluster"]["num_workers"] == 3


def test_databricks_token_is_not_written_to_key_vault():
    # ARM cannot mint a Databricks token; an operator or pipeline stores it (docs/spark.md), never a placeholder.
    result = run("dev", databricks("dev"))
    names = [r.inputs.get("secretName") for r in result.of_type("azure-native:keyvault:Secret")]
    assert "DATABRICKS-WORKSPACE-TOKEN-VALUE" not in names


# ---------------------------------------------------------------- shared


@pytest.mark.parametrize("stack", STACKS)
def test_shared_synapse_from_a_stack_reference_creates_no_spark(stack):
    result = run(stack, shared(stack, stackReference="contoso/feathr-infra/prod"))
    assert spark_tokens(result) == []
    owner = run("prod")  # what the owning stack's own offline run exports
    for key in ("sparkEndpoint", "sparkPoolName", "sparkWorkspaceName", "sparkWorkspaceId", "sparkIdentityPrincipalId"):
        assert result.outputs[key].value == owner.outputs[key].value, key
    assert result.outputs["sparkMode"].value == "shared"
    assert result.outputs["sparkRuntime"].value == "synapse"
    # this environment's storage stays its own: workspace_dir is on its offline store ...
    account = result.outputs["offlineStoreAccountName"].value
    assert result.outputs["sparkWorkspaceDir"].value.startswith(f"abfss://features@{account}.dfs.core.windows.net/")
    # ... which the shared workspace identity may then read and write
    grant = next(
        r for r in result.of_type(ROLE) if r.inputs["principalId"] == owner.outputs["sparkIdentityPrincipalId"].value
    )
    assert grant.inputs["scope"] == offline_store_account(result).arm_id
    assert grant.inputs["principalType"] == "ServicePrincipal"
    assert result.of_type("azure-native:storage:StorageAccount")  # own offline store still created


def test_shared_synapse_feathr_spark_points_at_the_shared_pool():
    spark = resolve_feathr_spark("dev", shared("dev", stackReference="contoso/feathr-infra/prod"))
    owner = run("prod")
    assert spark.dev_url == owner.outputs["sparkEndpoint"].value
    assert spark.pool_name == owner.outputs["sparkPoolName"].value
    consumer = run("dev", shared("dev", stackReference="contoso/feathr-infra/prod"))
    assert spark.workspace_dir == consumer.outputs["sparkWorkspaceDir"].value
    assert spark.workspace_dir == f"{consumer.outputs['offlineStoreRoot'].value}/feathr_getting_started"
    accepted_by_feathr_config(spark)


@pytest.mark.parametrize("stack", STACKS)
def test_shared_databricks_from_a_stack_reference_creates_no_spark(stack):
    config = shared(stack, runtime="databricks", stackReference="contoso/feathr-infra/prod")
    result = run(stack, config)
    assert spark_tokens(result) == []
    owner = run("prod", databricks("prod"))
    assert result.outputs["sparkEndpoint"].value == owner.outputs["sparkEndpoint"].value
    assert result.outputs["sparkWorkspaceId"].value == owner.outputs["sparkWorkspaceId"].value
    assert result.outputs["sparkMode"].value == "shared"
    assert not [r for r in result.of_type(ROLE) if "Spark" in (r.inputs.get("description") or "")]
    spark = resolve_feathr_spark(stack, config)
    assert spark.workspace_instance_url == owner.outputs["sparkEndpoint"].value
    accepted_by_feathr_config(spark)


@pytest.mark.parametrize("stack", STACKS)
def test_shared_synapse_from_explicit_settings(stack):
    principal = "7d3c2b1a-0000-4000-8000-00000000abcd"
    config = shared(
        stack,
        synapse={"workspaceName": "contoso-shared-syn", "poolName": "sharedspark", "identityPrincipalId": principal},
    )
    result = run(stack, config)
    assert spark_tokens(result) == []
    assert result.outputs["sparkEndpoint"].value == "https://contoso-shared-syn.dev.azuresynapse.net"
    assert result.outputs["sparkPoolName"].value == "sharedspark"
    assert [r.inputs["principalType"] for r in result.of_type(ROLE) if r.inputs["principalId"] == principal] == [
        "ServicePrincipal"
    ]
    spark = resolve_feathr_spark(stack, config)
    assert (spark.dev_url, spark.pool_name) == ("https://contoso-shared-syn.dev.azuresynapse.net", "sharedspark")
    accepted_by_feathr_config(spark)


@pytest.mark.parametrize("stack", STACKS)
def test_shared_databricks_from_explicit_settings(stack):
    config = shared(
        stack, runtime="databricks", databricks={"workspaceUrl": "adb-1234567890123456.7.azuredatabricks.net/"}
    )
    result = run(stack, config)
    assert spark_tokens(result) == []
    assert result.outputs["sparkEndpoint"].value == "https://adb-1234567890123456.7.azuredatabricks.net"
    spark = resolve_feathr_spark(stack, config)
    assert spark.workspace_instance_url == "https://adb-1234567890123456.7.azuredatabricks.net"
    accepted_by_feathr_config(spark)


def test_every_export_name_is_documented_once():
    assert len(set(EXPORTS.values())) == len(EXPORTS)
    assert all(name.startswith("spark") for name in EXPORTS.values())


def test_stack_reference_to_another_runtime_fails_the_deployment():
    # In a subprocess: a failed run leaves pending outputs behind that would leak into later runs.
    script = textwrap.dedent("""
        import json, sys
        from infra.components.spark import EXPORTS
        from infra.offline import mocks, runner
        real = mocks.stack_reference_state
        def databricks_owner(stack_name):
            state = real(stack_name)
            state["outputs"] = {**state["outputs"], EXPORTS["runtime"]: "databricks"}
            return state
        mocks.stack_reference_state = databricks_owner
        runner.run_program("dev", json.loads(sys.stdin.read()))
    """)
    config = shared("dev", stackReference="contoso/feathr-infra/prod")
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(config),
        capture_output=True,
        text=True,
        cwd=runner.REPO_ROOT,
        timeout=300,
    )
    assert done.returncode != 0
    assert (
        "feathr-infra:spark.shared.stackReference = 'contoso/feathr-infra/prod': that stack exports "
        "sparkRuntime = 'databricks'"
    ) in done.stderr


def test_managed_private_endpoint_to_a_closed_store_is_approved_by_the_deployment(dev, prod):
    def approvals(result):
        return [r for r in result.of_type("command:local:Command") if r.logical_name == "spark-approve-store-endpoint"]

    [approval] = approvals(prod)  # prod: managed virtual network, offline store behind its firewall
    environment = approval.inputs["environment"]
    assert environment["STORAGE_ACCOUNT_ID"] == offline_store_account(prod).arm_id
    assert environment["WORKSPACE"] == prod.one(WORKSPACE).physical_name
    assert "az network private-endpoint-connection approve" in approval.inputs["create"]
    assert prod.one(WORKSPACE).urn in approval.depends_on
    assert approvals(dev) == []  # no managed virtual network, no private endpoint to approve

"""Every stack's rendered Feathr config (and the runtime/backend variants), read by the real client.

The expectations come from what the program built (its stack outputs and settings), not from the
config renderer, so a wrong mapping between the two shows up as a mismatch in the real client.
"""

from __future__ import annotations

import pytest

from infra.offline.runner import stack_config
from infra.settings import load_settings
from tests.contract.harness import check_config_with_real_client, format_failures
from tests.support import STACKS, config_merged, databricks_ready, run

DATABRICKS = {"runtime": "databricks", "databricks": {"numWorkers": 2}}


def variants():
    cases = [(stack, "as deployed", None) for stack in STACKS]
    cases.append(("dev", "databricks", databricks_ready(config_merged("dev", "spark", **DATABRICKS))))
    prod_databricks = config_merged(
        "prod", "spark", runtime="databricks", synapse={}, databricks={"minWorkers": 2, "maxWorkers": 8}
    )
    cases.append(("prod", "databricks", databricks_ready(prod_databricks)))
    purview = config_merged("dev", "registry", backend="purview")  # RBAC on, its roles in SQL
    cases.append(("dev", "purview", purview))
    return cases


def expectations(stack: str, config, outputs) -> dict:
    settings = load_settings(config or stack_config(stack), "feathr-infra", stack)
    out = {key: value.value for key, value in outputs.items()}
    expected = {
        "project_name": settings.feathr_client.project_name,
        "feathr_runtime_location": settings.spark.feathr_runtime_location,
        "redis": {"host": out["onlineStoreHost"], "port": out["onlineStorePort"], "ssl_enabled": True},
        "registry_api_endpoint": out["registryApiEndpoint"],
        "key_vault_name": out["keyVaultName"],
        "offline_store_enabled": {"adls": True, "wasb": False, "s3": False, "jdbc": False, "snowflake": False},
        "spark_result_output_parts": str(settings.feathr_client.spark_result_output_parts),
    }
    if out["sparkRuntime"] == "synapse":
        synapse = settings.spark.synapse
        expected["spark_cluster"] = "azure_synapse"
        expected["synapse"] = {
            "dev_url": out["sparkEndpoint"],
            "pool_name": out["sparkPoolName"],
            "workspace_dir": out["sparkWorkspaceDir"],
            "executor_size": synapse.executor_size,
            "executor_num": synapse.executor_num,
        }
    else:
        expected["spark_cluster"] = "databricks"
        expected["databricks"] = {"workspace_instance_url": out["sparkEndpoint"], "work_dir": out["sparkWorkDir"]}
    return expected


@pytest.mark.parametrize("stack, variant, config", [pytest.param(*c, id=f"{c[0]}-{c[1]}") for c in variants()])
def test_real_feathr_client_accepts_the_rendered_config(stack, variant, config):
    result = run(stack, config)
    assert not result.outputs["feathrConfigYaml"].secret
    yaml_text = result.outputs["feathrConfigYaml"].value
    checked = check_config_with_real_client(yaml_text, expectations(stack, config, result.outputs))
    assert checked["ok"], format_failures(checked)

"""Contract test: configs rendered by infra.feathr_config, read by the REAL feathr 1.0.0 client.

Each case renders a config, runs tests/contract/feathr_client_check.py inside the feathr
venv (Python 3.10, built on first use by setup_feathr_venv.sh, about 1-2 minutes and 1 GB
the first time) and asserts on what the client resolved and on the job payload it built.
The negative cases mutate a good config and prove the check catches the breakage.

Skips (with the reason) only when no Python 3.10 interpreter exists.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from infra.feathr_config import (
    DatabricksSpark,
    FeathrEndpoints,
    SynapseSpark,
    databricks_config_template,
    feathr_config,
    render_yaml,
)
from tests.contract.harness import check_config_with_real_client, expectations_for, format_failures

REDIS = "fsdev-redis.westeurope.redis.azure.net"
REGISTRY = "https://fsdev-registry.azurewebsites.net/api/v1"


def _endpoints(spark: SynapseSpark | DatabricksSpark, **kw: Any) -> FeathrEndpoints:
    base: dict[str, Any] = dict(
        project_name="feathr_dev",
        spark=spark,
        redis_host=REDIS,
        redis_port=10000,
        registry_api_endpoint=REGISTRY,
        key_vault_name="fsdev-kv",
    )
    base.update(kw)
    return FeathrEndpoints(**base)


SYNAPSE = SynapseSpark(
    dev_url="https://fsdevsyws.dev.azuresynapse.net",
    pool_name="feathrpool",
    workspace_dir="abfss://feathr@fsdevdls.dfs.core.windows.net/feathr_dev",
    executor_size="Small",
    executor_num=2,
)
DATABRICKS = DatabricksSpark(
    workspace_instance_url="https://adb-1234567890123456.7.azuredatabricks.net/",
    config_template=databricks_config_template(),
    work_dir="dbfs:/feathr_dev",
)

GOOD: dict[str, FeathrEndpoints] = {
    "synapse-maven": _endpoints(SYNAPSE),
    "synapse-medium-runtime-jar": _endpoints(
        SynapseSpark(
            dev_url="https://fsprodsyws.dev.azuresynapse.net",
            pool_name="spark35",
            workspace_dir="abfss://feathr@fsproddls.dfs.core.windows.net/feathr/prod",
            executor_size="Medium",
            executor_num=4,
            feathr_runtime_location="abfss://jars@fsproddls.dfs.core.windows.net/feathr-assembly-1.0.0.jar",
        ),
        project_name="feathr-prod",
        redis_host="fsprod-redis.northeurope.redis.azure.net",
        registry_api_endpoint="https://fsprod-registry.azurewebsites.net/api/v1",
        key_vault_name="fsprod-kv",
        spark_result_output_parts=8,
    ),
    "databricks-maven": _endpoints(DATABRICKS, redis_port=6380),
    "databricks-dbfs-jar": _endpoints(
        DatabricksSpark(
            workspace_instance_url="https://adb-1234567890123456.7.azuredatabricks.net",
            config_template=databricks_config_template(num_workers=2, custom_tags={"env": "dev"}),
            work_dir="dbfs:/feathr/dev",
            feathr_runtime_location="dbfs:/feathr/jars/feathr-assembly-1.0.0.jar",
        )
    ),
    "databricks-https-jar": _endpoints(
        DatabricksSpark(
            workspace_instance_url="https://adb-1234567890123456.7.azuredatabricks.net/",
            config_template=databricks_config_template(),
            work_dir="dbfs:/feathr_dev",
            feathr_runtime_location="https://fsdevdls.blob.core.windows.net/jars/feathr-assembly-1.0.0.jar",
        )
    ),
    "databricks-existing-cluster": _endpoints(
        DatabricksSpark(
            workspace_instance_url="https://adb-1234567890123456.7.azuredatabricks.net/",
            config_template=databricks_config_template(existing_cluster_id="0101-120000-abcd1234"),
            work_dir="dbfs:/feathr_dev",
        )
    ),
}


def _check(yaml_text: str, expectations: dict) -> dict:
    return check_config_with_real_client(yaml_text, expectations)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_real_client_accepts_rendered_config(name: str) -> None:
    e = GOOD[name]
    result = _check(render_yaml(feathr_config(e)), expectations_for(e))
    assert result["ok"], format_failures(result) + "\n" + result["stderr_tail"]
    assert result["feathr_version"] == "1.0.0"
    assert result["returncode"] == 0
    assert result["job_payload"] is not None, "the job payload builder was not exercised"
    # the secrets the client asked Key Vault for are exactly the declared ones
    lookups = result["resolved"]["key_vault_lookups"]
    pc = feathr_config(e)["project_config"]
    assert sorted(lookups["construction"]) == sorted(
        pc["required_environment_variables"] + [k for k in lookups["construction"] if "__" in k]
    )
    assert lookups["job submission"] == sorted(pc["optional_environment_variables"])
    assert not result["stub_calls"]["blocked_network"]


def test_config_template_as_mapping_is_also_accepted() -> None:
    """The client json.loads a string template and deep-copies a mapping: both work."""
    e = GOOD["databricks-maven"]
    cfg = feathr_config(e)
    cfg["spark_config"]["databricks"]["config_template"] = json.loads(
        cfg["spark_config"]["databricks"]["config_template"]
    )
    result = _check(render_yaml(cfg), expectations_for(e))
    assert result["ok"], format_failures(result)
    assert result["resolved"]["databricks"]["config_template_type"] == "dict"


# --------------------------------------------------------------------------- broken configs

Mutation = Callable[[dict], None]


def _del(*path: str) -> Mutation:
    def m(cfg: dict) -> None:
        node = cfg
        for p in path[:-1]:
            node = node[p]
        del node[path[-1]]

    return m


def _set(value: Any, *path: str) -> Mutation:
    def m(cfg: dict) -> None:
        node = cfg
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value

    return m


def _rename_cluster(cfg: dict) -> None:
    cfg["spark_config"]["spark_cluster"] = "synapse"


FEATHR_SAMPLE_TEMPLATE = (
    '{"run_name":"FEATHR_FILL_IN","new_cluster":{"spark_version":"9.1.x-scala2.12","node_type_id":"Standard_D3_v2",'
    '"num_workers":1,"spark_conf":{"FEATHR_FILL_IN":"FEATHR_FILL_IN"}},"libraries":[{"jar":"FEATHR_FILL_IN"}, '
    '{"maven":"FEATHR_FILL_IN"}],"spark_jar_task":{"main_class_name":"FEATHR_FILL_IN","parameters":["FEATHR_FILL_IN"]}}'
)

# (fixture, mutation, substring the checker's failures must contain)
BROKEN: dict[str, tuple[str, Mutation, str]] = {
    "synapse-missing-dev_url": (
        "synapse-maven",
        _del("spark_config", "azure_synapse", "dev_url"),
        "FeathrClient(config_path=...) raised ValueError",
    ),
    "spark_cluster-misspelled-synapse": (
        "synapse-maven",
        _rename_cluster,
        "FeathrClient(config_path=...) raised RuntimeError: synapse is not supported",
    ),
    "synapse-missing-pool_name": (
        "synapse-maven",
        _del("spark_config", "azure_synapse", "pool_name"),
        "FeathrClient(config_path=...) raised ValueError",
    ),
    "synapse-missing-workspace_dir": (
        "synapse-maven",
        _del("spark_config", "azure_synapse", "workspace_dir"),
        "FeathrClient(config_path=...) raised TypeError",
    ),
    "synapse-missing-executor_size": (
        "synapse-maven",
        _del("spark_config", "azure_synapse", "executor_size"),
        "job submission: the client raised KeyError",
    ),
    "synapse-missing-executor_num": (
        "synapse-maven",
        _del("spark_config", "azure_synapse", "executor_num"),
        "spark_config.azure_synapse.executor_num: client resolved None",
    ),
    "synapse-executor_size-lowercase": (
        "synapse-maven",
        _set("small", "spark_config", "azure_synapse", "executor_size"),
        "job submission: the client raised KeyError: 'small'",
    ),
    "missing-project_name": (
        "synapse-maven",
        _del("project_config", "project_name"),
        "project_config.project_name: client resolved None",
    ),
    "wasb_enabled-string-false": (
        "synapse-maven",
        _set("false", "offline_store", "wasb", "wasb_enabled"),
        "offline_store.wasb.wasb_enabled: client resolved 'false' (str), expected the boolean False",
    ),
    "redis-ssl-disabled": (
        "synapse-maven",
        _set(False, "online_store", "redis", "ssl_enabled"),
        "online_store.redis.ssl_enabled",
    ),
    "registry-endpoint-without-base-path": (
        "synapse-maven",
        _set("https://fsdev-registry.azurewebsites.net", "feature_registry", "api_endpoint"),
        "feature_registry.api_endpoint: client resolved 'https://fsdev-registry.azurewebsites.net'",
    ),
    "secrets-not-declared": (
        "synapse-maven",
        _del("project_config", "required_environment_variables"),
        "omits ['REDIS_PASSWORD']",
    ),
    "databricks-token-not-declared": (
        "databricks-maven",
        _set(["REDIS_PASSWORD"], "project_config", "required_environment_variables"),
        "omits ['DATABRICKS_WORKSPACE_TOKEN_VALUE']",
    ),
    "databricks-missing-workspace_instance_url": (
        "databricks-maven",
        _del("spark_config", "databricks", "workspace_instance_url"),
        "FeathrClient(config_path=...) raised AttributeError",
    ),
    "databricks-missing-config_template": (
        "databricks-maven",
        _del("spark_config", "databricks", "config_template"),
        "spark_config.databricks.config_template: missing",
    ),
    "databricks-missing-work_dir": (
        "databricks-maven",
        _del("spark_config", "databricks", "work_dir"),
        "spark_config.databricks.work_dir: client resolved None",
    ),
    "databricks-feathr-sample-template-without-runtime-jar": (
        "databricks-maven",
        _set(FEATHR_SAMPLE_TEMPLATE, "spark_config", "databricks", "config_template"),
        "job payload: FEATHR_FILL_IN left in the request body",
    ),
    "databricks-template-without-cluster": (
        "databricks-maven",
        _set(
            '{"run_name":"FEATHR_FILL_IN","libraries":[{}],"spark_jar_task":{"main_class_name":"FEATHR_FILL_IN"}}',
            "spark_config",
            "databricks",
            "config_template",
        ),
        "No cluster specifications are found",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_checker_rejects_broken_config(case: str) -> None:
    fixture, mutate, expected = BROKEN[case]
    e = GOOD[fixture]
    cfg = copy.deepcopy(feathr_config(e))
    mutate(cfg)
    result = _check(render_yaml(cfg), expectations_for(e))
    failures = "\n".join(result.get("failures", []))
    print(f"[{case}] exit={result['returncode']}\n{failures}")
    assert not result["ok"], f"{case}: the real-client check passed a broken config"
    assert result["returncode"] == 1
    assert expected in failures, f"{case}: expected {expected!r} in:\n{failures}"


def test_expectations_mismatch_is_reported() -> None:
    """A config that is internally fine but not what the stack asked for is a failure too."""
    e = GOOD["databricks-maven"]
    exp = expectations_for(e)
    exp["databricks"]["work_dir"] = "dbfs:/someone_else"
    exp["redis"]["port"] = 6379
    result = _check(render_yaml(feathr_config(e)), exp)
    assert not result["ok"]
    failures = "\n".join(result["failures"])
    assert "spark_config.databricks.work_dir: client resolved 'dbfs:/feathr_dev'" in failures
    assert "online_store.redis.port: client resolved 6380" in failures


def test_unknown_expectation_key_is_an_error_not_a_pass() -> None:
    e = GOOD["synapse-maven"]
    exp = expectations_for(e)
    exp["synapse_typo"] = {}
    result = _check(render_yaml(feathr_config(e)), exp)
    assert not result["ok"]
    assert any("unknown keys ['synapse_typo']" in f for f in result["failures"])


def test_skip_message_when_no_python310(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Without Python 3.10 the harness skips with an explicit reason (never passes silently)."""
    from tests.contract import harness

    monkeypatch.setenv("FEATHR_VENV", str(tmp_path / "venv"))
    monkeypatch.setenv("FEATHR_PYTHON", "/nonexistent/python3.10")
    harness._ensure_venv.cache_clear()
    try:
        with pytest.raises(harness.FeathrVenvUnavailable, match=r"no Python 3\.10 interpreter found"):
            harness.check_config_with_real_client("api_version: 1\n", {}, on_unavailable="raise")
        with pytest.raises(pytest.skip.Exception, match="feathr contract test SKIPPED"):
            harness.check_config_with_real_client("api_version: 1\n", {})
    finally:
        harness._ensure_venv.cache_clear()
    assert not (tmp_path / "venv").exists()


def test_rendered_yaml_round_trips() -> None:
    for e in GOOD.values():
        assert yaml.safe_load(render_yaml(feathr_config(e))) == feathr_config(e)

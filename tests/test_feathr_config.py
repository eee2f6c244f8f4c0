"""Unit tests of the pure Feathr client config builder (infra/feathr_config.py).

The real-client contract test lives in tests/contract/test_feathr_client_contract.py.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import yaml

from infra.feathr_config import (
    FILL_IN,
    DatabricksSpark,
    FeathrEndpoints,
    SynapseSpark,
    databricks_config_template,
    feathr_config,
    render_yaml,
)

SYN = SynapseSpark(
    dev_url="https://fsdevsyws.dev.azuresynapse.net",
    pool_name="feathrpool",
    workspace_dir="abfss://feathr@fsdevdls.dfs.core.windows.net/feathr_dev",
    executor_size="Small",
    executor_num=2,
)
DBX = DatabricksSpark(
    workspace_instance_url="https://adb-1234567890123456.7.azuredatabricks.net/",
    config_template=databricks_config_template(),
    work_dir="dbfs:/feathr_dev",
)


def endpoints(spark: SynapseSpark | DatabricksSpark = SYN, **kw: Any) -> FeathrEndpoints:
    base: dict[str, Any] = dict(
        project_name="feathr_dev",
        spark=spark,
        redis_host="fsdev-redis.westeurope.redis.azure.net",
        redis_port=10000,
        registry_api_endpoint="https://fsdev-registry.azurewebsites.net/api/v1",
        key_vault_name="fsdev-kv",
    )
    base.update(kw)
    return FeathrEndpoints(**base)


# --------------------------------------------------------------------------- shape


def test_common_sections() -> None:
    cfg = feathr_config(endpoints())
    assert list(cfg) == [
        "api_version",
        "project_config",
        "offline_store",
        "spark_config",
        "online_store",
        "feature_registry",
        "secrets",
    ]
    assert cfg["api_version"] == 1
    assert cfg["project_config"]["project_name"] == "feathr_dev"
    assert cfg["online_store"] == {
        "redis": {"host": "fsdev-redis.westeurope.redis.azure.net", "port": 10000, "ssl_enabled": True}
    }
    assert cfg["feature_registry"] == {"api_endpoint": "https://fsdev-registry.azurewebsites.net/api/v1"}
    assert cfg["secrets"] == {"azure_key_vault": {"name": "fsdev-kv"}}


def test_offline_store_flags_are_real_booleans() -> None:
    cfg = feathr_config(endpoints())
    flags = {store: section[f"{store}_enabled"] for store, section in cfg["offline_store"].items()}
    assert flags == {"adls": True, "wasb": False, "s3": False, "jdbc": False, "snowflake": False}
    assert all(type(v) is bool for v in flags.values())
    assert cfg["online_store"]["redis"]["ssl_enabled"] is True
    # ...and they stay booleans through YAML
    text = render_yaml(cfg)
    assert "wasb_enabled: false" in text
    assert "adls_enabled: true" in text
    assert "'false'" not in text and '"false"' not in text
    back = yaml.safe_load(text)
    assert back["offline_store"]["wasb"]["wasb_enabled"] is False
    assert back["online_store"]["redis"]["ssl_enabled"] is True


def test_synapse_shape() -> None:
    sc = feathr_config(endpoints())["spark_config"]
    assert sc == {
        "spark_cluster": "azure_synapse",
        "spark_result_output_parts": "1",
        "azure_synapse": {
            "dev_url": "https://fsdevsyws.dev.azuresynapse.net",
            "pool_name": "feathrpool",
            "workspace_dir": "abfss://feathr@fsdevdls.dfs.core.windows.net/feathr_dev",
            "executor_size": "Small",
            "executor_num": 2,
        },
    }
    assert type(sc["azure_synapse"]["executor_num"]) is int


def test_synapse_runtime_location_only_when_set() -> None:
    jar = "abfss://jars@fsdevdls.dfs.core.windows.net/feathr-assembly-1.0.0.jar"
    sc = feathr_config(endpoints(dataclasses.replace(SYN, feathr_runtime_location=jar)))["spark_config"]
    assert sc["azure_synapse"]["feathr_runtime_location"] == jar
    assert "feathr_runtime_location" not in feathr_config(endpoints())["spark_config"]["azure_synapse"]


def test_databricks_shape() -> None:
    sc = feathr_config(endpoints(DBX, spark_result_output_parts=4))["spark_config"]
    assert sc["spark_cluster"] == "databricks"
    assert sc["spark_result_output_parts"] == "4"
    assert "azure_synapse" not in sc
    d = sc["databricks"]
    assert set(d) == {"workspace_instance_url", "config_template", "work_dir"}
    assert d["workspace_instance_url"] == "https://adb-1234567890123456.7.azuredatabricks.net/"
    assert d["work_dir"] == "dbfs:/feathr_dev"
    # emitted as a JSON string (the form Feathr documents and env overrides need)
    assert isinstance(d["config_template"], str)
    assert json.loads(d["config_template"]) == databricks_config_template()


def test_only_the_selected_runtime_section_is_emitted() -> None:
    assert "databricks" not in feathr_config(endpoints())["spark_config"]
    assert "azure_synapse" not in feathr_config(endpoints(DBX))["spark_config"]


def test_required_environment_variables_are_names_only() -> None:
    syn = feathr_config(endpoints())["project_config"]
    dbx = feathr_config(endpoints(DBX))["project_config"]
    assert syn["required_environment_variables"] == ["REDIS_PASSWORD"]
    assert dbx["required_environment_variables"] == ["REDIS_PASSWORD", "DATABRICKS_WORKSPACE_TOKEN_VALUE"]
    assert (
        syn["optional_environment_variables"] == dbx["optional_environment_variables"] == ["ADLS_ACCOUNT", "ADLS_KEY"]
    )
    assert "Key Vault" in syn["required_environment_variables_note"]


def test_no_field_can_carry_a_secret() -> None:
    names = {f.name for cls in (FeathrEndpoints, SynapseSpark, DatabricksSpark) for f in dataclasses.fields(cls)}
    assert not {n for n in names if any(w in n for w in ("password", "key", "token", "secret"))} - {"key_vault_name"}


def test_default_databricks_template() -> None:
    t = databricks_config_template()
    assert t["libraries"] == [{}]
    assert t["new_cluster"]["spark_version"].endswith("scala2.12")
    assert t["spark_jar_task"] == {"main_class_name": FILL_IN, "parameters": [FILL_IN]}
    existing = databricks_config_template(existing_cluster_id="0101-120000-abcd1234")
    assert "new_cluster" not in existing and existing["existing_cluster_id"] == "0101-120000-abcd1234"


def test_input_template_is_not_mutated() -> None:
    t = databricks_config_template()
    before = json.dumps(t)
    feathr_config(endpoints(dataclasses.replace(DBX, config_template=t)))
    assert json.dumps(t) == before


def test_render_yaml_header_and_order() -> None:
    cfg = feathr_config(endpoints())
    text = render_yaml(cfg)
    assert text.startswith("# ")
    header = text.split("api_version")[0]
    assert "GENERATED" in header and "NO secrets" in header
    assert all(line.startswith("#") for line in header.strip().splitlines())
    assert yaml.safe_load(text) == cfg
    # sort_keys=False: api_version first, as in Feathr's sample
    assert text.index("api_version") < text.index("project_config") < text.index("spark_config")


def test_endpoints_are_frozen() -> None:
    e = endpoints()
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.project_name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- validation

BAD_SYNAPSE = [
    ("dev_url", "http://fsdevsyws.dev.azuresynapse.net", "spark.dev_url: must start with https://"),
    ("dev_url", "fsdevsyws.dev.azuresynapse.net", "spark.dev_url: must start with https://"),
    ("dev_url", "https://fsdevsyws.azuresynapse.net", "spark.dev_url"),
    ("dev_url", "https://fsdevsyws.dev.azuresynapse.net/path", "spark.dev_url"),
    ("pool_name", "", "spark.pool_name"),
    ("pool_name", "pool-with-dash", "spark.pool_name"),
    ("workspace_dir", "https://fsdevdls.dfs.core.windows.net/feathr", "spark.workspace_dir"),
    ("workspace_dir", "abfss://feathr@fsdevdls.dfs.core.windows.net", "spark.workspace_dir"),
    ("workspace_dir", "abfss://feathr@fsdevdls.blob.core.windows.net/x", "spark.workspace_dir"),
    ("executor_size", "small", "spark.executor_size"),
    ("executor_size", "XLarge", "spark.executor_size"),
    ("executor_num", 0, "spark.executor_num"),
    ("executor_num", "2", "spark.executor_num"),
    ("executor_num", True, "spark.executor_num"),
    ("feathr_runtime_location", "/local/feathr.jar", "spark.feathr_runtime_location"),
    ("feathr_runtime_location", "dbfs:/feathr.jar", "spark.feathr_runtime_location"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_SYNAPSE)
def test_synapse_validation(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        feathr_config(endpoints(dataclasses.replace(SYN, **{field: value})))


BAD_DATABRICKS = [
    ("workspace_instance_url", "adb-1.2.azuredatabricks.net", "spark.workspace_instance_url: must start with https://"),
    ("workspace_instance_url", "http://adb-1.2.azuredatabricks.net/", "spark.workspace_instance_url"),
    ("workspace_instance_url", "https://example.com/", "spark.workspace_instance_url"),
    ("work_dir", "/feathr_dev", "spark.work_dir"),
    ("work_dir", "dbfs:/", "spark.work_dir"),
    ("feathr_runtime_location", "wasbs://c@a.blob.core.windows.net/f.jar", "spark.feathr_runtime_location"),
    ("config_template", "{}", "spark.config_template"),
    ("config_template", {"libraries": [{}], "spark_jar_task": {}}, "spark.config_template"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_DATABRICKS)
def test_databricks_validation(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        feathr_config(endpoints(dataclasses.replace(DBX, **{field: value})))


def _template(**changes: Any) -> dict:
    t = databricks_config_template()
    for k, v in changes.items():
        if v is None:
            t.pop(k)
        else:
            t[k] = v
    return t


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (_template(existing_cluster_id="abc"), "exactly one of 'new_cluster' or 'existing_cluster_id'"),
        (_template(libraries=[]), "libraries"),
        (_template(libraries=None), "libraries"),
        (_template(spark_jar_task=None), "spark_jar_task"),
        # Feathr's own sample: libraries[0] = {"jar": FILL_IN} survives next to the maven entry
        (_template(libraries=[{"jar": FILL_IN}, {"maven": FILL_IN}]), r"libraries\[0\]"),
        (_template(libraries=[{}, {"maven": FILL_IN}]), r"libraries\[1\]"),
        (_template(timeout_seconds=FILL_IN), "does not fill in"),
        (
            {**_template(), "new_cluster": {**_template()["new_cluster"], "spark_version": "9.1.x-scala2.13"}},
            "Scala 2.12",
        ),
        ({**_template(), "new_cluster": {"spark_version": "15.4.x-scala2.12", "num_workers": 1}}, "node_type_id"),
    ],
)
def test_databricks_template_validation(template: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        feathr_config(endpoints(dataclasses.replace(DBX, config_template=template)))


def test_template_libraries_jar_allowed_when_runtime_location_set() -> None:
    spark = DatabricksSpark(
        workspace_instance_url="https://adb-1.2.azuredatabricks.net",
        config_template=_template(libraries=[{"jar": FILL_IN}]),
        work_dir="dbfs:/feathr_dev",
        feathr_runtime_location="dbfs:/jars/feathr.jar",
    )
    assert feathr_config(endpoints(spark))["spark_config"]["databricks"]["feathr_runtime_location"] == (
        "dbfs:/jars/feathr.jar"
    )


BAD_COMMON = [
    ("project_name", "", "project_name"),
    ("project_name", "has space", "project_name"),
    ("project_name", "x" * 51, "project_name"),
    ("redis_host", "rediss://fsdev.redis.azure.net", "redis_host"),
    ("redis_host", "fsdev.redis.azure.net:10000", "redis_host"),
    ("redis_port", 0, "redis_port"),
    ("redis_port", "10000", "redis_port"),
    ("redis_port", 70000, "redis_port"),
    (
        "registry_api_endpoint",
        "https://fsdev-registry.azurewebsites.net",
        "registry_api_endpoint: must end with /api/v1",
    ),
    ("registry_api_endpoint", "https://fsdev-registry.azurewebsites.net/api/v1/", "registry_api_endpoint"),
    ("registry_api_endpoint", "http://fsdev-registry.azurewebsites.net/api/v1", "registry_api_endpoint"),
    (
        "registry_api_endpoint",
        "Server=tcp:fsdev.database.windows.net,1433;Initial Catalog=registry",
        "registry_api_endpoint: looks like a database connection string",
    ),
    ("key_vault_name", "kv", "key_vault_name"),
    ("key_vault_name", "fsdev--kv", "key_vault_name"),
    ("key_vault_name", "https://fsdev-kv.vault.azure.net", "key_vault_name"),
    ("spark_result_output_parts", 0, "spark_result_output_parts"),
    ("spark", None, "spark"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_COMMON)
def test_common_validation(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        feathr_config(endpoints(**{field: value}))


def test_not_endpoints_is_type_error() -> None:
    with pytest.raises(TypeError):
        feathr_config({"project_name": "x"})  # type: ignore[arg-type]

#!/usr/bin/env python3
"""Contract check of a generated Feathr config against the REAL feathr==1.0.0 client.

Runs INSIDE the feathr virtual environment (Python 3.10, see setup_feathr_venv.sh):

    $FEATHR_VENV/bin/python feathr_client_check.py CONFIG.yaml EXPECTATIONS.json [--output RESULT.json]

What it does, fully offline:

1. Scrubs every environment variable that would override the YAML (``SECTION__KEY``
   names) or supply a secret, and blocks all socket connections (any network call
   the stubs below do not cover fails loudly instead of hanging).
2. Stubs exactly the two network calls ``FeathrClient.__init__`` makes:
   ``azure.storage.filedatalake.DataLakeDirectoryClient.create_directory`` (synapse
   creates ``workspace_dir``) and
   ``feathr.secrets.akv_client.AzureKeyVaultClient.get_feathr_akv_secret`` (returns an
   obviously fake value and records which secret was asked for).
3. Constructs ``FeathrClient(config_path=CONFIG.yaml)`` and compares what the client
   resolved (launcher type, synapse dev_url/pool/workspace_dir/executors or databricks
   url/work_dir, redis host/port/ssl, registry endpoint, project, key vault, offline
   store flags) with EXPECTATIONS.json.
4. Runs the client's own job submission path for a feature-join job
   (``FeathrClient._get_offline_features_with_config`` -> launcher
   ``submit_feathr_job``) with only the HTTP/SDK transport stubbed, captures the
   request body the launcher would send (Databricks ``runs/submit`` JSON or the
   Synapse ``SparkBatchJobOptions``) and checks it is well formed: this is where a
   missing ``config_template``/``work_dir``/``executor_size``/``executor_num``/
   ``project_name`` shows up, because construction does not check them.

Prints one JSON object (``{"ok": ..., "failures": [...], "resolved": {...}, ...}``) on
stdout (and to --output), exits 0 when every check passed, 1 on any mismatch, 2 when the
inputs themselves are unusable.

EXPECTATIONS.json keys (all optional except project_name and spark_cluster; unknown
keys are an error so a typo cannot silently disable a check):
    project_name, spark_cluster ("azure_synapse" | "databricks"),
    synapse: {dev_url, pool_name, workspace_dir, executor_size, executor_num},
    databricks: {workspace_instance_url, work_dir},
    feathr_runtime_location (null = Maven artifact),
    redis: {host, port, ssl_enabled}, registry_api_endpoint, key_vault_name,
    offline_store_enabled: {adls: true, wasb: false, ...}, spark_result_output_parts
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import sys
import tempfile
import traceback
from typing import Any

FAKE_SECRET_PREFIX = "FAKE-not-a-secret-for-"
CONFIG_SECTIONS = (
    "api_version",
    "project_config",
    "offline_store",
    "spark_config",
    "online_store",
    "feature_registry",
    "secrets",
    "monitoring",
)
SECRET_ENV_PREFIXES = (
    "REDIS_",
    "DATABRICKS_",
    "ADLS_",
    "BLOB_",
    "JDBC_",
    "S3_",
    "KAFKA_",
    "SNOWFLAKE_",
    "MONITORING_",
    "AZURE_",
    "FEATHR_",
    "MAVEN_ARTIFACT_VERSION",
)
KNOWN_EXPECTATION_KEYS = {
    "project_name",
    "spark_cluster",
    "synapse",
    "databricks",
    "feathr_runtime_location",
    "redis",
    "registry_api_endpoint",
    "key_vault_name",
    "offline_store_enabled",
    "spark_result_output_parts",
}
SYNAPSE_SIZES = {"Small": (4, "28g"), "Medium": (8, "56g"), "Large": (16, "112g")}
MISSING = object()
VAULT_CONTENTS: set[str] = set()  # filled from the YAML's required_environment_variables
OPTIONAL_SECRETS: set[str] = set()  # the YAML's optional_environment_variables (absent from the vault)


class Result:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.checks: list[str] = []
        self.resolved: dict[str, Any] = {}
        self.calls: dict[str, list] = {
            "create_directory": [],
            "akv_secret": [],
            "datalake_create_file": [],
            "http": [],
            "blocked_network": [],
        }
        self.payload: Any = None
        self.notes: list[str] = []

    def fail(self, msg: str) -> None:
        self.failures.append(msg)

    def eq(self, what: str, got: Any, want: Any) -> None:
        self.checks.append(what)
        if got is MISSING or got != want or type(got) is not type(want):
            self.fail(
                f"{what}: client resolved {got!r} ({type(got).__name__}), expected {want!r} ({type(want).__name__})"
            )


R = Result()


# --------------------------------------------------------------------------- isolation


def scrub_environment() -> list[str]:
    removed = []
    for name in list(os.environ):
        low = name.lower()
        if any(low == s or low.startswith(s + "__") for s in CONFIG_SECTIONS) or name.upper().startswith(
            SECRET_ENV_PREFIXES
        ):
            removed.append(name)
            del os.environ[name]
    return sorted(removed)


def block_network() -> None:
    def refuse(self, address, *a, **kw):
        R.calls["blocked_network"].append(repr(address))
        raise OSError(f"feathr_client_check: network access blocked (attempted connect to {address!r})")

    socket.socket.connect = refuse  # type: ignore[assignment]
    socket.socket.connect_ex = refuse  # type: ignore[assignment]

    def no_dns(host, *a, **kw):
        R.calls["blocked_network"].append(f"dns:{host}")
        raise socket.gaierror(f"feathr_client_check: DNS blocked for {host!r}")

    socket.getaddrinfo = no_dns  # type: ignore[assignment]


def install_construction_stubs() -> None:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.storage.filedatalake import DataLakeDirectoryClient
    from feathr.secrets.akv_client import AzureKeyVaultClient

    def create_directory(self, *a, **kw):
        R.calls["create_directory"].append(
            {
                "account_url": f"{self.scheme}://{self.primary_hostname}",
                "file_system": self.file_system_name,
                "path": self.path_name,
            }
        )
        return {}

    def get_feathr_akv_secret(self, secret_name: str) -> str:
        # Behaves like a vault that holds exactly the secrets the config declares in
        # project_config.required_environment_variables (what the infra stores; the optional
        # ADLS_* are not stored there): those return an obviously fake
        # value, anything else raises ResourceNotFoundError like a real 404 would.
        # (feathr 1.0.0 falls back to Key Vault for EVERY config key missing from env and
        # YAML, e.g. spark_config__azure_synapse__feathr_runtime_location.)
        hit = secret_name in VAULT_CONTENTS
        R.calls["akv_secret"].append(
            {"vault": self.akv_name, "name": secret_name, "kv_secret_name": secret_name.replace("_", "-"), "found": hit}
        )
        if not hit:
            raise ResourceNotFoundError(f"(stub) secret {secret_name.replace('_', '-')} not found in {self.akv_name}")
        return FAKE_SECRET_PREFIX + secret_name

    DataLakeDirectoryClient.create_directory = create_directory
    AzureKeyVaultClient.get_feathr_akv_secret = get_feathr_akv_secret


class _FakeFileClient:
    def __init__(self, name: str) -> None:
        self.name = name

    def upload_data(self, data, overwrite=False, **kw):
        R.calls["datalake_create_file"].append({"file": self.name, "bytes": len(data)})
        return {}


class _FakeHttpResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def install_submission_stubs() -> None:
    """Stub the transport of job submission only; the payload is built by feathr itself."""
    import urllib.request

    import feathr.spark_provider._databricks_submission as dbx_mod
    import requests
    from azure.storage.filedatalake import DataLakeDirectoryClient
    from azure.synapse.spark.operations import SparkBatchOperations
    from databricks_cli.sdk.api_client import ApiClient

    def create_file(self, file, *a, **kw):
        return _FakeFileClient(str(file))

    DataLakeDirectoryClient.create_file = create_file

    def create_spark_batch_job(self, spark_batch_job_options, detailed=None, **kw):
        R.payload = {
            "transport": "synapse.create_spark_batch_job",
            "body": spark_batch_job_options.serialize(),
            "_options": spark_batch_job_options,
        }
        return type(
            "FakeSparkBatchJob", (), {"id": 4242, "state": "not_started", "tags": spark_batch_job_options.tags}
        )()

    SparkBatchOperations.create_spark_batch_job = create_spark_batch_job

    def perform_query(self, method, path, data={}, headers=None, files=None, version=None):  # noqa: B006
        url = self.get_url(path, version=version)
        R.calls["http"].append({"method": method, "url": url})
        if path == "/jobs/runs/submit":
            R.payload = {
                "transport": "databricks.perform_query",
                "method": method,
                "url": url,
                "body": json.loads(json.dumps(data)),
            }
            return {"run_id": 4242}
        if path == "/jobs/runs/get":
            return {
                "run_id": 4242,
                "run_page_url": "https://fake.invalid/run/4242",
                "state": {"life_cycle_state": "PENDING"},
            }
        if path == "/dbfs/get-status":
            from requests.exceptions import HTTPError

            resp = requests.Response()
            resp.status_code = 404
            resp._content = b'{"error_code":"RESOURCE_DOES_NOT_EXIST"}'
            raise HTTPError("404 (stub)", response=resp)
        return {}

    ApiClient.perform_query = perform_query

    def fake_urlopen(url, *a, **kw):
        R.calls["http"].append({"method": "GET", "url": getattr(url, "full_url", url)})
        return _FakeHttpResponse(b"fake jar bytes")

    urllib.request.urlopen = fake_urlopen
    dbx_mod.urlopen = fake_urlopen

    def fake_post(url, *a, **kw):
        R.calls["http"].append({"method": "POST", "url": url})
        resp = requests.Response()
        resp.status_code = 200
        resp._content = b"{}"
        return resp

    dbx_mod.requests.post = fake_post


# --------------------------------------------------------------------------- checks


def _get(obj: Any, *attrs: str) -> Any:
    for a in attrs:
        if obj is None or not hasattr(obj, a):
            return MISSING
        obj = getattr(obj, a)
    return obj


def check_construction(client: Any, exp: dict, yaml_cfg: dict) -> None:
    from feathr.registry._feathr_registry_client import _FeatureRegistry
    from feathr.spark_provider._databricks_submission import _FeathrDatabricksJobLauncher
    from feathr.spark_provider._synapse_submission import _FeathrSynapseJobLauncher

    launcher = client.feathr_spark_launcher
    res = R.resolved
    res["project_name"] = client.project_name
    res["spark_cluster"] = client.spark_runtime
    res["launcher"] = type(launcher).__name__
    res["feathr_runtime_location"] = client._FEATHR_JOB_JAR_PATH
    res["spark_result_output_parts"] = client.output_num_parts
    res["redis"] = {
        "host": _get(client, "redis_host"),
        "port": _get(client, "redis_port"),
        "ssl_enabled": _get(client, "redis_ssl_enabled"),
    }
    res["registry"] = {"type": type(client.registry).__name__, "endpoint": _get(client.registry, "endpoint")}
    res["key_vault_name"] = client.env_config.akv_name
    res["offline_store_enabled"] = {
        k: getattr(client, f"{k}_enabled") for k in ("adls", "wasb", "s3", "jdbc", "snowflake")
    }

    if not client.project_name:
        R.fail(
            f"project_config.project_name: client resolved {client.project_name!r}; it prefixes every job name and must be set"
        )
    R.eq("project_config.project_name", client.project_name, exp["project_name"])
    R.eq("spark_config.spark_cluster", client.spark_runtime, exp["spark_cluster"])

    want_cls = {"azure_synapse": _FeathrSynapseJobLauncher, "databricks": _FeathrDatabricksJobLauncher}[
        exp["spark_cluster"]
    ]
    if not isinstance(launcher, want_cls):
        R.fail(f"spark launcher: client built {type(launcher).__name__}, expected {want_cls.__name__}")

    if "feathr_runtime_location" in exp:
        R.eq("spark_config.*.feathr_runtime_location", client._FEATHR_JOB_JAR_PATH, exp["feathr_runtime_location"])
    if "spark_result_output_parts" in exp:
        R.eq("spark_config.spark_result_output_parts", client.output_num_parts, exp["spark_result_output_parts"])

    if isinstance(launcher, _FeathrSynapseJobLauncher):
        syn = {
            "dev_url": launcher._synapse_dev_url,
            "pool_name": launcher._pool_name,
            "workspace_dir": _get(launcher, "_datalake", "datalake_dir"),
            "executor_size": _get(launcher, "_api", "_executor_size"),
            "executor_num": _get(launcher, "_api", "_executors"),
            "spark_client_endpoint": _get(launcher, "_api", "client", "_config", "endpoint"),
        }
        res["synapse"] = syn
        want = exp.get("synapse", {})
        for k in ("dev_url", "pool_name", "executor_size", "executor_num"):
            if k in want:
                R.eq(f"spark_config.azure_synapse.{k}", syn[k], want[k])
        if "workspace_dir" in want:
            # the client normalises to a trailing '/'
            R.eq(
                "spark_config.azure_synapse.workspace_dir",
                syn["workspace_dir"],
                want["workspace_dir"].rstrip("/") + "/",
            )
            parts = [p for p in want["workspace_dir"].replace("@", "/").split("/") if p][1:]
            want_dir = {"account_url": f"https://{parts[1]}", "file_system": parts[0], "path": "/".join(parts[2:])}
            if want_dir["path"]:
                if R.calls["create_directory"] != [want_dir]:
                    R.fail(
                        f"workspace_dir: client created ADLS directories {R.calls['create_directory']!r}, expected [{want_dir!r}]"
                    )
            elif R.calls["create_directory"]:
                R.fail(f"workspace_dir: unexpected ADLS directory creation {R.calls['create_directory']!r}")
        if want.get("executor_size") is not None and want["executor_size"] not in SYNAPSE_SIZES:
            R.fail(
                f"expectations: synapse.executor_size {want['executor_size']!r} is not one the client supports {sorted(SYNAPSE_SIZES)}"
            )
    elif isinstance(launcher, _FeathrDatabricksJobLauncher):
        dbx = {
            "workspace_instance_url": launcher.workspace_instance_url,
            "work_dir": launcher.databricks_work_dir,
            "config_template_type": type(launcher.config_template).__name__,
            "api_client_url": _get(launcher, "api_client", "url"),
            "token_resolved": launcher.auth_headers.get("Authorization")
            == f"Bearer {FAKE_SECRET_PREFIX}DATABRICKS_WORKSPACE_TOKEN_VALUE",
        }
        res["databricks"] = dbx
        want = exp.get("databricks", {})
        if "workspace_instance_url" in want:
            R.eq(
                "spark_config.databricks.workspace_instance_url",
                dbx["workspace_instance_url"],
                want["workspace_instance_url"].rstrip("/"),
            )
        if "work_dir" in want:
            R.eq("spark_config.databricks.work_dir", dbx["work_dir"], want["work_dir"])
        if not dbx["token_resolved"]:
            R.fail(
                "DATABRICKS_WORKSPACE_TOKEN_VALUE: the client did not resolve the workspace token from Key Vault "
                f"(Authorization header {launcher.auth_headers.get('Authorization')!r})"
            )
        if launcher.config_template is None:
            R.fail("spark_config.databricks.config_template: missing (client resolved None); job submission would fail")

    want = exp.get("redis")
    if want is not None:
        if not hasattr(client, "redis_client"):
            R.fail("online_store.redis.host: the client built no Redis client (host not set?)")
        else:
            R.eq("online_store.redis.host", client.redis_host, want["host"])
            R.eq("online_store.redis.port", client.redis_port, want["port"])
            ssl = client._str_to_bool(client.redis_ssl_enabled, "ssl_enabled")
            R.eq("online_store.redis.ssl_enabled", ssl, want["ssl_enabled"])
            kw = client.redis_client.connection_pool.connection_kwargs
            conn_cls = client.redis_client.connection_pool.connection_class.__name__
            res["redis"]["redis_py"] = {
                "host": kw.get("host"),
                "port": kw.get("port"),
                "connection_class": conn_cls,
                "password_from_key_vault": kw.get("password") == FAKE_SECRET_PREFIX + "REDIS_PASSWORD",
            }
            if want["ssl_enabled"] and conn_cls != "SSLConnection":
                R.fail(f"online_store.redis.ssl_enabled: redis-py would use {conn_cls}, expected SSLConnection")
            if not res["redis"]["redis_py"]["password_from_key_vault"]:
                R.fail("REDIS_PASSWORD: the Redis client did not get its password from Key Vault")

    if "registry_api_endpoint" in exp:
        if not isinstance(client.registry, _FeatureRegistry):
            R.fail(
                f"feature_registry.api_endpoint: client built registry {type(client.registry).__name__}, expected _FeatureRegistry"
            )
        R.eq("feature_registry.api_endpoint", _get(client.registry, "endpoint"), exp["registry_api_endpoint"])
    if "key_vault_name" in exp:
        R.eq("secrets.azure_key_vault.name", client.env_config.akv_name, exp["key_vault_name"])
        vaults = {c["vault"] for c in R.calls["akv_secret"]}
        if vaults - {exp["key_vault_name"]}:
            R.fail(f"Key Vault lookups went to {sorted(vaults)}, expected only {exp['key_vault_name']!r}")
    for store, want_flag in (exp.get("offline_store_enabled") or {}).items():
        got = res["offline_store_enabled"].get(store, MISSING)
        # identity check: the string "false" is truthy for the client
        R.checks.append(f"offline_store.{store}.{store}_enabled")
        if got is not want_flag:
            R.fail(
                f"offline_store.{store}.{store}_enabled: client resolved {got!r} ({type(got).__name__}), expected the boolean {want_flag!r}"
            )

    _secret_lookups("construction")


def _secret_lookups(phase: str) -> None:
    """Secret-style names (no '__') the client asked the vault for but the config does not declare."""
    seen = R.resolved.setdefault("key_vault_lookups", {})
    done = {n for names in seen.values() for n in names}
    now = [c for c in R.calls["akv_secret"] if c["name"] not in done]
    seen[phase] = sorted({c["name"] for c in now})
    missing = sorted({c["name"] for c in now if not c["found"] and "__" not in c["name"]} - OPTIONAL_SECRETS)
    optional = sorted({c["name"] for c in now if not c["found"]} & OPTIONAL_SECRETS)
    if optional:
        R.notes.append(f"at {phase} the client read the optional {optional} (not in the vault -> None)")
    if missing:
        R.fail(
            f"project_config.required_environment_variables {sorted(VAULT_CONTENTS)!r} omits {missing!r}, "
            f"which the client reads at {phase}"
        )
    config_keys = sorted({c["name"] for c in now if "__" in c["name"]})
    if config_keys:
        R.notes.append(
            f"at {phase} the client looked up config keys absent from the YAML in Key Vault "
            f"(404 -> None): {config_keys}"
        )


def _all_strings(xs: Any) -> bool:
    return isinstance(xs, list) and all(isinstance(x, str) for x in xs)


def run_job_submission(client: Any, exp: dict, workdir: str) -> None:
    """Drive the client's own feature-join submission path with the transport stubbed."""
    from feathr.constants import JOIN_CLASS_NAME
    from feathr.spark_provider._databricks_submission import _FeathrDatabricksJobLauncher
    from feathr.version import get_maven_artifact_fullname

    install_submission_stubs()
    # The files get_offline_features() would have written locally.
    os.makedirs(os.path.join(client.local_workspace_dir, "feature_conf"), exist_ok=True)
    with open(os.path.join(client.local_workspace_dir, "feature_conf", "auto_generated_features.conf"), "w") as f:
        f.write("anchors: {}\n")
    join_conf = os.path.join(workdir, "feature_join.conf")
    is_dbx = isinstance(client.feathr_spark_launcher, _FeathrDatabricksJobLauncher)
    obs = (
        "dbfs:/contract/observation.csv" if is_dbx else "abfss://contract@contract.dfs.core.windows.net/observation.csv"
    )
    out = "dbfs:/contract/output.avro" if is_dbx else "abfss://contract@contract.dfs.core.windows.net/output.avro"
    with open(join_conf, "w") as f:
        f.write(f'observationPath: "{obs}"\nfeatureList: []\noutputPath: "{out}"\n')

    R.payload = None
    try:
        client._get_offline_features_with_config(join_conf, output_path=out, execution_configurations={})
    except SystemExit as e:  # the databricks launcher calls exit(1) when the response has no run_id
        R.fail(f"job submission: the client exited ({e.code}) while submitting")
        return
    except Exception as e:
        R.fail(
            f"job submission: the client raised {type(e).__name__}: {e} "
            f"(at {traceback.extract_tb(e.__traceback__)[-1].filename.split('site-packages/')[-1]}:"
            f"{traceback.extract_tb(e.__traceback__)[-1].lineno})"
        )
        return
    if R.payload is None:
        R.fail("job submission: the client never reached the submit call")
        return

    job_name = f"{exp['project_name']}_feathr_feature_join_job"
    body = R.payload["body"]
    if "FEATHR_FILL_IN" in json.dumps(body, default=str):
        R.fail(f"job payload: FEATHR_FILL_IN left in the request body: {json.dumps(body, default=str)}")
    _secret_lookups("job submission")

    if is_dbx:
        R.resolved["payload_url"] = R.payload["url"]
        want_url = exp.get("databricks", {}).get("workspace_instance_url")
        want_submit = f"{want_url.rstrip('/')}/api/2.0/jobs/runs/submit" if want_url else None
        if want_submit and R.payload["url"] != want_submit:
            R.fail(f"job payload: submitted to {R.payload['url']!r}, expected {want_submit!r}")
        if R.payload["method"] != "POST":
            R.fail(f"job payload: method {R.payload['method']!r}, expected POST")
        R.eq("job payload run_name", body.get("run_name"), job_name)
        clusters = [k for k in ("new_cluster", "existing_cluster_id") if k in body]
        if len(clusters) != 1:
            R.fail(f"job payload: needs exactly one of new_cluster/existing_cluster_id, has {clusters}")
        nc = body.get("new_cluster")
        if nc is not None:
            if not isinstance(nc, dict):
                R.fail(f"job payload: new_cluster is {type(nc).__name__}, expected an object")
            else:
                if not isinstance(nc.get("spark_version"), str) or not nc.get("spark_version"):
                    R.fail(f"job payload: new_cluster.spark_version missing ({nc.get('spark_version')!r})")
                if not (nc.get("node_type_id") or nc.get("instance_pool_id")):
                    R.fail("job payload: new_cluster needs node_type_id or instance_pool_id")
                if not (isinstance(nc.get("num_workers"), int) or isinstance(nc.get("autoscale"), dict)):
                    R.fail(
                        f"job payload: new_cluster needs an integer num_workers or autoscale (got {nc.get('num_workers')!r})"
                    )
                sc = nc.get("spark_conf")
                if not isinstance(sc, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in sc.items()
                ):
                    R.fail(f"job payload: new_cluster.spark_conf must map strings to strings, got {sc!r}")
        libs = body.get("libraries")
        if not isinstance(libs, list) or not libs:
            R.fail(f"job payload: libraries must be a non-empty list, got {libs!r}")
        else:
            for i, lib in enumerate(libs):
                if not isinstance(lib, dict) or len(lib) != 1:
                    R.fail(f"job payload: libraries[{i}] must have exactly one library type, got {lib!r}")
                    continue
                ((kind, val),) = lib.items()
                if kind == "maven" and not (isinstance(val, dict) and isinstance(val.get("coordinates"), str)):
                    R.fail(f"job payload: libraries[{i}].maven must be {{'coordinates': ...}}, got {val!r}")
                if kind == "jar" and not (isinstance(val, str) and val.startswith("dbfs:/")):
                    R.fail(f"job payload: libraries[{i}].jar must be a dbfs:/ path, got {val!r}")
            want_lib = (
                {
                    "jar": (
                        exp.get("databricks", {}).get("work_dir", "").rstrip("/")
                        + "/"
                        + client._FEATHR_JOB_JAR_PATH.rsplit("/", 1)[-1]
                    )
                    if not client._FEATHR_JOB_JAR_PATH.startswith("dbfs:")
                    else client._FEATHR_JOB_JAR_PATH
                }
                if client._FEATHR_JOB_JAR_PATH
                else {"maven": {"coordinates": get_maven_artifact_fullname()}}
            )
            if libs[0] != want_lib:
                R.fail(f"job payload: libraries[0] is {libs[0]!r}, expected {want_lib!r}")
        task = body.get("spark_jar_task")
        if not isinstance(task, dict):
            R.fail(f"job payload: spark_jar_task missing ({task!r})")
        else:
            R.eq("job payload spark_jar_task.main_class_name", task.get("main_class_name"), JOIN_CLASS_NAME)
            params = task.get("parameters")
            if not _all_strings(params):
                R.fail(f"job payload: spark_jar_task.parameters must all be strings (Databricks API), got {params!r}")
            work_dir = exp.get("databricks", {}).get("work_dir")
            if work_dir and isinstance(params, list) and "--join-config" in params:
                jc = params[params.index("--join-config") + 1]
                if not (isinstance(jc, str) and jc.startswith(work_dir.rstrip("/") + "/")):
                    R.fail(f"job payload: --join-config uploaded to {jc!r}, expected under work_dir {work_dir!r}")
        if "spark_python_task" in body:
            R.fail("job payload: unexpected spark_python_task for a jar job")
        R.payload["body_summary"] = {k: body[k] for k in body if k != "spark_jar_task"}
    else:
        opts = R.payload.pop("_options")
        R.eq("job payload name", opts.name, job_name)
        size = exp.get("synapse", {}).get("executor_size")
        if size in SYNAPSE_SIZES:
            cores, mem = SYNAPSE_SIZES[size]
            R.eq("job payload executor_cores", opts.executor_cores, cores)
            R.eq("job payload executor_memory", opts.executor_memory, mem)
        n = exp.get("synapse", {}).get("executor_num")
        if n is not None:
            R.eq("job payload executor_count", opts.executor_count, n)
        if not isinstance(opts.executor_count, int) or opts.executor_count < 1:
            R.fail(f"job payload: executor_count must be a positive int, got {opts.executor_count!r}")
        wd = _get(client.feathr_spark_launcher, "_datalake", "datalake_dir")
        if not (isinstance(opts.file, str) and opts.file.startswith(("abfss://", "abfs://", "wasbs://"))):
            R.fail(f"job payload: main file {opts.file!r} is not a cloud path")
        if not _all_strings(opts.arguments):
            R.fail(f"job payload: arguments must all be strings, got {opts.arguments!r}")
        if isinstance(opts.arguments, list) and "--join-config" in opts.arguments and isinstance(wd, str):
            jc = opts.arguments[opts.arguments.index("--join-config") + 1]
            if not str(jc).startswith(wd):
                R.fail(f"job payload: --join-config uploaded to {jc!r}, expected under workspace_dir {wd!r}")
        if not client._FEATHR_JOB_JAR_PATH:
            pk = (opts.configuration or {}).get("spark.jars.packages", "")
            if get_maven_artifact_fullname() not in pk:
                R.fail(f"job payload: spark.jars.packages {pk!r} lacks {get_maven_artifact_fullname()}")
        R.payload["body_summary"] = {
            k: R.payload["body"].get(k)
            for k in ("name", "file", "className", "executorCores", "executorMemory", "numExecutors", "conf")
        }
    R.payload.pop("body", None)


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("config")
    ap.add_argument("expectations")
    ap.add_argument("--output")
    args = ap.parse_args(argv)

    result: dict[str, Any] = {"config": args.config}
    code = 2
    try:
        removed = scrub_environment()
        block_network()
        import yaml

        with open(args.expectations) as f:
            exp = json.load(f)
        with open(args.config) as f:
            yaml_cfg = yaml.safe_load(f) or {}
        unknown = set(exp) - KNOWN_EXPECTATION_KEYS
        if unknown or "project_name" not in exp or exp.get("spark_cluster") not in ("azure_synapse", "databricks"):
            raise ValueError(
                f"bad expectations: unknown keys {sorted(unknown)}; project_name and spark_cluster "
                f"(azure_synapse|databricks) are required"
            )

        project_config = yaml_cfg.get("project_config") or {}
        VAULT_CONTENTS.update(project_config.get("required_environment_variables") or [])
        OPTIONAL_SECRETS.update(project_config.get("optional_environment_variables") or [])

        import feathr
        from feathr import FeathrClient

        install_construction_stubs()
        result["feathr_version"] = feathr.__version__
        result["env_scrubbed"] = removed
        code = 1
        with tempfile.TemporaryDirectory() as workdir:
            try:
                client = FeathrClient(config_path=args.config)
            except Exception as e:
                R.fail(f"FeathrClient(config_path=...) raised {type(e).__name__}: {e}")
            else:
                check_construction(client, exp, yaml_cfg)
                run_job_submission(client, exp, workdir)
        if R.calls["blocked_network"]:
            R.fail(f"unexpected network access (blocked): {R.calls['blocked_network']}")
        code = 0 if not R.failures else 1
    except Exception as e:
        R.fail(f"checker error: {type(e).__name__}: {e}")
        result["traceback"] = traceback.format_exc()
    result.update(
        {
            "ok": code == 0 and not R.failures,
            "failures": R.failures,
            "checks": R.checks,
            "resolved": R.resolved,
            "stub_calls": R.calls,
            "job_payload": R.payload,
            "notes": R.notes,
        }
    )
    text = json.dumps(result, indent=2, default=repr, sort_keys=False)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    print(text)
    if R.failures:
        print("FEATHR CONTRACT CHECK FAILED:\n  - " + "\n  - ".join(R.failures), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

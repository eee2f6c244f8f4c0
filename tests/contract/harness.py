"""Run a rendered Feathr config through the REAL feathr==1.0.0 client (in its own venv).

Used from the project's Python 3.11 test run; feathr itself only installs on Python 3.10,
so the check runs ``feathr_client_check.py`` in the venv built by ``setup_feathr_venv.sh``.

    from tests.contract.harness import check_config_with_real_client, expectations_for

    result = check_config_with_real_client(yaml_text, expectations_for(endpoints))
    assert result["ok"], result["failures"]

When no Python 3.10 exists the venv cannot be built: by default the call then
``pytest.skip``s with a message saying so (never a silent pass); pass
``on_unavailable="raise"`` to get :class:`FeathrVenvUnavailable` instead.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SETUP_SCRIPT = HERE / "setup_feathr_venv.sh"
CHECKER = HERE / "feathr_client_check.py"

# Only these variables reach the checker: nothing that could override the YAML
# (SECTION__KEY names), supply a secret or an Azure credential.
_PASSTHROUGH_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class FeathrVenvUnavailable(RuntimeError):
    """No Python 3.10 on this machine, so the feathr client cannot be installed."""


def feathr_venv_dir() -> Path:
    return Path(os.environ.get("FEATHR_VENV", REPO_ROOT / ".venv-feathr"))


@functools.lru_cache(maxsize=1)
def _ensure_venv() -> tuple[Path | None, str]:
    env = dict(os.environ, FEATHR_VENV=str(feathr_venv_dir()))
    proc = subprocess.run(
        ["bash", str(SETUP_SCRIPT)], capture_output=True, text=True, env=env, timeout=1200, check=False
    )
    out = proc.stdout.strip().splitlines()
    last = out[-1] if out else ""
    if proc.returncode != 0:
        raise RuntimeError(
            f"setup_feathr_venv.sh failed (exit {proc.returncode}); this is an install error, not a missing "
            f"Python 3.10:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    if last.startswith("FEATHR_VENV_UNAVAILABLE:"):
        return None, last
    if not last.startswith("FEATHR_VENV_READY:"):
        raise RuntimeError(f"setup_feathr_venv.sh printed no status line:\n{proc.stdout}\n{proc.stderr[-4000:]}")
    return Path(last.split(":", 1)[1].strip().split(" ")[0]), last


def feathr_python(on_unavailable: Literal["skip", "raise"] = "skip") -> Path:
    """The feathr venv's interpreter, building the venv on first use (cached)."""
    venv, status = _ensure_venv()
    if venv is None:
        msg = f"feathr contract test SKIPPED: {status}"
        if on_unavailable == "skip":
            import pytest

            pytest.skip(msg)
        raise FeathrVenvUnavailable(msg)
    return venv / "bin" / "python"


def check_config_with_real_client(
    yaml_text: str,
    expectations: dict,
    *,
    on_unavailable: Literal["skip", "raise"] = "skip",
    timeout: float = 300,
) -> dict:
    """Construct ``FeathrClient(config_path=...)`` on ``yaml_text`` and compare with ``expectations``.

    Returns the checker's JSON result (``ok``, ``failures``, ``resolved``, ``job_payload``,
    ``stub_calls``, ``notes``) plus ``returncode`` and ``stderr_tail``. Does not raise on a
    mismatch: assert on ``result["ok"]`` / ``result["failures"]``.
    """
    py = feathr_python(on_unavailable)
    env = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
    with tempfile.TemporaryDirectory(prefix="feathr-contract-") as d:
        cfg = Path(d, "feathr_config.yaml")
        exp = Path(d, "expectations.json")
        res = Path(d, "result.json")
        cfg.write_text(yaml_text)
        exp.write_text(json.dumps(expectations, indent=2))
        proc = subprocess.run(
            [str(py), str(CHECKER), str(cfg), str(exp), "--output", str(res)],
            capture_output=True,
            text=True,
            env=env,
            cwd=d,
            timeout=timeout,
            check=False,
        )
        if res.exists():
            result: dict[str, Any] = json.loads(res.read_text())
        else:
            result = {"ok": False, "failures": [f"checker produced no result (exit {proc.returncode})"]}
    result["returncode"] = proc.returncode
    result["stderr_tail"] = proc.stderr[-3000:]
    if proc.returncode not in (0, 1):
        result["ok"] = False
        result.setdefault("failures", []).append(f"checker exited {proc.returncode}: {proc.stderr[-1500:]}")
    if result.get("ok") and proc.returncode != 0:  # belt and braces: both must agree
        result["ok"] = False
        result["failures"].append(f"checker exit code {proc.returncode} contradicts ok=true")
    return result


def format_failures(result: dict) -> str:
    lines = [f"feathr {result.get('feathr_version', '?')} contract check failed:"]
    lines += [f"  - {f}" for f in result.get("failures", [])]
    return "\n".join(lines)


def expectations_for(endpoints: Any) -> dict:
    """What the real client must resolve for a config rendered from ``endpoints``.

    Derived from the *inputs* (infra.feathr_config.FeathrEndpoints), not from the rendered
    YAML, so a rendering bug shows up as a mismatch.
    """
    from infra.feathr_config import DatabricksSpark, SynapseSpark

    e = endpoints
    s = e.spark
    exp: dict[str, Any] = {
        "project_name": e.project_name,
        "feathr_runtime_location": s.feathr_runtime_location,
        "redis": {"host": e.redis_host, "port": e.redis_port, "ssl_enabled": True},
        "registry_api_endpoint": e.registry_api_endpoint,
        "key_vault_name": e.key_vault_name,
        "offline_store_enabled": {"adls": True, "wasb": False, "s3": False, "jdbc": False, "snowflake": False},
        "spark_result_output_parts": str(e.spark_result_output_parts),
    }
    if isinstance(s, SynapseSpark):
        exp["spark_cluster"] = "azure_synapse"
        exp["synapse"] = {
            "dev_url": s.dev_url,
            "pool_name": s.pool_name,
            "workspace_dir": s.workspace_dir,
            "executor_size": s.executor_size,
            "executor_num": s.executor_num,
        }
    elif isinstance(s, DatabricksSpark):
        exp["spark_cluster"] = "databricks"
        exp["databricks"] = {"workspace_instance_url": s.workspace_instance_url, "work_dir": s.work_dir}
    else:  # pragma: no cover
        raise TypeError(type(s))
    return exp


if __name__ == "__main__":  # manual use: python -m tests.contract.harness CONFIG.yaml EXPECTATIONS.json
    r = check_config_with_real_client(
        Path(sys.argv[1]).read_text(), json.loads(Path(sys.argv[2]).read_text()), on_unavailable="raise"
    )
    print(json.dumps({k: r.get(k) for k in ("ok", "failures", "notes")}, indent=2))
    sys.exit(0 if r["ok"] else 1)

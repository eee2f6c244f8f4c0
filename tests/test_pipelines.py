"""The CI/CD definitions (.github/workflows/*.yml, azure-pipelines.yml) and their scripts (scripts/).

The YAML is parsed and its jobs and guards asserted by name; the scripts that carry the guards
(the ancestry check, the login refresh, the bootstrap's vault check) run against stand-ins for
pulumi/az/curl on PATH, so their behaviour is tested, not only their presence.
Sources: upstream-facts.md section 4 (B1, B2, R1-R14, RB) and the comments in each file.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPTS = ROOT / "scripts"
STACKS = {"dev", "prod"}  # the Pulumi.<stack>.yaml files; test_stack_list_is_current keeps it true

# azure/login v3.0.1 (node24): `git rev-parse v3.0.1^{commit}` in a clone of Azure/login.
AZURE_LOGIN_V3_0_1 = "azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca"
FULL_SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$")


def _load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); map it back.
    data = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def _workflow(name: str) -> dict[str, Any]:
    return _load(WORKFLOWS / name)


def _ado() -> dict[str, Any]:
    return _load(ROOT / "azure-pipelines.yml")


def _ado_stage(name: str) -> dict[str, Any]:
    (stage,) = [s for s in _ado()["stages"] if s["stage"] == name]
    return stage


def _ado_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    if "steps" in job:
        return job["steps"]
    return job["strategy"]["runOnce"]["deploy"]["steps"]


def _ado_jobs() -> list[dict[str, Any]]:
    return [job for stage in _ado()["stages"] for job in stage["jobs"]]


def _script(step: dict[str, Any]) -> str:
    return step.get("run") or step.get("bash") or step.get("inputs", {}).get("inlineScript") or ""


def _index(steps: list[dict[str, Any]], predicate) -> list[int]:
    return [i for i, step in enumerate(steps) if predicate(step)]


def _is_login(step: dict[str, Any]) -> bool:
    return str(step.get("uses", "")).startswith("azure/login@")


def _all_github_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path.name, name, job)
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in _workflow(path.name)["jobs"].items()
    ]


def test_stack_list_is_current():
    assert {p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")} == STACKS


# --- pins ------------------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_full_commit_sha():
    uses = [step["uses"] for _, _, job in _all_github_jobs() for step in job["steps"] if "uses" in step]
    assert uses, "no `uses:` found: the parser is broken"
    assert [u for u in uses if not FULL_SHA_PIN.match(u)] == []


def test_azure_login_is_v3_0_1_everywhere():
    logins = [step["uses"] for _, _, job in _all_github_jobs() for step in job["steps"] if _is_login(step)]
    assert len(logins) == 5  # pr preview, deploy up-dev/preview-prod/up-prod, drift
    assert set(logins) == {AZURE_LOGIN_V3_0_1}


# --- credentials that outlive a long update (B1, R1, R1a, R2) --------------------------------------


def _pulumi_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if "pulumi-ci.sh" in _script(s) or "make config" in _script(s)]


def test_every_github_pulumi_run_renews_the_azure_login():
    runs = [s for _, _, job in _all_github_jobs() for s in _pulumi_steps(job["steps"])]
    assert len(runs) == 7  # pr preview, up-dev + config, preview-prod, up-prod + config, drift
    for step in runs:
        for line in _script(step).splitlines():
            if "pulumi-ci.sh" in line or "make config" in line:
                assert line.strip().startswith("scripts/azure-login-refresh.sh "), step["name"]


def test_installs_run_before_the_azure_login_on_github():
    jobs = [(wf, name, job) for wf, name, job in _all_github_jobs() if any(_is_login(s) for s in job["steps"])]
    assert {(wf, name) for wf, name, _ in jobs} == {
        ("pr.yml", "preview"),
        ("deploy.yml", "up-dev"),
        ("deploy.yml", "preview-prod"),
        ("deploy.yml", "up-prod"),
        ("drift.yml", "drift"),
    }
    for wf, name, job in jobs:
        steps = job["steps"]
        (login,) = _index(steps, _is_login)
        installs = _index(
            steps, lambda s: "pulumi install" in _script(s) or "pulumi/actions@" in str(s.get("uses", ""))
        )
        assert installs and max(installs) < login, (wf, name)
        after = [_script(s) for s in steps[login:]]
        assert not any("pip install" in s or "pulumi install" in s for s in after), (wf, name)


def test_github_providers_exchange_a_fresh_oidc_token():
    for wf, name, job in _all_github_jobs():
        if any(_is_login(s) for s in job["steps"]):
            assert job["env"]["ARM_USE_OIDC"] == "true", (wf, name)
            assert job["permissions"]["id-token"] == "write", (wf, name)
            assert "AZURE_KEYVAULT_AUTH_VIA_CLI" not in job["env"], (wf, name)  # ignored by go-cloud


def test_ado_uses_the_tasks_refreshed_session_not_a_fixed_token():
    text = json.dumps(_ado())  # the definition, not its comments
    assert "ARM_OIDC_TOKEN" not in text
    assert "AZURE_KEYVAULT_AUTH_VIA_CLI" not in text
    long_tasks = [s for job in _ado_jobs() for s in _ado_steps(job) if "pulumi-ci.sh" in _script(s)]
    assert len(long_tasks) == 5  # Preview, UpDev, PreviewProd, UpProd, Drift
    for step in long_tasks:
        assert step["task"] == "AzureCLI@2"
        assert step["inputs"]["keepAzSessionActive"] is True


def test_installs_run_before_the_azure_login_on_ado():
    for job in _ado_jobs():
        steps = _ado_steps(job)
        logins = _index(steps, lambda s: s.get("task") == "AzureCLI@2")
        if not logins:
            continue
        installs = _index(steps, lambda s: "pulumi install" in _script(s) or "install-pulumi-cli.sh" in _script(s))
        assert installs and max(installs) < min(logins), job.get("job") or job.get("deployment")
        for i in logins:
            assert "pulumi install" not in _script(steps[i]) and "pip install" not in _script(steps[i])


def test_ado_installs_a_pinned_verified_pulumi_cli():
    text = json.dumps(_ado())
    assert "get.pulumi.com | sh" not in text
    installs = [s for job in _ado_jobs() for s in _ado_steps(job) if "install-pulumi-cli.sh" in _script(s)]
    assert len(installs) == 5
    for step in installs:
        assert step["env"] == {"PULUMI_VERSION": "$(pulumiVersion)", "PULUMI_SHA256": "$(pulumiCliSha256)"}
    variables = {v["name"]: v["value"] for v in _ado()["variables"] if "name" in v}
    assert variables["pulumiVersion"] == "3.272.0"


def test_pulumi_cli_installer_refuses_a_missing_or_wrong_checksum(tmp_path):
    script = SCRIPTS / "install-pulumi-cli.sh"
    empty = subprocess.run(["bash", str(script), "3.272.0", ""], capture_output=True, text=True)
    assert empty.returncode == 2 and "sha256 ''" in empty.stderr
    short = subprocess.run(["bash", str(script), "3.272.0", "ab" * 31], capture_output=True, text=True)
    assert short.returncode == 2
    bad_version = subprocess.run(["bash", str(script), "latest", "ab" * 32], capture_output=True, text=True)
    assert bad_version.returncode == 2 and "version 'latest'" in bad_version.stderr
    # A download that does not match the pinned checksum is refused before anything is unpacked.
    fake_bin = tmp_path / "bin"
    _fake(fake_bin, "curl", 'while [ $# -gt 0 ]; do [ "$1" = --output ] && printf tampered > "$2"; shift; done')
    tampered = subprocess.run(
        ["bash", str(script), "3.272.0", "ab" * 32, str(tmp_path / "dest")],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"},
    )
    assert tampered.returncode == 2 and "does not match the pinned sha256" in tampered.stderr
    assert not (tmp_path / "dest").exists()


# --- concurrency, prod preview, ancestry, policy config (R3, R4, R5) -------------------------------


def test_every_deploy_job_sits_in_its_stack_concurrency_group():
    deploy_jobs = {
        name: job
        for wf, name, job in _all_github_jobs()
        if any(re.search(r"pulumi-ci\.sh up\b", _script(s)) for s in job["steps"])
    }
    assert set(deploy_jobs) == {"up-dev", "up-prod"}
    assert deploy_jobs["up-dev"]["concurrency"] == {"group": "pulumi-stack-dev", "cancel-in-progress": False}
    assert deploy_jobs["up-prod"]["concurrency"] == {"group": "pulumi-stack-prod", "cancel-in-progress": False}
    # No other job may share a stack group: a group keeps one pending run, so it would replace a queued deploy.
    others = [job.get("concurrency", {}).get("group") for _, name, job in _all_github_jobs() if name not in deploy_jobs]
    assert not {"pulumi-stack-dev", "pulumi-stack-prod"} & set(others)


def test_prod_preview_runs_for_the_same_commit_before_the_approval_gate():
    jobs = _workflow("deploy.yml")["jobs"]
    preview = jobs["preview-prod"]
    assert "environment" not in preview  # no approval before the preview
    assert preview["env"]["STACK"] == "prod"
    assert preview["env"]["ARM_CLIENT_ID"] == "${{ vars.AZURE_PREVIEW_CLIENT_ID }}"
    scripts = [_script(s) for s in preview["steps"]]
    assert 'scripts/azure-login-refresh.sh scripts/pulumi-ci.sh preview "$STACK" --production' in scripts
    uploads = [s for s in preview["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert [u["with"]["path"] for u in uploads] == ["pulumi-preview-prod.md"]
    assert uploads[0]["if"] == "always()"
    assert jobs["up-prod"]["environment"] == {"name": "prod"}
    assert set(jobs["up-prod"]["needs"]) == {"up-dev", "preview-prod"}
    # Azure DevOps: the same, as a stage the approval-gated stage waits for.
    stage = _ado_stage("PreviewProd")
    (job,) = stage["jobs"]
    assert "environment" not in job and "deployment" not in job
    assert any('scripts/pulumi-ci.sh preview "$STACK" --production' in _script(s) for s in _ado_steps(job))
    assert set(_ado_stage("DeployProd")["dependsOn"]) == {"DeployDev", "PreviewProd"}


def test_prod_deploy_refuses_older_commits():
    steps = _workflow("deploy.yml")["jobs"]["up-prod"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    (guard,) = _index(steps, lambda s: "check_deploy_ancestry.py" in _script(s))
    (up,) = _index(steps, lambda s: "pulumi-ci.sh up" in _script(s))
    assert guard < up
    assert 'check_deploy_ancestry.py --stack "$STACK" --commit "$GITHUB_SHA"' in _script(steps[guard])
    (ado_job,) = _ado_stage("DeployProd")["jobs"]
    ado_steps = _ado_steps(ado_job)
    (checkout,) = _index(ado_steps, lambda s: "checkout" in s)
    assert ado_steps[checkout]["fetchDepth"] == "0"
    (ado_guard,) = _index(ado_steps, lambda s: "check_deploy_ancestry.py" in _script(s))
    (ado_up,) = _index(ado_steps, lambda s: "pulumi-ci.sh up" in _script(s))
    assert ado_guard < ado_up


def test_every_prod_run_gets_the_production_policy_config():
    # GitHub: the prod jobs and the prod entry of the PR matrix.
    jobs = _workflow("deploy.yml")["jobs"]
    for name in ("preview-prod", "up-prod"):
        assert any(
            re.search(r'pulumi-ci\.sh (up|preview) "\$STACK" --production$', _script(s).strip())
            for s in jobs[name]["steps"]
        )
    assert not any("--production" in _script(s) for s in jobs["up-dev"]["steps"])
    preview = _workflow("pr.yml")["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["include"] == [
        {"stack": "dev", "production": False},
        {"stack": "prod", "production": True},
    ]
    assert 'if [ "$PRODUCTION" = true ]; then set -- --production' in _script(preview["steps"][-1])
    # Azure DevOps.
    (up_prod,) = _ado_stage("DeployProd")["jobs"]
    assert any('pulumi-ci.sh up "$STACK" --production' in _script(s) for s in _ado_steps(up_prod))
    (ado_preview,) = [j for j in _ado_stage("Validate")["jobs"] if j["job"] == "Preview"]
    assert ado_preview["strategy"]["matrix"]["prod"]["POLICY_FLAGS"] == "--production"
    assert ado_preview["strategy"]["matrix"]["dev"]["POLICY_FLAGS"] == ""


def _pulumi_ci(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """scripts/pulumi-ci.sh against a stand-in pulumi that logs its arguments and any policy config."""
    bin_dir = tmp_path / "bin"
    log = tmp_path / "pulumi.log"
    _fake(
        bin_dir,
        "pulumi",
        f"""echo "$*" >> {log}
while [ $# -gt 0 ]; do [ "$1" = --policy-pack-config ] && cp "$2" {tmp_path}/policy-config.json; shift; done""",
    )
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PULUMI_BACKEND_URL": "azblob://state?storage_account=st",
        "PULUMI_CI_REPORT": str(tmp_path / "report.md"),
        "POLICY_PYTHON": sys.executable,
        "GITHUB_STEP_SUMMARY": "",
    }
    result = subprocess.run(["bash", str(SCRIPTS / "pulumi-ci.sh"), *args], capture_output=True, text=True, env=env)
    return result, log.read_text().splitlines() if log.exists() else []


def test_pulumi_ci_passes_the_production_policy_config_only_with_production(tmp_path):
    result, calls = _pulumi_ci(tmp_path, "up", "prod", "--production")
    assert result.returncode == 0, result.stderr
    assert calls[0] == "login azblob://state?storage_account=st"
    up = calls[1].split()
    assert up[:5] == ["up", "--stack", "prod", "--non-interactive", "--color"]
    assert up[up.index("--policy-pack") + 1] == "policy"
    assert "--policy-pack-config" in up and "--refresh" in up and "--yes" in up
    assert set(json.loads((tmp_path / "policy-config.json").read_text())) == {
        "key-vault-purge-protection",
        "registry-geo-replication-and-backups",
        "stateful-resources-protected",
    }
    dev, calls = _pulumi_ci(tmp_path / "dev", "up", "dev")
    assert dev.returncode == 0 and "--policy-pack-config" not in calls[1] and "--policy-pack policy" in calls[1]


def test_pulumi_ci_drift_is_a_refresh_preview_that_expects_no_changes(tmp_path):
    result, calls = _pulumi_ci(tmp_path, "drift", "dev")
    assert result.returncode == 0, result.stderr
    assert calls[1] == "refresh --stack dev --non-interactive --color never --preview-only --expect-no-changes --diff"
    assert "no drift" in (tmp_path / "report.md").read_text()
    refused, _ = _pulumi_ci(tmp_path / "p", "drift", "prod", "--production")
    assert refused.returncode == 2


def test_pipeline_policy_config_overrides_the_stack_file(monkeypatch):
    sys.path.insert(0, str(ROOT / "policy"))
    import feathr_policies as fp
    import pipeline_config
    from pulumi_policy import StackValidationArgs

    expected = {
        "key-vault-purge-protection": {"productionLike": True},
        "registry-geo-replication-and-backups": {"productionLike": True},
        "stateful-resources-protected": {"productionLike": True},
    }
    assert pipeline_config.production_config() == expected
    # A stack file that switched productionLike off is still production under the pipeline's config.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"feathr-infra:productionLike": "false"}))
    assert not fp.production_like(StackValidationArgs([]))
    assert fp.production_like(StackValidationArgs([], expected["stateful-resources-protected"]))
    printed = subprocess.run(
        [sys.executable, str(ROOT / "policy" / "pipeline_config.py")], capture_output=True, text=True, check=True
    )
    assert json.loads(printed.stdout) == expected


# --- PR previews (B2, R7, R8, R13) -----------------------------------------------------------------


def test_previews_never_run_for_forks():
    preview = _workflow("pr.yml")["jobs"]["preview"]
    assert preview["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    (ado_preview,) = [j for j in _ado_stage("Validate")["jobs"] if j["job"] == "Preview"]
    assert ado_preview["condition"] == (
        "and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'), "
        "ne(variables['System.PullRequest.IsFork'], 'True'))"
    )


def test_pr_preview_posts_no_comment_and_asks_no_pr_write_permission():
    preview = _workflow("pr.yml")["jobs"]["preview"]
    assert preview["permissions"] == {"contents": "read", "id-token": "write"}
    assert not any("comment-on-pr" in json.dumps(s) for s in preview["steps"])


# --- drift (R6) --------------------------------------------------------------------------------------


def test_drift_job_runs_nightly_and_on_demand_for_every_stack():
    drift = _workflow("drift.yml")
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}
    assert drift["on"]["schedule"] == [{"cron": "17 4 * * *"}]
    job = drift["jobs"]["drift"]
    assert set(job["strategy"]["matrix"]["stack"]) == STACKS
    assert job["concurrency"] == {"group": "pulumi-drift-${{ matrix.stack }}", "cancel-in-progress": False}
    assert 'scripts/azure-login-refresh.sh scripts/pulumi-ci.sh drift "$STACK"' in [_script(s) for s in job["steps"]]
    assert (
        'cmd=(pulumi refresh "${common[@]}" --preview-only --expect-no-changes --diff)'
        in (SCRIPTS / "pulumi-ci.sh").read_text()
    )
    # Azure DevOps: a nightly schedule and a Drift stage for every stack, only on scheduled/drift runs.
    ado = _ado()
    assert ado["schedules"][0]["cron"] == "17 4 * * *"
    stage = _ado_stage("Drift")
    assert stage["condition"] == "or(eq(variables['Build.Reason'], 'Schedule'), eq(variables['operation'], 'drift'))"
    (job,) = stage["jobs"]
    assert {entry["STACK"] for entry in job["strategy"]["matrix"].values()} == STACKS
    for name in ("Validate", "DeployDev", "PreviewProd", "DeployProd"):
        assert "ne(variables['Build.Reason'], 'Schedule')" in _ado_stage(name)["condition"], name


def test_manual_triggers():
    assert "workflow_dispatch" in _workflow("deploy.yml")["on"]
    assert "workflow_dispatch" in _workflow("drift.yml")["on"]
    for name in ("up-dev", "preview-prod", "up-prod"):
        assert _workflow("deploy.yml")["jobs"][name]["if"] == "github.ref == 'refs/heads/main'"


def test_ado_deployment_jobs_download_nothing():
    for stage in ("DeployDev", "DeployProd"):
        (job,) = _ado_stage(stage)["jobs"]
        assert _ado_steps(job)[0] == {"download": "none"}


# --- scripts, run against stand-ins ------------------------------------------------------------------


def _fake(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A repository with main = A - B - C, and a side branch A - X."""
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    _git(path, "config", "user.email", "t@example.com")
    _git(path, "config", "user.name", "t")
    shas = {}
    for name in ("A", "B", "C"):
        _git(path, "commit", "-q", "--allow-empty", "-m", name)
        shas[name] = _git(path, "rev-parse", "HEAD")
    _git(path, "checkout", "-q", "-b", "side", shas["A"])
    _git(path, "commit", "-q", "--allow-empty", "-m", "X")
    shas["X"] = _git(path, "rev-parse", "HEAD")
    _git(path, "checkout", "-q", "main")
    return path, shas


def _ancestry(
    repo_path: Path, tmp_path: Path, history: list[dict[str, Any]], commit: str
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    (tmp_path / "history.json").write_text(json.dumps(history))
    _fake(bin_dir, "pulumi", f'echo "$@" >> {tmp_path}/pulumi.log; cat {tmp_path}/history.json')
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "check_deploy_ancestry.py"), "--stack", "prod", "--commit", commit],
        cwd=repo_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )


def _update(version: int, sha: str, kind: str = "update", result: str = "succeeded") -> dict[str, Any]:
    return {"version": version, "kind": kind, "result": result, "environment": {"git.head": sha}}


def test_ancestry_guard_refuses_an_older_commit(repo, tmp_path):
    path, sha = repo
    # Newest entry first or not: the guard picks the highest version.
    history = [_update(1, sha["B"]), _update(2, sha["C"])]
    older = _ancestry(path, tmp_path, history, sha["B"])
    assert older.returncode == 1
    assert f"last deployed {sha['C']}" in older.stderr
    assert "stack history --stack prod --json" in (tmp_path / "pulumi.log").read_text()


def test_ancestry_guard_refuses_an_unrelated_commit(repo, tmp_path):
    path, sha = repo
    assert _ancestry(path, tmp_path, [_update(3, sha["C"])], sha["X"]).returncode == 1


def test_ancestry_guard_counts_a_failed_update_and_ignores_refreshes(repo, tmp_path):
    path, sha = repo
    history = [_update(4, sha["C"], result="failed"), _update(5, sha["A"], kind="refresh")]
    assert _ancestry(path, tmp_path, history, sha["B"]).returncode == 1


def test_ancestry_guard_allows_the_same_or_a_newer_commit_and_a_first_deploy(repo, tmp_path):
    path, sha = repo
    assert _ancestry(path, tmp_path, [_update(1, sha["B"])], sha["C"]).returncode == 0
    assert _ancestry(path, tmp_path, [_update(1, sha["C"])], sha["C"]).returncode == 0
    first = _ancestry(path, tmp_path, [], sha["A"])
    assert first.returncode == 0 and "no recorded deployment" in first.stdout


def test_ancestry_guard_fails_closed_when_it_cannot_compare(repo, tmp_path):
    path, sha = repo
    unknown = _ancestry(path, tmp_path, [_update(1, "0" * 40)], sha["C"])
    assert unknown.returncode == 2 and "cannot compare" in unknown.stderr


def test_login_refresh_logs_in_again_and_stops_with_the_command(tmp_path):
    bin_dir = tmp_path / "bin"
    log = tmp_path / "calls.log"
    _fake(bin_dir, "curl", f'echo "curl $*" >> {log}; echo \'{{"value": "id-token-123"}}\'')
    _fake(bin_dir, "az", f'echo "az $*" >> {log}')
    # The command waits until az logged in three times (the first login and two refreshes), then fails.
    command = f"for i in $(seq 200); do [ $(grep -c 'az login' {log}) -ge 3 ] && exit 7; sleep 0.1; done; exit 99"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example/req?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-bearer",
        "ARM_CLIENT_ID": "client-1",
        "ARM_TENANT_ID": "tenant-1",
        "ARM_SUBSCRIPTION_ID": "sub-1",
        "AZURE_LOGIN_REFRESH_SECONDS": "1",
        "GITHUB_ACTIONS": "",
    }
    result = subprocess.run(
        ["bash", str(SCRIPTS / "azure-login-refresh.sh"), "bash", "-c", command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,  # a loop that outlives the command keeps the pipes open: fail, do not hang
    )
    assert result.returncode == 7  # the command's status, not the wrapper's
    calls = log.read_text().splitlines()
    logins = [c for c in calls if c.startswith("az login")]
    assert len(logins) >= 3
    assert logins[0] == (
        "az login --service-principal --username client-1 --tenant tenant-1 "
        "--federated-token id-token-123 --output none --only-show-errors"
    )
    assert "az account set --subscription sub-1 --only-show-errors" in calls
    assert (
        "curl --silent --show-error --fail --retry 3 --header Authorization: bearer request-bearer "
        "https://token.example/req?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    ) in calls
    # The loop ends with the command.
    count = len(log.read_text().splitlines())
    time.sleep(2.5)
    assert len(log.read_text().splitlines()) == count


def test_login_refresh_needs_the_oidc_request_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONS_ID_TOKEN")}
    result = subprocess.run(
        ["bash", str(SCRIPTS / "azure-login-refresh.sh"), "true"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "ACTIONS_ID_TOKEN_REQUEST_URL is not set" in result.stderr


def _bootstrap(tmp_path: Path, vault_rbac: str | None) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "az.log"
    vault = "exit 3" if vault_rbac is None else f"echo {vault_rbac}"
    _fake(
        bin_dir,
        "az",
        f"""echo "$*" >> {log}
case "$1 $2" in
  "keyvault show") if [[ "$*" == *enableRbacAuthorization* ]]; then {vault}; else echo /subscriptions/x/vault; fi ;;
  "account show") echo 00000000-0000-0000-0000-000000000001 ;;
  "ad signed-in-user") echo 22222222-2222-2222-2222-222222222222 ;;
esac
exit 0""",
    )
    result = subprocess.run(
        [
            "bash",
            str(SCRIPTS / "bootstrap-state-backend.sh"),
            "-s", "sub", "-g", "rg-state", "-l", "westeurope", "-a", "stfeathrstate01",
            "-k", "kv-feathr-state-01", "-p", "11111111-1111-1111-1111-111111111111",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )  # fmt: skip
    return result, log.read_text().splitlines()


def test_bootstrap_never_switches_an_existing_vault_to_rbac(tmp_path):
    result, calls = _bootstrap(tmp_path, "false")
    assert result.returncode == 1
    assert "exists and uses access policies" in result.stderr
    assert not [c for c in calls if "enable-rbac-authorization" in c]
    assert not [c for c in calls if c.startswith(("keyvault update", "keyvault create", "role assignment create"))]


def test_bootstrap_treats_an_unset_permission_model_as_access_policies(tmp_path):
    result, _calls = _bootstrap(tmp_path, "")
    assert result.returncode == 1 and "uses access policies" in result.stderr


def test_bootstrap_keeps_an_rbac_vault_and_creates_a_missing_one(tmp_path):
    result, calls = _bootstrap(tmp_path, "true")
    assert result.returncode == 0, result.stderr
    (update,) = [c for c in calls if c.startswith("keyvault update")]
    assert "--enable-purge-protection true" in update and "rbac" not in update
    assert "pulumi stack init prod --secrets-provider" in result.stdout
    missing, calls = _bootstrap(tmp_path / "new", None)
    assert missing.returncode == 0, missing.stderr
    (create,) = [c for c in calls if c.startswith("keyvault create")]
    assert "--enable-rbac-authorization true" in create

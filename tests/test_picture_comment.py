"""scripts/pr-picture-comment.sh against a stand-in gh in a throwaway git repository: it posts only for a
changed stack, edits its own earlier comment in place, and refuses a picture holding an id or an IP."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pr-picture-comment.sh"
PICTURE = '%% Generated\n%% stack dev\nflowchart LR\n  a["contoso-dev-kv<br/>keyvault:Vault · westeurope"]\n'
GH = """#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
for arg in "$@"; do
  case "$arg" in body=@*) cp "${arg#body=@}" "$GH_LOG.body" ;; esac
done
case "$*" in *--paginate*) [ -n "${GH_EXISTING:-}" ] && echo "$GH_EXISTING" ;; esac
exit 0
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "infra/x.py"):
        (repo / name).write_text("a: 1\n")
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "Pulumi.dev.yaml").write_text("a: 2\n")  # the pull request changes dev only
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "change dev")
    for stack in ("dev", "prod"):
        (repo / "build" / stack).mkdir(parents=True)
        (repo / "build" / stack / "environment.mmd").write_text(PICTURE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(GH)
    (bin_dir / "gh").chmod((bin_dir / "gh").stat().st_mode | stat.S_IEXEC)
    return repo, base, bin_dir, tmp_path / "gh.log"


def post(repo, stack, existing=""):
    repo_dir, base, bin_dir, log = repo
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_LOG": str(log),
        "GH_EXISTING": existing,
        "REPO": "contoso/feathr-infra",
        "PR_NUMBER": "7",
        "BASE_SHA": base,
    }
    result = subprocess.run(["bash", str(SCRIPT), stack], cwd=repo_dir, env=env, capture_output=True, text=True)
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def test_a_stack_the_pull_request_does_not_change_gets_no_comment(repo):
    result, calls = post(repo, "prod")
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert calls == []


def test_a_changed_stack_gets_one_new_comment_with_the_mermaid_picture(repo):
    result, calls = post(repo, "dev")
    assert result.returncode == 0, result.stderr
    assert calls[0].startswith("api --paginate repos/contoso/feathr-infra/issues/7/comments")
    assert calls[1].startswith("api --silent -X POST repos/contoso/feathr-infra/issues/7/comments -F body=@")
    body = Path(str(repo[3]) + ".body").read_text()
    assert body.startswith("<!-- feathr-infra environment picture: dev -->\n### Environment picture: `dev`")
    assert "```mermaid\n" + PICTURE + "```\n" in body


def test_an_earlier_picture_comment_is_edited_in_place(repo):
    result, calls = post(repo, "dev", existing="4242")
    assert result.returncode == 0, result.stderr
    assert calls[1].startswith("api --silent -X PATCH repos/contoso/feathr-infra/issues/comments/4242 -F body=@")


@pytest.mark.parametrize(
    "leak", ["3e5a7c9b-2d4f-4a6b-8e1c-5f7a9b1d3e24", "who_3e5a7c9b_2d4f_4a6b_8e1c_5f7a9b1d3e24", "203.0.113.0"]
)
def test_a_picture_with_an_id_or_an_ip_is_not_posted(repo, leak):
    (repo[0] / "build" / "dev" / "environment.mmd").write_text(PICTURE + f'  b["{leak}"]\n')
    result, calls = post(repo, "dev")
    assert result.returncode == 1 and "not posting" in result.stderr
    assert calls == []


def test_pr_workflow_picture_job_is_the_only_one_that_may_comment():
    import yaml

    jobs = yaml.safe_load((SCRIPT.parents[1] / ".github" / "workflows" / "pr.yml").read_text())["jobs"]
    writers = {name for name, job in jobs.items() if (job.get("permissions") or {}).get("pull-requests") == "write"}
    assert writers == {"picture"}
    picture = jobs["picture"]
    assert picture["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert picture["if"] == "github.event.pull_request.head.repo.full_name == github.repository"  # no forks
    assert picture["steps"][-1]["run"] == 'scripts/pr-picture-comment.sh "$STACK"'


def test_every_ci_job_that_tests_or_plans_installs_graphviz_first():
    import yaml

    root = SCRIPT.parents[1]
    jobs = []
    for path in sorted((root / ".github" / "workflows").glob("*.yml")):
        jobs += [
            (f"{path.name}:{name}", job.get("steps", []))
            for name, job in yaml.safe_load(path.read_text())["jobs"].items()
        ]
    ado = yaml.safe_load((root / "azure-pipelines.yml").read_text())
    for stage in ado["stages"]:
        for job in stage["jobs"]:
            steps = job.get("steps") or job.get("strategy", {}).get("runOnce", {}).get("deploy", {}).get("steps", [])
            jobs.append((f"ado:{job.get('job') or job.get('deployment')}", steps))
    checked = []
    for name, steps in jobs:
        scripts = [str(step.get("run") or step.get("bash") or "") for step in steps]
        needs = [i for i, s in enumerate(scripts) if re.search(r"\bmake (test|plan|plans)\b", s)]
        if needs:
            installs = [i for i, s in enumerate(scripts) if "apt-get install" in s and "graphviz" in s]
            assert installs and installs[0] < needs[0], name
            checked.append(name)
    assert checked == ["deploy.yml:verify", "pr.yml:test", "pr.yml:plan", "pr.yml:picture", "ado:Test", "ado:Plan"]

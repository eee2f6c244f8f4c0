#!/usr/bin/env python3
"""Refuses to deploy a commit older than the one the stack last deployed.

Re-running an old pipeline run (or an old run's prod job after a newer one went through) would
otherwise deploy an older commit over a newer stack. The last deployed commit is the `git.head`
that the Pulumi CLI records in every update's metadata (`pulumi stack history --json`,
`environment["git.head"]`; pkg/cmd/pulumi: addGitMetadata), so nothing extra has to be written.
The commit to deploy must be that commit or a descendant of it (`git merge-base --is-ancestor`).

Usage: check_deploy_ancestry.py --stack prod [--commit <sha>]   (commit default: HEAD)
Needs the full history of the checkout (GitHub: `fetch-depth: 0`; Azure DevOps: `fetchDepth: 0`).
Exit status 0: allowed; 1: refused (older or unrelated commit); 2: the check itself failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

GIT_HEAD = "git.head"


def last_deployed_commit(history: list[dict[str, Any]]) -> str | None:
    """The git.head of the newest `update` (whatever its result: a failed update changed resources too)."""
    updates = [
        entry for entry in history if entry.get("kind") == "update" and entry.get("environment", {}).get(GIT_HEAD)
    ]
    if not updates:
        return None
    newest = max(updates, key=lambda entry: int(entry.get("version", 0)))
    return str(newest["environment"][GIT_HEAD])


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args(argv)

    resolved = _run("git", "rev-parse", "--verify", f"{args.commit}^{{commit}}")
    if resolved.returncode != 0:
        print(f"error: cannot resolve commit '{args.commit}': {resolved.stderr.strip()}", file=sys.stderr)
        return 2
    commit = resolved.stdout.strip()

    history_run = _run("pulumi", "stack", "history", "--stack", args.stack, "--json", "--page-size", "50")
    if history_run.returncode != 0:
        print(f"error: pulumi stack history failed: {history_run.stderr.strip()}", file=sys.stderr)
        return 2
    try:
        history = json.loads(history_run.stdout or "[]")
    except json.JSONDecodeError as error:
        print(f"error: pulumi stack history --json is not JSON: {error}", file=sys.stderr)
        return 2

    last = last_deployed_commit(history)
    if last is None:
        print(f"stack {args.stack}: no recorded deployment; deploying {commit}")
        return 0
    if last == commit:
        print(f"stack {args.stack}: redeploying the last deployed commit {commit}")
        return 0
    ancestor = _run("git", "merge-base", "--is-ancestor", last, commit)
    if ancestor.returncode == 0:
        print(f"stack {args.stack}: {commit} descends from the last deployed commit {last}")
        return 0
    if ancestor.returncode == 1:
        print(
            f"error: stack {args.stack} last deployed {last}, and {commit} does not contain it "
            "(an older or unrelated commit). Refusing to deploy it over the newer state: "
            "deploy a commit that descends from it.",
            file=sys.stderr,
        )
        return 1
    print(
        f"error: cannot compare {commit} with the last deployed commit {last} "
        f"(is the checkout shallow, or the commit unknown here?): {ancestor.stderr.strip()}",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())

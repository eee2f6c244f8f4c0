"""Run the real Pulumi program under the mocks, for one stack, with that stack's real config.

The Pulumi CLI normally merges `Pulumi.yaml` defaults with `Pulumi.<stack>.yaml` and hands the
result to the program; offline we do the same merge here, so tests and the plan see exactly the
config `pulumi up` would.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.offline.mocks import AzureMocks, RecordedResource, RecordingMonitor

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = REPO_ROOT / "infra" / "__main__.py"


@dataclass
class StackOutput:
    value: Any
    secret: bool


@dataclass
class ProgramRun:
    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, StackOutput]

    def of_type(self, token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.token == token]

    def one(self, token: str) -> RecordedResource:
        found = self.of_type(token)
        if len(found) != 1:
            raise AssertionError(f"expected one {token}, found {len(found)}: {[r.logical_name for r in found]}")
        return found[0]


def project_name() -> str:
    return yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["name"]


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Project defaults from Pulumi.yaml, then the stack file, then `overrides` (keys without namespace)."""
    project_file = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    project = project_file["name"]
    merged: dict[str, Any] = {}
    for key, declaration in (project_file.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(declaration, dict) and "default" in declaration:
            merged[full_key] = declaration["default"]
        elif isinstance(declaration, dict) and "value" in declaration:
            merged[full_key] = declaration["value"]
    stack_file = REPO_ROOT / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        merged.update((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    for key, value in (overrides or {}).items():
        merged[key if ":" in key else f"{project}:{key}"] = value
    return merged


def _as_pulumi_config(config: dict[str, Any]) -> dict[str, str]:
    """Pulumi hands scalars to programs as strings and structured values as JSON text."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in config.items()
        if value is not None
    }


def run_program(stack: str, config: dict[str, Any] | None = None, *, preview: bool = False) -> ProgramRun:
    """Run infra/__main__.py under the mocks; `config` defaults to the stack's merged config."""
    project = project_name()
    config = stack_config(stack) if config is None else config
    runtime_settings.ROOT.set(None)  # a fresh root stack for every run
    monitor = RecordingMonitor(AzureMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(_as_pulumi_config(config))

    def program() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")

    _sync_await(run_pulumi_func(program))

    root = runtime_settings.get_root_resource()
    outputs = {}
    for key, output in (getattr(root, "outputs", None) or {}).items():
        output = pulumi.Output.from_input(output)
        outputs[key] = StackOutput(_sync_await(output.future()), _sync_await(output.is_secret()))
    return ProgramRun(project, stack, list(monitor.recorded), outputs)

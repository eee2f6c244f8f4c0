"""Run the real Pulumi program under the mocks, for one stack, with that stack's real config.

The Pulumi CLI merges `Pulumi.yaml` defaults with `Pulumi.<stack>.yaml` and hands the result to the
program; offline `infra.offline.stack_files` does the same, with the CLI's YAML rules, so tests and
the plan see exactly the config (and the secret keys) `pulumi up` would.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import runpy
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.offline import stack_files
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


def project_name(project_dir: Path | None = None) -> str:
    return _project(_stamp((project_dir or REPO_ROOT) / "Pulumi.yaml")).name


def _stamp(path: Path) -> tuple[str, int, int]:
    """A cache key that changes when the file does (tests write stack files of their own)."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _project(stamp: tuple[str, int, int]) -> stack_files.Project:
    return stack_files.read_project(Path(stamp[0]))


@lru_cache(maxsize=64)
def _read(project: tuple[str, int, int], stack: str, stack_file: tuple[str, int, int]) -> stack_files.StackConfig:
    return stack_files.stack_config(Path(project[0]), stack, Path(stack_file[0]))


def read_stack(stack: str, project_dir: Path | None = None, stack_file: Path | None = None) -> stack_files.StackConfig:
    """The stack's config as the CLI hands it to the program (a `StackFileError` if it would refuse it)."""
    project_file = (project_dir or REPO_ROOT) / "Pulumi.yaml"
    stack_file = stack_file or project_file.with_name(f"Pulumi.{stack}.yaml")
    found = _read(_stamp(project_file), stack, _stamp(stack_file))
    return stack_files.StackConfig(copy.deepcopy(found.values), found.secret_keys)


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Project defaults from Pulumi.yaml, then the stack file, then `overrides` (keys without namespace)."""
    merged = read_stack(stack).values
    project = project_name()
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


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block. A run keeps ~10^5 futures, outputs and tasks alive at
    once, which the collector promotes and re-scans in full collections: half a run's time (measured with
    cProfile). The run's garbage is a few MiB, collected as usual once the run is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def drain_rpcs() -> None:
    """After a failed run, let the registrations still in flight finish, so none of them fails into the
    next run (the SDK keeps the first failed RPC in a process-wide manager)."""
    manager = runtime_settings.SETTINGS.rpc_manager
    while manager.rpcs:
        with contextlib.suppress(Exception):
            await manager.rpcs.pop()
    manager.clear()


def run_program(
    stack: str,
    config: dict[str, Any] | None = None,
    *,
    preview: bool = False,
    secret_keys: Collection[str] | None = None,
    project_dir: Path | None = None,
    stack_file: Path | None = None,
) -> ProgramRun:
    """Run infra/__main__.py under the mocks. `config` defaults to the stack file's, read as the CLI reads
    it (from `project_dir` or the repo, or from `stack_file`); `secret_keys` are the keys the CLI would
    list as secret (those the stack file holds as `secure:` when `config` is not given)."""
    project = project_name(project_dir)
    if config is None:
        found = read_stack(stack, project_dir, stack_file)
        config = found.values
        secret_keys = found.secret_keys if secret_keys is None else secret_keys
    runtime_settings.ROOT.set(None)  # a fresh root stack for every run
    monitor = RecordingMonitor(AzureMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(_as_pulumi_config(config), sorted(secret_keys or ()))

    def program() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")

    with cyclic_gc_paused():
        try:
            _sync_await(run_pulumi_func(program))
        except Exception:
            _sync_await(drain_rpcs())
            raise
        if monitor.errors:  # what the engine would have refused, in registration order
            raise monitor.errors[0]

        root = runtime_settings.get_root_resource()
        outputs = {}
        for key, output in (getattr(root, "outputs", None) or {}).items():
            output = pulumi.Output.from_input(output)
            outputs[key] = StackOutput(_sync_await(output.future()), _sync_await(output.is_secret()))
    return ProgramRun(project, stack, list(monitor.recorded), outputs)

"""Helpers for tests: run the program under the mocks (built once per session per stack and overrides)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from infra.offline.runner import REPO_ROOT, ProgramRun, run_program, stack_config
from infra.settings import SECRET_SETTINGS
from tests import shared_runs

STACKS = sorted(p.name.split(".")[1] for p in REPO_ROOT.glob("Pulumi.*.yaml"))
NS = "feathr-infra:"


def config_with(stack: str, **overrides: Any) -> dict[str, Any]:
    """The stack's merged config with top-level keys replaced (`offlineStore={...}` replaces the section)."""
    config = copy.deepcopy(stack_config(stack))
    for key, value in overrides.items():
        config[NS + key] = value
    return config


def config_merged(stack: str, section: str, **values: Any) -> dict[str, Any]:
    """The stack's merged config with `values` merged into one section (e.g. offlineStore)."""
    config = copy.deepcopy(stack_config(stack))
    merged = dict(config.get(NS + section) or {})
    merged.update(values)
    config[NS + section] = merged
    return config


def databricks_ready(config: dict[str, Any]) -> dict[str, Any]:
    """What a Databricks stack needs of its offline store: the account key on, the network open. Databricks has
    no VNet injection yet, so a private stack goes public (the documented production opt-out) to run it."""
    store = dict(config.get(NS + "offlineStore") or {})
    store.update(sharedKeyAccess=True, networkDefaultAction="Allow", allowedIpRanges=[])
    ready = {**config, NS + "offlineStore": store}
    if (config.get(NS + "network") or {}).get("mode") == "private":
        ready[NS + "network"] = {"mode": "public", "allowPublicInProduction": True}
    return ready


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "no test").rsplit(" ", 1)[0]


def _file_text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


# The engine's config variables: infra/stack_config.py merges them into what the program reads, so a run made
# while a test set them (tests/test_policy.py) is another run.
ENGINE_CONFIG_VARIABLES = ("PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS")


@lru_cache(maxsize=256)  # pickles of a few hundred KiB each
def _run_pickled(
    stack: str, config_json: str | None, secret_keys: tuple[str, ...] | None, engine_config: tuple[str | None, ...]
) -> bytes:
    # Shared with the session's other workers (tests/shared_runs.py), keyed by everything that decides the run:
    # the project file, the stack file when the run reads it, and the engine's config variables.
    files = [_file_text(REPO_ROOT / "Pulumi.yaml")]
    if config_json is None:
        files.append(_file_text(REPO_ROOT / f"Pulumi.{stack}.yaml"))
    return shared_runs.pickled_run(
        [stack, config_json, secret_keys, files, list(engine_config)],
        f"{stack} ({'its stack file' if config_json is None else 'a config'}, first needed by {_current_test()})",
        lambda: run_program(stack, json.loads(config_json) if config_json else None, secret_keys=secret_keys),
    )


def run(stack: str, config: dict[str, Any] | None = None, secret_keys: Collection[str] | None = None) -> ProgramRun:
    """Run the whole program for `stack` (with its own config unless `config` is given). `secret_keys`:
    the config keys the CLI would list as secret (`pulumi config set --secret`); by default those of
    the stack file, or the secret settings present in `config`."""
    if secret_keys is None and config is not None:
        # A config dict stands for what the CLI hands the program: a secret setting in it was set with --secret.
        secret_keys = [key for key in config if key.removeprefix(NS) in SECRET_SETTINGS]
    keys = tuple(sorted(secret_keys)) if secret_keys is not None else None
    config_json = json.dumps(config, sort_keys=True) if config is not None else None
    engine_config = tuple(os.environ.get(name) for name in ENGINE_CONFIG_VARIABLES)
    return shared_runs.unpickled(_run_pickled(stack, config_json, keys, engine_config))  # each caller its own copy


def offline_store_account(result: ProgramRun):
    """The offline store's storage account (private stacks also build the deployment scripts' account)."""
    (account,) = [r for r in result.of_type("azure-native:storage:StorageAccount") if r.logical_name == "offline-store"]
    return account


def purview_config(stack: str) -> dict[str, Any]:
    """The stack with the Purview backend (RBAC on: its roles stay in a SQL database). A standby registry app
    needs the SQL backend (settings refuse it with Purview), so the variant turns the stack's standby off."""
    config = config_merged(stack, "registry", backend="purview")
    api = dict(config.get(NS + "registryApi") or {})
    if (api.get("standby") or {}).get("enabled"):
        api["standby"] = {"enabled": False}
        config[NS + "registryApi"] = api
    return config


def primary(result: ProgramRun, token: str):
    """The one resource of `token` that is not the standby registry app's (logical names say 'standby')."""
    [resource] = [r for r in result.of_type(token) if "standby" not in r.logical_name]
    return resource

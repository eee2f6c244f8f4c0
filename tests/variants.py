"""The stack variants the exact-expectation tests cover: each stack file as deployed, and prod/dev
with the other registry backend, Spark runtime and online store. The configs are built exactly as
the component tests build them, so a worker that runs both shares the cached program run."""

from __future__ import annotations

from typing import Any

from tests.support import config_merged, config_with, databricks_ready, run


def purview(stack: str) -> dict[str, Any]:
    # RBAC stays on: its roles live in the stack's SQL database (as tests/test_purview.py builds it)
    return config_merged(stack, "registry", backend="purview")


def databricks(stack: str) -> dict[str, Any]:
    return databricks_ready(config_merged(stack, "spark", runtime="databricks", synapse={}))


def legacy_redis(stack: str) -> dict[str, Any]:
    # Legacy production needs Premium plus zones, persistence or geo-replication: zones is the plain one.
    section: dict[str, Any] = {"kind": "cache-for-redis"}
    if stack == "prod":
        section["zones"] = ["1", "2", "3"]
    return config_with(stack, onlineStore=section)


VARIANTS = {
    "as deployed": None,
    "purview": purview,
    "databricks": databricks,
    "legacy redis": legacy_redis,
}


def run_variant(stack: str, variant: str):
    build = VARIANTS[variant]
    return run(stack) if build is None else run(stack, build(stack))

"""Who can do what in an environment, from its stack settings and the role matrix.

    python -m infra.offline.access_table <stack>      (make access STACK=<stack>)

Prints a Markdown table: one row per grant the deployment makes, with the resource it is scoped to.
"""

from __future__ import annotations

import argparse
import sys

from infra.access.expand import Assignment, expand
from infra.access.matrix import (
    ADLS_KEY_CLIENT_SECRETS,
    ADLS_KEY_SECRETS,
    FEATHR_CLIENT_SECRETS,
    FEATHR_SECRETS,
    KEY_VAULT,
    OFFLINE_STORE,
    ONLINE_STORE,
    REGISTRY,
    SPARK,
)
from infra.offline.runner import project_name, read_stack
from infra.offline.stack_files import StackFileError
from infra.settings import Settings, SettingsError, load_settings

PLANES = {"azure": "Azure RBAC", "synapse": "Synapse RBAC", "registry": "Feathr registry"}


def resource_names(settings: Settings) -> dict[str, str]:
    names = settings.names
    spark_kind = "synapse_workspace" if settings.spark.runtime == "synapse" else "databricks_workspace"
    vault = names.of("key_vault")
    return {
        OFFLINE_STORE: settings.offline_store.existing_account_name or names.of("storage_account"),
        KEY_VAULT: vault,
        FEATHR_SECRETS: ", ".join(f"{vault}/{s}" for s in FEATHR_CLIENT_SECRETS if s == "REDIS-PASSWORD"),
        ADLS_KEY_SECRETS: ", ".join(f"{vault}/{s}" for s in ADLS_KEY_CLIENT_SECRETS),
        SPARK: names.of(spark_kind) if not settings.spark.shared else "(shared: granted by its owning stack)",
        ONLINE_STORE: names.of("managed_redis" if settings.online_store.managed else "redis_cache"),
        REGISTRY: "registry",
    }


def rows(settings: Settings, assignments: tuple[Assignment, ...]) -> list[tuple[str, ...]]:
    where = resource_names(settings)
    table: list[tuple[str, ...]] = []
    for a in sorted(assignments, key=lambda a: (a.principal.name, a.grant.plane, a.grant.target, a.grant.role)):
        scope = where[a.grant.target]
        if a.grant.plane == "registry":
            scope = f"registry: {a.scope}"
        table.append((a.principal.name, a.principal.principal_type, PLANES[a.grant.plane], a.grant.role, scope, a.via))
    return table


def markdown(settings: Settings) -> str:
    assignments = expand(settings.access, settings.spark.runtime, spark_dedicated=not settings.spark.shared)
    header = ("principal", "type", "plane", "role", "scope", "listed at")
    lines = [f"# Access in stack '{settings.stack}'", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(settings, assignments)]
    lines += [
        "",
        "Service identities (granted by their components): the Spark workspace identity holds "
        "Storage Blob Data Contributor on the offline store; the registry API identity holds Key Vault "
        "Secrets User on its SQL connection-string secret, AcrPull on the container registry when "
        "registryApi.acrResourceId is set, and Purview Data Curator on the root collection with the Purview "
        "backend.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack")
    args = parser.parse_args(argv)
    try:
        found = read_stack(args.stack)
        settings = load_settings(found.values, project_name(), args.stack, found.secret_keys)
    except StackFileError as error:
        print(f"stack file error: {error}", file=sys.stderr)
        return 1
    except SettingsError as error:
        print(f"settings error: {error}", file=sys.stderr)
        return 1
    print(markdown(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())

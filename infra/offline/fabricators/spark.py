"""Synapse workspaces, Spark pools, firewall rules and private link hubs; Databricks workspaces; and the
outputs of a stack that owns a shared Spark (answered for a `pulumi:pulumi:StackReference`)."""

from __future__ import annotations

import hashlib
import re
from types import MappingProxyType
from typing import Any

from infra.offline.azure_model import SUBSCRIPTION_ID, TENANT_ID, ArmType, register, stable_uuid


def _number(*parts: str, digits: int) -> str:
    value = int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")
    return str(value % 10**digits).zfill(digits)


def synapse_endpoints(workspace: str, arm_id: str) -> dict[str, str]:
    """Azure's connectivity endpoints of a Synapse workspace."""
    return {
        "dev": f"https://{workspace}.dev.azuresynapse.net",
        "sql": f"{workspace}.sql.azuresynapse.net",
        "sqlOnDemand": f"{workspace}-ondemand.sql.azuresynapse.net",
        "web": "https://web.azuresynapse.net?workspace=" + arm_id.replace("/", "%2f"),
    }


def synapse_principal_id(arm_id: str) -> str:
    return stable_uuid("principal", arm_id)


def databricks_workspace_url(arm_id: str) -> str:
    """`adb-<16-digit workspace id>.<n>.azuredatabricks.net`, as Azure assigns it (no scheme)."""
    workspace_id = _number("databricks-workspace", arm_id, digits=16).lstrip("0") or "1"
    return f"adb-{workspace_id}.{int(_number('databricks-shard', arm_id, digits=2)) % 20}.azuredatabricks.net"


def _synapse_workspace(r, name, arm_id):
    return {
        "connectivityEndpoints": synapse_endpoints(name, arm_id),
        "identity": {**(r.get("identity") or {}), "principalId": synapse_principal_id(arm_id), "tenantId": TENANT_ID},
        "workspaceUID": stable_uuid("synapse-workspace", arm_id),
        "managedResourceGroupName": r.get("managedResourceGroupName")
        or f"synapseworkspace-managedrg-{stable_uuid(arm_id)}",
        "provisioningState": "Succeeded",
    }


def _databricks_workspace(r, name, arm_id):
    url = databricks_workspace_url(arm_id)
    return {
        "workspaceUrl": url,
        "workspaceId": url.split(".")[0].removeprefix("adb-"),
        "provisioningState": "Succeeded",
    }


register(
    ArmType(
        "azure-native:synapse:Workspace",
        "Microsoft.Synapse/workspaces/{workspaceName}",
        "workspaceName",
        computed=_synapse_workspace,
    ),
    ArmType(
        "azure-native:synapse:BigDataPool",
        "Microsoft.Synapse/workspaces/{workspaceName}/bigDataPools/{bigDataPoolName}",
        "bigDataPoolName",
        computed=lambda r, name, arm_id: {"provisioningState": "Succeeded"},
    ),
    ArmType(
        "azure-native:synapse:IpFirewallRule",
        "Microsoft.Synapse/workspaces/{workspaceName}/firewallRules/{ruleName}",
        "ruleName",
    ),
    ArmType(
        "azure-native:synapse:PrivateLinkHub",
        "Microsoft.Synapse/privateLinkHubs/{privateLinkHubName}",
        "privateLinkHubName",
        computed=lambda r, name, arm_id: {"provisioningState": "Succeeded", "privateEndpointConnections": []},
    ),
    ArmType(
        "azure-native:databricks:Workspace",
        "Microsoft.Databricks/workspaces/{workspaceName}",
        "workspaceName",
        computed=_databricks_workspace,
    ),
)


def stack_reference_state(stack_name: str) -> dict[str, Any]:
    """What `pulumi:pulumi:StackReference` to `stack_name` (`<org>/<project>/<stack>`) reads, offline.

    The referenced stack is taken to be a dedicated Spark stack of the same organisation: its prefix and
    runtime are those of the stack running now (its config is in-process), its environment is the last
    segment of the reference (lowercased letters and digits, at most 8). Its exports are then derived
    exactly as that stack's own offline run would render them: names from infra/naming.py (no overrides),
    ARM ids, endpoints and identities from the models above, its offline store's default container.
    """
    import pulumi

    from infra.components.spark import EXPORTS, job_cluster_template
    from infra.naming import Names
    from infra.settings.offline_store import parse_offline_store
    from infra.settings.reader import Section, decode
    from infra.settings.spark import parse_spark
    from infra.stack_config import raw_stack_config

    project = pulumi.get_project()
    config = raw_stack_config()
    prefix = str(config.get(f"{project}:prefix") or "feathr")
    location = str(config.get(f"{project}:location") or "")
    spark = parse_spark(Section(f"{project}:spark", decode(config.get(f"{project}:spark")) or {}), False, location)
    environment = (re.sub(r"[^a-z0-9]", "", stack_name.rsplit("/", 1)[-1].lower()) or "shared")[:8]
    names = Names(prefix, environment, MappingProxyType({}))
    group = names.of("resource_group")
    container = parse_offline_store(Section(f"{project}:offlineStore", {}), False).container

    def arm_id(path: str) -> str:
        return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}/providers/{path}"

    values: dict[str, Any] = {"runtime": spark.runtime, "mode": "dedicated"}
    if spark.runtime == "synapse":
        workspace = names.of("synapse_workspace")
        workspace_id = arm_id(f"Microsoft.Synapse/workspaces/{workspace}")
        values.update(
            endpoint=synapse_endpoints(workspace, workspace_id)["dev"],
            workspace_name=workspace,
            workspace_id=workspace_id,
            pool_name=names.of("synapse_spark_pool"),
            identity_principal_id=synapse_principal_id(workspace_id),
            workspace_dir=f"abfss://{container}@{names.of('storage_account')}.dfs.core.windows.net/{spark.synapse.workspace_dir}",
        )
    else:
        workspace = names.of("databricks_workspace")
        workspace_id = arm_id(f"Microsoft.Databricks/workspaces/{workspace}")
        values.update(
            endpoint="https://" + databricks_workspace_url(workspace_id),
            workspace_name=workspace,
            workspace_id=workspace_id,
            work_dir=spark.databricks.work_dir,
            config_template=job_cluster_template(spark.databricks, {}),
        )
    outputs = {EXPORTS[key]: value for key, value in values.items()}
    return {"name": stack_name, "outputs": outputs, "secretOutputNames": []}

"""The environment picture as one graph model, built from a plan's recorded resources.

Groups are the program's components (every `feathr:<area>:<Name>` ComponentResource, nested as the
program nests them); nodes are the resources that matter (stores, compute, registry, endpoints,
identities, private endpoints, Front Door); edges are data paths derived from the plan itself:
role assignments (principal -> the resource the role is scoped to), references by ARM id in a
resource's inputs (private endpoint -> target, failover group -> partner server, geo-secondary ->
source database, web app -> plan and identity, diagnostics -> workspace), Key Vault references in
app settings, and child resources (database -> server, pool -> workspace). Both renderers (Mermaid,
SVG) draw this one model, so they cannot disagree.

Labels carry names, types, roles and regions only: no subscription, object or tenant ids, no IP
ranges (a picture is posted to pull requests; upstream-facts.md R7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.components.role_assignment import BUILT_IN_ROLES
from infra.offline.mocks import RecordedResource

# The resources that matter, with the kind shown in the label. Everything else in a plan (locks, firewall
# rules, policies, secrets, DNS records, passwords...) is detail that would hide the shape.
MATTERS: dict[str, str] = {
    "azure-native:storage:StorageAccount": "storage account",
    "azure-native:keyvault:Vault": "Key Vault",
    "azure-native:redisenterprise:RedisEnterprise": "Azure Managed Redis",
    "azure-native:redis:Redis": "Azure Cache for Redis",
    "azure-native:sql:Server": "SQL server",
    "azure-native:sql:Database": "SQL database",
    "azure-native:sql:FailoverGroup": "SQL failover group (listener)",
    "azure-native:synapse:Workspace": "Synapse workspace",
    "azure-native:synapse:BigDataPool": "Synapse Spark pool",
    "azure-native:synapse:PrivateLinkHub": "Synapse private link hub (Studio)",
    "azure-native:databricks:Workspace": "Databricks workspace",
    "azure-native:purview:Account": "Purview account",
    "azure-native:web:AppServicePlan": "App Service plan",
    "azure-native:web:WebApp": "web app",
    "azure-native:managedidentity:UserAssignedIdentity": "managed identity",
    "azuread:index/application:Application": "Entra ID app",
    "azure-native:resources:AzureCliScript": "deployment script",
    "azure-native:network:VirtualNetwork": "virtual network",
    "azure-native:network:PrivateEndpoint": "private endpoint",
    "azure-native:operationalinsights:Workspace": "Log Analytics workspace",
    "azure-native:applicationinsights:Component": "Application Insights",
    "azure-native:cdn:Profile": "Front Door profile",
    "azure-native:cdn:AFDEndpoint": "Front Door endpoint",
}

# Input keys whose ARM-id reference reads better under a name of its own.
_REFERENCE_LABELS = {
    "serverFarmId": "runs on",
    "userAssignedIdentities": "runs as",
    "keyVaultReferenceIdentity": "runs as",
    "sourceDatabaseId": "geo-replica of",
    "partnerServers": "failover partner",
    "databases": "fails over",
    "privateLinkServiceId": "private link",
    "defaultDataLakeStorage": "default lake",
    "workspaceResourceId": "logs to",
    "workspaceId": "logs to",
    "resourceUri": "diagnostics of",
    "storageAccountResourceId": "writes to",
}

_ACCESS_ROLE = re.compile(r"feathr-infra:access\.([a-z0-9_.]+?)\[\d+\]")
_KEY_VAULT_REFERENCE = re.compile(
    r"@Microsoft\.KeyVault\(SecretUri=https://([a-z0-9-]+)\.vault\.azure\.net/secrets/([A-Za-z0-9-]+)"
)
_ROLE_NAMES = {guid: name for name, guid in BUILT_IN_ROLES.items()}
# A host name of a drawn resource in an input (a script's SQL_HOST, a Front Door origin): who connects where.
_HOST = re.compile(
    r"\b([a-z0-9-]+)\.(?:database\.windows\.net|vault\.azure\.net|(?:dfs|blob)\.core\.windows\.net"
    r"|[a-z0-9]+\.redis\.azure\.net|redis\.cache\.windows\.net|azurewebsites\.net)\b"
)


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    kind: str  # the MATTERS label, or "principal"
    token: str  # the resource type token ("" for principals)
    region: str  # "" where a resource has no location (global, or a principal)

    @property
    def label(self) -> str:
        detail = self.token.split(":", 1)[1] if self.token else self.kind
        return f"{self.name}\n{detail}" + (f" · {self.region}" if self.region else "")


@dataclass
class Group:
    id: str
    name: str
    token: str
    nodes: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.token})"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass
class Picture:
    stack: str
    primary_region: str
    groups: list[Group]
    nodes: dict[str, Node]
    edges: list[Edge]
    outside: list[str]  # node ids outside any component: who holds roles, loose resources

    @property
    def regions(self) -> list[str]:
        return sorted({n.region for n in self.nodes.values() if n.region})


def _node_id(resource: RecordedResource) -> str:
    short = resource.token.split(":")[-1].split("/")[-1]
    return re.sub(r"\W", "_", f"{short}_{resource.logical_name}")


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], str]]:
    """(key path, string) for every string in an input value; ids used as map keys count too
    (identity.userAssignedIdentities)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.startswith("/subscriptions/"):
                yield path, key
                continue
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item, path)


def _reference_label(path: tuple[str, ...]) -> str:
    named = [key for key in reversed(path) if key in _REFERENCE_LABELS]
    return _REFERENCE_LABELS[named[0]] if named else (path[0] if path else "refers to")


def _principal_ids(resource: RecordedResource) -> list[str]:
    found = [resource.outputs.get("principalId")]
    identity = resource.outputs.get("identity")
    if isinstance(identity, Mapping):
        found.append(identity.get("principalId"))
    return [p for p in found if isinstance(p, str) and p]


def build_picture(stack: str, resources: list[RecordedResource], primary_region: str = "") -> Picture:
    by_urn = {r.urn: r for r in resources}
    ids: dict[str, str] = {}  # urn -> node id
    nodes: dict[str, Node] = {}
    for r in sorted(resources, key=lambda r: r.urn):
        if r.custom and r.token in MATTERS:
            node_id = _node_id(r)
            while node_id in nodes:  # same type and logical name under another parent
                node_id += "_"
            ids[r.urn] = node_id
            location = r.inputs.get("location")
            nodes[node_id] = Node(node_id, r.physical_name, MATTERS[r.token], r.token, str(location or ""))
    if not primary_region:
        regions = [n.region for n in nodes.values() if n.region]
        primary_region = max(sorted(set(regions)), key=regions.count) if regions else ""

    # Components: every ComponentResource below the stack, nested as the program nests them.
    groups: dict[str, Group] = {}
    for r in sorted(resources, key=lambda r: r.urn):
        if not r.custom and r.token.startswith("feathr:"):
            groups[r.urn] = Group(
                re.sub(r"\W", "_", f"c_{r.token.split(':')[-1]}_{r.logical_name}"), r.logical_name, r.token
            )
    roots: list[Group] = []
    for urn, group in groups.items():
        parent = by_urn.get(by_urn[urn].parent_urn)
        (groups[parent.urn].groups if parent is not None and parent.urn in groups else roots).append(group)

    def component_of(resource: RecordedResource) -> Group | None:
        parent = by_urn.get(resource.parent_urn)
        while parent is not None:
            if parent.urn in groups:
                return groups[parent.urn]
            parent = by_urn.get(parent.parent_urn)
        return None

    loose: list[str] = []
    for urn, node_id in ids.items():
        home = component_of(by_urn[urn])
        (home.nodes if home is not None else loose).append(node_id)

    edges: dict[tuple[str, str, str], Edge] = {}

    def connect(source: str, target: str, label: str) -> None:
        if source != target:
            edges.setdefault((source, target, label), Edge(source, target, label))

    # A resource by its ARM id, or the drawn resource an id lies under (a secret -> its vault).
    by_id = {by_urn[urn].arm_id.lower(): node_id for urn, node_id in ids.items() if by_urn[urn].arm_id}

    def drawn(arm_id: str) -> str | None:
        arm_id = arm_id.lower()
        while arm_id.count("/") > 4:
            if arm_id in by_id:
                return by_id[arm_id]
            arm_id = arm_id.rsplit("/", 1)[0]
        return None

    vaults = {nodes[i].name: i for i in ids.values() if nodes[i].token == "azure-native:keyvault:Vault"}
    web_apps = {nodes[i].name: i for i in ids.values() if nodes[i].token == "azure-native:web:WebApp"}
    hosts = {nodes[i].name: i for i in ids.values()}

    # Who a role assignment's principal is: a drawn identity, an access-table role, or another principal.
    principal_of: dict[str, str] = {}
    for urn, node_id in ids.items():
        for principal_id in _principal_ids(by_urn[urn]):
            principal_of[principal_id] = node_id
    principals: dict[str, Node] = {}

    def principal(resource: RecordedResource) -> str:
        known = principal_of.get(str(resource.inputs.get("principalId")))
        if known is not None:
            return known
        role = _ACCESS_ROLE.search(str(resource.inputs.get("description", "")))
        name = f"access: {role.group(1)}" if role else f"other {resource.inputs.get('principalType', 'principal')}"
        node_id = re.sub(r"\W", "_", f"who_{name}")
        principals.setdefault(node_id, Node(node_id, name, "principal", "", ""))
        return node_id

    for r in resources:
        if not r.custom:
            continue
        source = ids.get(r.urn)
        if r.token == "azure-native:authorization:RoleAssignment":
            target = drawn(str(r.inputs.get("scope", "")))
            if target is None:
                continue  # scoped to something this stack does not build (a shared ACR): not in the picture
            guid = str(r.inputs.get("roleDefinitionId", "")).rsplit("/", 1)[-1]
            scope_tail = str(r.inputs.get("scope", "")).split("/secrets/")
            role = _ROLE_NAMES.get(guid, "role")
            connect(principal(r), target, role + (f" ({scope_tail[1]})" if len(scope_tail) == 2 else ""))
            continue
        # A diagnostic setting or a Front Door origin is drawn as the path it makes, not as a node.
        if source is None and r.token == "azure-native:monitor:DiagnosticSetting":
            target, workspace = drawn(str(r.inputs.get("resourceUri", ""))), None
            workspace_id = r.inputs.get("workspaceId")
            if isinstance(workspace_id, str):
                workspace = drawn(workspace_id)
            if target is not None and workspace is not None:
                connect(target, workspace, "diagnostics")
            continue
        if source is None and r.token == "azure-native:cdn:AFDOrigin":
            front = drawn(r.arm_id)
            app = web_apps.get(str(r.inputs.get("hostName", "")).split(".", 1)[0])
            if front is not None and app is not None:
                connect(front, app, "origin")
            continue
        if source is None:
            continue
        holder = drawn(r.arm_id.rsplit("/", 2)[0]) if r.arm_id.count("/") > 8 else None
        if holder is not None:
            connect(source, holder, "part of")
        for key, text in _walk({k: v for k, v in r.inputs.items() if k not in r.secret_inputs}):
            if text.startswith("/subscriptions/"):
                target = drawn(text)
                if target is not None and target != holder:
                    connect(source, target, _reference_label(key))
            for vault, secret in _KEY_VAULT_REFERENCE.findall(text):
                if vault in vaults:
                    connect(source, vaults[vault], f"reads secret {secret}")
        # Host names, secret inputs included (a script's environment): only which drawn resource is
        # named is used, never the value. A pair already joined by a closer path keeps that one.
        joined = {(e.source, e.target) for e in edges.values()}
        label = "sign-in for" if r.token == "azuread:index/application:Application" else "connects to"
        for _, text in _walk(r.inputs):
            if _KEY_VAULT_REFERENCE.search(text):
                continue
            for host in _HOST.findall(text):
                if host in hosts and (source, hosts[host]) not in joined:
                    connect(source, hosts[host], label)

    def prune(members: list[Group]) -> list[Group]:
        kept = []
        for group in members:
            group.groups = prune(group.groups)
            if group.nodes or group.groups:
                kept.append(group)
        return kept

    return Picture(
        stack=stack,
        primary_region=primary_region,
        groups=prune(roots),
        nodes={**nodes, **principals},
        edges=sorted(edges.values(), key=lambda e: (e.source, e.target, e.label)),
        outside=sorted(principals) + loose,
    )

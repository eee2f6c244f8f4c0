"""The environment picture (infra/offline/picture) held against the plan it is drawn from.

The Mermaid text is parsed back here (subgraphs, nodes, edges), independently of the code that writes
it, and compared with the recorded resources, so the picture cannot drift from the program."""

from __future__ import annotations

import html
import re
from pathlib import Path

from infra.offline.picture import build_picture, digest, svg_digest, to_mermaid, to_svg

REPO_ROOT = Path(__file__).resolve().parents[1]

# The resource types the picture must show (one node each), written out here as the test's own list.
MATTER_TYPES = {
    "azure-native:storage:StorageAccount",
    "azure-native:keyvault:Vault",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redis:Redis",
    "azure-native:sql:Server",
    "azure-native:sql:Database",
    "azure-native:sql:FailoverGroup",
    "azure-native:synapse:Workspace",
    "azure-native:synapse:BigDataPool",
    "azure-native:synapse:PrivateLinkHub",
    "azure-native:databricks:Workspace",
    "azure-native:purview:Account",
    "azure-native:web:AppServicePlan",
    "azure-native:web:WebApp",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azuread:index/application:Application",
    "azure-native:resources:AzureCliScript",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:PrivateEndpoint",
    "azure-native:operationalinsights:Workspace",
    "azure-native:applicationinsights:Component",
    "azure-native:cdn:Profile",
    "azure-native:cdn:AFDEndpoint",
}

SUBGRAPH = re.compile(r'^\s*subgraph (\w+)\["(.+)"\]$')
NODE = re.compile(r'^\s*(\w+)(\["|\(\[")(.+?)("\]|"\]\))$')
EDGE = re.compile(r'^\s*(\w+) -->\|"(.+)"\| (\w+)$')


def parse(text: str) -> dict:
    """Nodes (id -> label lines and the chain of subgraph labels around them) and edges, from Mermaid text."""
    lines = text.splitlines()
    assert lines[2] == "flowchart LR", lines[:3]
    nodes, edges, stack = {}, set(), []
    for line in lines[3:]:
        if line.strip().startswith(("%%", "classDef", "class ")):
            continue
        if m := SUBGRAPH.match(line):
            stack.append(m.group(2))
        elif line.strip() == "end":
            stack.pop()
        elif m := EDGE.match(line):
            edges.add((m.group(1), m.group(2), m.group(3)))
        elif m := NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} defined twice"
            nodes[m.group(1)] = {
                "lines": m.group(3).split("<br/>"),
                "in": tuple(stack),
                "principal": m.group(2) == '(["',
            }
        else:
            raise AssertionError(f"unparsed Mermaid line: {line!r}")
    assert not stack, f"unclosed subgraphs {stack}"
    return {"nodes": nodes, "edges": edges}


def named_edges(parsed: dict) -> set[tuple[str, str, str]]:
    name = {node_id: node["lines"][0] for node_id, node in parsed["nodes"].items()}
    return {(name[a], label, name[b]) for a, label, b in parsed["edges"]}


def test_every_resource_that_matters_is_one_node_and_no_node_is_made_up(stack_run):
    parsed = parse(to_mermaid(build_picture(stack_run.stack, stack_run.resources)))
    expected = sorted(
        (r.physical_name, r.token.split(":", 1)[1], str(r.inputs.get("location") or ""))
        for r in stack_run.resources
        if r.custom and r.token in MATTER_TYPES
    )
    drawn = []
    for node in parsed["nodes"].values():
        if node["principal"]:
            continue
        kind, _, region = node["lines"][1].partition(" · ")
        drawn.append((node["lines"][0], kind, region))
    assert sorted(drawn) == expected


def test_labels_disclose_no_ids_and_no_ip_addresses(stack_run):
    text = to_mermaid(build_picture(stack_run.stack, stack_run.resources))
    # node ids too: a GUID with its dashes made underscores is still an id
    assert not re.search(r"[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}", text, re.I)
    assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", text)
    assert "/subscriptions/" not in text


def test_prod_components_are_nested_subgraphs(prod):
    parsed = parse(to_mermaid(build_picture("prod", prod.resources)))
    where = {tuple(n["lines"]): n["in"] for n in parsed["nodes"].values()}
    assert where[("contoso-prod-regdr-sql-78gz9l", "sql:Server · northeurope")] == (
        "registry (feathr:registry:FeatureRegistry)",
        "registry-sql (feathr:registry:SqlRegistryStore)",
    )
    assert where[("contosoprodst78gz9l", "storage:StorageAccount · westeurope")] == (
        "offline-store (feathr:storage:OfflineStore)",
    )
    assert where[("access: consumers", "principal")] == ()


def test_prod_data_paths(prod):
    edges = named_edges(parse(to_mermaid(build_picture("prod", prod.resources))))
    expected = {
        # failover group -> partner server, geo-secondary -> its source (inputs partnerServers, sourceDatabaseId)
        ("contoso-prod-reg-fog-78gz9l", "failover partner", "contoso-prod-regdr-sql-78gz9l"),
        ("contoso-prod-registry-sqldb", "geo-replica of", "contoso-prod-registry-sqldb"),
        # the web app's CONNECTION_STR app setting is a Key Vault reference, read as its identity
        (
            "contoso-prod-registry-app-78gz9l",
            "reads secret FEATHR-REGISTRY-SQL-CONNECTION-STRING",
            "contoso-prod-kv-78gz9l",
        ),
        ("contoso-prod-registry-app-78gz9l", "runs as", "contoso-prod-registry-id"),
        # role assignments: the Spark workspace identity writes the store; the access table's roles
        ("contoso-prod-syn-78gz9l", "Storage Blob Data Contributor", "contosoprodst78gz9l"),
        ("access: consumers", "Storage Blob Data Reader", "contosoprodst78gz9l"),
        ("access: producers", "Storage Blob Data Contributor", "contosoprodst78gz9l"),
        ("access: admins", "Storage Blob Data Owner", "contosoprodst78gz9l"),
        ("access: consumers", "Key Vault Secrets User (REDIS-PASSWORD)", "contoso-prod-kv-78gz9l"),
        ("contoso-prod-syn-78gz9l", "default lake", "contosoprodst78gz9l"),
        # the schema bootstrap connects to the failover group's listener (its SQL_HOST)
        ("contoso-prod-regschema-ds", "connects to", "contoso-prod-reg-fog-78gz9l"),
    }
    assert expected <= edges
    # The AcrPull grant is scoped to a registry this stack does not build: no edge, no node for it.
    assert not any(label == "AcrPull" for _, label, _ in edges)


def test_the_partner_region_is_marked(prod):
    text = to_mermaid(build_picture("prod", prod.resources))
    # the SQL partner region (northeurope) holds the geo-secondary and its private endpoint, the partner VNet and prod's
    # standby registry app with its own private endpoint, the offline store's secondary endpoints; the Front Door
    # profile and endpoint are global, drawn outside the primary region too
    assert (
        "class AFDEndpoint_registry_front_door_endpoint,AppServicePlan_registry_standby_api_plan,"
        "Database_registry_sql_secondary_database,PrivateEndpoint_offline_store_blob_secondary_pe,"
        "PrivateEndpoint_offline_store_dfs_secondary_pe,PrivateEndpoint_registry_sql_partner_server_sqlserver_pe,"
        "PrivateEndpoint_registry_standby_api_sites_pe,Profile_registry_front_door_profile,"
        "Server_registry_sql_partner_server,UserAssignedIdentity_registry_standby_api_identity,"
        "VirtualNetwork_network_northeurope_vnet,WebApp_registry_standby_api partner"
    ) in text
    assert "regions: global, northeurope, westeurope" in text


def test_svg_is_the_same_model(dev):
    picture = build_picture("dev", dev.resources)
    svg = to_svg(picture)
    assert svg_digest(svg) == digest(picture)
    texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert {node.name for node in picture.nodes.values()} <= texts


def test_readme_picture_is_current(prod):
    committed = (REPO_ROOT / "docs" / "img" / "prod.svg").read_text()
    assert svg_digest(committed) == digest(build_picture("prod", prod.resources)), (
        "docs/img/prod.svg is stale: run `make picture` and commit it"
    )
    assert "![prod environment](docs/img/prod.svg)" in (REPO_ROOT / "README.md").read_text()

"""The picture as Mermaid flowchart text (GitHub and Azure DevOps render it in markdown and comments)."""

from __future__ import annotations

from infra.offline.picture.model import Group, Node, Picture

HEADER = "%% Generated from the offline plan by infra/offline/picture; do not edit."


def _text(value: str) -> str:
    # Inside a quoted Mermaid label: entity codes for what would end the string or open markup.
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _node(node: Node, indent: str) -> str:
    label = "<br/>".join(_text(part) for part in node.label.split("\n"))
    if node.kind == "principal":
        return f'{indent}{node.id}(["{label}"])'
    return f'{indent}{node.id}["{label}"]'


def _group(picture: Picture, group: Group, indent: str) -> list[str]:
    lines = [f'{indent}subgraph {group.id}["{_text(group.label)}"]']
    lines += [_node(picture.nodes[node_id], indent + "  ") for node_id in group.nodes]
    for child in group.groups:
        lines += _group(picture, child, indent + "  ")
    lines.append(f"{indent}end")
    return lines


def to_mermaid(picture: Picture) -> str:
    lines = [HEADER, f"%% stack {picture.stack}; regions: {', '.join(picture.regions)}", "flowchart LR"]
    for group in picture.groups:
        lines += _group(picture, group, "  ")
    lines += [_node(picture.nodes[node_id], "  ") for node_id in picture.outside]
    lines += [f'  {e.source} -->|"{_text(e.label)}"| {e.target}' for e in picture.edges]
    partner = sorted(n.id for n in picture.nodes.values() if n.region and n.region != picture.primary_region)
    lines.append("  classDef partner stroke-dasharray: 5 5")  # resources outside the primary region
    if partner:
        lines.append(f"  class {','.join(partner)} partner")
    return "\n".join(lines) + "\n"

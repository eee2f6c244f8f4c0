"""The picture as SVG, laid out by Graphviz's `dot` (Debian package `graphviz`; the Python `graphviz`
package writes the DOT text and calls it). The SVG carries the digest of the Mermaid text of the same
model, so a committed image can be checked against the code without re-rendering it."""

from __future__ import annotations

import hashlib
import shutil

import graphviz

from infra.offline.picture.mermaid import to_mermaid
from infra.offline.picture.model import Group, Picture

DIGEST_MARK = "feathr-infra picture digest: "


class RendererMissing(RuntimeError):
    pass


def digest(picture: Picture) -> str:
    return hashlib.sha256(to_mermaid(picture).encode()).hexdigest()


def _cluster(picture: Picture, graph: graphviz.Digraph, group: Group) -> None:
    with graph.subgraph(name=f"cluster_{group.id}") as sub:
        sub.attr(label=group.label, style="rounded", color="gray40", fontname="Helvetica")
        for node_id in group.nodes:
            _node(picture, sub, node_id)
        for child in group.groups:
            _cluster(picture, sub, child)


def _node(picture: Picture, graph: graphviz.Digraph, node_id: str) -> None:
    node = picture.nodes[node_id]
    partner = bool(node.region) and node.region != picture.primary_region
    graph.node(
        node_id,
        label=node.label.replace("\n", "\\n"),  # DOT's centred line break
        shape="ellipse" if node.kind == "principal" else "box",
        style="rounded,dashed" if partner else "rounded",
        fontname="Helvetica",
        fontsize="10",
    )


def to_dot(picture: Picture) -> graphviz.Digraph:
    graph = graphviz.Digraph(picture.stack, graph_attr={"rankdir": "LR", "compound": "true", "fontsize": "11"})
    for group in picture.groups:
        _cluster(picture, graph, group)
    for node_id in picture.outside:
        _node(picture, graph, node_id)
    for edge in picture.edges:
        graph.edge(edge.source, edge.target, label=edge.label, fontname="Helvetica", fontsize="9")
    return graph


def to_svg(picture: Picture) -> str:
    if shutil.which("dot") is None:
        raise RendererMissing("Graphviz's `dot` is not installed (Debian/Ubuntu: apt-get install graphviz)")
    svg = to_dot(picture).pipe(format="svg", encoding="utf-8")
    head, sep, rest = svg.partition("<svg")
    return f"{head}<!-- {DIGEST_MARK}{digest(picture)} -->\n{sep}{rest}"


def svg_digest(svg_text: str) -> str | None:
    """The model digest a rendered SVG carries (None if it carries none)."""
    start = svg_text.find(DIGEST_MARK)
    return svg_text[start + len(DIGEST_MARK) :].split(" ", 1)[0] if start >= 0 else None

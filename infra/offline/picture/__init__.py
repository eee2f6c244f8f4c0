"""The environment picture: one graph model (model.py), two renderers (mermaid.py, svg.py)."""

from infra.offline.picture.mermaid import to_mermaid
from infra.offline.picture.model import MATTERS, Picture, build_picture
from infra.offline.picture.svg import RendererMissing, digest, svg_digest, to_svg

__all__ = ["MATTERS", "Picture", "RendererMissing", "build_picture", "digest", "svg_digest", "to_mermaid", "to_svg"]

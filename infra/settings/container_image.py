"""Container image references (`[registry/]repository[:tag][@sha256:<digest>]`), parsed and checked.

Grammar: the distribution reference grammar Docker and OCI registries use
(github.com/distribution/reference, `reference.go`): lowercase path components separated by `/`,
an optional registry host first (it contains a `.` or a `:`, or is `localhost`), a tag of up to 128
word characters, dots and dashes not starting with `.` or `-`, and a digest `sha256:` followed by
exactly 64 lowercase hex digits (OCI image spec, `descriptor.md`: sha256 digests are `[a-f0-9]{64}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"sha256:[a-f0-9]{64}"
_REFERENCE = re.compile(
    rf"(?:(?P<host>{_HOST})/)?(?P<repository>{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
)
DOCKER_HUB = "docker.io"
# An Azure Container Registry login server: the registry name (5-50 alphanumerics, Learn "Resource
# naming rules", Microsoft.ContainerRegistry) in lowercase, then .azurecr.io.
ACR_LOGIN_SERVER = re.compile(r"(?P<name>[a-z0-9]{5,50})\.azurecr\.io")


@dataclass(frozen=True)
class ImageReference:
    registry: str  # docker.io, or a login server such as contoso.azurecr.io
    repository: str
    tag: str | None
    digest: str | None  # sha256:<64 hex>

    @property
    def acr_name(self) -> str | None:
        match = ACR_LOGIN_SERVER.fullmatch(self.registry)
        return match["name"] if match else None

    def __str__(self) -> str:
        name = self.repository if self.registry == DOCKER_HUB else f"{self.registry}/{self.repository}"
        return name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse_image_reference(text: str) -> ImageReference | None:
    """The reference, or None when `text` is not one. A reference needs a tag or a digest: an
    implicit `latest` would let any restart change the registry's code."""
    match = _REFERENCE.fullmatch(text)
    if match is None or not (match["tag"] or match["digest"]):
        return None
    host = match["host"]
    # A first component without `.` or `:` (and not localhost) is a Docker Hub namespace, not a host.
    if host is not None and "." not in host and ":" not in host and host != "localhost":
        if not re.fullmatch(_COMPONENT, host):
            return None
        return ImageReference(DOCKER_HUB, f"{host}/{match['repository']}", match["tag"], match["digest"])
    return ImageReference(host or DOCKER_HUB, match["repository"], match["tag"], match["digest"])

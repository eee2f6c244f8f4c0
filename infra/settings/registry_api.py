"""The registry API: the `feathrfeaturestore/feathr-registry` image on a Linux App Service plan.

One image serves both registry backends (SQL and Purview) and the registry UI; nginx inside it
listens on port 80 and proxies `/api` to the API. The image is always pinned (a tag or a digest,
never `latest`), comes from Docker Hub or from an Azure Container Registry the environment pulls
with its managed identity, and must come from such a registry in production-like stacks.

Registry RBAC is always on. `insecureDisableRbac` turns it off, and is refused wherever the endpoint
is public or the stack production-like: without RBAC every caller may read, register and delete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from infra.settings.container_image import DOCKER_HUB, ImageReference, parse_image_reference
from infra.settings.reader import GUID, SUBSCRIPTION_ID_PREFIX, Section

# Upstream's published image (.github/workflows/publish-to-dockerhub.yml: releases/** -> releases-<ver>).
DEFAULT_IMAGE = "feathrfeaturestore/feathr-registry:releases-v1.0.0"
# ARM id of a container registry (Microsoft.ContainerRegistry/registries; names 5-50 alphanumerics).
ACR_ID = re.compile(
    SUBSCRIPTION_ID_PREFIX + r"/resourceGroups/[-\w.()]{1,90}"
    r"/providers/Microsoft\.ContainerRegistry/registries/(?P<name>[A-Za-z0-9]{5,50})"
)


@dataclass(frozen=True)
class AppServiceSku:
    tier: str
    max_instances: int


# Max instances: Learn "App Service limits" (includes/azure-websites-limits.md, "Scale out (maximum instances)").
# App Service plan SKUs that host Linux containers (Shared D1 is Windows-only; Isolated needs an
# App Service Environment, which this program does not create).
APP_SERVICE_SKUS: MappingProxyType[str, AppServiceSku] = MappingProxyType(
    {
        "F1": AppServiceSku("Free", 1),
        **{name: AppServiceSku("Basic", 3) for name in ("B1", "B2", "B3")},
        **{name: AppServiceSku("Standard", 10) for name in ("S1", "S2", "S3")},
        **{name: AppServiceSku("PremiumV2", 30) for name in ("P1v2", "P2v2", "P3v2")},
        **{
            name: AppServiceSku("PremiumV3", 30)
            for name in ("P0v3", "P1v3", "P2v3", "P3v3", "P1mv3", "P2mv3", "P3mv3", "P4mv3", "P5mv3")
        },
    }
)
# Tiers without regional VNet integration and private endpoints (Learn overview-vnet-integration: "Requires a
# supported Basic or Standard, Premium, Premium v2, Premium v3, or Elastic Premium" tier; networking/private-endpoint:
# "Basic, Standard, PremiumV2, PremiumV3, IsolatedV2, Functions Premium"). network.mode private needs both.
NO_PRIVATE_NETWORKING_TIERS = frozenset({"Free"})
# No SLA, no scale-out beyond 3, no zone redundancy: fine for dev, not for an environment people rely on.
NON_PRODUCTION_TIERS = frozenset({"Free", "Shared", "Basic"})
ZONE_REDUNDANT_TIERS = frozenset({"PremiumV2", "PremiumV3"})
MIN_ZONE_REDUNDANT_INSTANCES = 2


@dataclass(frozen=True)
class RegistryApiSettings:
    sku: str
    instances: int
    zone_redundant: bool
    always_on: bool
    image: ImageReference
    acr_id: str | None  # the registry the image comes from, when it is an ACR (AcrPull for the app)
    insecure_disable_rbac: bool
    entra_client_id: str | None  # an existing Entra ID app registration; None creates one
    # A second app in registry.sql.secondaryLocation behind one Front Door endpoint (docs/disaster-recovery.md).
    standby: bool = False

    @property
    def tier(self) -> str:
        return APP_SERVICE_SKUS[self.sku].tier

    @property
    def rbac(self) -> bool:
        return not self.insecure_disable_rbac


# Keys this section used to have; each names what replaced it, so an old stack file fails clearly.
_REPLACED = {
    "imageTag": "replaced by registryApi.image, the full image reference (default " + DEFAULT_IMAGE + ")",
    "rbac": "replaced by registryApi.insecureDisableRbac: registry RBAC is always on; remove the key",
}


def parse_registry_api(section: Section, production_like: bool, private: bool) -> RegistryApiSettings:
    """`private`: network.mode is private (the app gets VNet integration and a private endpoint). Only a registry
    endpoint that the internet cannot reach (`registry_endpoint_public`) allows `insecureDisableRbac` (in dev)."""
    for old, why in _REPLACED.items():
        if section.has(old):
            raise section.fail(old, section.raw(old), why)
    default_sku = "P1v3" if production_like else "B1"
    image_text = section.string(
        "image",
        DEFAULT_IMAGE,
        rule="a pinned image reference [<registry>/]<repository>:<tag> or ...@sha256:<64 lowercase hex>",
    )
    settings = RegistryApiSettings(
        sku=section.string("sku", default_sku, allowed=APP_SERVICE_SKUS.keys()),
        instances=section.integer("instances", 1, minimum=1, maximum=30),
        zone_redundant=section.boolean("zoneRedundant", False),
        always_on=section.boolean("alwaysOn", production_like),
        image=_image(section, image_text),
        acr_id=section.string(
            "acrResourceId",
            None,
            pattern=ACR_ID.pattern,
            rule="a container registry resource id (/subscriptions/<id>/resourceGroups/<rg>/providers"
            "/Microsoft.ContainerRegistry/registries/<name>)",
        ),
        insecure_disable_rbac=section.boolean("insecureDisableRbac", False),
        entra_client_id=section.string(
            "entraClientId",
            None,
            pattern=GUID,
            rule="the client (application) id of an existing Entra ID app registration, a GUID",
        ),
        standby=_standby(section.section("standby")),
    )
    section.finish()
    _check_image(section, settings, image_text, production_like)
    _check_rbac(section, settings, production_like, registry_endpoint_public(private, settings.standby))

    sku = APP_SERVICE_SKUS[settings.sku]
    if production_like and sku.tier in NON_PRODUCTION_TIERS:
        allowed = sorted(n for n, s in APP_SERVICE_SKUS.items() if s.tier not in NON_PRODUCTION_TIERS)
        raise section.fail(
            "sku",
            settings.sku,
            "production-like stacks need a Standard or Premium plan (SLA, always on, scale-out), one of "
            + ", ".join(allowed),
        )
    if private and sku.tier in NO_PRIVATE_NETWORKING_TIERS:
        raise section.fail(
            "sku",
            settings.sku,
            f"network.mode private needs regional VNet integration and a private endpoint, which the {sku.tier} tier "
            "does not offer; pick B1 or above",
        )
    if settings.instances > sku.max_instances:
        raise section.fail(
            "instances",
            settings.instances,
            f"a {sku.tier} plan ({settings.sku}) runs at most {sku.max_instances} instances",
        )
    if settings.zone_redundant:
        if sku.tier not in ZONE_REDUNDANT_TIERS:
            raise section.fail(
                "zoneRedundant",
                True,
                f"zone redundancy needs a Premium v2 or v3 plan; sku is {settings.sku} ({sku.tier})",
            )
        if settings.instances < MIN_ZONE_REDUNDANT_INSTANCES:
            raise section.fail(
                "instances",
                settings.instances,
                f"a zone-redundant plan runs at least {MIN_ZONE_REDUNDANT_INSTANCES} instances",
            )
    if settings.always_on and sku.tier == "Free":
        raise section.fail(
            "alwaysOn", True, "the Free tier (F1) does not support always on; set it to false or pick B1 or above"
        )
    if production_like and not settings.always_on:
        raise section.fail(
            "alwaysOn", False, "production-like stacks keep the registry always on (no cold start for Feathr clients)"
        )
    return settings


def _standby(section: Section) -> bool:
    enabled = section.boolean("enabled", False)
    section.finish()
    return enabled


def _image(section: Section, text: str) -> ImageReference:
    image = parse_image_reference(text)
    if image is None:
        raise section.fail(
            "image",
            text,
            "must be an image reference with a tag or a digest: [<registry>/]<repository>:<tag> (tag: up to 128 "
            "letters, digits, '_', '.', '-', not starting with '.' or '-') or [<registry>/]<repository>@sha256:<64 "
            "lowercase hex digits>, e.g. " + DEFAULT_IMAGE,
        )
    if image.tag is not None and image.tag.lower() == "latest" and image.digest is None:
        raise section.fail(
            "image", text, "must be pinned: 'latest' changes the registry on any restart; use a release tag or a digest"
        )
    if image.registry != DOCKER_HUB and image.acr_name is None:
        raise section.fail(
            "image",
            text,
            "must come from Docker Hub (public, pulled anonymously) or an Azure Container Registry "
            "(<name>.azurecr.io, pulled with the app's managed identity); other registries need credentials "
            "this program does not hold",
        )
    return image


def _check_image(section: Section, s: RegistryApiSettings, text: str, production_like: bool) -> None:
    acr = s.image.acr_name
    if acr is not None and s.acr_id is None:
        raise section.fail(
            "acrResourceId",
            None,
            f"required when registryApi.image is on an Azure Container Registry ({s.image.registry}): the resource id "
            f"of registry {acr}, on which the app's identity gets AcrPull",
        )
    if s.acr_id is not None:
        match = ACR_ID.fullmatch(s.acr_id)
        assert match is not None  # the pattern was checked on read
        if acr is None:
            raise section.fail(
                "acrResourceId",
                s.acr_id,
                f"only with an image on that registry; registryApi.image {text!r} is on {s.image.registry}",
            )
        if match["name"].lower() != acr:
            raise section.fail(
                "acrResourceId",
                s.acr_id,
                f"must be the registry of registryApi.image ({s.image.registry}, registry name {acr!r}), "
                f"not {match['name']!r}",
            )
    if production_like and acr is None:
        raise section.fail(
            "image",
            text,
            "production-like stacks pull the registry image from an Azure Container Registry you control "
            "(<name>.azurecr.io, with registryApi.acrResourceId), not from Docker Hub, where an archived project's "
            "tag can change or vanish; mirror it with `az acr import` (docs/registry-api.md)",
        )


def _check_rbac(section: Section, s: RegistryApiSettings, production_like: bool, endpoint_public: bool) -> None:
    if not s.insecure_disable_rbac:
        return
    if production_like:
        raise section.fail(
            "insecureDisableRbac",
            True,
            "production-like stacks always run registry RBAC; remove the key (allowed: false)",
        )
    if endpoint_public:
        raise section.fail(
            "insecureDisableRbac",
            True,
            "the registry endpoint is public (network.mode public, or the Front Door endpoint of "
            "registryApi.standby), and without RBAC every signed-in caller may read, register and delete "
            "features; remove the key (allowed: false), or use network.mode private without a standby",
        )


def registry_endpoint_public(private: bool, standby: bool) -> bool:
    """Whether the registry's endpoint is reachable from the internet: the one place that decides it. In public
    mode the app's own host is public; in private mode the app has only its private endpoint (its public network
    access stays Disabled, `components/registry/app_network.py`), unless a standby puts the public Front Door
    endpoint in front of both apps (`components/registry/front_door.py`)."""
    return not private or standby

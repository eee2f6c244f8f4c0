"""The registry API: the `feathrfeaturestore/feathr-registry` image on a Linux App Service plan.

One image serves both registry backends (SQL and Purview) and the registry UI; nginx inside it
listens on port 80 and proxies `/api` to the API. The tag is always pinned: `latest` would let a
restart silently change the registry's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from infra.settings.reader import Section

IMAGE = "feathrfeaturestore/feathr-registry"
DEFAULT_IMAGE_TAG = "releases-v1.0.0"
# Docker's tag grammar: up to 128 word characters, dots and dashes, not starting with . or -.
_DOCKER_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@dataclass(frozen=True)
class AppServiceSku:
    tier: str
    max_instances: int


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
    image_tag: str
    rbac: bool
    entra_client_id: str | None  # an existing Entra ID app registration; None creates one

    @property
    def tier(self) -> str:
        return APP_SERVICE_SKUS[self.sku].tier

    @property
    def image(self) -> str:
        return f"{IMAGE}:{self.image_tag}"


def parse_registry_api(section: Section, production_like: bool, backend: str) -> RegistryApiSettings:
    """`backend` is the registry backend (`sql` or `purview`) from the `registry` section."""
    default_sku = "P1v3" if production_like else "B1"
    settings = RegistryApiSettings(
        sku=section.string("sku", default_sku, allowed=APP_SERVICE_SKUS.keys()),
        instances=section.integer("instances", 1, minimum=1, maximum=30),
        zone_redundant=section.boolean("zoneRedundant", False),
        always_on=section.boolean("alwaysOn", production_like),
        image_tag=section.string(
            "imageTag",
            DEFAULT_IMAGE_TAG,
            pattern=_DOCKER_TAG,
            rule=f"a pinned image tag of {IMAGE} (e.g. {DEFAULT_IMAGE_TAG}), never 'latest'",
        ),
        rbac=section.boolean("rbac", False),
        entra_client_id=section.string(
            "entraClientId",
            None,
            pattern=_GUID,
            rule="the client (application) id of an existing Entra ID app registration, a GUID",
        ),
    )
    section.finish()

    if settings.image_tag.lower() == "latest":
        raise section.fail(
            "imageTag",
            settings.image_tag,
            f"must be a pinned tag of {IMAGE} (e.g. {DEFAULT_IMAGE_TAG}); 'latest' changes the registry on any restart",
        )
    sku = APP_SERVICE_SKUS[settings.sku]
    if production_like and sku.tier in NON_PRODUCTION_TIERS:
        allowed = sorted(n for n, s in APP_SERVICE_SKUS.items() if s.tier not in NON_PRODUCTION_TIERS)
        raise section.fail(
            "sku",
            settings.sku,
            "production-like stacks need a Standard or Premium plan (SLA, always on, scale-out), one of "
            + ", ".join(allowed),
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
    if settings.rbac and backend == "purview":
        raise section.fail(
            "rbac",
            True,
            "registry RBAC keeps its user roles in the SQL registry database (the image hands CONNECTION_STR to the "
            "RBAC gateway); with the Purview backend there is none, so rbac must be false",
        )
    return settings

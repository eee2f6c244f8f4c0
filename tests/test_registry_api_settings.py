"""Bad `registryApi` and `purview` settings fail up front, naming the key."""

from __future__ import annotations

import pytest

from infra.offline.runner import project_name
from infra.settings import SettingsError, load_settings
from infra.settings.reader import Section
from infra.settings.registry_api import parse_registry_api, registry_endpoint_public
from tests.support import config_merged, config_with, run
from tests.support import purview_config as support_purview_config
from tests.variants import private_dev

NS = "feathr-infra:"


def settings_of(config):
    return load_settings(config, project_name(), "test")


def fails(config, key: str, *fragments: str) -> str:
    with pytest.raises(SettingsError) as error:
        settings_of(config)
    message = str(error.value)
    assert f"feathr-infra:{key}" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def purview_backend(stack: str, **api) -> dict:
    config = support_purview_config(stack)
    config[NS + "registryApi"] = {**(config.get(NS + "registryApi") or {}), **api}
    return config


def config_merged_private_dev(section: str, **values) -> dict:
    """Dev in network.mode private (tests/variants.py private_dev) with `values` merged into `section`."""
    config = private_dev("dev")
    config[NS + section] = {**(config.get(NS + section) or {}), **values}
    return config


PROD_ACR_ID = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-shared"
    "/providers/Microsoft.ContainerRegistry/registries/contosofeathr"
)
HEX64 = "0123456789abcdef" * 4


# --- what the stacks get -----------------------------------------------------------------------------


def test_dev_and_prod_settings():
    dev = settings_of(config_with("dev")).registry_api
    assert (dev.sku, dev.tier, dev.instances, dev.always_on, dev.rbac) == ("B1", "Basic", 1, False, True)
    assert str(dev.image) == "feathrfeaturestore/feathr-registry:releases-v1.0.0"
    assert (dev.image.registry, dev.acr_id) == ("docker.io", None)
    assert dev.entra_client_id is None
    prod = settings_of(config_with("prod")).registry_api
    assert (prod.sku, prod.tier, prod.instances, prod.zone_redundant, prod.always_on, prod.rbac) == (
        "P1v3",
        "PremiumV3",
        2,
        True,
        True,
        True,
    )
    assert str(prod.image) == "contosofeathr.azurecr.io/feathr/feathr-registry:releases-v1.0.0"
    assert prod.acr_id == PROD_ACR_ID


def test_defaults_follow_production_likeness():
    dev = settings_of(config_with("dev", registryApi={})).registry_api
    assert (dev.sku, dev.always_on, str(dev.image), dev.rbac) == (
        "B1",
        False,
        "feathrfeaturestore/feathr-registry:releases-v1.0.0",
        True,
    )
    prod = settings_of(
        config_with("prod", registryApi={"image": "contosofeathr.azurecr.io/f:1", "acrResourceId": PROD_ACR_ID})
    )
    assert (prod.registry_api.sku, prod.registry_api.always_on, prod.registry_api.rbac) == ("P1v3", True, True)


def test_purview_defaults():
    purview = settings_of(config_with("dev")).purview
    assert (purview.public_network_access, purview.managed_event_hub, purview.script_cli_version) == (
        "Enabled",
        False,
        "2.63.0",
    )


# --- image reference ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["latest", "LATEST", "Latest"])
def test_latest_is_rejected(tag):
    image = f"feathrfeaturestore/feathr-registry:{tag}"
    fails(config_merged("dev", "registryApi", image=image), "registryApi.image", "latest", repr(image))


@pytest.mark.parametrize(
    "image",
    [
        "",
        "feathrfeaturestore/feathr-registry",  # no tag, no digest: an implicit latest
        "feathrfeaturestore/feathr-registry:-releases",
        "feathrfeaturestore/feathr-registry:releases v1",
        "feathrfeaturestore/feathr-registry:" + "x" * 129,  # a tag is at most 128 characters
        "FeathrFeatureStore/feathr-registry:releases-v1.0.0",  # repositories are lowercase
        "feathrfeaturestore/feathr-registry@sha256:" + HEX64[:63],  # 63 hex digits
        "feathrfeaturestore/feathr-registry@sha256:" + HEX64 + "0",  # 65 hex digits
        "feathrfeaturestore/feathr-registry@sha256:" + HEX64.upper(),  # digests are lowercase hex
        "feathrfeaturestore/feathr-registry@sha256:" + HEX64[:63] + "g",  # not hex
        "feathrfeaturestore/feathr-registry@sha512:" + HEX64,  # only sha256
    ],
)
def test_malformed_image_reference_is_rejected(image):
    fails(config_merged("dev", "registryApi", image=image), "registryApi.image", "tag or a digest", "sha256")


@pytest.mark.parametrize(
    ("image", "registry", "repository", "tag", "digest"),
    [
        (
            "feathrfeaturestore/feathr-registry:" + "x" * 128,
            "docker.io",
            "feathrfeaturestore/feathr-registry",
            "x" * 128,
            None,
        ),
        (
            "feathrfeaturestore/feathr-registry@sha256:" + HEX64,
            "docker.io",
            "feathrfeaturestore/feathr-registry",
            None,
            "sha256:" + HEX64,
        ),
        (
            "docker.io/feathrfeaturestore/feathr-registry:releases-v1.0.0@sha256:" + HEX64,
            "docker.io",
            "feathrfeaturestore/feathr-registry",
            "releases-v1.0.0",
            "sha256:" + HEX64,
        ),
    ],
)
def test_tags_and_digests_at_their_limits_are_accepted(image, registry, repository, tag, digest):
    parsed = settings_of(config_merged("dev", "registryApi", image=image)).registry_api.image
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == (registry, repository, tag, digest)
    # linuxFxVersion is DOCKER|<this>: Docker Hub's implicit host, the rest as given.
    assert str(parsed) == image.removeprefix("docker.io/")


@pytest.mark.parametrize("image", ["ghcr.io/feathr-ai/feathr-registry:1.0.0", "quay.io/x/y:1", "localhost:5000/x:1"])
def test_other_registries_are_rejected(image):
    fails(config_merged("dev", "registryApi", image=image), "registryApi.image", "Azure Container Registry")


def test_an_acr_image_needs_the_registry_id():
    fails(
        config_merged("dev", "registryApi", image="contosofeathr.azurecr.io/feathr/feathr-registry:releases-v1.0.0"),
        "registryApi.acrResourceId",
        "required",
        "contosofeathr",
    )


def test_the_registry_id_must_be_the_images_registry():
    other = PROD_ACR_ID.replace("registries/contosofeathr", "registries/otherregistry")
    fails(config_merged("prod", "registryApi", acrResourceId=other), "registryApi.acrResourceId", "otherregistry")


def test_a_registry_id_without_an_acr_image_is_rejected():
    fails(
        config_merged("dev", "registryApi", acrResourceId=PROD_ACR_ID),
        "registryApi.acrResourceId",
        "only with an image on that registry",
        "docker.io",
    )


@pytest.mark.parametrize(
    "acr_id",
    [
        PROD_ACR_ID.replace("Microsoft.ContainerRegistry", "Microsoft.Storage"),
        PROD_ACR_ID.replace("registries/contosofeathr", "registries/acr"),  # a registry name has 5-50 characters
        "contosofeathr",
    ],
)
def test_malformed_registry_id_is_rejected(acr_id):
    fails(config_merged("prod", "registryApi", acrResourceId=acr_id), "registryApi.acrResourceId", "resource id")


def test_production_like_stack_pulls_from_acr():
    fails(
        config_merged(
            "prod", "registryApi", image="feathrfeaturestore/feathr-registry:releases-v1.0.0", acrResourceId=None
        ),
        "registryApi.image",
        "production-like",
        "az acr import",
    )


def test_production_like_stack_accepts_an_acr_image_pinned_by_digest():
    image = "contosofeathr.azurecr.io/feathr/feathr-registry@sha256:" + HEX64
    parsed = settings_of(config_merged("prod", "registryApi", image=image)).registry_api
    assert (parsed.image.acr_name, parsed.image.digest, parsed.image.tag) == ("contosofeathr", "sha256:" + HEX64, None)


def test_the_old_image_tag_key_names_its_replacement():
    fails(config_merged("dev", "registryApi", imageTag="releases-v1.0.0"), "registryApi.imageTag", "registryApi.image")


# --- plan SKU and scale ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sku", ["B9", "P1", "D1", "I1v2", "b1", "Y1"])
def test_unknown_or_non_linux_sku_is_rejected(sku):
    fails(config_merged("dev", "registryApi", sku=sku), "registryApi.sku", "one of", "P1v3")


@pytest.mark.parametrize("sku", ["F1", "B1", "B3"])
def test_production_like_stack_rejects_free_and_basic(sku):
    fails(config_merged("prod", "registryApi", sku=sku), "registryApi.sku", "production-like", "Standard or Premium")


def test_dev_may_use_free():
    settings = settings_of(config_merged("dev", "registryApi", sku="F1", alwaysOn=False)).registry_api
    assert settings.tier == "Free"


def test_instances_within_the_tier_limit():
    fails(config_merged("dev", "registryApi", instances=4), "registryApi.instances", "Basic", "at most 3")
    fails(config_merged("dev", "registryApi", instances=0), "registryApi.instances", "from 1 to 30")


def test_zone_redundancy_needs_premium_and_two_instances():
    fails(config_merged("prod", "registryApi", sku="S1"), "registryApi.zoneRedundant", "Premium v2 or v3")
    fails(config_merged("prod", "registryApi", instances=1), "registryApi.instances", "at least 2")


def test_always_on_rules():
    fails(config_merged("dev", "registryApi", sku="F1", alwaysOn=True), "registryApi.alwaysOn", "Free tier")
    fails(config_merged("prod", "registryApi", alwaysOn=False), "registryApi.alwaysOn", "production-like")


# --- RBAC and Entra --------------------------------------------------------------------------------------------


def test_rbac_with_purview_keeps_its_roles_in_sql():
    # deploy/start.sh:36-56: with RBAC the gateway reads userroles through CONNECTION_STR, Purview or not.
    settings = settings_of(purview_backend("dev"))
    assert (settings.registry.backend, settings.registry_api.rbac, settings.registry.sql_database) == (
        "purview",
        True,
        True,
    )


def test_turning_rbac_off_is_refused_on_a_public_endpoint():
    fails(
        config_merged("dev", "registryApi", insecureDisableRbac=True),
        "registryApi.insecureDisableRbac",
        "public",
        "allowed: false",
    )


def test_turning_rbac_off_is_refused_in_a_production_like_stack():
    fails(
        config_merged("prod", "registryApi", insecureDisableRbac=True),
        "registryApi.insecureDisableRbac",
        "production-like",
        "allowed: false",
    )


def test_rbac_may_be_turned_off_only_in_a_private_non_production_stack():
    settings = settings_of(config_merged_private_dev("registryApi", insecureDisableRbac=True))
    assert (settings.network.private, settings.registry_api.rbac) == (True, False)
    # The same setting on the parser: only the endpoint's publicness and production-likeness decide.
    off = {"insecureDisableRbac": True}
    assert parse_registry_api(Section(NS + "registryApi", off), False, private=True).rbac is False
    prod = {**off, "image": "contosofeathr.azurecr.io/feathr/feathr-registry:1", "acrResourceId": PROD_ACR_ID}
    with pytest.raises(SettingsError, match=r"feathr-infra:registryApi\.insecureDisableRbac = true: production"):
        parse_registry_api(Section(NS + "registryApi", prod), True, private=True)


def test_the_endpoint_is_public_in_public_mode_or_behind_the_standbys_front_door():
    assert [
        registry_endpoint_public(private=p, standby=s)
        for p, s in ((False, False), (False, True), (True, False), (True, True))
    ] == [True, True, False, True]


def test_rbac_off_behind_a_private_stacks_front_door_is_refused():
    # private, not production-like, but the standby's Front Door endpoint is public
    with pytest.raises(SettingsError) as error:
        parse_registry_api(
            Section(NS + "registryApi", {"insecureDisableRbac": True, "standby": {"enabled": True}}),
            False,
            private=True,
        )
    assert str(error.value) == (
        "setting feathr-infra:registryApi.insecureDisableRbac = true: the registry endpoint is public (network.mode "
        "public, or the Front Door endpoint of registryApi.standby), and without RBAC every signed-in caller may read, "
        "register and delete features; remove the key (allowed: false), or use network.mode private without a standby"
    )


def test_private_mode_refuses_the_free_tier_and_takes_basic():
    # Learn: regional VNet integration and private endpoints start at Basic; Free has neither.
    fails(
        config_merged_private_dev("registryApi", sku="F1", alwaysOn=False),
        "registryApi.sku",
        "network.mode private",
        "B1 or above",
    )
    assert settings_of(config_merged_private_dev("registryApi", sku="B1")).registry_api.tier == "Basic"


def test_explicit_false_is_the_default():
    assert settings_of(config_merged("dev", "registryApi", insecureDisableRbac=False)).registry_api.rbac is True


def test_the_old_rbac_key_names_its_replacement():
    fails(config_merged("dev", "registryApi", rbac=False), "registryApi.rbac", "insecureDisableRbac", "always on")


def test_insecure_disable_rbac_must_be_a_boolean():
    fails(
        config_merged("dev", "registryApi", insecureDisableRbac="yes"),
        "registryApi.insecureDisableRbac",
        "true or false",
    )


def test_entra_client_id_must_be_a_guid():
    fails(config_merged("dev", "registryApi", entraClientId="registry-ui"), "registryApi.entraClientId", "GUID")


def test_unknown_key_is_rejected():
    fails(config_merged("dev", "registryApi", Image="releases-v1.0.0"), "registryApi.Image", "not a known setting")


# --- purview -----------------------------------------------------------------------------------------------------


def test_purview_public_network_disabled_is_rejected_in_public_mode():
    config = purview_backend("dev")
    config[NS + "purview"] = {"publicNetworkAccess": "Disabled"}
    fails(config, "purview.publicNetworkAccess", "needs network.mode private", "use Enabled")


def test_purview_public_network_enabled_is_rejected_in_private_mode():
    config = purview_backend("prod")
    config[NS + "purview"] = {"publicNetworkAccess": "Enabled"}
    fails(config, "purview.publicNetworkAccess", "must be Disabled with network.mode private")


def test_purview_public_network_access_follows_the_mode():
    assert settings_of(purview_backend("dev")).purview.public_network_access == "Enabled"
    assert settings_of(purview_backend("prod")).purview.public_network_access == "Disabled"


def test_purview_settings_are_checked():
    fails(config_with("dev", purview={"publicNetworkAccess": "Off"}), "purview.publicNetworkAccess", "Enabled")
    fails(config_with("dev", purview={"scriptCliVersion": "latest"}), "purview.scriptCliVersion", "2.63.0")
    fails(config_with("dev", purview={"eventHub": True}), "purview.eventHub", "not a known setting")


# --- the program stops before declaring anything ---------------------------------------------------------------


def test_program_run_fails_on_a_bad_registry_api_setting():
    with pytest.raises(Exception) as error:
        run(
            "prod", config_merged("prod", "registryApi", image="contosofeathr.azurecr.io/feathr/feathr-registry:latest")
        )
    assert "feathr-infra:registryApi.image" in str(error.value)

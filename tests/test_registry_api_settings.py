"""Bad `registryApi` and `purview` settings fail up front, naming the key."""

from __future__ import annotations

import pytest

from infra.offline.runner import project_name
from infra.settings import SettingsError, load_settings
from tests.support import config_merged, config_with, run

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
    config = config_merged(stack, "registry", backend="purview")
    config[NS + "registryApi"] = {**(config.get(NS + "registryApi") or {}), "rbac": False, **api}
    return config


# --- what the stacks get -----------------------------------------------------------------------------


def test_dev_and_prod_settings():
    dev = settings_of(config_with("dev")).registry_api
    assert (dev.sku, dev.tier, dev.instances, dev.always_on, dev.rbac) == ("B1", "Basic", 1, False, False)
    assert dev.image == "feathrfeaturestore/feathr-registry:releases-v1.0.0"
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


def test_defaults_follow_production_likeness():
    dev = settings_of(config_with("dev", registryApi={})).registry_api
    assert (dev.sku, dev.always_on, dev.image_tag) == ("B1", False, "releases-v1.0.0")
    prod = settings_of(config_with("prod", registryApi={})).registry_api
    assert (prod.sku, prod.always_on) == ("P1v3", True)


def test_purview_defaults():
    purview = settings_of(config_with("dev")).purview
    assert (purview.public_network_access, purview.managed_event_hub, purview.script_cli_version) == (
        "Enabled",
        False,
        "2.63.0",
    )


# --- image tag -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["latest", "LATEST", "Latest"])
def test_latest_is_rejected(tag):
    fails(config_merged("dev", "registryApi", imageTag=tag), "registryApi.imageTag", "latest", repr(tag))


@pytest.mark.parametrize("tag", ["", "-releases", "releases v1", "a:b", "x" * 129])
def test_malformed_tag_is_rejected(tag):
    fails(config_merged("dev", "registryApi", imageTag=tag), "registryApi.imageTag", "pinned image tag")


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


def test_rbac_needs_the_sql_backend():
    fails(purview_backend("dev", rbac=True), "registryApi.rbac", "SQL", "Purview")


def test_rbac_must_be_a_boolean():
    fails(config_merged("dev", "registryApi", rbac="yes"), "registryApi.rbac", "true or false")


def test_entra_client_id_must_be_a_guid():
    fails(config_merged("dev", "registryApi", entraClientId="registry-ui"), "registryApi.entraClientId", "GUID")


def test_unknown_key_is_rejected():
    fails(
        config_merged("dev", "registryApi", imagetag="releases-v1.0.0"), "registryApi.imagetag", "not a known setting"
    )


# --- purview -----------------------------------------------------------------------------------------------------


def test_purview_public_network_disabled_is_rejected():
    config = purview_backend("dev")
    config[NS + "purview"] = {"publicNetworkAccess": "Disabled"}
    fails(config, "purview.publicNetworkAccess", "private endpoints")


def test_purview_settings_are_checked():
    fails(config_with("dev", purview={"publicNetworkAccess": "Off"}), "purview.publicNetworkAccess", "Enabled")
    fails(config_with("dev", purview={"scriptCliVersion": "latest"}), "purview.scriptCliVersion", "2.63.0")
    fails(config_with("dev", purview={"eventHub": True}), "purview.eventHub", "not a known setting")


# --- the program stops before declaring anything ---------------------------------------------------------------


def test_program_run_fails_on_a_bad_registry_api_setting():
    with pytest.raises(Exception) as error:
        run("prod", config_merged("prod", "registryApi", imageTag="latest"))
    assert "feathr-infra:registryApi.imageTag" in str(error.value)

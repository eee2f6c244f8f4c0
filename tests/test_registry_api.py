"""The registry API: App Service plan, web app, identity, Key Vault access and Entra app registration."""

from __future__ import annotations

import pytest

from infra.components.role_assignment import BUILT_IN_ROLES
from infra.offline.azure_model import DEPLOYER_OBJECT_ID, TENANT_ID
from tests.support import config_merged, run

PLAN = "azure-native:web:AppServicePlan"
APP = "azure-native:web:WebApp"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SECRET = "azure-native:keyvault:Secret"
VAULT = "azure-native:keyvault:Vault"
ENTRA_APP = "azuread:index/application:Application"
PURVIEW = "azure-native:purview:Account"
SCRIPT = "azure-native:resources:AzureCliScript"

COMMON_SETTINGS = {
    "API_BASE",
    "REACT_APP_ENABLE_RBAC",
    "REACT_APP_AZURE_CLIENT_ID",
    "REACT_APP_AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "WEBSITES_PORT",
    "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
}
EXISTING_CLIENT_ID = "3f2c1a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a"


def purview_config(stack: str, **api) -> dict:
    """The stack with the Purview backend (no SQL role seeding, RBAC off: it needs SQL)."""
    config = config_merged(stack, "registry", backend="purview")
    section = dict(config.get("feathr-infra:registryApi") or {})
    section.update({"rbac": False, **api})
    config["feathr-infra:registryApi"] = section
    return config


@pytest.fixture(scope="module")
def dev_purview():
    return run("dev", purview_config("dev"))


def web_app(r):
    return r.one(APP)


def app_settings(r) -> dict[str, str]:
    pairs = web_app(r).inputs["siteConfig"]["appSettings"]
    names = [p["name"] for p in pairs]
    assert len(names) == len(set(names)), f"duplicate app settings: {names}"
    return {p["name"]: p["value"] for p in pairs}


def registry_identity(r):
    [identity] = [i for i in r.of_type(IDENTITY) if i.physical_name.endswith("-registry-id")]
    return identity


def component_urn(r, token: str) -> str:
    [component] = [c for c in r.resources if c.token == token]
    return component.urn


# --- app settings: exactly what the image reads ------------------------------------------------------


def test_sql_backend_app_settings_are_exactly_what_the_image_reads(stack_run):
    settings = app_settings(stack_run)
    assert set(settings) == COMMON_SETTINGS | {"CONNECTION_STR"}
    assert "PURVIEW_NAME" not in settings
    assert settings["API_BASE"] == "api/v1"
    assert settings["WEBSITES_PORT"] == "80"


def test_connection_string_is_a_key_vault_reference_to_a_secret_of_this_vault(stack_run):
    reference = app_settings(stack_run)["CONNECTION_STR"]
    secret_uris = {s.outputs["properties"]["secretUri"] for s in stack_run.of_type(SECRET)}
    assert reference.startswith("@Microsoft.KeyVault(SecretUri=") and reference.endswith(")")
    uri = reference[len("@Microsoft.KeyVault(SecretUri=") : -1]
    assert uri in secret_uris
    vault_uri = stack_run.one(VAULT).outputs["properties"]["vaultUri"]
    assert uri.startswith(vault_uri + "secrets/")
    assert "/secrets/" in uri and uri.count("/") == 4, "versionless: a rotated secret needs no redeploy"


def test_no_app_setting_holds_a_password(stack_run):
    generated = [p.outputs.get("result") for p in stack_run.resources if p.token.startswith("random:")]
    for name, value in app_settings(stack_run).items():
        assert "password" not in value.lower(), name
        assert not any(g and g in value for g in generated), name


def test_purview_backend_app_settings_name_the_account_and_hold_no_connection_string(dev_purview):
    settings = app_settings(dev_purview)
    assert set(settings) == COMMON_SETTINGS | {"PURVIEW_NAME"}
    assert settings["PURVIEW_NAME"] == dev_purview.one(PURVIEW).physical_name


def test_rbac_flag_is_the_literal_the_image_compares_with(dev):
    assert app_settings(dev)["REACT_APP_ENABLE_RBAC"] == "false"
    on = run("dev", config_merged("dev", "registryApi", rbac=True))
    assert app_settings(on)["REACT_APP_ENABLE_RBAC"] == "true"


def test_prod_turns_rbac_on(prod):
    assert app_settings(prod)["REACT_APP_ENABLE_RBAC"] == "true"


# --- the web app and its plan ------------------------------------------------------------------------


def test_web_app_runs_the_pinned_registry_image_securely(stack_run):
    app = web_app(stack_run)
    config = app.inputs["siteConfig"]
    assert config["linuxFxVersion"] == "DOCKER|feathrfeaturestore/feathr-registry:releases-v1.0.0"
    assert app.inputs["httpsOnly"] is True
    assert config["minTlsVersion"] == "1.2"
    assert config["scmMinTlsVersion"] == "1.2"
    assert config["ftpsState"] == "Disabled"
    assert config["healthCheckPath"] == "/api/v1/projects"
    assert app.inputs["kind"] == "app,linux,container"


def test_image_tag_comes_from_settings():
    r = run("dev", config_merged("dev", "registryApi", imageTag="releases-v1.0.1"))
    assert (
        web_app(r).inputs["siteConfig"]["linuxFxVersion"] == "DOCKER|feathrfeaturestore/feathr-registry:releases-v1.0.1"
    )


def test_always_on_in_production_only(dev, prod):
    assert web_app(dev).inputs["siteConfig"]["alwaysOn"] is False
    assert web_app(prod).inputs["siteConfig"]["alwaysOn"] is True


def test_plan_is_linux_with_the_sku_of_the_environment(dev, prod):
    dev_plan, prod_plan = dev.one(PLAN).inputs, prod.one(PLAN).inputs
    assert dev_plan["reserved"] is True and dev_plan["kind"] == "linux"
    assert dev_plan["sku"] == {"name": "B1", "tier": "Basic", "capacity": 1}
    assert dev_plan["zoneRedundant"] is False
    assert prod_plan["reserved"] is True
    assert prod_plan["sku"] == {"name": "P1v3", "tier": "PremiumV3", "capacity": 2}
    assert prod_plan["zoneRedundant"] is True
    assert web_app(prod).inputs["serverFarmId"] == prod.one(PLAN).arm_id


def test_resources_are_tagged_and_children_of_the_component(stack_run):
    component = component_urn(stack_run, "feathr:registry:RegistryApi")
    for resource in (stack_run.one(PLAN), web_app(stack_run), registry_identity(stack_run)):
        assert resource.inputs["tags"]["environment"] == stack_run.stack
        assert resource.inputs["tags"]["managed-by"] == "pulumi"
        assert resource.parent_urn == component


# --- identity --------------------------------------------------------------------------------------------


def test_web_app_runs_as_its_user_assigned_identity(stack_run):
    app, identity = web_app(stack_run), registry_identity(stack_run)
    assert app.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.arm_id]}
    assert app.inputs["keyVaultReferenceIdentity"] == identity.arm_id
    assert app_settings(stack_run)["AZURE_CLIENT_ID"] == identity.outputs["clientId"]


def test_identity_reads_key_vault_secrets_and_the_app_waits_for_it(stack_run):
    identity = registry_identity(stack_run)
    [assignment] = [
        a for a in stack_run.of_type(ASSIGNMENT) if a.inputs["principalId"] == identity.outputs["principalId"]
    ]
    assert assignment.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Key Vault Secrets User"])
    # the narrowest scope: the connection-string secret, not the whole vault
    assert assignment.inputs["scope"] == stack_run.one(VAULT).arm_id + "/secrets/FEATHR-REGISTRY-SQL-CONNECTION-STRING"
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    assert assignment.urn in web_app(stack_run).depends_on


def test_purview_backend_grants_no_key_vault_access(dev_purview):
    principal = registry_identity(dev_purview).outputs["principalId"]
    assert not [a for a in dev_purview.of_type(ASSIGNMENT) if a.inputs["principalId"] == principal]


# --- Entra ID app registration -----------------------------------------------------------------------------


def test_entra_app_is_a_single_page_app_redirecting_to_the_web_app_origin(stack_run):
    application = stack_run.one(ENTRA_APP)
    origin = "https://" + web_app(stack_run).outputs["defaultHostName"]
    assert application.inputs["singlePageApplication"]["redirectUris"] == [origin]
    assert application.inputs["web"]["implicitGrant"]["idTokenIssuanceEnabled"] is True
    assert application.inputs["signInAudience"] == "AzureADMyOrg"
    assert application.inputs["owners"] == [DEPLOYER_OBJECT_ID]
    assert application.parent_urn == component_urn(stack_run, "feathr:registry:RegistryEntraApp")


def test_ui_and_rbac_use_the_entra_app_of_this_tenant(stack_run):
    settings = app_settings(stack_run)
    assert settings["REACT_APP_AZURE_CLIENT_ID"] == stack_run.one(ENTRA_APP).outputs["clientId"]
    assert settings["REACT_APP_AZURE_TENANT_ID"] == TENANT_ID


def test_existing_entra_client_id_creates_no_app_registration():
    r = run("dev", config_merged("dev", "registryApi", entraClientId=EXISTING_CLIENT_ID))
    assert r.of_type(ENTRA_APP) == []
    assert app_settings(r)["REACT_APP_AZURE_CLIENT_ID"] == EXISTING_CLIENT_ID


# --- outputs -------------------------------------------------------------------------------------------------


def test_exports_the_api_endpoint_and_backend(stack_run, dev_purview):
    host = web_app(stack_run).outputs["defaultHostName"]
    assert host == f"{web_app(stack_run).physical_name}.azurewebsites.net"
    assert stack_run.outputs["registryApiEndpoint"].value == f"https://{host}/api/v1"
    assert stack_run.outputs["registryApiEndpoint"].secret is False
    assert stack_run.outputs["registryBackend"].value == "sql"
    assert dev_purview.outputs["registryBackend"].value == "purview"

"""The registry API: App Service plan, web app, identity, Key Vault access, image pull, App Service
authentication and the Entra app registration."""

from __future__ import annotations

import pytest

from infra.components.role_assignment import BUILT_IN_ROLES
from infra.offline.azure_model import DEPLOYER_OBJECT_ID, TENANT_ID
from tests.support import config_merged, primary, run
from tests.support import purview_config as support_purview_config

PLAN = "azure-native:web:AppServicePlan"
APP = "azure-native:web:WebApp"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SECRET = "azure-native:keyvault:Secret"
VAULT = "azure-native:keyvault:Vault"
ENTRA_APP = "azuread:index/application:Application"
PURVIEW = "azure-native:purview:Account"
SCRIPT = "azure-native:resources:AzureCliScript"
AUTH = "azure-native:web:WebAppAuthSettingsV2"
SQL_DATABASE = "azure-native:sql:Database"

COMMON_SETTINGS = {
    "API_BASE",
    "REACT_APP_ENABLE_RBAC",
    "REACT_APP_AZURE_CLIENT_ID",
    "REACT_APP_AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "WEBSITES_PORT",
    "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
    "WEBSITE_AUTH_AAD_ALLOWED_TENANTS",
}
EXISTING_CLIENT_ID = "3f2c1a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"  # AcrPull, Learn "Azure built-in roles for Containers"
PROD_ACR_ID = (
    "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-shared"
    "/providers/Microsoft.ContainerRegistry/registries/contosofeathr"
)


def purview_config(stack: str, **api) -> dict:
    """The stack with the Purview backend (RBAC on, its roles in a SQL database)."""
    config = support_purview_config(stack)
    config["feathr-infra:registryApi"] = {**(config.get("feathr-infra:registryApi") or {}), **api}
    return config


@pytest.fixture(scope="module")
def dev_purview():
    return run("dev", purview_config("dev"))


def web_app(r):
    return primary(r, APP)


def app_settings(r) -> dict[str, str]:
    pairs = web_app(r).inputs["siteConfig"]["appSettings"]
    names = [p["name"] for p in pairs]
    assert len(names) == len(set(names)), f"duplicate app settings: {names}"
    return {p["name"]: p["value"] for p in pairs}


def registry_identity(r):
    [identity] = [i for i in r.of_type(IDENTITY) if i.physical_name.endswith("-registry-id")]
    return identity


def component_urn(r, token: str) -> str:
    return primary(r, token).urn  # the primary's (prod's standby has a RegistryApi of its own)


def sign_in_host(r) -> str:
    """Where users sign in and the Feathr client calls: the Front Door endpoint with a standby (prod), else the
    web app; each as Azure reports it."""
    endpoints = r.of_type("azure-native:cdn:AFDEndpoint")
    if r.stack == "prod":
        [endpoint] = endpoints
        return endpoint.outputs["hostName"]
    assert endpoints == []
    return web_app(r).outputs["defaultHostName"]


# --- app settings: exactly what the image reads ------------------------------------------------------


def test_sql_backend_app_settings_are_exactly_what_the_image_reads(stack_run):
    settings = app_settings(stack_run)
    # FEATHR_CONNECTION_SECRET_VERSION is not read by the image: a new value restarts the app and makes it
    # re-fetch CONNECTION_STR (tests/test_secret_rotation.py)
    assert set(settings) == COMMON_SETTINGS | {"CONNECTION_STR", "FEATHR_CONNECTION_SECRET_VERSION"}
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


def test_purview_backend_with_rbac_names_the_account_and_keeps_the_roles_in_sql(dev_purview):
    # deploy/start.sh:36-56: PURVIEW_NAME selects the Purview registry; with REACT_APP_ENABLE_RBAC=true
    # the RBAC gateway still reads its userroles through CONNECTION_STR (RBAC_CONNECTION_STR).
    settings = app_settings(dev_purview)
    assert set(settings) == COMMON_SETTINGS | {"PURVIEW_NAME", "CONNECTION_STR", "FEATHR_CONNECTION_SECRET_VERSION"}
    assert settings["PURVIEW_NAME"] == dev_purview.one(PURVIEW).physical_name
    assert settings["REACT_APP_ENABLE_RBAC"] == "true"
    assert settings["CONNECTION_STR"].startswith("@Microsoft.KeyVault(SecretUri=")
    assert len(dev_purview.of_type(SQL_DATABASE)) == 1


def test_rbac_is_on_in_every_stack(stack_run):
    # The literal deploy/start.sh:34 compares with: RBAC runs only if the value is exactly "true".
    assert app_settings(stack_run)["REACT_APP_ENABLE_RBAC"] == "true"


# --- the web app and its plan ------------------------------------------------------------------------


def test_web_app_runs_the_registry_image_securely(stack_run):
    app = web_app(stack_run)
    config = app.inputs["siteConfig"]
    assert app.inputs["httpsOnly"] is True
    assert config["minTlsVersion"] == "1.2"
    assert config["scmMinTlsVersion"] == "1.2"
    assert config["ftpsState"] == "Disabled"
    assert config["healthCheckPath"] == "/api/v1/projects"
    assert app.inputs["kind"] == "app,linux,container"


def test_dev_pulls_upstreams_public_image_anonymously(dev):
    config = web_app(dev).inputs["siteConfig"]
    assert config["linuxFxVersion"] == "DOCKER|feathrfeaturestore/feathr-registry:releases-v1.0.0"
    assert config["acrUseManagedIdentityCreds"] is False
    assert "acrUserManagedIdentityID" not in config
    assert not [a for a in dev.of_type(ASSIGNMENT) if a.inputs["roleDefinitionId"].endswith(ACR_PULL)]


def test_prod_pulls_its_mirrored_image_from_acr_as_the_app_identity(prod):
    config = web_app(prod).inputs["siteConfig"]
    assert config["linuxFxVersion"] == "DOCKER|contosofeathr.azurecr.io/feathr/feathr-registry:releases-v1.0.0"
    assert config["acrUseManagedIdentityCreds"] is True
    # SDK: "If using user managed identity, the user managed identity ClientId".
    assert config["acrUserManagedIdentityID"] == registry_identity(prod).outputs["clientId"]


def test_acr_pull_is_granted_on_the_registry_and_the_app_waits_for_it(prod):
    identity = registry_identity(prod)
    [pull] = [
        a
        for a in prod.of_type(ASSIGNMENT)
        if a.inputs["roleDefinitionId"].endswith(ACR_PULL)
        and a.inputs["principalId"] == identity.outputs["principalId"]
    ]
    assert pull.inputs["scope"] == PROD_ACR_ID
    assert pull.inputs["principalId"] == identity.outputs["principalId"]
    assert pull.inputs["principalType"] == "ServicePrincipal"
    assert pull.urn in web_app(prod).depends_on


def test_always_on_in_production_only(dev, prod):
    assert web_app(dev).inputs["siteConfig"]["alwaysOn"] is False
    assert web_app(prod).inputs["siteConfig"]["alwaysOn"] is True


def test_plan_is_linux_with_the_sku_of_the_environment(dev, prod):
    dev_plan, prod_plan = primary(dev, PLAN).inputs, primary(prod, PLAN).inputs
    assert dev_plan["reserved"] is True and dev_plan["kind"] == "linux"
    assert dev_plan["sku"] == {"name": "B1", "tier": "Basic", "capacity": 1}
    assert dev_plan["zoneRedundant"] is False
    assert prod_plan["reserved"] is True
    assert prod_plan["sku"] == {"name": "P1v3", "tier": "PremiumV3", "capacity": 2}
    assert prod_plan["zoneRedundant"] is True
    assert web_app(prod).inputs["serverFarmId"] == primary(prod, PLAN).arm_id


def test_resources_are_tagged_and_children_of_the_component(stack_run):
    component = component_urn(stack_run, "feathr:registry:RegistryApi")
    for resource in (primary(stack_run, PLAN), web_app(stack_run), registry_identity(stack_run)):
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
        a
        for a in stack_run.of_type(ASSIGNMENT)
        if a.inputs["principalId"] == identity.outputs["principalId"]
        and a.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Key Vault Secrets User"])
    ]
    # the narrowest scope: the connection-string secret, not the whole vault
    assert assignment.inputs["scope"] == stack_run.one(VAULT).arm_id + "/secrets/FEATHR-REGISTRY-SQL-CONNECTION-STRING"
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    assert assignment.urn in web_app(stack_run).depends_on


def test_identity_holds_exactly_the_roles_its_job_needs(dev, prod, dev_purview):
    def roles(r):
        principal = registry_identity(r).outputs["principalId"]
        return sorted(
            a.inputs["roleDefinitionId"].rsplit("/", 1)[1]
            for a in r.of_type(ASSIGNMENT)
            if a.inputs["principalId"] == principal
        )

    # Key Vault Secrets User (Learn "Azure built-in roles"), and AcrPull where the image is on ACR.
    assert roles(dev) == ["4633458b-17de-408a-b874-0445c86b69e6"]
    assert roles(prod) == ["4633458b-17de-408a-b874-0445c86b69e6", "7f951dda-4ed3-4680-a7ca-43fe172d538d"]
    # Purview: Data Curator is a data-plane grant (the deployment script), not an ARM role.
    assert roles(dev_purview) == ["4633458b-17de-408a-b874-0445c86b69e6"]


# --- App Service authentication: only this tenant's tokens, for the client's or the UI's audience ---------


def auth(r):
    return primary(r, AUTH)


def test_authentication_is_on_and_answers_401_without_a_token(stack_run):
    settings = auth(stack_run).inputs
    assert settings["name"] == web_app(stack_run).physical_name
    assert settings["platform"] == {"enabled": True}
    validation = settings["globalValidation"]
    assert validation["requireAuthentication"] is True
    assert validation["unauthenticatedClientAction"] == "Return401"
    assert settings["httpSettings"] == {"requireHttps": True}
    assert settings["login"] == {"tokenStore": {"enabled": False}}
    assert auth(stack_run).parent_urn == component_urn(stack_run, "feathr:registry:RegistryApi")


def test_authentication_accepts_only_this_tenants_issuer_and_tid(stack_run):
    aad = auth(stack_run).inputs["identityProviders"]["azureActiveDirectory"]
    assert aad["enabled"] is True
    assert aad["registration"]["openIdIssuer"] == f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
    assert app_settings(stack_run)["WEBSITE_AUTH_AAD_ALLOWED_TENANTS"] == TENANT_ID


def test_authentication_accepts_exactly_the_clients_and_the_uis_audiences(stack_run):
    aad = auth(stack_run).inputs["identityProviders"]["azureActiveDirectory"]
    client_id = stack_run.one(ENTRA_APP).outputs["clientId"]
    assert aad["registration"]["clientId"] == client_id
    # feathr/registry/_feathr_registry_client.py:221 (scope https://management.azure.com/.default) and
    # registry/access_control/rbac/auth.py:149-150 (audience list): the ARM resource and the UI's client id.
    assert aad["validation"]["allowedAudiences"] == ["https://management.azure.com", client_id]
    assert set(aad["validation"]) == {"allowedAudiences"}


def test_only_the_spa_shell_is_reachable_without_a_token(stack_run):
    excluded = auth(stack_run).inputs["globalValidation"]["excludedPaths"]
    assert excluded == [
        "/",
        "/index.html",
        "/env-config.js",
        "/asset-manifest.json",
        "/manifest.json",
        "/favicon.ico",
        "/logo200.png",
        "/robots.txt",
        "/static/*",
        "/projects",
        "/management",
        "/management/*",
        "/403",
        "/404",
    ]
    assert not [p for p in excluded if p.startswith("/api") or p in ("/*", "")]


def test_existing_entra_app_is_the_ui_audience():
    r = run("dev", config_merged("dev", "registryApi", entraClientId=EXISTING_CLIENT_ID))
    aad = auth(r).inputs["identityProviders"]["azureActiveDirectory"]
    assert aad["registration"]["clientId"] == EXISTING_CLIENT_ID
    assert aad["validation"]["allowedAudiences"] == ["https://management.azure.com", EXISTING_CLIENT_ID]


# --- Entra ID app registration -----------------------------------------------------------------------------


def test_entra_app_is_a_single_page_app_redirecting_to_the_web_app_origin(stack_run):
    application = stack_run.one(ENTRA_APP)
    origin = "https://" + sign_in_host(stack_run)
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
    host = sign_in_host(stack_run)  # what Azure reports, not a name we build
    assert stack_run.outputs["registryApiEndpoint"].value == f"https://{host}/api/v1"
    assert stack_run.outputs["registryApiEndpoint"].secret is False
    assert stack_run.outputs["registryBackend"].value == "sql"
    assert dev_purview.outputs["registryBackend"].value == "purview"

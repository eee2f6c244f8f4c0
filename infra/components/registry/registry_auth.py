"""App Service authentication in front of the registry API: only this tenant's tokens get to `/api`.

Upstream's RBAC gateway checks a token's signature and audience but not its issuer
(`registry/access_control/rbac/auth.py:149-150`), so any tenant's ARM token would pass it. App
Service authentication (authsettingsV2) stops those at the door:

- Issuer: the tenant's own (`https://login.microsoftonline.com/<tenant>/v2.0`). A tenant-specific
  issuer makes App Service validate the issuer and tenant ("Any configuration other than a
  tenant-specific endpoint will be treated as multi-tenant", Learn configure-authentication-provider-aad).
  The two callers present different token versions: the Feathr client an ARM access token (v1,
  issuer `https://sts.windows.net/<tenant>/`), the UI an MSAL ID token from the v2 endpoint
  (issuer `https://login.microsoftonline.com/<tenant>/v2.0`). So `WEBSITE_AUTH_AAD_ALLOWED_TENANTS`
  also checks the `tid` claim, which both versions carry (same Learn page, "built-in authorization
  policy"): a token of another tenant gets a 403 even if its issuer were accepted.
- Audiences, exactly those upstream's gateway accepts: `https://management.azure.com` (the client:
  `DefaultAzureCredential().get_token("https://management.azure.com/.default")`,
  `feathr/registry/_feathr_registry_client.py:221`) and the app registration's client id (the UI's
  ID token, `ui/src/api/api.tsx:181-216`; `RBAC_API_AUDIENCE` = `REACT_APP_AZURE_CLIENT_ID`,
  `deploy/start.sh:53`).
- Unauthenticated requests get a 401 (no redirect: the API's callers are programs and the SPA,
  which signs in with MSAL itself), except the SPA's static files, which carry no data and must load
  before the browser has a token. Everything under `/api` needs a token, `/api/v1/projects`
  included (the client and the UI always send one); App Service's health probe passes anyway.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import web

# The audience of the Feathr client's token: the ARM resource, exactly as upstream's gateway compares it.
ARM_AUDIENCE = "https://management.azure.com"
AAD_INSTANCE = "https://login.microsoftonline.com"  # RBAC_AAD_INSTANCE in deploy/start.sh
# What the UI needs without a token: the SPA shell and its files (`deploy/nginx.conf` serves `/`
# from the React build, `try_files $uri /index.html`; CRA's build layout, `ui/public/*`), and the
# UI's top-level routes, so a reload there works. Project routes (`/<project>/...`) cannot be
# listed: a reload there gets a 401, and the UI is opened again from `/`. A trailing `/*` is App
# Service's wildcard for "everything below" (Microsoft's answer in MicrosoftDocs/azure-docs#86514);
# other entries match one path exactly, so `/` excludes the root page, not everything. Neither is in
# the reference docs: the post-deploy check in docs/registry-api.md confirms `/api` answers 401.
UI_PATHS = (
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
)


def tenant_issuer(tenant_id: str) -> str:
    return f"{AAD_INSTANCE}/{tenant_id}/v2.0"


def tenant_gate_app_settings(tenant_id: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
    """The app setting that makes App Service authentication accept only this tenant's `tid`."""
    return {"WEBSITE_AUTH_AAD_ALLOWED_TENANTS": tenant_id}


def registry_auth_settings(
    logical_name: str,
    *,
    app_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    tenant_id: pulumi.Input[str],
    ui_client_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> web.WebAppAuthSettingsV2:
    return web.WebAppAuthSettingsV2(
        logical_name,
        name=app_name,
        resource_group_name=resource_group_name,
        platform=web.AuthPlatformArgs(enabled=True),
        global_validation=web.GlobalValidationArgs(
            require_authentication=True,
            unauthenticated_client_action=web.UnauthenticatedClientActionV2.RETURN401,
            excluded_paths=list(UI_PATHS),
        ),
        identity_providers=web.IdentityProvidersArgs(
            azure_active_directory=web.AzureActiveDirectoryArgs(
                enabled=True,
                registration=web.AzureActiveDirectoryRegistrationArgs(
                    client_id=ui_client_id,
                    open_id_issuer=pulumi.Output.from_input(tenant_id).apply(tenant_issuer),
                ),
                validation=web.AzureActiveDirectoryValidationArgs(allowed_audiences=[ARM_AUDIENCE, ui_client_id]),
            ),
        ),
        # Bearer tokens only: App Service signs nobody in, so it keeps no tokens.
        login=web.LoginArgs(token_store=web.TokenStoreArgs(enabled=False)),
        http_settings=web.HttpSettingsArgs(require_https=True),
        opts=pulumi.ResourceOptions(parent=parent),
    )

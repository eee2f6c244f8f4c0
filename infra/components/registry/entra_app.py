"""The Entra ID app registration of the registry UI, also the audience of the registry's RBAC tokens.

ARM cannot create app registrations; pulumi-azuread (Microsoft Graph) can. The UI signs users in
with MSAL as a single-page app whose redirect URI is the web app's origin, and the RBAC gateway in
the image validates their ID tokens (audience = this client id), so ID token issuance is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread


@dataclass(frozen=True)
class RegistryEntraAppArgs:
    display_name: str
    # https://<app>.azurewebsites.net (known before the web app exists), or the Front Door endpoint's origin
    redirect_origin: pulumi.Input[str]
    owner_object_ids: Sequence[pulumi.Input[str]]


def _checked_origin(origin: str) -> str:
    if not origin.startswith("https://") or origin.endswith("/"):
        raise ValueError(f"redirect origin must be an https origin without a trailing slash: {origin}")
    return origin


class RegistryEntraApp(pulumi.ComponentResource):
    """Outputs: `client_id`, `object_id`."""

    def __init__(self, name: str, args: RegistryEntraAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("feathr:registry:RegistryEntraApp", name, None, opts)
        redirect_origin = pulumi.Output.from_input(args.redirect_origin).apply(_checked_origin)
        application = azuread.Application(
            name,
            display_name=args.display_name,
            sign_in_audience="AzureADMyOrg",
            single_page_application=azuread.ApplicationSinglePageApplicationArgs(redirect_uris=[redirect_origin]),
            web=azuread.ApplicationWebArgs(
                implicit_grant=azuread.ApplicationWebImplicitGrantArgs(
                    id_token_issuance_enabled=True, access_token_issuance_enabled=False
                ),
            ),
            # The deploying identity owns it, so Application.ReadWrite.OwnedBy suffices for later updates.
            owners=list(args.owner_object_ids),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.client_id: pulumi.Output[str] = application.client_id
        self.object_id: pulumi.Output[str] = application.object_id
        self.register_outputs({"client_id": self.client_id, "object_id": self.object_id})

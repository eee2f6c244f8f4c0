"""Microsoft Purview: the registry backend when `registry.backend` is `purview`."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section

# Azure CLI versions are images on mcr.microsoft.com/azure-cli; deployment scripts accept a fixed list.
_CLI_VERSION = r"2\.\d{1,2}\.\d{1,2}"
DEFAULT_CLI_VERSION = "2.63.0"


@dataclass(frozen=True)
class PurviewSettings:
    public_network_access: str  # "Enabled" | "Disabled"
    managed_event_hub: bool  # Purview's Kafka notifications; Feathr does not use them
    script_cli_version: str  # Azure CLI of the deployment script that grants Data Curator


def parse_purview(section: Section, private: bool) -> PurviewSettings:
    """`private`: network.mode is private (the account gets `account` and `portal` private endpoints)."""
    expected = "Disabled" if private else "Enabled"
    settings = PurviewSettings(
        # Follows network.mode: only one value works in each mode (below).
        public_network_access=section.string("publicNetworkAccess", expected, allowed={"Enabled", "Disabled"}),
        managed_event_hub=section.boolean("managedEventHub", False),
        script_cli_version=section.string(
            "scriptCliVersion",
            DEFAULT_CLI_VERSION,
            pattern=_CLI_VERSION,
            rule="an Azure CLI version supported by deployment scripts, e.g. 2.63.0",
        ),
    )
    section.finish()

    if settings.public_network_access != expected:
        why = (
            "must be Disabled with network.mode private: the registry app and the Data Curator script reach the "
            "account through its private endpoint (account), operators the governance portal through its own "
            "(portal); remove the key"
            if private
            else "needs network.mode private: the registry web app and the Data Curator deployment script reach "
            "Purview over its public endpoint in public mode (no private endpoints, no VNet); Disabled would cut "
            "both off, so the app crash-loops; use Enabled or remove the key"
        )
        raise section.fail("publicNetworkAccess", settings.public_network_access, why)
    return settings

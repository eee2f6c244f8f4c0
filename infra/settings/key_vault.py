"""Key Vault: the only home of this environment's secrets."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section


@dataclass(frozen=True)
class KeyVaultSettings:
    sku: str
    soft_delete_retention_days: int
    purge_protection: bool
    network_default_action: str
    allowed_ip_ranges: tuple[str, ...]
    bypass_azure_services: bool


def parse_key_vault(section: Section, production_like: bool) -> KeyVaultSettings:
    purge_protection = section.boolean("purgeProtection", production_like)
    settings = KeyVaultSettings(
        sku=section.string("sku", "standard", allowed={"standard", "premium"}),
        soft_delete_retention_days=section.integer("softDeleteRetentionDays", 90, minimum=7, maximum=90),
        purge_protection=purge_protection,
        network_default_action=section.string("networkDefaultAction", "Allow", allowed={"Allow", "Deny"}),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
        bypass_azure_services=section.boolean("bypassAzureServices", True),
    )
    section.finish()

    if production_like and not settings.purge_protection:
        raise section.fail(
            "purgeProtection",
            False,
            "production-like stacks keep purge protection on (a purged vault loses every secret)",
        )
    if settings.network_default_action == "Allow" and settings.allowed_ip_ranges:
        raise section.fail(
            "allowedIpRanges",
            list(settings.allowed_ip_ranges),
            "only takes effect with networkDefaultAction 'Deny'; set it to Deny or remove the ranges",
        )
    return settings

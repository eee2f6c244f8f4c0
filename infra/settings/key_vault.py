"""Key Vault: the only home of this environment's secrets, and how long each secret lives."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section

# Learn, "Best practices for secrets management in Key Vault" (secrets-best-practices#secrets-rotation):
# "it's important to rotate them often, at least every 60 days". Production-like stacks keep to it.
PRODUCTION_MAX_ROTATION_DAYS = 60
MAX_ROTATION_DAYS = 365
MAX_SECRET_LIFETIME_DAYS = 730


@dataclass(frozen=True)
class KeyVaultSettings:
    sku: str
    soft_delete_retention_days: int
    purge_protection: bool
    network_default_action: str
    allowed_ip_ranges: tuple[str, ...]
    bypass_azure_services: bool
    # Every secret expires `secret_lifetime_days` after it is written; rotating secrets are renewed
    # every `rotation_days` (the gap is the time a scheduled `pulumi up` has to run). A new
    # `rotation_trigger` value rotates every rotating secret at the next `pulumi up`.
    rotation_days: int
    secret_lifetime_days: int
    rotation_trigger: str


def parse_key_vault(section: Section, production_like: bool, private: bool = False) -> KeyVaultSettings:
    """`private`: network.mode is 'private': the vault takes traffic from its private endpoint only."""
    purge_protection = section.boolean("purgeProtection", production_like)
    settings = KeyVaultSettings(
        sku=section.string("sku", "standard", allowed={"standard", "premium"}),
        # SDK VaultProperties.soft_delete_retention_in_days: "It accepts >=7 and <=90".
        soft_delete_retention_days=section.integer("softDeleteRetentionDays", 90, minimum=7, maximum=90),
        purge_protection=purge_protection,
        network_default_action=section.string(
            "networkDefaultAction", "Deny" if private else "Allow", allowed={"Allow", "Deny"}
        ),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
        bypass_azure_services=section.boolean("bypassAzureServices", True),
        rotation_days=section.integer("rotationDays", 60, minimum=1, maximum=MAX_ROTATION_DAYS),
        secret_lifetime_days=section.integer("secretLifetimeDays", 90, minimum=2, maximum=MAX_SECRET_LIFETIME_DAYS),
        rotation_trigger=section.string(
            "rotationTrigger", "", pattern=r"[A-Za-z0-9._:-]{0,64}", rule="up to 64 letters, digits, '.', '_', ':', '-'"
        ),
    )
    section.finish()

    if production_like and not settings.purge_protection:
        raise section.fail(
            "purgeProtection",
            False,
            "production-like stacks keep purge protection on (a purged vault loses every secret)",
        )
    if private and settings.network_default_action != "Deny":
        raise section.fail(
            "networkDefaultAction",
            settings.network_default_action,
            "must be 'Deny' with network.mode 'private': the vault's public access is disabled and its clients "
            "come through its private endpoint",
        )
    if private and settings.allowed_ip_ranges:
        raise section.fail(
            "allowedIpRanges",
            list(settings.allowed_ip_ranges),
            "unused with network.mode 'private' (public network access is disabled): remove the ranges",
        )
    if settings.network_default_action == "Allow" and settings.allowed_ip_ranges:
        raise section.fail(
            "allowedIpRanges",
            list(settings.allowed_ip_ranges),
            "only takes effect with networkDefaultAction 'Deny'; set it to Deny or remove the ranges",
        )
    if production_like and settings.rotation_days > PRODUCTION_MAX_ROTATION_DAYS:
        raise section.fail(
            "rotationDays",
            settings.rotation_days,
            f"production-like stacks rotate at least every {PRODUCTION_MAX_ROTATION_DAYS} days "
            "(Key Vault secrets best practices)",
        )
    if settings.secret_lifetime_days <= settings.rotation_days:
        raise section.fail(
            "secretLifetimeDays",
            settings.secret_lifetime_days,
            f"must be longer than rotationDays ({settings.rotation_days}): a secret must outlive its "
            "scheduled rotation, or it expires before the next `pulumi up` renews it",
        )
    return settings

"""The offline store: a dedicated ADLS Gen2 account, or an existing one shared with other stacks."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import SUBSCRIPTION_ID_PREFIX, Section

STORAGE_SKUS = frozenset(
    {"Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"}
)
GEO_REDUNDANT_SKUS = frozenset({"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"})
# Read access to the secondary region (`<account>-secondary.<service>.core.windows.net`): the RA- SKUs only
# (Learn storage-redundancy, "Read access to data in the secondary region").
READ_ACCESS_SECONDARY_SKUS = frozenset({"Standard_RAGRS", "Standard_RAGZRS"})
STORAGE_ACCOUNT_ID = (
    SUBSCRIPTION_ID_PREFIX + r"/resourceGroups/[-\w.()]{1,90}"
    r"/providers/Microsoft\.Storage/storageAccounts/[a-z0-9]{3,24}"
)
MIN_PRODUCTION_SOFT_DELETE_DAYS = 7


@dataclass(frozen=True)
class OfflineStoreSettings:
    mode: str  # "dedicated" | "shared"
    existing_account_id: str | None
    container: str
    sku: str
    shared_key_access: bool
    soft_delete_days: int  # 0 turns blob and container soft delete off
    network_default_action: str
    allowed_ip_ranges: tuple[str, ...]

    @property
    def shared(self) -> bool:
        return self.mode == "shared"

    @property
    def existing_account_name(self) -> str | None:
        return self.existing_account_id.rsplit("/", 1)[-1] if self.existing_account_id else None


def parse_offline_store(section: Section, production_like: bool, private: bool = False) -> OfflineStoreSettings:
    """`private`: network.mode is 'private': a dedicated account takes traffic from its private endpoints only."""
    settings = OfflineStoreSettings(
        mode=section.string("mode", "dedicated", allowed={"dedicated", "shared"}),
        existing_account_id=section.string(
            "existingAccountId",
            None,
            pattern=STORAGE_ACCOUNT_ID,
            rule="an ADLS Gen2 storage account resource id "
            "(/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>)",
        ),
        container=section.string(
            "container",
            "features",
            # SDK BlobContainer: 3-63 characters; every dash preceded and followed by a letter or number.
            pattern=r"(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*",
            rule="a container name: 3-63 lowercase letters, digits and hyphens, every hyphen between two "
            "letters or digits",
        ),
        sku=section.string("sku", "Standard_ZRS", allowed=STORAGE_SKUS),
        shared_key_access=section.boolean("sharedKeyAccess", False),
        # SDK DeleteRetentionPolicy.days: 1-365 ("minimum ... 1 and the maximum value can be 365"); 0 = off.
        soft_delete_days=section.integer("softDeleteDays", 14, minimum=0, maximum=365),
        network_default_action=section.string(
            "networkDefaultAction", "Deny" if private else "Allow", allowed={"Allow", "Deny"}
        ),
        allowed_ip_ranges=section.ip_ranges("allowedIpRanges"),
    )
    section.finish()

    if settings.shared and settings.existing_account_id is None:
        raise section.fail("existingAccountId", None, "required when mode is 'shared': the id of the account to share")
    if not settings.shared and settings.existing_account_id is not None:
        raise section.fail(
            "existingAccountId",
            settings.existing_account_id,
            "only allowed with mode 'shared'; a dedicated store creates its own account",
        )
    if private and not settings.shared and settings.network_default_action != "Deny":
        raise section.fail(
            "networkDefaultAction",
            settings.network_default_action,
            "must be 'Deny' with network.mode 'private': the account's public access is disabled and its clients "
            "come through its private endpoints (dfs, blob)",
        )
    if private and not settings.shared and settings.allowed_ip_ranges:
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
    if production_like and not settings.shared:
        if settings.sku not in GEO_REDUNDANT_SKUS:
            raise section.fail(
                "sku",
                settings.sku,
                "production-like stacks keep feature data geo-redundant: one of "
                + ", ".join(sorted(GEO_REDUNDANT_SKUS)),
            )
        if settings.soft_delete_days < MIN_PRODUCTION_SOFT_DELETE_DAYS:
            raise section.fail(
                "softDeleteDays",
                settings.soft_delete_days,
                f"production-like stacks need blob and container soft delete (backups) of at least "
                f"{MIN_PRODUCTION_SOFT_DELETE_DAYS} days",
            )
    return settings

"""Settings that are each valid alone but together leave a service with no way to its data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.settings.errors import SettingsError
from infra.settings.reader import describe

if TYPE_CHECKING:
    from infra.settings import Settings


def _fail(key: str, value: object, why: str) -> SettingsError:
    return SettingsError(f"setting feathr-infra:{key} = {describe(value)}: {why}")


def check_combinations(s: Settings) -> None:
    if s.key_vault.network_default_action == "Deny" and s.registry.sql_database:
        # App Service is not a trusted service of the Key Vault firewall: it resolves Key Vault
        # references through a firewall only with VNet integration, which this program does not build.
        raise _fail(
            "keyVault.networkDefaultAction",
            "Deny",
            "the registry app reads its SQL connection string through a Key Vault reference, which a "
            "Key Vault firewall blocks (App Service is no trusted service); keep 'Allow' (access stays "
            "RBAC-only, per secret) until the registry app has VNet integration",
        )
    store_closed = s.offline_store.network_default_action == "Deny" and not s.offline_store.shared
    spark = s.spark
    if spark.runtime == "synapse" and not spark.shared and store_closed and not spark.synapse.managed_virtual_network:
        raise _fail(
            "spark.synapse.managedVirtualNetwork",
            False,
            "must be true when offlineStore.networkDefaultAction is 'Deny': only the managed virtual network's "
            "private endpoint takes the Spark pool through the storage firewall",
        )
    if spark.runtime == "synapse" and spark.synapse.prevent_data_exfiltration and not spark.feathr_runtime_location:
        raise _fail(
            "spark.synapse.preventDataExfiltration",
            True,
            "needs spark.feathrRuntimeLocation (the Feathr jar on the offline store): with exfiltration "
            "protection the pool cannot download it from Maven",
        )
    if s.databricks_token_given and spark.runtime != "databricks":
        raise SettingsError(
            "setting feathr-infra:databricksToken is set, but spark.runtime is not 'databricks': remove it "
            "(`pulumi config rm databricksToken`)"
        )
    if spark.runtime == "databricks":
        if not s.offline_store.shared_key_access:
            raise _fail(
                "offlineStore.sharedKeyAccess",
                False,
                "must be true with spark.runtime 'databricks': Feathr's Databricks jobs reach ADLS with the "
                "account key (ADLS-ACCOUNT / ADLS-KEY in Key Vault); their clusters have no identity",
            )
        if store_closed:
            raise _fail(
                "offlineStore.networkDefaultAction",
                "Deny",
                "must be 'Allow' with spark.runtime 'databricks': the workspace has no VNet injection, so its "
                "clusters reach the offline store over public endpoints",
            )

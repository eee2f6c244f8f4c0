"""Private DNS zone(s) for each private-endpoint group id this program uses, with the ARM resource type.

Source: Microsoft Learn, "Azure Private Endpoint private DNS zone values"
(https://learn.microsoft.com/azure/private-link/private-endpoint-dns; MicrosoftDocs/azure-docs
articles/private-link/private-endpoint-dns.md, table "Azure services DNS zone configuration", rows quoted
as "resource type | subresource | zone"). A private endpoint's DNS zone group puts its A records into
exactly these zones; Azure auto-registers records only under the recommended names.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class GroupZones:
    resource_type: str  # the ARM type whose private link resource has this group id
    zones: tuple[str, ...]


GROUP_ZONES: MappingProxyType[str, GroupZones] = MappingProxyType(
    {
        # "Azure Key Vault (Microsoft.KeyVault/vaults) | vault | privatelink.vaultcore.azure.net"
        "vault": GroupZones("Microsoft.KeyVault/vaults", ("privatelink.vaultcore.azure.net",)),
        # "Azure SQL Database (Microsoft.Sql/servers) | sqlServer | privatelink.database.windows.net"
        "sqlServer": GroupZones("Microsoft.Sql/servers", ("privatelink.database.windows.net",)),
        # "Storage account (Microsoft.Storage/storageAccounts) | blob, blob_secondary |
        #  privatelink.blob.core.windows.net"
        "blob": GroupZones("Microsoft.Storage/storageAccounts", ("privatelink.blob.core.windows.net",)),
        # "Azure Data Lake File System Gen2 (Microsoft.Storage/storageAccounts) | dfs, dfs_secondary |
        #  privatelink.dfs.core.windows.net"
        "dfs": GroupZones("Microsoft.Storage/storageAccounts", ("privatelink.dfs.core.windows.net",)),
        # The read-only secondaries of an RA-GRS/RA-GZRS account, same rows as above.
        "blob_secondary": GroupZones("Microsoft.Storage/storageAccounts", ("privatelink.blob.core.windows.net",)),
        "dfs_secondary": GroupZones("Microsoft.Storage/storageAccounts", ("privatelink.dfs.core.windows.net",)),
        # "Storage account (Microsoft.Storage/storageAccounts) | queue, queue_secondary |
        #  privatelink.queue.core.windows.net" (Purview's managed ingestion storage)
        "queue": GroupZones("Microsoft.Storage/storageAccounts", ("privatelink.queue.core.windows.net",)),
        # "Azure Event Hubs (Microsoft.EventHub/namespaces) | namespace | privatelink.servicebus.windows.net"
        # (Purview's managed ingestion Event Hubs namespace)
        "namespace": GroupZones("Microsoft.EventHub/namespaces", ("privatelink.servicebus.windows.net",)),
        # "Azure Web Apps - Azure Function Apps (Microsoft.Web/sites) | sites | privatelink.azurewebsites.net,
        #  scm.privatelink.azurewebsites.net". One zone: the zone group writes both the app's and its
        # `<app>.scm` record into privatelink.azurewebsites.net; a separate scm zone is only needed by custom DNS.
        "sites": GroupZones("Microsoft.Web/sites", ("privatelink.azurewebsites.net",)),
        # "Microsoft Purview (Microsoft.Purview) | account | privatelink.purview.azure.com"
        "account": GroupZones("Microsoft.Purview/accounts", ("privatelink.purview.azure.com",)),
        # "Microsoft Purview (Microsoft.Purview) | portal | privatelink.purviewstudio.azure.com"
        "portal": GroupZones("Microsoft.Purview/accounts", ("privatelink.purviewstudio.azure.com",)),
        # "Azure Synapse Analytics (Microsoft.Synapse/workspaces) | Sql | privatelink.sql.azuresynapse.net"
        "Sql": GroupZones("Microsoft.Synapse/workspaces", ("privatelink.sql.azuresynapse.net",)),
        # "Azure Synapse Analytics (Microsoft.Synapse/workspaces) | SqlOnDemand | privatelink.sql.azuresynapse.net"
        "SqlOnDemand": GroupZones("Microsoft.Synapse/workspaces", ("privatelink.sql.azuresynapse.net",)),
        # "Azure Synapse Analytics (Microsoft.Synapse/workspaces) | Dev | privatelink.dev.azuresynapse.net"
        "Dev": GroupZones("Microsoft.Synapse/workspaces", ("privatelink.dev.azuresynapse.net",)),
        # "Azure Synapse Studio (Microsoft.Synapse/privateLinkHubs) | Web | privatelink.azuresynapse.net"
        "Web": GroupZones("Microsoft.Synapse/privateLinkHubs", ("privatelink.azuresynapse.net",)),
        # "Azure Databricks (Microsoft.Databricks/workspaces) | databricks_ui_api, browser_authentication |
        #  privatelink.azuredatabricks.net"
        "databricks_ui_api": GroupZones("Microsoft.Databricks/workspaces", ("privatelink.azuredatabricks.net",)),
        "browser_authentication": GroupZones("Microsoft.Databricks/workspaces", ("privatelink.azuredatabricks.net",)),
        # "Azure Cache for Redis (Microsoft.Cache/Redis) | redisCache | privatelink.redis.cache.windows.net"
        "redisCache": GroupZones("Microsoft.Cache/redis", ("privatelink.redis.cache.windows.net",)),
        # "Azure Managed Redis (Microsoft.Cache/redisEnterprise) | redisEnterprise | privatelink.redis.azure.net".
        # Confirmed by Learn "What is Azure Managed Redis with Azure Private Link?" (MicrosoftDocs/azure-docs
        # articles/redis/private-link.md): the CLI example creates the endpoint on Microsoft.Cache/redisEnterprise
        # with `--group-ids "redisEnterprise"`, and the FAQ "How do I connect to my cache with private endpoint?"
        # says clients connect to <cachename>.<region>.redis.azure.net:10000 through "a private DNS zone, named
        # *.privatelink.redis.azure.net". The older row "Azure Cache for Redis Enterprise | redisEnterprise |
        # privatelink.redisenterprise.cache.azure.net" is for the Enterprise tiers' hosts
        # (<name>.<region>.redisenterprise.cache.azure.net), which this program never builds.
        "redisEnterprise": GroupZones("Microsoft.Cache/redisEnterprise", ("privatelink.redis.azure.net",)),
    }
)

# Every zone name above, each once, in table order.
ZONE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(z for row in GROUP_ZONES.values() for z in row.zones))


def zones_for(group_id: str) -> tuple[str, ...]:
    try:
        return GROUP_ZONES[group_id].zones
    except KeyError:
        raise KeyError(
            f"no private DNS zone known for group id {group_id!r}: add its row from Learn's "
            "'Azure Private Endpoint private DNS zone values' to infra/components/network/dns_zones.py"
        ) from None

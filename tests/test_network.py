"""The network: the DNS zone table and what prod builds (settings errors: tests/test_network_settings.py)."""

from __future__ import annotations

from infra.components.network.dns_zones import GROUP_ZONES
from tests.support import run

PE = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
VNET = "azure-native:network:VirtualNetwork"


def test_dns_zone_table_is_learns():
    # Literal from Learn "Azure Private Endpoint private DNS zone values" (group id -> zone).
    assert {g: z.zones for g, z in GROUP_ZONES.items()} == {
        "vault": ("privatelink.vaultcore.azure.net",),
        "sqlServer": ("privatelink.database.windows.net",),
        "blob": ("privatelink.blob.core.windows.net",),
        "dfs": ("privatelink.dfs.core.windows.net",),
        "blob_secondary": ("privatelink.blob.core.windows.net",),
        "dfs_secondary": ("privatelink.dfs.core.windows.net",),
        "queue": ("privatelink.queue.core.windows.net",),
        "namespace": ("privatelink.servicebus.windows.net",),
        "sites": ("privatelink.azurewebsites.net",),
        "account": ("privatelink.purview.azure.com",),
        "portal": ("privatelink.purviewstudio.azure.com",),
        "Sql": ("privatelink.sql.azuresynapse.net",),
        "SqlOnDemand": ("privatelink.sql.azuresynapse.net",),
        "Dev": ("privatelink.dev.azuresynapse.net",),
        "Web": ("privatelink.azuresynapse.net",),
        "databricks_ui_api": ("privatelink.azuredatabricks.net",),
        "browser_authentication": ("privatelink.azuredatabricks.net",),
        "redisCache": ("privatelink.redis.cache.windows.net",),
        "redisEnterprise": ("privatelink.redis.azure.net",),
    }


def test_prod_endpoints_and_zones():
    prod = run("prod")
    endpoints = {
        (
            e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"].rsplit("/", 2)[-2],
            tuple(e.inputs["privateLinkServiceConnections"][0]["groupIds"]),
            e.inputs["location"],
        )
        for e in prod.of_type(PE)
    }
    # Every private endpoint of prod, exactly (docs/networking.md's table): an extra or a missing one is a bug.
    assert endpoints == {
        ("vaults", ("vault",), "westeurope"),
        ("storageAccounts", ("dfs",), "westeurope"),
        ("storageAccounts", ("blob",), "westeurope"),
        # Standard_RAGZRS: the read-only secondary from the partner VNet
        ("storageAccounts", ("dfs_secondary",), "northeurope"),
        ("storageAccounts", ("blob_secondary",), "northeurope"),
        ("redisEnterprise", ("redisEnterprise",), "westeurope"),
        ("servers", ("sqlServer",), "westeurope"),
        ("servers", ("sqlServer",), "northeurope"),  # the geo-secondary, in its own region
        ("sites", ("sites",), "westeurope"),
        ("sites", ("sites",), "northeurope"),  # the standby registry app
        ("workspaces", ("Dev",), "westeurope"),
        ("workspaces", ("Sql",), "westeurope"),
        ("workspaces", ("SqlOnDemand",), "westeurope"),
        ("privateLinkHubs", ("Web",), "westeurope"),
    }
    groups = {g.inputs["privateEndpointName"]: g for g in prod.of_type(ZONE_GROUP)}
    vault_pe = next(
        e
        for e in prod.of_type(PE)
        if "/vaults/" in e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"]
    )
    zone_ids = [c["privateDnsZoneId"] for c in groups[vault_pe.physical_name].inputs["privateDnsZoneConfigs"]]
    assert [z.rsplit("/", 1)[-1] for z in zone_ids] == ["privatelink.vaultcore.azure.net"]
    vnets = {v.physical_name: v.inputs for v in prod.of_type(VNET)}
    assert set(vnets) == {"contoso-prod-westeurope-vnet", "contoso-prod-northeurope-vnet"}
    subnets = {s["name"]: s for s in vnets["contoso-prod-westeurope-vnet"]["subnets"]}
    assert subnets["snet-app"]["delegations"][0]["serviceName"] == "Microsoft.Web/serverFarms"
    assert subnets["snet-scripts"]["delegations"][0]["serviceName"] == "Microsoft.ContainerInstance/containerGroups"
    assert all("networkSecurityGroup" in s for s in subnets.values())


def test_dev_is_public_and_declares_no_network():
    dev = run("dev")
    assert not [r for r in dev.resources if r.token.startswith(("azure-native:network:", "azure-native:privatedns:"))]


def test_children_moved_off_their_protected_parents_keep_their_deployed_urns():
    # Diagnostics, zone links and peerings became children of the network component (so they do not inherit the
    # protection of their NSG, VNet or zone); an alias to the former parent keeps a deployed stack from replacing them.
    prod = run("prod")
    network = "urn:pulumi:prod::feathr-infra::feathr:network:Network$"
    moved = {
        "network-westeurope-endpoints-nsg-diagnostics": "azure-native:network:NetworkSecurityGroup::network-westeurope-endpoints-nsg",
        "network-westeurope-vnet-diagnostics": "azure-native:network:VirtualNetwork::network-westeurope-vnet",
        "network-northeurope-to-westeurope-peering": "azure-native:network:VirtualNetwork::network-northeurope-vnet",
        "network-privatelink.vaultcore.azure.net-contoso-prod-northeurope-vnet-link": (
            "azure-native:privatedns:PrivateZone::network-privatelink.vaultcore.azure.net"
        ),
    }
    by_name = {r.logical_name: r for r in prod.resources}
    for name, former in moved.items():
        assert (
            by_name[name].parent_urn
            == "urn:pulumi:prod::feathr-infra::pulumi:pulumi:Stack$feathr:network:Network::network"
        )
        assert [a for a in by_name[name].aliases if a.startswith("parentUrn=")] == [f"parentUrn={network}{former}"]

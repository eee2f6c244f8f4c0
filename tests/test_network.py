"""The network: settings errors (each names the full key), the DNS zone table, and what prod builds."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.components.network.dns_zones import GROUP_ZONES
from infra.settings import SettingsError, load_settings
from tests.support import NS, config_with, run

PE = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
VNET = "azure-native:network:VirtualNetwork"
SUB = "6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14"
SPOKE = f"/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/spoke"


def prod_network(**changes: Any) -> dict[str, Any]:
    config = config_with("prod")
    network = copy.deepcopy(config[NS + "network"])
    network.update(changes)
    config[NS + "network"] = network
    return config


def primary(**subnets: Any) -> dict[str, Any]:
    base = {"endpoints": "10.40.0.0/24", "appIntegration": "10.40.1.0/26", "deploymentScripts": "10.40.1.64/27"}
    return {"addressSpace": ["10.40.0.0/22"], "subnets": {**base, **subnets}}


def test_dns_zone_table_is_learns():
    # Literal from Learn "Azure Private Endpoint private DNS zone values" (group id -> zone).
    assert {g: z.zones for g, z in GROUP_ZONES.items()} == {
        "vault": ("privatelink.vaultcore.azure.net",),
        "sqlServer": ("privatelink.database.windows.net",),
        "blob": ("privatelink.blob.core.windows.net",),
        "dfs": ("privatelink.dfs.core.windows.net",),
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
    # N1's consumers; N2/N3 add the SQL servers, the registry app, Synapse.
    assert {
        ("vaults", ("vault",), "westeurope"),
        ("storageAccounts", ("dfs",), "westeurope"),
        ("storageAccounts", ("blob",), "westeurope"),
        ("redisEnterprise", ("redisEnterprise",), "westeurope"),
    } <= endpoints
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


BAD = [
    (
        "public production without the opt-out",
        lambda: prod_network(mode="public"),
        r"feathr-infra:network\.mode = 'public': production-like stacks are private",
    ),
    (
        "opt-out in a private stack",
        lambda: prod_network(allowPublicInProduction=True),
        r"feathr-infra:network\.allowPublicInProduction = true: only opts",
    ),
    (
        "private with no primary network",
        lambda: config_with("prod", network={"mode": "private"}),
        r"feathr-infra:network\.primary = \(not set\): required in private mode",
    ),
    (
        "geo-replicated registry without a partner network",
        lambda: _without_partner(),
        r"feathr-infra:network\.partner = \(not set\): required in private mode",
    ),
    (
        "integration subnet smaller than a /28",
        lambda: prod_network(primary=primary(appIntegration="10.40.1.0/29")),
        r"feathr-infra:network\.primary\.subnets\.appIntegration = '10\.40\.1\.0/29': too small",
    ),
    (
        "subnet outside the address space",
        lambda: prod_network(primary=primary(endpoints="10.50.0.0/24")),
        r"feathr-infra:network\.primary\.subnets\.endpoints = '10\.50\.0\.0/24': outside the VNet's addressSpace",
    ),
    (
        "overlapping subnets",
        lambda: prod_network(primary=primary(appIntegration="10.40.0.0/26")),
        r"feathr-infra:network\.primary\.subnets\.appIntegration = '10\.40\.0\.0/26': overlaps "
        r"feathr-infra:network\.primary\.subnets\.endpoints",
    ),
    (
        "overlapping VNets",
        lambda: prod_network(partner={"addressSpace": ["10.40.2.0/24"], "subnets": {"endpoints": "10.40.2.0/26"}}),
        r"feathr-infra:network\.partner\.addressSpace\[0\] = '10\.40\.2\.0/24': overlaps "
        r"feathr-infra:network\.primary\.addressSpace\[0\]",
    ),
    (
        "existing subnets without their region",
        lambda: prod_network(primary={"existingSubnets": _spoke_subnets()}),
        r"feathr-infra:network\.primary\.location = \(not set\): required with existingSubnets",
    ),
    (
        "existing subnets in another region",
        lambda: prod_network(primary={"existingSubnets": _spoke_subnets(), "location": "eastus"}),
        r"feathr-infra:network\.primary\.location = 'eastus': must be 'westeurope'",
    ),
    (
        "a subnet id that is no subnet id",
        lambda: prod_network(
            primary={"existingSubnets": {**_spoke_subnets(), "endpoints": SPOKE}, "location": "westeurope"}
        ),
        r"feathr-infra:network\.primary\.existingSubnets\.endpoints = '/subscriptions/.*/spoke': must be a subnet",
    ),
    (
        "a DNS zone id under another zone's name",
        lambda: prod_network(
            dnsZoneIds={
                "privatelink.vaultcore.azure.net": f"/subscriptions/{SUB}/resourceGroups/rg-hub/providers/"
                "Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
            }
        ),
        r"feathr-infra:network\.dnsZoneIds\.privatelink\.vaultcore\.azure\.net = .*: must be the resource id",
    ),
    (
        "network settings in a public stack",
        lambda: config_with("dev", network={"mode": "public", "primary": primary()}),
        r"feathr-infra:network\.primary = .*: only used with network\.mode 'private'",
    ),
]


def _spoke_subnets() -> dict[str, str]:
    return {role: f"{SPOKE}/subnets/{role}" for role in ("endpoints", "appIntegration", "deploymentScripts")}


def _without_partner() -> dict[str, Any]:
    config = prod_network()
    del config[NS + "network"]["partner"]
    return config


@pytest.mark.parametrize("case, config, message", BAD, ids=[b[0] for b in BAD])
def test_bad_network_setting_is_rejected_naming_the_key(case, config, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(config(), "feathr-infra", "prod")

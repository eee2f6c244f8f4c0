"""The registry's networking in each network.mode, against values written here: private endpoints
(group id, region, subnet, DNS zone), public network access, the web app's VNet integration and
routing, and where the deployment scripts run. prod is private (Pulumi.prod.yaml), dev public."""

from __future__ import annotations

import pytest

from tests.variants import run_variant

PE = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
WEB_APP = "azure-native:web:WebApp"
SERVER = "azure-native:sql:Server"
FIREWALL = "azure-native:sql:FirewallRule"
FAILOVER_GROUP = "azure-native:sql:FailoverGroup"
SCRIPT = "azure-native:resources:AzureCliScript"
STORAGE = "azure-native:storage:StorageAccount"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PURVIEW = "azure-native:purview:Account"
VNET = "azure-native:network:VirtualNetwork"

# (target's logical name, group id, region, subnet name, private DNS zone): Learn "Azure Private Endpoint
# private DNS zone values" (Microsoft.Sql/servers sqlServer, Microsoft.Web/sites sites, Microsoft.Purview/
# accounts account and portal); the partner server's endpoint lives in registry.sql.secondaryLocation.
PROD_REGISTRY_ENDPOINTS = {
    ("registry-sql-server", "sqlServer", "westeurope", "snet-endpoints", "privatelink.database.windows.net"),
    ("registry-sql-partner-server", "sqlServer", "northeurope", "snet-endpoints", "privatelink.database.windows.net"),
    ("registry-api", "sites", "westeurope", "snet-endpoints", "privatelink.azurewebsites.net"),
}
PURVIEW_ENDPOINTS = {
    ("registry-purview", "account", "westeurope", "snet-endpoints", "privatelink.purview.azure.com"),
    ("registry-purview", "portal", "westeurope", "snet-endpoints", "privatelink.purviewstudio.azure.com"),
}
REGISTRY_TARGETS = {"registry-sql-server", "registry-sql-partner-server", "registry-api", "registry-purview"}


def by_arm_id(result):
    return {r.arm_id: r for r in result.resources if r.arm_id}


def by_urn(result):
    return {r.urn: r for r in result.resources}


def registry_endpoints(result) -> set[tuple[str, str, str, str, str]]:
    ids, urns = by_arm_id(result), by_urn(result)
    zones_of = {}
    for group in result.of_type(ZONE_GROUP):
        zones_of[urns[group.parent_urn].logical_name] = [
            config["privateDnsZoneId"].rsplit("/", 1)[-1] for config in group.inputs["privateDnsZoneConfigs"]
        ]
    found = set()
    for endpoint in result.of_type(PE):
        (connection,) = endpoint.inputs["privateLinkServiceConnections"]
        target = ids[connection["privateLinkServiceId"]].logical_name
        if target not in REGISTRY_TARGETS:
            continue
        (group_id,) = connection["groupIds"]
        (zone,) = zones_of[endpoint.logical_name]
        subnet = endpoint.inputs["subnet"]["id"].rsplit("/", 1)[-1]
        found.add((target, group_id, endpoint.inputs["location"], subnet, zone))
    return found


def subnet_id(result, location: str, subnet: str) -> str:
    (vnet,) = [v for v in result.of_type(VNET) if v.inputs["location"] == location]
    return f"{vnet.arm_id}/subnets/{subnet}"


def named(result, token, logical_name):
    (found,) = [r for r in result.of_type(token) if r.logical_name == logical_name]
    return found


# --- private endpoints and public access -----------------------------------------------------------------


def test_prod_registry_endpoints():
    assert registry_endpoints(run_variant("prod", "as deployed")) == PROD_REGISTRY_ENDPOINTS


def test_prod_purview_registry_endpoints():
    # The Purview backend keeps the SQL store for RBAC's userroles: its endpoints stay, Purview's join them.
    assert registry_endpoints(run_variant("prod", "purview")) == PROD_REGISTRY_ENDPOINTS | PURVIEW_ENDPOINTS


@pytest.mark.parametrize("variant", ["as deployed", "purview"])
def test_dev_is_public(variant):
    result = run_variant("dev", variant)
    assert result.of_type(PE) == []
    app = result.one(WEB_APP).inputs
    assert {"virtualNetworkSubnetId", "outboundVnetRouting", "publicNetworkAccess"} & set(app) == set()
    assert "vnetRouteAllEnabled" not in app["siteConfig"]
    assert {s.inputs["publicNetworkAccess"] for s in result.of_type(SERVER)} == {"Enabled"}
    assert {(r.inputs["startIpAddress"], r.inputs["endIpAddress"]) for r in result.of_type(FIREWALL)} == {
        ("0.0.0.0", "0.0.0.0"),
        ("203.0.113.0", "203.0.113.255"),
    }
    assert [s for s in result.of_type(SCRIPT) if "containerSettings" in s.inputs] == []


def test_prod_sql_servers_take_no_public_traffic():
    result = run_variant("prod", "as deployed")
    assert {s.logical_name: s.inputs["publicNetworkAccess"] for s in result.of_type(SERVER)} == {
        "registry-sql-server": "Disabled",
        "registry-sql-partner-server": "Disabled",
    }
    assert result.of_type(FIREWALL) == []  # no AllowAllWindowsAzureIps, no client ranges


def test_prod_failover_group_waits_for_both_private_links():
    # Learn "Failover groups": create the servers' private endpoints, then the failover group.
    result = run_variant("prod", "as deployed")
    group = result.one(FAILOVER_GROUP)
    urns = by_urn(result)
    waited = {urns[u].logical_name for u in group.depends_on if urns[u].token == PE}
    assert waited == {"registry-sql-server-sqlserver-pe", "registry-sql-partner-server-sqlserver-pe"}


def test_prod_purview_account_is_closed():
    account = run_variant("prod", "purview").one(PURVIEW).inputs
    assert (account["publicNetworkAccess"], account["managedResourcesPublicNetworkAccess"]) == ("Disabled", "Disabled")


def test_dev_purview_account_is_open():
    account = run_variant("dev", "purview").one(PURVIEW).inputs
    # Left to the SDK's default (it sends NotSpecified): the managed resources stay as Azure makes them.
    assert (account["publicNetworkAccess"], account["managedResourcesPublicNetworkAccess"]) == (
        "Enabled",
        "NotSpecified",
    )


# --- the web app ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app_name", "region"), [("registry-api", "westeurope"), ("registry-standby-api", "northeurope")]
)
def test_prod_web_apps_route_everything_through_their_own_regions_vnet_integration(app_name, region):
    result = run_variant("prod", "as deployed")
    app = named(result, WEB_APP, app_name).inputs
    # Regional VNet integration: a subnet in the app's own region (Learn app-service/overview-vnet-integration);
    # the standby's is the partner VNet's (network.partner.subnets.appIntegration).
    assert (app["location"], app["virtualNetworkSubnetId"]) == (region, subnet_id(result, region, "snet-app"))
    # Learn "Manage Azure App Service virtual network integration routing": allTraffic (recommended);
    # Learn "Use Key Vault references as app settings": Linux apps on private endpoints route all traffic.
    assert app["outboundVnetRouting"] == {"allTraffic": True, "applicationTraffic": True}
    assert app["siteConfig"]["vnetRouteAllEnabled"] is True
    assert app["publicNetworkAccess"] == "Disabled"


@pytest.mark.parametrize("app_name", ["registry-api", "registry-standby-api"])
def test_prod_web_apps_start_after_the_endpoints_they_resolve_at_start_up(app_name):
    result = run_variant("prod", "as deployed")
    urns = by_urn(result)
    waited = {urns[u].logical_name for u in named(result, WEB_APP, app_name).depends_on if u in urns}
    # Key Vault's endpoint (its CONNECTION_STR reference), through the bootstrap the SQL endpoints, and the
    # network: the standby reaches the vault's one endpoint from the partner VNet over the peering.
    assert {"key-vault-vault-pe", "registry-sql-schema", "network-northeurope-to-westeurope-peering"} <= waited


# --- deployment scripts ------------------------------------------------------------------------------------


def script_storage(result):
    return named(result, STORAGE, "registry-script-storage")


def test_prod_script_storage_admits_only_the_script_subnet():
    result = run_variant("prod", "as deployed")
    account = script_storage(result).inputs
    # Learn "Access a private virtual network from a Bicep deployment script": StorageV2 / Standard_LRS,
    # firewall Deny with the script subnet as a virtual network rule, trusted Azure services bypass.
    assert (account["accountName"], account["kind"], account["sku"]) == (
        "contosoproddsst78gz9l",
        "StorageV2",
        {"name": "Standard_LRS"},
    )
    assert account["networkRuleSet"] == {
        "defaultAction": "Deny",
        "bypass": "AzureServices",
        "virtualNetworkRules": [
            {"virtualNetworkResourceId": subnet_id(result, "westeurope", "snet-scripts"), "action": "Allow"}
        ],
    }
    assert account["publicNetworkAccess"] == "Enabled"  # a service endpoint needs it; the firewall denies
    assert (account["allowBlobPublicAccess"], account["minimumTlsVersion"]) == (False, "TLS1_2")


def test_prod_schema_bootstrap_runs_in_the_script_subnet():
    result = run_variant("prod", "as deployed")
    script = named(result, SCRIPT, "registry-sql-schema").inputs
    assert script["containerSettings"] == {"subnetIds": [{"id": subnet_id(result, "westeurope", "snet-scripts")}]}
    # The account by name only: no key goes into the script's inputs.
    assert script["storageAccountSettings"] == {"storageAccountName": "contosoproddsst78gz9l"}
    identity = named(result, IDENTITY, "registry-sql-schema-identity")
    assert identity.inputs["resourceName"] == "contoso-prod-regschema-id"
    assert script["identity"]["userAssignedIdentities"] == [identity.arm_id]


def test_prod_schema_bootstrap_waits_for_the_sql_endpoints_and_its_storage_grant():
    result = run_variant("prod", "as deployed")
    urns = by_urn(result)
    waited = {urns[u].logical_name for u in named(result, SCRIPT, "registry-sql-schema").depends_on}
    assert {
        "registry-sql-server-sqlserver-pe",
        "registry-sql-partner-server-sqlserver-pe",
        "registry-sql-schema-script-storage",
    } <= waited


def test_prod_purview_curator_runs_in_the_script_subnet():
    result = run_variant("prod", "purview")
    script = named(result, SCRIPT, "registry-api-purview-data-curator").inputs
    assert script["containerSettings"] == {"subnetIds": [{"id": subnet_id(result, "westeurope", "snet-scripts")}]}
    assert script["storageAccountSettings"] == {"storageAccountName": "contosoproddsst78gz9l"}


def test_dev_builds_no_script_storage():
    result = run_variant("dev", "as deployed")
    assert [s.logical_name for s in result.of_type(STORAGE)] == ["offline-store"]

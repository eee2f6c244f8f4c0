"""Private mode over every recorded resource: each resource of a type that has Private Link has its public
network access disabled and one private endpoint per expected group id, each with a DNS zone group into the
zone Learn names ("Azure Private Endpoint private DNS zone values"). Every recorded type is classified here;
an unknown type fails."""

from __future__ import annotations

import pytest

from tests.variants import run_variant

# Types with Private Link: (where public access is switched off, expected group ids). Literal, from Learn's table.
PRIVATE_LINK = {
    "azure-native:keyvault:Vault": ("properties.publicNetworkAccess", {"vault"}),
    "azure-native:storage:StorageAccount": ("publicNetworkAccess", {"dfs", "blob"}),
    "azure-native:redisenterprise:RedisEnterprise": ("publicNetworkAccess", {"redisEnterprise"}),
    "azure-native:redis:Redis": ("publicNetworkAccess", {"redisCache"}),
    "azure-native:sql:Server": ("publicNetworkAccess", {"sqlServer"}),
    "azure-native:web:WebApp": ("publicNetworkAccess", {"sites"}),
    "azure-native:purview:Account": ("publicNetworkAccess", {"account", "portal"}),
    "azure-native:synapse:Workspace": ("publicNetworkAccess", {"Dev", "Sql", "SqlOnDemand"}),
    # No public-access property (SDK PrivateLinkHub: location, name, tags): the hub exists for its Web endpoint.
    "azure-native:synapse:PrivateLinkHub": (None, {"Web"}),
    # Learn databricks/security/network/front-end/front-end-private-connect: databricks_ui_api (front and back end,
    # simplified deployment) and browser_authentication (the Entra ID SSO callback), both privatelink.azuredatabricks.net
    "azure-native:databricks:Workspace": ("publicNetworkAccess", {"databricks_ui_api", "browser_authentication"}),
}
# Learn's zone per group id (the same table as infra/components/network/dns_zones.py, written out here).
ZONE = {
    "vault": "privatelink.vaultcore.azure.net",
    "dfs": "privatelink.dfs.core.windows.net",
    "blob": "privatelink.blob.core.windows.net",
    "redisEnterprise": "privatelink.redis.azure.net",
    "redisCache": "privatelink.redis.cache.windows.net",
    "sqlServer": "privatelink.database.windows.net",
    "sites": "privatelink.azurewebsites.net",
    "account": "privatelink.purview.azure.com",
    "portal": "privatelink.purviewstudio.azure.com",
    "Dev": "privatelink.dev.azuresynapse.net",
    "Sql": "privatelink.sql.azuresynapse.net",
    "SqlOnDemand": "privatelink.sql.azuresynapse.net",
    "Web": "privatelink.azuresynapse.net",
    "databricks_ui_api": "privatelink.azuredatabricks.net",
    "browser_authentication": "privatelink.azuredatabricks.net",
    "dfs_secondary": "privatelink.dfs.core.windows.net",
    "blob_secondary": "privatelink.blob.core.windows.net",
}
# Resources with more group ids than their type's row: prod's Standard_RAGZRS offline store also reaches its read-only
# secondary (Learn storage-private-endpoints), from the partner region's VNet (logical name -> (groups, region)).
SECONDARIES = {"offline-store": ({"dfs_secondary", "blob_secondary"}, "northeurope")}
# Private Link types whose owner (issue 15) has not wired them yet. Each must still FAIL the check below
# (test_pending_types_are_still_pending): the owner removes the row when the resource goes private.
PENDING: dict[str, str] = {}  # empty: every Private Link type of issue 15 is wired
# Private Link resources deliberately reached by a service endpoint instead (logical name -> why): Learn
# "Access a private virtual network from a Bicep deployment script" (deployment-script-vnet) keeps the scripts'
# account's public network access Enabled behind a Deny firewall that admits the script subnet only.
FIREWALLED = {"registry-script-storage": "deployment scripts' storage (service endpoint variant)"}


def test_the_script_storage_admits_only_the_script_subnet():
    (account,) = [
        r
        for r in run_variant("prod", "as deployed").of_type("azure-native:storage:StorageAccount")
        if r.logical_name in FIREWALLED
    ]
    rules = account.inputs["networkRuleSet"]
    assert rules["defaultAction"] == "Deny" and rules["bypass"] == "AzureServices"
    assert not rules.get("ipRules")
    (vnet_rule,) = rules["virtualNetworkRules"]
    assert vnet_rule["action"] == "Allow"
    assert vnet_rule["virtualNetworkResourceId"].endswith("/contoso-prod-westeurope-vnet/subnets/snet-scripts"), (
        vnet_rule
    )


# Types with no Private Link endpoint of their own (configuration, children, identities, network, non-ARM).
NO_ENDPOINT = {
    "azure-native:authorization:ManagementLockByScope",
    "azure-native:authorization:RoleAssignment",
    "azure-native:keyvault:Secret",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:network:PrivateEndpoint",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:VirtualNetworkPeering",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    # Log Analytics has Private Link only through an Azure Monitor Private Link Scope (not built here).
    "azure-native:operationalinsights:Workspace",
    "azure-native:applicationinsights:Component",  # likewise only through an Azure Monitor Private Link Scope
    "azure-native:applicationinsights:WebTest",
    "azure-native:monitor:ActionGroup",
    "azure-native:monitor:ActivityLogAlert",
    "azure-native:monitor:MetricAlert",
    "azure-native:monitor:ScheduledQueryRule",
    "azure-native:resources:Deployment",
    # The registry's Front Door (registryApi.standby): a global edge entry point, public by design; it reaches the
    # apps through its own shared Private Link origins (Learn frontdoor private-link), and has no group id itself.
    "azure-native:cdn:Profile",
    "azure-native:cdn:AFDEndpoint",
    "azure-native:cdn:AFDOriginGroup",
    "azure-native:cdn:AFDOrigin",
    "azure-native:cdn:Route",
    "azure-native:cdn:SecurityPolicy",
    "azure-native:frontdoor:Policy",
    "azure-native:sql:ServerBlobAuditingPolicy",
    "azure-native:sql:ServerSecurityAlertPolicy",
    "azure-native:redisenterprise:Database",
    "azure-native:resources:AzureCliScript",
    "azure-native:resources:ResourceGroup",
    "azure-native:sql:BackupShortTermRetentionPolicy",
    "azure-native:sql:Database",  # reached through its server's sqlServer endpoint
    "azure-native:sql:FailoverGroup",
    "azure-native:sql:FirewallRule",
    "azure-native:sql:LongTermRetentionPolicy",
    "azure-native:storage:BlobContainer",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:synapse:BigDataPool",
    "azure-native:synapse:IpFirewallRule",
    "azure-native:web:AppServicePlan",
    "azure-native:web:WebAppAuthSettingsV2",
    "azure-native:web:WebAppFtpAllowed",
    "azure-native:web:WebAppScmAllowed",
    "azuread:index/application:Application",
    "command:local:Command",
    "random:index/randomPassword:RandomPassword",
    "time:index/rotating:Rotating",
}
# prod's plain Databricks variant runs public (tests/support.py databricks_ready); "databricks private" is injected
PRIVATE_VARIANTS = ["as deployed", "purview", "legacy redis", "databricks private"]


def _get(inputs: dict, path: str):
    for part in path.split("."):
        inputs = (inputs or {}).get(part)
    return inputs


def problems(run, resource) -> list[str]:
    """What keeps `resource` from being private: public access on, an endpoint or zone group missing or wrong."""
    path, groups = PRIVATE_LINK[resource.token]
    secondary_groups, secondary_region = SECONDARIES.get(resource.logical_name, (set(), None))
    groups = groups | secondary_groups
    found = []
    if path is not None and _get(resource.inputs, path) != "Disabled":
        found.append(f"{path} = {_get(resource.inputs, path)!r}")
    endpoints = [
        e
        for e in run.of_type("azure-native:network:PrivateEndpoint")
        if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == resource.arm_id
    ]
    by_group = {tuple(e.inputs["privateLinkServiceConnections"][0]["groupIds"]): e for e in endpoints}
    if set(by_group) != {(g,) for g in groups}:
        found.append(f"endpoints for {sorted(by_group)}, expected {sorted(groups)}")
    zone_groups = {g.inputs["privateEndpointName"]: g for g in run.of_type("azure-native:network:PrivateDnsZoneGroup")}
    for (group,), endpoint in by_group.items():
        expected_region = secondary_region if group in secondary_groups else resource.inputs.get("location")
        if endpoint.inputs["location"] != expected_region:
            found.append(f"{group} endpoint in {endpoint.inputs['location']}, expected in {expected_region}")
        zone_group = zone_groups.get(endpoint.physical_name)
        zones = (
            [c["privateDnsZoneId"].rsplit("/", 1)[-1] for c in zone_group.inputs["privateDnsZoneConfigs"]]
            if zone_group
            else []
        )
        if zones != [ZONE[group]]:
            found.append(f"{group} endpoint zones {zones}, expected {[ZONE[group]]}")
    return found


@pytest.mark.parametrize("variant", PRIVATE_VARIANTS)
def test_every_private_link_resource_is_private(variant):
    run = run_variant("prod", variant)
    unknown = {r.token for r in run.resources if r.custom} - set(PRIVATE_LINK) - NO_ENDPOINT
    assert not unknown, f"classify these types in tests/test_private_endpoints.py: {sorted(unknown)}"
    failing = {
        f"{r.token} {r.logical_name}": problems(run, r)
        for r in run.resources
        if r.token in PRIVATE_LINK and r.token not in PENDING and r.logical_name not in FIREWALLED
    }
    assert {k: v for k, v in failing.items() if v} == {}


@pytest.mark.parametrize("variant", PRIVATE_VARIANTS)
def test_pending_types_are_still_pending(variant):
    # A pending type that passes must leave PENDING, so the check above guards it from then on.
    run = run_variant("prod", variant)
    passing = [r.token for r in run.resources if r.token in PENDING and not problems(run, r)]
    assert passing == [], f"private now: remove from PENDING in tests/test_private_endpoints.py: {passing}"

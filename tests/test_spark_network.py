"""Spark in private mode: Synapse behind Dev/Sql/SqlOnDemand endpoints and a Studio private link hub,
Databricks VNet-injected behind databricks_ui_api/browser_authentication, and the settings that cannot work.

Expected values are literals from their sources: group ids and zones from Learn "Azure Private Endpoint
private DNS zone values"; Databricks from Learn "Azure Private Link concepts" (full private isolation: premium,
VNet injection, public access Disabled, NoAzureDatabricksRules); the missing Redis path from Learn "Azure
Synapse Analytics managed private endpoints" (supported data sources list no Microsoft.Cache).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.offline.runner import stack_config
from infra.settings import load_settings
from infra.settings.errors import SettingsError
from tests.variants import PRIVATE_SPOKE, databricks_private, run_variant

NS = "feathr-infra:"
WORKSPACE = "azure-native:synapse:Workspace"
HUB = "azure-native:synapse:PrivateLinkHub"
FIREWALL = "azure-native:synapse:IpFirewallRule"
DATABRICKS = "azure-native:databricks:Workspace"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
SUB = "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14"
OTHER_VNET = f"{SUB}/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/vnet-other"


def endpoints_to(result, target_id: str) -> dict[str, list[str]]:
    """group id -> the private DNS zones of its zone group, for every private endpoint on `target_id`."""
    found: dict[str, list[str]] = {}
    groups = result.of_type(ZONE_GROUP)
    for endpoint in result.of_type(ENDPOINT):
        [connection] = endpoint.inputs["privateLinkServiceConnections"]
        if connection["privateLinkServiceId"] != target_id:
            continue
        [group_id] = connection["groupIds"]
        [zone_group] = [g for g in groups if g.inputs["privateEndpointName"] == endpoint.physical_name]
        found[group_id] = sorted(
            c["privateDnsZoneId"].rsplit("/", 1)[-1] for c in zone_group.inputs["privateDnsZoneConfigs"]
        )
    return found


# ---------------------------------------------------------------- Synapse, prod as deployed (private)


def test_private_synapse_has_no_public_access_and_no_firewall_rule():
    prod = run_variant("prod", "as deployed")
    assert prod.one(WORKSPACE).inputs["publicNetworkAccess"] == "Disabled"
    assert prod.of_type(FIREWALL) == []


def test_private_synapse_endpoints_and_zones():
    prod = run_variant("prod", "as deployed")
    assert endpoints_to(prod, prod.one(WORKSPACE).arm_id) == {
        "Dev": ["privatelink.dev.azuresynapse.net"],
        "Sql": ["privatelink.sql.azuresynapse.net"],
        "SqlOnDemand": ["privatelink.sql.azuresynapse.net"],
    }


def test_private_synapse_studio_goes_through_its_own_private_link_hub():
    prod = run_variant("prod", "as deployed")
    hub = prod.one(HUB)
    assert hub.physical_name == "contosoprodsynhub78gz9l"  # naming.py: prefix, env, "synhub", the env's suffix
    assert hub.inputs["location"] == "westeurope"
    assert endpoints_to(prod, hub.arm_id) == {"Web": ["privatelink.azuresynapse.net"]}


def test_public_synapse_keeps_its_firewall_and_has_no_endpoint_or_hub():
    dev = run_variant("dev", "as deployed")
    assert dev.one(WORKSPACE).inputs["publicNetworkAccess"] == "Enabled"
    assert dev.of_type(HUB) == []
    assert endpoints_to(dev, dev.one(WORKSPACE).arm_id) == {}
    assert {r.inputs["ruleName"] for r in dev.of_type(FIREWALL)} == {"AllowAllWindowsAzureIps", "client-203-0-113-0-24"}


# ---------------------------------------------------------------- Databricks, private variant


def test_private_databricks_is_vnet_injected_premium_and_closed():
    result = run_variant("prod", "databricks private")
    workspace = result.one(DATABRICKS)
    assert workspace.inputs["sku"] == {"name": "premium"}
    assert workspace.inputs["publicNetworkAccess"] == "Disabled"
    assert workspace.inputs["requiredNsgRules"] == "NoAzureDatabricksRules"
    assert workspace.inputs["parameters"] == {
        "enableNoPublicIp": {"value": True},
        "customVirtualNetworkId": {"value": PRIVATE_SPOKE},
        "customPublicSubnetName": {"value": "snet-dbw-host"},
        "customPrivateSubnetName": {"value": "snet-dbw-container"},
    }


def test_private_databricks_endpoints_and_zone():
    result = run_variant("prod", "databricks private")
    assert endpoints_to(result, result.one(DATABRICKS).arm_id) == {
        "databricks_ui_api": ["privatelink.azuredatabricks.net"],
        "browser_authentication": ["privatelink.azuredatabricks.net"],
    }


def test_public_databricks_has_no_injection_and_no_endpoint():
    result = run_variant("dev", "databricks")
    workspace = result.one(DATABRICKS)
    assert workspace.inputs["parameters"] == {"enableNoPublicIp": {"value": True}}
    assert "publicNetworkAccess" not in workspace.inputs and "requiredNsgRules" not in workspace.inputs
    assert endpoints_to(result, workspace.arm_id) == {}


# ---------------------------------------------------------------- settings that cannot work


def load(config: dict[str, Any]):
    return load_settings(config, "feathr-infra", "prod")


def prod_with(**sections: Any) -> dict[str, Any]:
    """prod's config with sections deep-merged (None deletes a key)."""
    config = copy.deepcopy(stack_config("prod"))

    def merge(into: dict, values: dict) -> dict:
        for key, value in values.items():
            if value is None:
                into.pop(key, None)
            elif isinstance(value, dict):
                into[key] = merge(dict(into.get(key) or {}), value)
            else:
                into[key] = value
        return into

    for section, values in sections.items():
        config[NS + section] = merge(dict(config.get(NS + section) or {}), values)
    return config


def rejected(config: dict[str, Any], key: str) -> str:
    with pytest.raises(SettingsError) as error:
        load(config)
    message = str(error.value)
    assert message.startswith(f"setting feathr-infra:{key} = "), message
    return message


def test_prod_as_deployed_loads():
    settings = load(stack_config("prod"))
    assert settings.network.private and not settings.spark.materialize_online_store


def test_synapse_cannot_materialize_into_a_private_online_store():
    message = rejected(prod_with(spark={"materializeOnlineStore": True}), "spark.materializeOnlineStore")
    assert "Microsoft.Cache" in message and "databricks" in message


def test_materialization_default_is_refused_with_private_synapse():
    rejected(prod_with(spark={"materializeOnlineStore": None}), "spark.materializeOnlineStore")


def test_private_synapse_must_say_where_rbac_runs():
    message = rejected(prod_with(spark={"synapse": {"rbacRunner": None}}), "spark.synapse.rbacRunner")
    assert "self-hosted runner" in message


def test_rbac_runner_values():
    rejected(prod_with(spark={"synapse": {"rbacRunner": "deploymentScript"}}), "spark.synapse.rbacRunner")


def test_rbac_runner_only_with_dedicated_synapse():
    shared = prod_with(spark={"mode": "shared", "shared": {"stackReference": "contoso/feathr-infra/hub"}})
    shared[NS + "spark"]["synapse"] = {"rbacRunner": "deployingMachine"}
    rejected(shared, "spark.synapse.rbacRunner")
    # The section of the runtime not in use is ignored: a switch to Databricks keeps it.
    config = databricks_private("prod")
    config[NS + "spark"]["synapse"] = {"rbacRunner": "deployingMachine"}
    assert load(config).spark.runtime == "databricks"


def test_private_synapse_needs_the_managed_network():
    rejected(prod_with(spark={"synapse": {"managedVirtualNetwork": False}}), "spark.synapse.managedVirtualNetwork")


def test_private_synapse_refuses_firewall_ranges():
    rejected(prod_with(spark={"synapse": {"allowedIpRanges": ["203.0.113.0/24"]}}), "spark.synapse.allowedIpRanges")


def test_private_synapse_refuses_the_azure_services_rule_but_not_false():
    rejected(prod_with(spark={"synapse": {"allowAzureServices": True}}), "spark.synapse.allowAzureServices")
    assert load(prod_with(spark={"synapse": {"allowAzureServices": False}})).network.private


def test_private_databricks_needs_injection_subnets():
    config = databricks_private("prod")
    del config[NS + "spark"]["databricks"]["injection"]
    message = rejected(config, "spark.databricks.injection")
    assert "Microsoft.Databricks/workspaces" in message


def test_injection_must_be_in_the_networks_vnet():
    config = databricks_private("prod")
    config[NS + "spark"]["databricks"]["injection"]["virtualNetworkId"] = OTHER_VNET
    rejected(config, "spark.databricks.injection.virtualNetworkId")


def test_injection_needs_two_subnets():
    config = databricks_private("prod")
    config[NS + "spark"]["databricks"]["injection"]["containerSubnetName"] = "SNET-DBW-HOST"
    rejected(config, "spark.databricks.injection.containerSubnetName")


def test_injection_only_in_private_mode():
    from tests.support import databricks_ready

    config = databricks_ready(copy.deepcopy(stack_config("dev")))
    config[NS + "spark"] = databricks_private("prod")[NS + "spark"]
    with pytest.raises(SettingsError) as error:
        load_settings(config, "feathr-infra", "dev")
    assert str(error.value).startswith("setting feathr-infra:spark.databricks.injection = ")


@pytest.mark.parametrize("length, ok", [(80, True), (81, False)])
def test_injection_subnet_name_length(length, ok):
    # Learn resource-name-rules, Microsoft.Network / virtualNetworks / subnets: 1-80
    config = databricks_private("prod")
    config[NS + "spark"]["databricks"]["injection"]["hostSubnetName"] = "s" * length
    if ok:
        assert load(config).spark.databricks.injection.host_subnet_name == "s" * length
    else:
        rejected(config, "spark.databricks.injection.hostSubnetName")


def test_private_databricks_may_close_the_offline_store():
    settings = load(databricks_private("prod"))
    assert settings.spark.databricks.injection is not None and settings.network.private

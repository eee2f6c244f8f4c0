"""Surviving a region loss: prod's standby registry app in the SQL partner region, and the one Front Door
Premium endpoint in front of both (registryApi.standby). Expected values are literals from the stack file
and the sources cited in infra/components/registry/front_door.py."""

from __future__ import annotations

import pytest

from infra.settings import SettingsError
from tests.support import config_merged, primary, run
from tests.variants import databricks

APP = "azure-native:web:WebApp"
PLAN = "azure-native:web:AppServicePlan"
AUTH = "azure-native:web:WebAppAuthSettingsV2"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
PROFILE = "azure-native:cdn:Profile"
ENDPOINT = "azure-native:cdn:AFDEndpoint"
GROUP = "azure-native:cdn:AFDOriginGroup"
ORIGIN = "azure-native:cdn:AFDOrigin"
ROUTE = "azure-native:cdn:Route"
SECURITY_POLICY = "azure-native:cdn:SecurityPolicy"
WAF = "azure-native:frontdoor:Policy"
COMMAND = "command:local:Command"
FRONT_DOOR_TYPES = {PROFILE, ENDPOINT, GROUP, ORIGIN, ROUTE, SECURITY_POLICY, WAF}

PRIMARY_APP = "contoso-prod-registry-app-78gz9l"
STANDBY_APP = "contoso-prod-registry-standby-app-78gz9l"
IMAGE = "DOCKER|contosofeathr.azurecr.io/feathr/feathr-registry:releases-v1.0.0"  # Pulumi.prod.yaml
# The connection string secret of this vault; its host is the failover group's read-write listener.
CONNECTION_REFERENCE = (
    "@Microsoft.KeyVault(SecretUri=https://contoso-prod-kv-78gz9l.vault.azure.net/secrets/"
    "FEATHR-REGISTRY-SQL-CONNECTION-STRING)"
)


def settings_of(app) -> dict[str, str]:
    return {p["name"]: p["value"] for p in app.inputs["siteConfig"]["appSettings"]}


def apps(prod):
    return {a.physical_name: a for a in prod.of_type(APP)}


# --- the standby app ------------------------------------------------------------------------------------


def test_prod_has_the_primary_and_a_standby_in_the_sql_partner_region(prod):
    by_name = apps(prod)
    assert set(by_name) == {PRIMARY_APP, STANDBY_APP}
    assert by_name[PRIMARY_APP].inputs["location"] == "westeurope"
    assert by_name[STANDBY_APP].inputs["location"] == "northeurope"  # registry.sql.secondaryLocation
    plans = {p.physical_name: p for p in prod.of_type(PLAN)}
    assert set(plans) == {"contoso-prod-registry-asp", "contoso-prod-registry-standby-asp"}
    assert plans["contoso-prod-registry-standby-asp"].inputs["location"] == "northeurope"
    assert by_name[STANDBY_APP].inputs["serverFarmId"] == plans["contoso-prod-registry-standby-asp"].arm_id


def test_standby_plan_is_sized_like_the_primary(prod):
    plans = {p.physical_name: p.inputs for p in prod.of_type(PLAN)}
    for plan in plans.values():  # Pulumi.prod.yaml registryApi: P1v3, 2 instances, zone redundant
        assert plan["sku"] == {"name": "P1v3", "tier": "PremiumV3", "capacity": 2}
        assert plan["zoneRedundant"] is True


def test_standby_runs_the_same_image_and_settings_against_the_same_listener(prod):
    by_name = apps(prod)
    primary_settings, standby_settings = settings_of(by_name[PRIMARY_APP]), settings_of(by_name[STANDBY_APP])
    assert standby_settings["CONNECTION_STR"] == CONNECTION_REFERENCE
    assert primary_settings["CONNECTION_STR"] == CONNECTION_REFERENCE
    # Everything but the identity the container runs as is the same (one UI app registration too).
    assert {k: v for k, v in standby_settings.items() if k != "AZURE_CLIENT_ID"} == {
        k: v for k, v in primary_settings.items() if k != "AZURE_CLIENT_ID"
    }
    identities = {i.physical_name: i for i in prod.of_type(IDENTITY)}
    assert standby_settings["AZURE_CLIENT_ID"] == identities["contoso-prod-registry-standby-id"].outputs["clientId"]
    assert primary_settings["AZURE_CLIENT_ID"] == identities["contoso-prod-registry-id"].outputs["clientId"]
    for app in by_name.values():
        config = app.inputs["siteConfig"]
        assert config["linuxFxVersion"] == IMAGE
        assert config["healthCheckPath"] == "/api/v1/projects"
        assert config["alwaysOn"] is True


def test_standby_resolves_its_key_vault_reference_and_pulls_as_its_own_identity(prod):
    standby = apps(prod)[STANDBY_APP]
    [identity] = [i for i in prod.of_type(IDENTITY) if i.physical_name == "contoso-prod-registry-standby-id"]
    assert standby.inputs["keyVaultReferenceIdentity"] == identity.arm_id
    assert standby.inputs["siteConfig"]["acrUserManagedIdentityID"] == identity.outputs["clientId"]
    assert standby.inputs["identity"]["userAssignedIdentities"] == [identity.arm_id]


def test_standby_has_the_same_authentication_gate(prod):
    gates = {a.inputs["name"]: a.inputs for a in prod.of_type(AUTH)}
    assert set(gates) == {PRIMARY_APP, STANDBY_APP}
    assert {k: v for k, v in gates[STANDBY_APP].items() if k != "name"} == {
        k: v for k, v in gates[PRIMARY_APP].items() if k != "name"
    }


def test_one_entra_app_for_both_redirecting_to_the_front_door(prod):
    [application] = prod.of_type("azuread:index/application:Application")
    [endpoint] = prod.of_type(ENDPOINT)
    assert application.inputs["singlePageApplication"]["redirectUris"] == ["https://" + endpoint.outputs["hostName"]]


# --- the global entry point ---------------------------------------------------------------------------


def test_front_door_is_premium_with_two_priority_origins(prod):
    [profile] = prod.of_type(PROFILE)
    assert profile.inputs["sku"] == {"name": "Premium_AzureFrontDoor"}
    assert profile.physical_name == "contoso-prod-registry-afd"
    origins = {o.inputs["originName"]: o.inputs for o in prod.of_type(ORIGIN)}
    assert set(origins) == {"primary", "standby"}
    assert (origins["primary"]["priority"], origins["standby"]["priority"]) == (1, 2)
    assert origins["primary"]["hostName"] == apps(prod)[PRIMARY_APP].outputs["defaultHostName"]
    assert origins["standby"]["hostName"] == apps(prod)[STANDBY_APP].outputs["defaultHostName"]
    for origin in origins.values():
        assert origin["originHostHeader"] == origin["hostName"]  # App Service routes by host
        assert origin["enforceCertificateNameCheck"] is True


def test_private_prod_reaches_each_app_through_private_link_in_its_own_region(prod):
    # Pulumi.prod.yaml network.mode private: Front Door's shared Private Link to each app (group id "sites",
    # Learn private-endpoint-dns; origin settings per Learn frontdoor standard-premium/how-to-enable-private-link-web-app)
    by_name = apps(prod)
    origins = {o.inputs["originName"]: o.inputs for o in prod.of_type(ORIGIN)}
    assert origins["primary"]["sharedPrivateLinkResource"] == {
        "privateLink": {"id": by_name[PRIMARY_APP].arm_id},
        "groupId": "sites",
        "privateLinkLocation": "westeurope",
        "requestMessage": "Feathr registry Front Door contoso-prod-registry-afd to primary",
    }
    assert origins["standby"]["sharedPrivateLinkResource"] == {
        "privateLink": {"id": by_name[STANDBY_APP].arm_id},
        "groupId": "sites",
        "privateLinkLocation": "northeurope",
        "requestMessage": "Feathr registry Front Door contoso-prod-registry-afd to standby",
    }
    approvals = {c.logical_name: c for c in prod.of_type(COMMAND) if "private-link" in c.logical_name}
    assert set(approvals) == {
        "registry-front-door-approve-primary-private-link",
        "registry-front-door-approve-standby-private-link",
    }
    origin_urns = {o.inputs["originName"]: o.urn for o in prod.of_type(ORIGIN)}
    for role, app, region in (("primary", PRIMARY_APP, "westeurope"), ("standby", STANDBY_APP, "northeurope")):
        command = approvals[f"registry-front-door-approve-{role}-private-link"].inputs
        message = f"Feathr registry Front Door contoso-prod-registry-afd to {role}"
        # approve_private_endpoints.sh approves the Pending connection on this app whose message is the origin's
        assert command["environment"] == {"RESOURCE_ID": by_name[app].arm_id, "REQUEST_MESSAGE": message}
        # a new connection (app, group id, region or message changed) approves again
        assert command["triggers"] == [by_name[app].arm_id, "sites", region, message]
        assert origin_urns[role] in approvals[f"registry-front-door-approve-{role}-private-link"].depends_on


def test_public_prod_reaches_the_apps_on_their_public_endpoints():
    public = run("prod", databricks("prod"))  # the variants' public prod (network.mode public, opted out)
    assert not public.of_type("azure-native:network:PrivateEndpoint")
    origins = [o.inputs for o in public.of_type(ORIGIN)]
    assert len(origins) == 2
    assert [o for o in origins if "sharedPrivateLinkResource" in o] == []
    assert not [c for c in public.of_type(COMMAND) if "private-link" in c.logical_name]


def test_health_probe_is_a_tokenless_page_that_answers_200(prod):
    [group] = prod.of_type(GROUP)
    assert group.inputs["healthProbeSettings"] == {
        "probePath": "/index.html",
        "probeProtocol": "Https",
        "probeRequestType": "HEAD",
        "probeIntervalInSeconds": 30,
    }
    # healthy = 3 of the last 4 probes succeed, so 2 failures of 4 switch to the standby (docs/disaster-recovery.md)
    assert group.inputs["loadBalancingSettings"] == {
        "sampleSize": 4,
        "successfulSamplesRequired": 3,
        "additionalLatencyInMilliseconds": 50,
    }
    assert group.inputs["sessionAffinityState"] == "Disabled"
    # Front Door counts only 200 as healthy: the probe path must pass App Service authentication.
    for gate in prod.of_type(AUTH):
        assert "/index.html" in gate.inputs["globalValidation"]["excludedPaths"]
        assert "/api/v1/projects" not in gate.inputs["globalValidation"]["excludedPaths"]


def test_route_is_https_to_the_origins_and_never_caches(prod):
    [route] = prod.of_type(ROUTE)
    [group] = prod.of_type(GROUP)
    assert route.inputs["originGroup"] == {"id": group.arm_id}
    assert route.inputs["forwardingProtocol"] == "HttpsOnly"
    assert route.inputs["httpsRedirect"] == "Enabled"
    assert route.inputs["patternsToMatch"] == ["/*"]
    assert "cacheConfiguration" not in route.inputs
    assert route.inputs["supportedProtocols"] == ["Http", "Https"]  # http only to redirect to https
    assert route.inputs["linkToDefaultDomain"] == "Enabled"  # the *.azurefd.net host is the registry's URL


def test_endpoint_name_survives_a_recreation(prod):
    # TenantReuse: a recreated endpoint of the same name gets the same host, so the Feathr configs and the Entra
    # redirect URI stay valid (Learn frontdoor/standard-premium/endpoint, "Endpoint domain names")
    [endpoint] = prod.of_type(ENDPOINT)
    assert endpoint.inputs["autoGeneratedDomainNameLabelScope"] == "TenantReuse"
    assert endpoint.inputs["enabledState"] == "Enabled"


def test_waf_blocks_with_the_default_rule_set_2_1_on_the_endpoint(prod):
    [waf] = prod.of_type(WAF)
    # Front Door WAF policy names: letters and digits only, starting with a letter (Learn resource-name-rules)
    assert waf.physical_name == "contosoprodregistrywaf"
    assert waf.inputs["sku"] == {"name": "Premium_AzureFrontDoor"}
    assert waf.inputs["policySettings"]["mode"] == "Prevention"
    assert waf.inputs["policySettings"]["enabledState"] == "Enabled"
    assert waf.inputs["managedRules"]["managedRuleSets"] == [
        {"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1", "ruleSetAction": "Block"}
    ]
    [policy] = prod.of_type(SECURITY_POLICY)
    [endpoint] = prod.of_type(ENDPOINT)
    assert policy.inputs["parameters"] == {
        "type": "WebApplicationFirewall",
        "wafPolicy": {"id": waf.arm_id},
        "associations": [{"domains": [{"id": endpoint.arm_id}], "patternsToMatch": ["/*"]}],
    }


def test_public_endpoints_admit_only_this_front_door(prod):
    # Also in private mode: access restrictions do not evaluate Private Link traffic (Learn app-service
    # networking/private-endpoint), so the rule locks whatever public endpoint is left without blocking Front Door.
    [profile] = prod.of_type(PROFILE)
    for app in prod.of_type(APP):
        config = app.inputs["siteConfig"]
        assert config["ipSecurityRestrictionsDefaultAction"] == "Deny"
        assert config["ipSecurityRestrictions"] == [
            {
                "name": "front-door",
                "action": "Allow",
                "priority": 100,
                "tag": "ServiceTag",
                "ipAddress": "AzureFrontDoor.Backend",
                "headers": {"x-azure-fdid": [profile.outputs["frontDoorId"]]},
            }
        ]


def test_feathr_config_and_export_name_the_front_door_endpoint(prod):
    [endpoint] = prod.of_type(ENDPOINT)
    expected = f"https://{endpoint.outputs['hostName']}/api/v1"
    assert prod.outputs["registryApiEndpoint"].value == expected
    assert f"api_endpoint: {expected}\n" in prod.outputs["feathrConfigYaml"].value


def test_dev_has_no_standby_and_no_front_door(dev):
    assert len(dev.of_type(APP)) == 1
    assert not [r for r in dev.resources if r.token in FRONT_DOOR_TYPES]
    assert "ipSecurityRestrictions" not in primary(dev, APP).inputs["siteConfig"]
    host = dev.one(APP).outputs["defaultHostName"]
    assert dev.outputs["registryApiEndpoint"].value == f"https://{host}/api/v1"
    assert not [c for c in dev.of_type(COMMAND) if "private-link" in c.logical_name]


# --- settings ------------------------------------------------------------------------------------------


def _rejected(stack, config, key):
    with pytest.raises(SettingsError) as error:
        run(stack, config)
    assert f"setting feathr-infra:{key} = " in str(error.value), str(error.value)
    return str(error.value)


def test_standby_without_geo_replication_is_refused():
    message = _rejected(
        "dev", config_merged("dev", "registryApi", standby={"enabled": True}), "registryApi.standby.enabled"
    )
    assert message == (
        "setting feathr-infra:registryApi.standby.enabled = true: needs registry.sql.secondaryLocation "
        "(geo-replication with a failover group): the standby app runs in that region and reaches the database "
        "through the group's read-write listener"
    )


def test_standby_with_purview_is_refused():
    config = config_merged("prod", "registry", backend="purview")
    assert _rejected("prod", config, "registryApi.standby.enabled") == (
        "setting feathr-infra:registryApi.standby.enabled = true: needs registry.backend 'sql': a Purview account "
        "lives in one region, so a standby app would fail over to a backend that is down with the primary"
    )


def test_private_standby_without_an_integration_subnet_in_its_region_is_refused():
    # prod's partner VNet without its appIntegration subnet: the standby would have no private path
    config = config_merged("prod", "network")
    network = dict(config["feathr-infra:network"])
    network["partner"] = {"addressSpace": ["10.41.0.0/24"], "subnets": {"endpoints": "10.41.0.0/26"}}
    config["feathr-infra:network"] = network
    message = _rejected("prod", config, "network.partner.subnets.appIntegration")
    assert message == (
        "setting feathr-infra:network.partner.subnets.appIntegration = (not set): required with "
        "registryApi.standby.enabled in private mode: the standby app's VNet integration subnet in northeurope "
        "(delegated to Microsoft.Web/serverFarms, /26 or larger recommended)"
    )


def test_private_standby_on_existing_partner_subnets_names_the_existing_key():
    spoke = "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-hub/providers/Microsoft.Network"
    config = config_merged("prod", "network")
    network = dict(config["feathr-infra:network"])
    network["partner"] = {
        "location": "northeurope",
        "existingSubnets": {"endpoints": f"{spoke}/virtualNetworks/vnet-ne/subnets/snet-endpoints"},
    }
    config["feathr-infra:network"] = network
    _rejected("prod", config, "network.partner.existingSubnets.appIntegration")


def test_unknown_standby_key_is_refused():
    config = config_merged("prod", "registryApi", standby={"enabled": True, "location": "northeurope"})
    with pytest.raises(SettingsError, match=r"^setting feathr-infra:registryApi\.standby\.location is not a known"):
        run("prod", config)


def test_standby_off_in_prod_builds_no_front_door():
    config = config_merged("prod", "registryApi", standby={"enabled": False})
    result = run("prod", config)
    assert len(result.of_type(APP)) == 1
    assert not [r for r in result.resources if r.token in FRONT_DOOR_TYPES]
    host = result.one(APP).outputs["defaultHostName"]
    assert result.outputs["registryApiEndpoint"].value == f"https://{host}/api/v1"


def test_front_door_logs_access_probes_and_waf_to_the_workspace(prod):
    [profile] = prod.of_type(PROFILE)
    [setting] = [
        d for d in prod.of_type("azure-native:monitor:DiagnosticSetting") if d.inputs["resourceUri"] == profile.arm_id
    ]
    # Learn supported-logs/microsoft-cdn-profiles-logs (AzureDiagnostics: no dedicated tables)
    assert [log["category"] for log in setting.inputs["logs"]] == [
        "FrontDoorAccessLog",
        "FrontDoorHealthProbeLog",
        "FrontDoorWebApplicationFirewallLog",
    ]
    assert "logAnalyticsDestinationType" not in setting.inputs

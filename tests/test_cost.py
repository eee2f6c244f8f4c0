"""The monthly estimate (infra/offline/cost): meters per resource type as literals, priced against
API-shaped records; unmapped types reported, never priced at zero; the snapshot in the API's format."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from infra.offline.cost import PriceBook, estimate, render
from infra.offline.cost.estimate import estimate_stack_file, summary
from infra.offline.cost.meters import billing
from infra.offline.cost.prices import SNAPSHOT, unit_size
from infra.offline.mocks import RecordedResource
from infra.settings import SettingsError, load_settings
from infra.settings.cost import CostSettings

DEFAULTS = CostSettings("USD", 730.0, 80.0, 200.0, 100.0, 100_000)
NS = "feathr-infra:"
REQUIRED = {"environment": "qa", "location": "westeurope", "prefix": "contoso", "owner": "o", "costCenter": "c"}


def meters_of(run, token, name=None):
    (resource,) = [r for r in run.of_type(token) if name is None or r.logical_name == name]
    bill = billing(resource, DEFAULTS)
    return [(dict(m.filter), m.quantity) for m in bill.meters]


def api_item(price, unit="1 Hour", region="westeurope", currency="USD", kind="Consumption", **fields):
    """One item as the Retail Prices API returns it (a test price, not a real one)."""
    return {
        "currencyCode": currency,
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": "EU West",
        "effectiveStartDate": "2026-01-01T00:00:00Z",
        "meterId": "00000000-0000-0000-0000-000000000000",
        "unitOfMeasure": unit,
        "type": kind,
        **fields,
    }


# --- the meter mapping of each priced type, as literals (names as the API spells them) ---


def test_app_service_plan_meters(dev, prod):
    # prod's standby plan (registryApi.standby) bills the same as the primary, in its own region's records
    assert meters_of(prod, "azure-native:web:AppServicePlan", "registry-standby-api-plan") == meters_of(
        prod, "azure-native:web:AppServicePlan", "registry-api-plan"
    )
    assert meters_of(prod, "azure-native:web:AppServicePlan", "registry-api-plan") == [
        (
            {
                "serviceName": "Azure App Service",
                "productName": "Azure App Service Premium v3 Plan - Linux",
                "skuName": "P1 v3",
                "meterName": "P1 v3 App",
            },
            1460.0,  # 2 instances, always on
        )
    ]
    assert meters_of(dev, "azure-native:web:AppServicePlan") == [
        (
            {
                "serviceName": "Azure App Service",
                "productName": "Azure App Service Basic Plan - Linux",
                "skuName": "B1",
                "meterName": "B1",  # Linux Basic meters carry the bare size (the API record in SOURCES.md)
            },
            730.0,
        )
    ]


def test_sql_database_meters(dev, prod):
    compute = "SQL Database Single/Elastic Pool General Purpose - Compute Gen5"
    storage = "SQL Database Single/Elastic Pool General Purpose - Storage"
    assert meters_of(prod, "azure-native:sql:Database", "registry-sql-database") == [
        ({"serviceName": "SQL Database", "productName": compute, "skuName": "2 vCore", "meterName": "vCore"}, 730.0),
        (
            {
                "serviceName": "SQL Database",
                "productName": compute,
                "skuName": "2 vCore Zone Redundancy",
                "meterName": "Zone Redundancy vCore",
            },
            730.0,
        ),
        (
            {
                "serviceName": "SQL Database",
                "productName": storage,
                "meterName": "General Purpose Zone Redundancy Data Stored",
            },
            64.0,
        ),
    ]
    # the geo-secondary: compute like its source; the plan gives it no size of its own
    assert [
        f["skuName"] for f, _ in meters_of(prod, "azure-native:sql:Database", "registry-sql-secondary-database")
    ] == [
        "2 vCore",
        "2 vCore Zone Redundancy",
    ]
    assert meters_of(dev, "azure-native:sql:Database") == [
        (
            {
                "serviceName": "SQL Database",
                "productName": "SQL Database General Purpose - Serverless - Compute Gen5",
                "skuName": "1 vCore",
                "meterName": "vCore",
            },
            200.0,  # 1 vCore (max) x 200 active hours (cost.sqlServerlessHours)
        ),
        ({"serviceName": "SQL Database", "productName": storage, "meterName": "General Purpose Data Stored"}, 32.0),
    ]


def test_key_vault_storage_and_spark_meters(dev, prod):
    assert meters_of(prod, "azure-native:keyvault:Vault") == [
        (
            {"serviceName": "Key Vault", "productName": "Key Vault", "skuName": "Premium", "meterName": "Operations"},
            100_000,
        )
    ]
    assert meters_of(prod, "azure-native:storage:StorageAccount", "offline-store") == [
        (
            {
                "serviceName": "Storage",
                "productName": "Azure Data Lake Storage Gen2 Hierarchical Namespace",
                "skuName": "Hot RA-GZRS",
                "meterName": "Hot RA-GZRS Data Stored",
            },
            100.0,
        )
    ]
    assert meters_of(dev, "azure-native:storage:StorageAccount")[0][0]["skuName"] == "Hot LRS"
    # prod is private: the deployment scripts' own account (a file share of KB) is not billed as feature data.
    (scripts,) = [r for r in prod.of_type("azure-native:storage:StorageAccount") if r.logical_name != "offline-store"]
    assert scripts.inputs["sku"] == {"name": "Standard_LRS"} and "isHnsEnabled" not in scripts.inputs
    bill = billing(scripts, DEFAULTS)
    assert bill.meters == [] and bill.unpriced.startswith("deployment scripts' file share")
    spark = {
        "serviceName": "Azure Synapse Analytics",
        "productName": "Azure Synapse Analytics Serverless Apache Spark Pool - Memory Optimized",
        "skuName": "vCore",
        "meterName": "vCore",
    }
    assert meters_of(prod, "azure-native:synapse:BigDataPool") == [(spark, 3 * 8 * 80.0)]  # Medium: 8 vCores
    assert meters_of(dev, "azure-native:synapse:BigDataPool") == [(spark, 3 * 4 * 80.0)]  # Small: 4 vCores


def test_private_endpoint_meter():
    endpoint = RecordedResource(
        "urn:x", "azure-native:network:PrivateEndpoint", "pe", "pe", "", {"location": "westeurope"}, {}, frozenset()
    )
    assert [(dict(m.filter), m.quantity) for m in billing(endpoint, DEFAULTS).meters] == [
        (
            {
                "serviceName": "Virtual Network",
                "productName": "Virtual Network Private Link",
                "meterName": "Standard Private Endpoint",
            },
            730.0,
        )
    ]


# --- pricing against API-shaped records ---


def test_prices_api_records_by_region_currency_and_type(prod):
    app = {
        "serviceName": "Azure App Service",
        "productName": "Azure App Service Premium v3 Plan - Linux",
        "skuName": "P1 v3",
        "meterName": "P1 v3 App",
    }
    book = PriceBook.from_document(
        {
            "Items": [
                api_item(0.5, **app),
                api_item(9.0, region="northeurope", **app),  # another region
                api_item(9.0, currency="EUR", **app),  # another currency
                api_item(9.0, kind="DevTestConsumption", **app),  # another price type
                api_item(
                    2.0,
                    unit="10K",
                    serviceName="Key Vault",
                    productName="Key Vault",
                    skuName="Premium",
                    meterName="Operations",
                ),
            ],
            "NextPageLink": None,
        },
        "test records",
    )
    result = estimate(prod, DEFAULTS, book, "westeurope")
    priced = {(line.resource, line.meter.what): line.monthly for line in result.lines if line.monthly is not None}
    assert priced == {
        ("contoso-prod-registry-asp", "P1v3 instance hours"): pytest.approx(730.0),  # 1460 h x 0.5
        # the standby plan is in northeurope: that region's record, not westeurope's
        ("contoso-prod-registry-standby-asp", "P1v3 instance hours"): pytest.approx(13140.0),  # 1460 h x 9.0
        ("contoso-prod-kv-78gz9l", "operations"): pytest.approx(20.0),  # 100,000 / 10K x 2.0
    }
    assert result.priced_total == pytest.approx(13890.0)


def test_two_prices_for_one_meter_are_reported_not_guessed(prod):
    vault = {"serviceName": "Key Vault", "productName": "Key Vault", "skuName": "Premium", "meterName": "Operations"}
    book = PriceBook([api_item(0.03, unit="10K", **vault), api_item(0.04, unit="10K", **vault)], "test records")
    (line,) = [line for line in estimate(prod, DEFAULTS, book, "westeurope").lines if line.token.endswith("Vault")]
    assert line.monthly is None and "ambiguous" in line.reason


def test_unit_of_measure_sizes():
    assert [unit_size(u) for u in ("1 Hour", "10K", "1 GB/Month", "100 Hours", "1M", "1/Month")] == [
        1,
        10_000,
        1,
        100,
        1_000_000,
        1,
    ]


def test_snapshot_prices_prod_sql_compute_and_dev_app_service(dev, prod):
    snapshot = PriceBook.snapshot()
    (sql,) = [
        line
        for line in estimate(prod, DEFAULTS, snapshot, "westeurope").lines
        if line.meter and line.meter.what == "GP_Gen5_2 compute" and line.region == "westeurope"
    ]
    assert sql.monthly == pytest.approx(0.334878 * 730)  # SOURCES.md: 2 vCore, westeurope, USD
    (plan,) = [
        line for line in estimate(dev, DEFAULTS, snapshot, "westeurope").lines if line.token.endswith("AppServicePlan")
    ]
    assert plan.monthly == pytest.approx(0.018 * 730)


def test_a_type_without_mapping_is_reported_not_priced_at_zero(prod):
    front_door = RecordedResource(
        "urn:agw",
        "azure-native:network:ApplicationGateway",
        "app-gateway",
        "contoso-prod-agw",
        "",
        {"location": "global"},
        {},
        frozenset(),
    )
    run = replace(prod, resources=[*prod.resources, front_door])
    result = estimate(run, DEFAULTS, PriceBook.snapshot(), "westeurope")
    (line,) = [line for line in result.lines if line.resource == "contoso-prod-agw"]
    assert (line.monthly, line.reason) == (None, "no price mapping for azure-native:network:ApplicationGateway")
    assert result.priced_total == pytest.approx(
        estimate(prod, DEFAULTS, PriceBook.snapshot(), "westeurope").priced_total
    )
    assert (
        "contoso-prod-agw (network:ApplicationGateway, global): no price mapping for azure-native:network:ApplicationGateway"
    ) in render(result)


# Every recorded resource type, classified here by hand. A new type fails until it is classified here
# and in infra/offline/cost/meters.py.
PRICED = {
    "azure-native:web:AppServicePlan",
    "azure-native:sql:Database",
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:synapse:BigDataPool",
    "azure-native:redisenterprise:RedisEnterprise",  # mapped, reported unpriced: no sourced meter
    "azure-native:network:PrivateEndpoint",
}
FREE = {
    "azure-native:resources:ResourceGroup",
    "azure-native:authorization:RoleAssignment",
    "azure-native:authorization:ManagementLockByScope",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azuread:index/application:Application",
    "azure-native:sql:Server",
    "azure-native:sql:FirewallRule",
    "azure-native:sql:FailoverGroup",
    "azure-native:synapse:IpFirewallRule",
    "azure-native:synapse:PrivateLinkHub",
    "azure-native:keyvault:Secret",
    "azure-native:storage:BlobContainer",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:redisenterprise:Database",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:sql:ServerBlobAuditingPolicy",
    "azure-native:resources:Deployment",
    "azure-native:monitor:ActivityLogAlert",
    "azure-native:web:WebApp",
    "azure-native:web:WebAppAuthSettingsV2",
    "azure-native:web:WebAppFtpAllowed",
    "azure-native:web:WebAppScmAllowed",
    "azure-native:cdn:AFDEndpoint",
    "azure-native:cdn:AFDOriginGroup",
    "azure-native:cdn:AFDOrigin",
    "azure-native:cdn:Route",
    "azure-native:cdn:SecurityPolicy",
    "azure-native:frontdoor:Policy",
    "command:local:Command",
    "random:index/randomPassword:RandomPassword",
    "time:index/rotating:Rotating",
}
UNPRICED = {
    "azure-native:synapse:Workspace",
    "azure-native:resources:AzureCliScript",
    "azure-native:sql:BackupShortTermRetentionPolicy",
    "azure-native:sql:LongTermRetentionPolicy",
    "azure-native:operationalinsights:Workspace",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:network:VirtualNetworkPeering",  # no price mapping: bills per GB crossing the peering
    "azure-native:monitor:ActionGroup",
    "azure-native:monitor:MetricAlert",
    "azure-native:monitor:ScheduledQueryRule",
    "azure-native:applicationinsights:Component",
    "azure-native:applicationinsights:WebTest",
    "azure-native:sql:ServerSecurityAlertPolicy",
    "azure-native:cdn:Profile",  # prod's registry Front Door: base fee, requests, data out; no sourced record
}


def test_every_recorded_type_is_priced_free_or_reported(stack_run):
    for r in stack_run.resources:
        if not r.custom:
            continue
        assert r.token in PRICED | FREE | UNPRICED, f"{r.token}: classify it (priced, free with a source, or unpriced)"
        bill = billing(r, DEFAULTS)
        if r.token in FREE:
            assert bill.free and not bill.meters and not bill.unpriced, r.token
        elif r.token in UNPRICED:
            assert bill.unpriced and not bill.meters and not bill.free, r.token
        else:
            assert not bill.free, r.token


# --- the snapshot and the settings ---


def test_snapshot_is_in_the_api_format_and_every_item_has_a_source():
    document = json.loads(SNAPSHOT.read_text())
    assert set(document) == {
        "BillingCurrency",
        "CustomerEntityId",
        "CustomerEntityType",
        "Items",
        "NextPageLink",
        "Count",
    }
    assert document["Count"] == len(document["Items"]) > 0
    sources = (SNAPSHOT.parent / "SOURCES.md").read_text()
    assert re.search(r"\d{4}-\d{2}-\d{2}", SNAPSHOT.name)
    for item in document["Items"]:
        required = {"currencyCode", "retailPrice", "unitPrice", "armRegionName", "meterName", "productName", "skuName"}
        assert required | {"serviceName", "unitOfMeasure", "type"} <= set(item)
        assert f"/ {item['skuName']} / {item['meterName']} |" in sources and f"{item['retailPrice']:g} per" in sources


def settings_with(cost):
    return load_settings({NS + k: v for k, v in {**REQUIRED, "cost": cost}.items()}, "feathr-infra", "qa")


def test_cost_settings_limits():
    assert settings_with({"sparkHours": 744, "currency": "EUR"}).cost.spark_hours == 744
    with pytest.raises(SettingsError, match=r"feathr-infra:cost\.sparkHours = 745.*from 0 to 744"):
        settings_with({"sparkHours": 745})
    with pytest.raises(SettingsError, match=r"feathr-infra:cost\.currency = 'XYZ'.*one of AUD"):
        settings_with({"currency": "XYZ"})
    with pytest.raises(SettingsError, match=r"feathr-infra:cost\.hours"):
        settings_with({"hours": 1})


def sql_and_vault(prod):
    """prod's databases and vault only: a fixed set, whatever else prod gains."""
    keep = {"azure-native:sql:Database", "azure-native:keyvault:Vault"}
    return replace(prod, resources=[r for r in prod.resources if r.token in keep or not r.custom])


def test_plan_summary_line(prod):
    # priced: primary compute 0.334878 x 730 + 10 x 0.03 operations; unpriced: zone redundancy and
    # storage of the primary, compute and zone redundancy of the northeurope secondary
    assert summary(estimate_stack_file(sql_and_vault(prod))) == (
        "Monthly cost (make cost STACK=prod): 244.76 USD priced from the snapshot retail-prices-2026-12-01.json,"
        " 4 meters unpriced"
    )


def test_cost_command_prints_components_and_total(prod, monkeypatch, capsys):
    from infra.offline.cost import __main__ as command

    monkeypatch.setattr(command, "run_program", lambda stack: sql_and_vault(prod))  # the shared run, not another
    assert command.main(["prod"]) == 0
    out = capsys.readouterr().out
    assert "  registry             244.46 USD  + 4 unpriced" in out
    assert "  key-vault              0.30 USD\n" in out
    assert "  total                244.76 USD  + 4 unpriced meters: the real total is higher" in out
    assert Path(SNAPSHOT).name in out

"""What each recorded resource bills: its meters (in the Retail Prices API's terms) and quantities, or
why it is free, or why it cannot be priced offline. A resource type not listed here is reported as
unpriced ("no price mapping"), never priced at zero."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from infra.offline.mocks import RecordedResource
from infra.settings.cost import CostSettings


@dataclass(frozen=True)
class Meter:
    what: str  # what is billed, for the table
    filter: Mapping[str, str]  # the API's serviceName/productName/skuName/meterName
    quantity: float  # in base units (hours, GB-months, operations)
    basis: str  # how the quantity was reached (always on, assumption ...)


@dataclass(frozen=True)
class Billing:
    meters: list[Meter] = field(default_factory=list)
    free: str = ""  # why it costs nothing by itself
    unpriced: str = ""  # why it cannot be priced here


# Free by themselves, each with the reason and where it is documented (the pricing or overview page named;
# not every page was re-read when this table was written: the issue 19 report says which were).
FREE: dict[str, str] = {
    "azure-native:resources:ResourceGroup": "resource groups are free (Learn: Azure Resource Manager overview)",
    "azure-native:authorization:RoleAssignment": "Azure RBAC is free (Learn: Azure RBAC FAQ)",
    "azure-native:authorization:ManagementLockByScope": "management locks are free (Resource Manager)",
    "azure-native:managedidentity:UserAssignedIdentity": "no charge (Learn: managed identities)",
    "azuread:index/application:Application": "app registrations are free in Entra ID",
    "azure-native:sql:Server": "a logical SQL server has no charge; its databases bill (Learn: SQL logical server)",
    "azure-native:sql:FirewallRule": "configuration of the server",
    "azure-native:sql:FailoverGroup": "no charge for the group; its secondary database bills",
    "azure-native:synapse:IpFirewallRule": "configuration of the workspace",
    # The Synapse pricing page has no meter for a private link hub; its Web private endpoint bills as one.
    "azure-native:synapse:PrivateLinkHub": "no meter of its own; its private endpoint bills",
    "azure-native:redis:FirewallRule": "configuration of the cache",
    "azure-native:keyvault:Secret": "billed as the vault's operations",
    "azure-native:storage:BlobContainer": "billed as the account's stored data",
    "azure-native:storage:BlobServiceProperties": "configuration of the account",
    "azure-native:redisenterprise:Database": "billed as its cluster's instances",
    "azure-native:web:WebApp": "billed as its App Service plan",
    "azure-native:web:WebAppAuthSettingsV2": "configuration of the web app",
    "azure-native:web:WebAppFtpAllowed": "configuration of the web app",
    "azure-native:web:WebAppScmAllowed": "configuration of the web app",
    "azure-native:network:VirtualNetwork": "no charge for virtual networks (Learn: Azure Virtual Network FAQ)",
    "azure-native:network:Subnet": "part of its virtual network",
    "azure-native:network:NetworkSecurityGroup": "no charge for network security groups (Learn: NSG overview)",
    "azure-native:monitor:DiagnosticSetting": "billed as the workspace's ingestion",
    "azure-native:sql:ServerBlobAuditingPolicy": "billed as the workspace's ingestion of the audit records",
    "azure-native:resources:Deployment": "template deployments have no charge (what it sets bills on its own)",
    "azure-native:monitor:ActivityLogAlert": "activity log alert rules have no charge (Azure Monitor pricing)",
    "azure-native:network:PrivateDnsZoneGroup": "billed as its private DNS zones",
    "azure-native:cdn:AFDEndpoint": "billed as its Front Door profile (requests, data out)",
    "azure-native:cdn:AFDOriginGroup": "configuration of the Front Door profile",
    "azure-native:cdn:AFDOrigin": "configuration of the Front Door profile",
    "azure-native:cdn:Route": "configuration of the Front Door profile",
    "azure-native:cdn:SecurityPolicy": "configuration of the Front Door profile",
    "azure-native:frontdoor:Policy": "Premium's base fee includes the WAF's managed rules (Front Door pricing)",
    "command:local:Command": "runs on the deploying machine, not in Azure",
    "random:index/randomPassword:RandomPassword": "not a cloud resource",
    "time:index/rotating:Rotating": "not a cloud resource",
}

# Known to bill, but by usage the plan cannot see: reported with the reason.
USAGE_BILLED: dict[str, str] = {
    "azure-native:synapse:Workspace": "serverless SQL bills per TB processed; no query volume is assumed",
    "azure-native:resources:AzureCliScript": "bills container seconds and storage while a deployment runs",
    "azure-native:sql:BackupShortTermRetentionPolicy": "backup storage beyond the included amount bills per GB",
    "azure-native:sql:LongTermRetentionPolicy": "long-term backups bill per GB stored; the size is unknown offline",
    "azure-native:databricks:Workspace": "bills DBUs of the clusters it runs; none are declared",
    "azure-native:purview:Account": "no published price record mapped for Purview capacity units",
    "azure-native:operationalinsights:Workspace": "bills per GB ingested and retained; no log volume is assumed",
    "azure-native:applicationinsights:Component": "bills as its workspace's ingestion; no volume is assumed",
    "azure-native:monitor:ActionGroup": "bills per notification sent; no volume is assumed",
    "azure-native:monitor:MetricAlert": "bills per monitored time series; no sourced price record",
    "azure-native:monitor:ScheduledQueryRule": "bills per rule by its evaluation frequency; no sourced price record",
    "azure-native:applicationinsights:WebTest": "standard tests bill per test run; no sourced price record",
    "azure-native:sql:ServerSecurityAlertPolicy": "Defender for SQL bills per server; no sourced price record",
    "azure-native:privatedns:PrivateZone": "bills per hosted zone and per query; no sourced price record",
    "azure-native:privatedns:VirtualNetworkLink": "bills per link beyond the included ones; no sourced price record",
    "azure-native:cdn:Profile": "Front Door bills a base fee, requests and data out; no sourced price record",
}

SPARK_VCORES = {
    "Small": 4,
    "Medium": 8,
    "Large": 16,
    "XLarge": 32,
    "XXLarge": 64,
    "XXXLarge": 80,
}  # Learn: Spark pool configurations
APP_SERVICE_TIERS = {"Basic": "Basic", "Standard": "Standard", "PremiumV2": "Premium v2", "PremiumV3": "Premium v3"}


def _app_service_plan(r: RecordedResource, cost: CostSettings) -> Billing:
    sku = r.inputs.get("sku") or {}
    name, tier, count = str(sku.get("name", "")), str(sku.get("tier", "")), float(sku.get("capacity") or 1)
    if tier not in APP_SERVICE_TIERS:
        return Billing(unpriced=f"App Service tier {tier!r} has no price mapping")
    linux = bool(r.inputs.get("reserved"))
    # The API spaces the version: P1v3 -> "P1 v3"; Linux Basic meters are named by the bare size ("B1").
    api_sku = name[:-2] + " " + name[-2:] if name[-2:-1] == "v" else name
    meter_name = api_sku if linux and tier == "Basic" else f"{api_sku} App"
    product = f"Azure App Service {APP_SERVICE_TIERS[tier]} Plan" + (" - Linux" if linux else "")
    meter = {"serviceName": "Azure App Service", "productName": product, "skuName": api_sku, "meterName": meter_name}
    hours = cost.hours_per_month * count
    return Billing(
        [Meter(f"{name} instance hours", meter, hours, f"always on, {count:g} x {cost.hours_per_month:g} h")]
    )


def _sql_database(r: RecordedResource, cost: CostSettings) -> Billing:
    sku = r.inputs.get("sku") or {}
    name, vcores = str(sku.get("name", "")), float(sku.get("capacity") or 0)
    parts = name.split("_")
    if len(parts) == 3 and parts[0] == "GP" and parts[1] == "Gen5":
        product = "SQL Database Single/Elastic Pool General Purpose - Compute Gen5"
        # "<n> vCore" prices n vCores per hour (the snapshot: 2 vCore = 2 x 1 vCore)
        meters = [
            Meter(
                f"{name} compute",
                {
                    "serviceName": "SQL Database",
                    "productName": product,
                    "skuName": f"{vcores:g} vCore",
                    "meterName": "vCore",
                },
                cost.hours_per_month,
                f"provisioned, always on, {cost.hours_per_month:g} h",
            )
        ]
        if r.inputs.get("zoneRedundant"):
            meters.append(
                Meter(
                    f"{name} zone redundancy",
                    {
                        "serviceName": "SQL Database",
                        "productName": product,
                        "skuName": f"{vcores:g} vCore Zone Redundancy",
                        "meterName": "Zone Redundancy vCore",
                    },
                    cost.hours_per_month,
                    "zone redundant, always on",
                )
            )
        return Billing(meters + _sql_storage(r, zone_redundant=bool(r.inputs.get("zoneRedundant"))))
    if len(parts) == 4 and parts[:3] == ["GP", "S", "Gen5"]:
        product = "SQL Database General Purpose - Serverless - Compute Gen5"
        meter = {"serviceName": "SQL Database", "productName": product, "skuName": "1 vCore", "meterName": "vCore"}
        hours = cost.sql_serverless_hours
        return Billing(
            [
                Meter(
                    f"{name} compute (vCore hours)",
                    meter,
                    vcores * hours,
                    f"max {vcores:g} vCores x {hours:g} h active (cost.sqlServerlessHours)",
                ),
                *_sql_storage(r, zone_redundant=bool(r.inputs.get("zoneRedundant"))),
            ]
        )
    return Billing(unpriced=f"SQL sku {name!r} has no price mapping")


def _sql_storage(r: RecordedResource, *, zone_redundant: bool) -> list[Meter]:
    size = r.inputs.get("maxSizeBytes")
    if not size:
        return []  # a geo-secondary takes its source's size: billed like it, but the plan does not say it
    gb = float(size) / 2**30
    meter_name = "General Purpose Zone Redundancy Data Stored" if zone_redundant else "General Purpose Data Stored"
    meter = {
        "serviceName": "SQL Database",
        "productName": "SQL Database Single/Elastic Pool General Purpose - Storage",
        "meterName": meter_name,
    }
    return [Meter("data max size (GB-months)", meter, gb, f"billed at the max size, {gb:g} GB")]


def _key_vault(r: RecordedResource, cost: CostSettings) -> Billing:
    sku = ((r.inputs.get("properties") or {}).get("sku") or {}).get("name", "")
    meter = {
        "serviceName": "Key Vault",
        "productName": "Key Vault",
        "skuName": str(sku).capitalize(),
        "meterName": "Operations",
    }
    return Billing([Meter("operations", meter, cost.key_vault_operations, "cost.keyVaultOperations")])


_STORAGE_REDUNDANCY = {"LRS": "LRS", "ZRS": "ZRS", "GRS": "GRS", "RAGRS": "RA-GRS", "GZRS": "GZRS", "RAGZRS": "RA-GZRS"}


def _storage_account(r: RecordedResource, cost: CostSettings) -> Billing:
    sku = str((r.inputs.get("sku") or {}).get("name", ""))
    redundancy = _STORAGE_REDUNDANCY.get(sku.split("_", 1)[-1])
    if redundancy is None:
        return Billing(unpriced=f"storage sku {sku!r} has no price mapping")
    if not r.inputs.get("isHnsEnabled"):
        # Only the private deployment scripts' account (deployment_script.ScriptStorage) has no namespace: a
        # file share holding a script and its log (KB) while a deployment runs; cost.storageGb is the offline
        # store's data, not this account's.
        return Billing(unpriced="deployment scripts' file share: a few KB and transactions while a deployment runs")
    namespace = "Hierarchical Namespace"
    meter = {
        "serviceName": "Storage",
        "productName": f"Azure Data Lake Storage Gen2 {namespace}",
        "skuName": f"Hot {redundancy}",
        "meterName": f"Hot {redundancy} Data Stored",
    }
    return Billing([Meter("hot data stored (GB-months)", meter, cost.storage_gb, "cost.storageGb")])


def _spark_pool(r: RecordedResource, cost: CostSettings) -> Billing:
    size = str(r.inputs.get("nodeSize", ""))
    if size not in SPARK_VCORES:
        return Billing(unpriced=f"Spark node size {size!r} has no price mapping")
    scale = r.inputs.get("autoScale") or {}
    nodes = float((scale.get("minNodeCount") if scale.get("enabled") else r.inputs.get("nodeCount")) or 0)
    vcore_hours = nodes * SPARK_VCORES[size] * cost.spark_hours
    meter = {
        "serviceName": "Azure Synapse Analytics",
        "productName": "Azure Synapse Analytics Serverless Apache Spark Pool - Memory Optimized",
        "skuName": "vCore",
        "meterName": "vCore",
    }
    basis = f"{nodes:g} nodes x {SPARK_VCORES[size]} vCores x {cost.spark_hours:g} h"
    basis += " (cost.sparkHours; auto-paused otherwise)"
    return Billing([Meter("vCore hours", meter, vcore_hours, basis)])


def _managed_redis(r: RecordedResource, cost: CostSettings) -> Billing:
    sku = str((r.inputs.get("sku") or {}).get("name", ""))
    return Billing(unpriced=f"Azure Managed Redis {sku}: no published price record mapped (meter names unverified)")


def _legacy_redis(r: RecordedResource, cost: CostSettings) -> Billing:
    return Billing(unpriced="Azure Cache for Redis: no published price record mapped (meter names unverified)")


def _private_endpoint(r: RecordedResource, cost: CostSettings) -> Billing:
    meter = {
        "serviceName": "Virtual Network",
        "productName": "Virtual Network Private Link",
        "meterName": "Standard Private Endpoint",
    }
    return Billing([Meter("endpoint hours", meter, cost.hours_per_month, "always on")])


PRICED: dict[str, Callable[[RecordedResource, CostSettings], Billing]] = {
    "azure-native:web:AppServicePlan": _app_service_plan,
    "azure-native:sql:Database": _sql_database,
    "azure-native:keyvault:Vault": _key_vault,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:synapse:BigDataPool": _spark_pool,
    "azure-native:redisenterprise:RedisEnterprise": _managed_redis,
    "azure-native:redis:Redis": _legacy_redis,
    "azure-native:network:PrivateEndpoint": _private_endpoint,
}


def billing(resource: RecordedResource, cost: CostSettings) -> Billing:
    if resource.token in PRICED:
        return PRICED[resource.token](resource, cost)
    if resource.token in FREE:
        return Billing(free=FREE[resource.token])
    if resource.token in USAGE_BILLED:
        return Billing(unpriced=USAGE_BILLED[resource.token])
    return Billing(unpriced=f"no price mapping for {resource.token}")

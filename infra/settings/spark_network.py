"""Spark settings against the network mode (infra/settings/network.py): what a private environment needs of
Synapse or Databricks, and the one path Azure does not offer.

Sources:
- Learn "Azure Synapse Analytics managed private endpoints" (synapse-workspace-managed-private-endpoints,
  ms.date 2024-11-15), "Supported data sources": Key Vault, Storage (blob, dfs, ...), SQL, Cosmos DB, ... but
  no Microsoft.Cache (neither Azure Managed Redis nor Azure Cache for Redis): a Synapse Spark pool cannot
  reach a Redis whose public network access is disabled.
- Feathr v1.0.0 `feathr_project/feathr/client.py` (`_getRedisConfigStr`, materialization arguments
  `--redis-config`): the client resolves REDIS_PASSWORD (env or Key Vault) and hands it to the job, which
  writes Redis from the Spark executors; the Scala job (feathr-impl) never calls Key Vault. So a Spark job
  needs the offline store and, when it materializes, the online store; never Key Vault.
- Learn "Azure Private Link concepts" (databricks/security/network/concepts/private-link): full private
  isolation needs the Premium plan, VNet injection and secure cluster connectivity, public network access
  Disabled, required NSG rules NoAzureDatabricksRules, and the databricks_ui_api and browser_authentication
  endpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.settings.errors import SettingsError
from infra.settings.reader import describe

if TYPE_CHECKING:
    from infra.settings import Settings


def _fail(key: str, value: object, why: str) -> SettingsError:
    return SettingsError(f"setting feathr-infra:{key} = {describe(value)}: {why}")


def network_private(s: Settings) -> bool:
    return s.network.private  # infra/settings/network.py


def check_spark_network(s: Settings) -> None:
    spark, private = s.spark, network_private(s)
    synapse, databricks = spark.synapse, spark.databricks
    # The section of the runtime not in use is parsed and ignored (a runtime switch is a one-line change).
    if spark.runtime == "synapse" and spark.shared and synapse.rbac_runner_given is not None:
        raise _fail(
            "spark.synapse.rbacRunner",
            synapse.rbac_runner_given,
            "only used with mode 'dedicated': a shared Synapse gets its RBAC from the stack that owns it",
        )
    if spark.runtime == "databricks" and databricks.injection is not None and (spark.shared or not private):
        raise _fail(
            "spark.databricks.injection",
            {"virtualNetworkId": databricks.injection.virtual_network_id},
            "only used with mode 'dedicated' in network.mode 'private' (a public workspace is not injected; a "
            "shared one is the owning stack's)",
        )
    if spark.runtime == "synapse" and not spark.shared and private:
        _check_private_synapse(s)
    if private and spark.materialize_online_store and spark.runtime == "synapse":
        raise _fail(
            "spark.materializeOnlineStore",
            True,
            "a Synapse Spark pool reaches private services only through managed private endpoints, and those "
            "support no Redis (Learn, Synapse managed private endpoints, supported data sources: no "
            "Microsoft.Cache); with network.mode 'private' the online store has no public endpoint, so a "
            "Feathr materialization job on Synapse cannot write it. Set false (materialize from a VNet-injected "
            "Databricks workspace, spark.runtime 'databricks'), or keep this environment public",
        )
    if private and spark.runtime == "databricks" and not spark.shared:
        _check_private_databricks(s)


def _check_private_databricks(s: Settings) -> None:
    injection = s.spark.databricks.injection
    if injection is None:
        raise _fail(
            "spark.databricks.injection",
            None,
            "a private Databricks workspace needs VNet injection: give virtualNetworkId, hostSubnetName and "
            "containerSubnetName (two subnets delegated to Microsoft.Databricks/workspaces, each with an NSG, in "
            "the VNet of network.primary.existingSubnets); without them the job clusters have no path to the "
            "private offline and online stores",
        )
    # The job clusters resolve the privatelink zones (offline store, Redis, the workspace's own back end)
    # only in a VNet the zones are linked to: the network's own VNet(s).
    primary = s.network.primary
    network_vnets = [v.lower() for v in primary.existing_vnet_ids] if primary is not None else []
    if injection.virtual_network_id.lower() not in network_vnets:
        where = (
            f"the VNet of network.primary.existingSubnets ({', '.join(network_vnets)})"
            if network_vnets
            else "a VNet given by network.primary.existingSubnets: a VNet this stack creates has no Databricks "
            "subnets (create the two delegated subnets in the spoke and list the spoke's subnets there)"
        )
        raise _fail(
            "spark.databricks.injection.virtualNetworkId",
            injection.virtual_network_id,
            f"must be {where}: the private DNS zones are linked to the network's VNet only, and the job clusters "
            "must resolve the offline and online stores' private endpoints",
        )


def _check_private_synapse(s: Settings) -> None:
    synapse = s.spark.synapse
    if synapse.rbac_runner_given is None:
        raise _fail(
            "spark.synapse.rbacRunner",
            None,
            "required with network.mode 'private': `pulumi up` applies Synapse RBAC with `az synapse role "
            "assignment` against the workspace's dev endpoint, which then has only a private endpoint. Run "
            "`pulumi up` on a self-hosted runner inside the VNet (or a peered hub whose DNS resolves "
            "privatelink.dev.azuresynapse.net) and set 'deployingMachine' to say so (docs/networking.md)",
        )
    # managedVirtualNetwork: required by cross_checks (a private offline store is a closed store).
    if synapse.allowed_ip_ranges:
        raise _fail(
            "spark.synapse.allowedIpRanges",
            list(synapse.allowed_ip_ranges),
            "with network.mode 'private' the workspace has public network access disabled, so firewall rules "
            "admit nobody; remove them (clients come through the Dev/Sql private endpoints, docs/networking.md)",
        )
    if synapse.allow_azure_services_given and synapse.allow_azure_services:
        raise _fail(
            "spark.synapse.allowAzureServices",
            True,
            "with network.mode 'private' the workspace has public network access disabled: there is no firewall "
            "to open to Azure services; remove the setting",
        )

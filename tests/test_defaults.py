"""Every setting's default, as Pulumi.yaml documents it, written here as a literal and checked
against what the settings parser returns for a stack that sets only the required keys.

A default changed in the code (say the failover grace period from 60 to 1440 minutes) fails here
unless Pulumi.yaml's description, and this table, change with it.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.settings import load_settings

NS = "feathr-infra:"
REQUIRED = {"environment": "qa", "location": "westeurope", "prefix": "contoso", "owner": "o", "costCenter": "c"}


def settings_for(**sections: Any):
    config = {NS + key: value for key, value in {**REQUIRED, **sections}.items()}
    return load_settings(config, "feathr-infra", "qa")


def attr(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# (attribute path on Settings, documented default). From Pulumi.yaml's descriptions.
DEFAULTS = [
    ("env.production_like", False),
    ("names.overrides", {}),
    # network
    ("network.mode", "public"),
    ("network.allow_public_in_production", False),
    ("network.primary", None),
    ("network.partner", None),
    ("network.hub_vnet_id", None),
    ("network.hub_use_remote_gateways", False),
    ("network.dns_zone_ids", ()),
    # offlineStore
    ("offline_store.mode", "dedicated"),
    ("offline_store.existing_account_id", None),
    ("offline_store.container", "features"),
    ("offline_store.sku", "Standard_ZRS"),
    ("offline_store.shared_key_access", False),
    ("offline_store.soft_delete_days", 14),
    ("offline_store.network_default_action", "Allow"),
    ("offline_store.allowed_ip_ranges", ()),
    # keyVault
    ("key_vault.sku", "standard"),
    ("key_vault.soft_delete_retention_days", 90),
    ("key_vault.purge_protection", False),
    ("key_vault.network_default_action", "Allow"),
    ("key_vault.allowed_ip_ranges", ()),
    ("key_vault.bypass_azure_services", True),
    ("key_vault.rotation_days", 60),
    ("key_vault.secret_lifetime_days", 90),
    ("key_vault.rotation_trigger", ""),
    # monitoring
    ("monitoring.workspace_id", None),
    ("monitoring.retention_days", 30),
    ("monitoring.alerting.enabled", False),
    ("monitoring.alerting.email", None),  # REQUIRED's owner "o" is no mail address
    ("monitoring.alerting.webhook", False),
    ("monitoring.alerting.sql_defender", False),
    ("monitoring.alerting.thresholds.sql_cpu_percent", 80),
    ("monitoring.alerting.thresholds.sql_storage_percent", 85),
    ("monitoring.alerting.thresholds.redis_memory_percent", 80),
    ("monitoring.alerting.thresholds.redis_server_load_percent", 80),
    ("monitoring.alerting.thresholds.http_5xx_per_5_minutes", 10),
    ("monitoring.alerting.thresholds.storage_availability_percent", 99.0),
    ("monitoring.alerting.thresholds.failed_spark_applications", 1),
    (
        "monitoring.alerting.availability_locations",
        ("emea-nl-ams-azr", "emea-gb-db3-azr", "emea-ru-msa-edge", "emea-fr-pra-edge", "us-va-ash-azr"),
    ),
    # onlineStore
    ("online_store.kind", "managed-redis"),
    ("online_store.sku", "Balanced_B0"),
    ("online_store.capacity", None),
    ("online_store.high_availability", False),
    ("online_store.zones", ()),
    ("online_store.persistence", "none"),
    ("online_store.rdb_frequency", "1h"),
    ("online_store.persistence_storage_account_id", None),
    ("online_store.geo_group_nickname", None),
    ("online_store.geo_secondary_location", None),
    ("online_store.public_network_access", "Enabled"),
    ("online_store.allowed_ip_ranges", ()),
    # spark
    ("spark.runtime", "synapse"),
    ("spark.mode", "dedicated"),
    ("spark.feathr_runtime_location", None),
    ("spark.materialize_online_store", True),
    ("spark.synapse.spark_version", "3.5"),
    ("spark.synapse.node_size_family", "MemoryOptimized"),
    ("spark.synapse.node_size", "Small"),
    ("spark.synapse.min_nodes", 3),
    ("spark.synapse.max_nodes", 10),
    ("spark.synapse.auto_pause_minutes", 15),
    ("spark.synapse.managed_virtual_network", False),
    ("spark.synapse.prevent_data_exfiltration", False),
    ("spark.synapse.allowed_ip_ranges", ()),
    ("spark.synapse.allow_azure_services", True),
    ("spark.synapse.rbac_runner_given", None),
    ("spark.synapse.workspace_dir", "feathr_getting_started"),
    ("spark.synapse.executor_size", "Small"),
    ("spark.synapse.executor_num", 2),
    ("spark.databricks.spark_version", "15.4.x-scala2.12"),
    ("spark.databricks.node_type_id", "Standard_D4ds_v5"),
    ("spark.databricks.work_dir", "dbfs:/feathr_getting_started"),
    ("spark.databricks.injection", None),
    # registry
    ("registry.backend", "sql"),
    ("registry.sql.entra_admin", None),
    ("registry.sql.administrator_login", "feathradmin"),
    ("registry.sql.sku.name", "GP_S_Gen5_1"),
    ("registry.sql.auto_pause_delay", 60),
    ("registry.sql.min_capacity", 0.5),  # max(0.5, 1/8)
    ("registry.sql.zone_redundant", False),
    ("registry.sql.max_size_gb", 32),
    ("registry.sql.backup_storage_redundancy", "Local"),
    ("registry.sql.short_term_retention_days", 7),
    ("registry.sql.diff_backup_interval_hours", 12),
    ("registry.sql.long_term_retention.weekly", None),
    ("registry.sql.long_term_retention.monthly", None),
    ("registry.sql.long_term_retention.yearly", None),
    ("registry.sql.secondary_location", None),
    ("registry.sql.failover_grace_period_minutes", 60),
    ("registry.sql.public_network_access", True),
    ("registry.sql.allow_azure_services", True),
    ("registry.sql.allowed_ip_ranges", ()),
    ("registry.sql.sqlcmd_version", "1.8.2"),
    # registryApi
    ("registry_api.sku", "B1"),
    ("registry_api.instances", 1),
    ("registry_api.zone_redundant", False),
    ("registry_api.always_on", False),
    ("registry_api.image.registry", "docker.io"),  # feathrfeaturestore/feathr-registry:releases-v1.0.0
    ("registry_api.image.repository", "feathrfeaturestore/feathr-registry"),
    ("registry_api.image.tag", "releases-v1.0.0"),
    ("registry_api.image.digest", None),
    ("registry_api.acr_id", None),
    ("registry_api.insecure_disable_rbac", False),
    ("registry_api.entra_client_id", None),
    ("registry_api.standby", False),  # registryApi.standby.enabled
    # purview
    ("purview.public_network_access", "Enabled"),
    ("purview.managed_event_hub", False),
    ("purview.script_cli_version", "2.63.0"),
    # access and client
    ("access.admins", ()),
    ("access.producers", ()),
    ("access.consumers", ()),
    ("access.projects", ()),
    ("feathr_client.project_name", "feathr_qa"),  # feathr_<environment>
    ("feathr_client.spark_result_output_parts", 1),
    # cost (assumptions of make cost)
    ("cost.currency", "USD"),
    ("cost.hours_per_month", 730.0),
    ("cost.spark_hours", 80.0),
    ("cost.sql_serverless_hours", 200.0),
    ("cost.storage_gb", 100.0),
    ("cost.key_vault_operations", 100_000),
]


@pytest.fixture(scope="module")
def empty_stack():
    return settings_for()


@pytest.mark.parametrize("path, expected", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_documented_default(empty_stack, path, expected):
    value = attr(empty_stack, path)
    assert (dict(value) if path == "names.overrides" else value) == expected


def test_managed_redis_aof_frequency_defaults_to_every_second():
    assert settings_for(onlineStore={"persistence": "aof"}).online_store.aof_frequency == "1s"


def test_databricks_defaults_to_one_worker():
    # numWorkers (default 1): unset in settings, the Spark component fills in 1.
    settings = settings_for(spark={"runtime": "databricks"}, offlineStore={"sharedKeyAccess": True})
    assert (settings.spark.databricks.num_workers, settings.spark.databricks.min_workers) == (None, None)
    from tests.variants import run_variant

    result = run_variant("dev", "databricks")
    (config,) = [o.value for k, o in result.outputs.items() if k == "feathrConfigYaml"]
    assert '"num_workers":1,' in config


# Production-like stacks: the defaults that change, with the keys a production stack must set.
PRODUCTION_REQUIRED = {
    "productionLike": True,
    # Private by default: the networks of the primary and the SQL partner region.
    "network": {
        "primary": {
            "addressSpace": ["10.0.0.0/22"],
            "subnets": {
                "endpoints": "10.0.0.0/24",
                "appIntegration": "10.0.1.0/26",
                "deploymentScripts": "10.0.1.64/27",
            },
        },
        "partner": {"addressSpace": ["10.1.0.0/24"], "subnets": {"endpoints": "10.1.0.0/26"}},
    },
    # A private offline store: Synapse reaches it through its managed VNet's private endpoint; Synapse RBAC
    # from a runner inside the VNet; no Synapse path to a private Redis (docs/spark.md).
    "spark": {
        "materializeOnlineStore": False,
        "synapse": {"managedVirtualNetwork": True, "rbacRunner": "deployingMachine"},
    },
    "offlineStore": {"sku": "Standard_GZRS"},
    "onlineStore": {"persistence": "aof"},
    "registryApi": {
        "image": "contosofeathr.azurecr.io/feathr/feathr-registry:releases-v1.0.0",
        "acrResourceId": "/subscriptions/6f1c2b7e-4a3d-4e59-9b8a-0d2e5f7c9a14/resourceGroups/rg-contoso-shared"
        "/providers/Microsoft.ContainerRegistry/registries/contosofeathr",
    },
    "registry": {
        "sql": {
            "entraAdmin": {
                "login": "dba",
                "objectId": "5d1a9f0e-3c2b-4a7d-9e61-2f4b8c0d7a13",
                "principalType": "Group",
            },
            "longTermRetention": {"weekly": "P4W"},
            "secondaryLocation": "northeurope",
            "autoPauseDelay": -1,
        }
    },
    # Alerting is on in production: with an owner that is no mail address ("o"), the receiver must be named.
    "monitoring": {"alerts": {"email": "ops@contoso.com"}},
}
PRODUCTION_DEFAULTS = [
    ("online_store.sku", "Balanced_B5"),
    ("online_store.high_availability", True),
    ("key_vault.purge_protection", True),
    ("registry.sql.zone_redundant", True),
    ("registry.sql.backup_storage_redundancy", "Geo"),
    ("registry_api.sku", "P1v3"),
    ("registry_api.always_on", True),
    ("registry.sql.failover_grace_period_minutes", 60),
    ("offline_store.soft_delete_days", 14),
    ("monitoring.retention_days", 90),
    ("network.mode", "private"),
    ("offline_store.network_default_action", "Deny"),
    ("key_vault.network_default_action", "Deny"),
    ("online_store.public_network_access", "Disabled"),
    ("monitoring.alerting.enabled", True),
    ("monitoring.alerting.sql_defender", True),
    # network.mode private: the registry's servers and Purview take no public traffic
    ("registry.sql.public_network_access", False),
    ("registry.sql.allow_azure_services", False),
    ("purview.public_network_access", "Disabled"),
]


@pytest.mark.parametrize("path, expected", PRODUCTION_DEFAULTS, ids=[d[0] for d in PRODUCTION_DEFAULTS])
def test_production_like_default(path, expected):
    assert attr(settings_for(**PRODUCTION_REQUIRED), path) == expected


def test_legacy_redis_sku_defaults():
    assert settings_for(onlineStore={"kind": "cache-for-redis"}).online_store.sku == "Basic"
    production = {**PRODUCTION_REQUIRED, "onlineStore": {"kind": "cache-for-redis", "zones": ["1", "2", "3"]}}
    assert settings_for(**production).online_store.sku == "Premium"

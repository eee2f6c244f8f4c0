"""Composition: stack settings -> components -> exports. Nothing else happens here."""

import sys
from pathlib import Path

# Pulumi runs this file with infra/ on sys.path; import the package by its full name instead, the
# same way the tests and the offline plan do, so every module is loaded exactly once.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import authorization

from infra.access.expand import expand, registry_roles
from infra.access.matrix import (
    ADLS_KEY_CLIENT_SECRETS,
    ADLS_KEY_SECRETS,
    FEATHR_CLIENT_SECRETS,
    FEATHR_SECRETS,
    KEY_VAULT,
    OFFLINE_STORE,
    ONLINE_STORE,
    SPARK,
)
from infra.components.access import AccessControl, AccessControlArgs, SynapseDataPlane
from infra.components.key_vault import KeyVaultArgs, SecretStore
from infra.components.monitoring import Monitoring, MonitoringArgs
from infra.components.monitoring.app_insights import RegistryProbe, RegistryProbeArgs
from infra.components.network import Network, NetworkArgs
from infra.components.offline_store import OfflineStore, OfflineStoreArgs
from infra.components.online_store import OnlineStore, OnlineStoreArgs
from infra.components.registry.feature_registry import FeatureRegistry, FeatureRegistryArgs
from infra.components.registry.roles import RegistryRoleGrant
from infra.components.resource_group import EnvironmentResourceGroup
from infra.components.spark import SparkCompute, SparkComputeArgs
from infra.feathr_config import FeathrEndpoints, feathr_config, render_yaml
from infra.settings import DATABRICKS_TOKEN_KEY, load_settings
from infra.settings.registry_api import registry_endpoint_public
from infra.stack_config import raw_secret_keys, raw_stack_config

settings = load_settings(raw_stack_config(), pulumi.get_project(), pulumi.get_stack(), raw_secret_keys())
env, names, tags = settings.env, settings.names, settings.tags
access = expand(settings.access, settings.spark.runtime, spark_dedicated=not settings.spark.shared)
client = authorization.get_client_config_output()

group = EnvironmentResourceGroup("environment", group_name=names.of("resource_group"), location=env.location, tags=tags)
monitoring = Monitoring(
    "monitoring",
    MonitoringArgs(
        settings=settings.monitoring,
        workspace_name=names.of("log_analytics_workspace"),
        resource_group_name=group.name,
        location=env.location,
        production_like=env.production_like,
        tags=tags,
        prefix=env.prefix,
        environment=env.environment,
    ),
)
# Always built: in public mode it declares nothing and expose() returns [] (docs/networking.md).
net = Network(
    "network",
    NetworkArgs(
        settings=settings.network,
        prefix=env.prefix,
        environment=env.environment,
        resource_group_name=group.name,
        tags=tags,
        monitoring=monitoring,
        production_like=env.production_like,
    ),
)
secrets = SecretStore(
    "key-vault",
    KeyVaultArgs(
        settings=settings.key_vault,
        vault_name=names.of("key_vault"),
        tenant_id=client.tenant_id,
        resource_group_name=group.name,
        location=env.location,
        production_like=env.production_like,
        tags=tags,
        monitoring=monitoring,
        network=net,
    ),
)
if settings.databricks_token_given:
    # The Feathr client reads the workspace token from Key Vault; ARM cannot mint one (docs/spark.md).
    secrets.add_secret("DATABRICKS-WORKSPACE-TOKEN-VALUE", pulumi.Config().require_secret(DATABRICKS_TOKEN_KEY))
offline_store = OfflineStore(
    "offline-store",
    OfflineStoreArgs(
        settings=settings.offline_store,
        account_name=names.of("storage_account"),
        resource_group_name=group.name,
        location=env.location,
        production_like=env.production_like,
        tags=tags,
        monitoring=monitoring,
        network=net,
        key_vault=secrets if settings.spark.runtime == "databricks" else None,
    ),
)
online_store = OnlineStore(
    "online-store",
    OnlineStoreArgs(
        settings=settings.online_store,
        cache_name=names.of("managed_redis" if settings.online_store.managed else "redis_cache"),
        secondary_cache_name=names.of(
            "managed_redis_secondary" if settings.online_store.managed else "redis_cache_secondary"
        ),
        persistence_identity_name=names.of("redis_persistence_identity"),
        resource_group_name=group.name,
        location=env.location,
        subscription_id=client.subscription_id,
        production_like=env.production_like,
        tags=tags,
        secrets=secrets,
        monitoring=monitoring,
        network=net,
    ),
)
spark = SparkCompute(
    "spark",
    SparkComputeArgs(
        settings=settings.spark,
        names=names,
        environment=env.environment,
        resource_group_name=group.name,
        location=env.location,
        subscription_id=client.subscription_id,
        production_like=env.production_like,
        tags=tags,
        offline_store=offline_store,
        monitoring=monitoring,
        network=net,
    ),
)

registry = FeatureRegistry(
    "registry",
    FeatureRegistryArgs(
        settings=settings,
        resource_group_name=group.name,
        tenant_id=client.tenant_id,
        subscription_id=client.subscription_id,
        secrets=secrets,
        role_grants=tuple(RegistryRoleGrant(*row) for row in registry_roles(access)),
        entra_owner_object_ids=(azuread.get_client_config_output().object_id,),
        network=net,
        # The apps resolve their Key Vault reference at start-up: the vault's private endpoint comes first, and
        # the network (the standby reaches that endpoint from the partner VNet through the peering).
        app_depends_on=(secrets, net),
        monitoring=monitoring,
    ),
)
if monitoring.action_group_id is not None and registry_endpoint_public(net.private, settings.registry_api.standby):
    # Registry health from outside, from several Azure locations, against the endpoint clients use. Test agents
    # are on the internet (Learn "Standard test": the URL must be "visible from the public internet"): a private
    # registry without a public front gets none (docs/monitoring.md says what is possible instead).
    RegistryProbe(
        "registry-probe",
        RegistryProbeArgs(
            settings=settings.monitoring.alerting,
            component_name=f"{env.prefix}-{env.environment}-registry-appi",
            test_name=f"{env.prefix}-{env.environment}-registry-availability",
            api_endpoint=registry.api_endpoint,
            workspace_id=monitoring.workspace_id,
            resource_group_name=group.name,
            location=env.location,
            tags=tags,
        ),
        monitoring.alerting,
        opts=pulumi.ResourceOptions(parent=monitoring),
    )

AccessControl(
    "access",
    AccessControlArgs(
        assignments=access,
        scopes={
            OFFLINE_STORE: {"": offline_store.account_id},
            KEY_VAULT: {"": secrets.vault_id},
            # Secrets an operator stores by hand (the Databricks token) get their grants from docs/spark.md.
            FEATHR_SECRETS: {n: secrets.secrets[n].id for n in FEATHR_CLIENT_SECRETS if n in secrets.secrets},
            ADLS_KEY_SECRETS: {n: secrets.secrets[n].id for n in ADLS_KEY_CLIENT_SECRETS if n in secrets.secrets},
            SPARK: {"": spark.workspace_id} if spark.workspace_id is not None else {},
            ONLINE_STORE: {"": online_store.cache_id},
        },
        subscription_id=client.subscription_id,
        synapse=SynapseDataPlane(
            workspace_name=spark.workspace_name,
            keep_object_ids=(client.object_id, spark.identity_principal_id),
        )
        if settings.spark.runtime == "synapse" and spark.identity_principal_id is not None and not settings.spark.shared
        else None,
        depends_on=(spark,),
    ),
)

pulumi.export("environment", env.environment)
pulumi.export("resourceGroupName", group.name)
pulumi.export("offlineStoreAccountName", offline_store.account_name)
pulumi.export("offlineStoreRoot", offline_store.abfss_root)
pulumi.export("keyVaultName", secrets.vault_name)
pulumi.export("keyVaultUri", secrets.vault_uri)
pulumi.export("registryBackend", registry.backend)
pulumi.export("registryApiEndpoint", registry.api_endpoint)
if registry.listener_host is not None:
    pulumi.export("registrySqlListener", registry.listener_host)
pulumi.export("onlineStoreKind", online_store.kind)
pulumi.export("onlineStoreHost", online_store.host)
pulumi.export("onlineStorePort", online_store.port)
if online_store.secondary_host is not None:  # Managed Redis geo-replication: where clients move in a region loss
    pulumi.export("onlineStoreSecondaryHost", online_store.secondary_host)
for key, value in spark.exports.items():  # sparkRuntime, sparkEndpoint, ...: what shared consumers read
    pulumi.export(key, value)

# The Feathr client config: a pure function of what was built, rendered once every endpoint is known.
feathr_client = settings.feathr_client
feathr_config_yaml = pulumi.Output.all(
    spark.feathr_spark, online_store.host, online_store.port, registry.api_endpoint, secrets.vault_name
).apply(
    lambda built: render_yaml(
        feathr_config(
            FeathrEndpoints(
                project_name=feathr_client.project_name,
                spark=built[0],
                redis_host=built[1],
                redis_port=built[2],
                registry_api_endpoint=built[3],
                key_vault_name=built[4],
                spark_result_output_parts=feathr_client.spark_result_output_parts,
            )
        )
    )
)
pulumi.export("feathrConfigYaml", feathr_config_yaml)

"""Stack settings: parsed once, up front, into frozen typed objects.

`load_settings` is the only place that reads raw config. Every bad value stops the program here,
before any resource is declared, with a `SettingsError` that names the key, the value and what is
allowed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from infra.naming import Names
from infra.settings.access import AccessSettings, parse_access
from infra.settings.alerting import ALERT_WEBHOOK_KEY
from infra.settings.cost import CostSettings, parse_cost
from infra.settings.cross_checks import check_combinations
from infra.settings.environment import EnvironmentSettings, parse_environment
from infra.settings.errors import SettingsError
from infra.settings.feathr_client import FeathrClientSettings, parse_feathr_client
from infra.settings.key_vault import KeyVaultSettings, parse_key_vault
from infra.settings.monitoring import MonitoringSettings, parse_monitoring
from infra.settings.names import parse_name_overrides
from infra.settings.network import NetworkSettings, network_mode, parse_network
from infra.settings.offline_store import OfflineStoreSettings, parse_offline_store
from infra.settings.online_store import OnlineStoreSettings, parse_online_store
from infra.settings.purview import PurviewSettings, parse_purview
from infra.settings.reader import Section
from infra.settings.registry import RegistrySettings, parse_registry
from infra.settings.registry_api import RegistryApiSettings, parse_registry_api
from infra.settings.spark import SparkSettings, parse_spark

__all__ = ["DATABRICKS_TOKEN_KEY", "Settings", "SettingsError", "load_settings"]

DATABRICKS_TOKEN_KEY = "databricksToken"
# Settings whose value is a secret: set with `pulumi config set --secret`, read as a Pulumi secret.
SECRET_SETTINGS = (DATABRICKS_TOKEN_KEY, ALERT_WEBHOOK_KEY)


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    env: EnvironmentSettings
    names: Names
    network: NetworkSettings
    offline_store: OfflineStoreSettings
    key_vault: KeyVaultSettings
    monitoring: MonitoringSettings
    registry: RegistrySettings
    registry_api: RegistryApiSettings
    purview: PurviewSettings
    online_store: OnlineStoreSettings
    spark: SparkSettings
    access: AccessSettings
    feathr_client: FeathrClientSettings
    cost: CostSettings  # assumptions of `make cost`; nothing is declared from them
    databricks_token_given: bool  # the value is read as a Pulumi secret: `pulumi config set --secret`

    @property
    def tags(self) -> dict[str, str]:
        """The tags every taggable resource of this environment carries."""
        return {
            "environment": self.env.environment,
            "stack": self.stack,
            "managed-by": "pulumi",
            "owner": self.env.owner,
            "cost-center": self.env.cost_center,
        }


def load_settings(
    raw_config: Mapping[str, Any], project: str, stack: str, secret_keys: Collection[str] = ()
) -> Settings:
    """Parse `<project>:<key>` entries of the stack's config; keys of other namespaces are ignored.
    `secret_keys` are the keys the Pulumi CLI marks secret (stored `secure:`, `pulumi config set --secret`)."""
    namespace = f"{project}:"
    own = {key[len(namespace) :]: value for key, value in raw_config.items() if key.startswith(namespace)}
    _check_secrecy(namespace, own, secret_keys)
    root = Section(namespace, own)
    env = parse_environment(root)
    # network.mode first: the registry's settings depend on it, the network's on the registry's partner region.
    private = network_mode(root.section("network"), env.production_like) == "private"
    registry_api = parse_registry_api(root.section("registryApi"), env.production_like, private=private)
    registry = parse_registry(root.section("registry"), env.production_like, env.location, registry_api.rbac, private)
    sql = registry.sql
    network = parse_network(
        root.section("network"),
        env.production_like,
        env.location,
        sql.secondary_location if registry.sql_database and sql.geo_replicated else None,
    )
    settings = Settings(
        project=project,
        stack=stack,
        env=env,
        names=Names(env.prefix, env.environment, parse_name_overrides(root.section("names"))),
        network=network,
        offline_store=parse_offline_store(root.section("offlineStore"), env.production_like, network.private),
        key_vault=parse_key_vault(root.section("keyVault"), env.production_like, network.private),
        monitoring=parse_monitoring(
            root.section("monitoring"),
            env.production_like,
            env.owner,
            root.secret_given(ALERT_WEBHOOK_KEY),
            own.get(ALERT_WEBHOOK_KEY),
        ),
        registry=registry,
        registry_api=registry_api,
        purview=parse_purview(root.section("purview"), private),
        online_store=parse_online_store(
            root.section("onlineStore"), env.production_like, env.location, network.private
        ),
        spark=parse_spark(root.section("spark"), env.production_like, env.location),
        access=parse_access(root.section("access")),
        feathr_client=parse_feathr_client(root.section("feathrClient"), env.environment),
        cost=parse_cost(root.section("cost")),
        databricks_token_given=root.secret_given(DATABRICKS_TOKEN_KEY),
    )
    root.finish()
    check_combinations(settings)
    return settings


def _check_secrecy(namespace: str, own: Mapping[str, Any], secret_keys: Collection[str]) -> None:
    """A secret setting in plain text sits readable in the stack file and in git; a plain setting stored as a
    secret would be used in plain text (names, tags, inputs) although its owner meant to hide it."""
    for name in SECRET_SETTINGS:
        if own.get(name) and namespace + name not in secret_keys:
            raise SettingsError(
                f"setting {namespace}{name} is given in plain text (value not shown): it is a secret; set it with "
                f"`pulumi config set --secret {name}`, which stores it encrypted (`secure:` in the stack file)"
            )
    for key in sorted(secret_keys):
        if key.startswith(namespace) and key[len(namespace) :] not in SECRET_SETTINGS:
            raise SettingsError(
                f"setting {key} is stored as a secret (`secure:`), but it is no secret setting: the program uses its "
                f"value in plain text (names, tags, resource properties); set it without --secret. Secret settings: "
                + ", ".join(SECRET_SETTINGS)
            )

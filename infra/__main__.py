"""Composition: stack settings -> components -> exports. Nothing else happens here."""

import sys
from pathlib import Path

# Pulumi runs this file with infra/ on sys.path; import the package by its full name instead, the
# same way the tests and the offline plan do, so every module is loaded exactly once.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pulumi  # noqa: E402
from pulumi_azure_native import authorization  # noqa: E402

from infra.components.key_vault import KeyVaultArgs, SecretStore  # noqa: E402
from infra.components.offline_store import OfflineStore, OfflineStoreArgs  # noqa: E402
from infra.components.resource_group import EnvironmentResourceGroup  # noqa: E402
from infra.settings import load_settings  # noqa: E402
from infra.stack_config import raw_stack_config  # noqa: E402

settings = load_settings(raw_stack_config(), pulumi.get_project(), pulumi.get_stack())
env, names, tags = settings.env, settings.names, settings.tags
client = authorization.get_client_config_output()

group = EnvironmentResourceGroup(
    "environment", group_name=names.of("resource_group"), location=env.location, tags=tags
)
offline_store = OfflineStore(
    "offline-store",
    OfflineStoreArgs(
        settings=settings.offline_store,
        account_name=names.of("storage_account"),
        resource_group_name=group.name,
        location=env.location,
        production_like=env.production_like,
        tags=tags,
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
    ),
)

pulumi.export("environment", env.environment)
pulumi.export("resourceGroupName", group.name)
pulumi.export("offlineStoreAccountName", offline_store.account_name)
pulumi.export("offlineStoreRoot", offline_store.abfss_root)
pulumi.export("keyVaultName", secrets.vault_name)
pulumi.export("keyVaultUri", secrets.vault_uri)

"""Settings mistakes Azure or Pulumi would refuse, fed as stack FILES through the path `make plan` takes.

Each bad file is planned with `infra.offline.plan` in a temporary project (fixture `plan_file`): one
message naming the key, exit 1, no traceback. The boundary that must still pass is read through the
same reader and checked with `load_settings`, without a full program run where none is needed.
"""

from __future__ import annotations

import json
import re

import pytest

from infra.naming import NAMED_RESOURCES
from infra.offline.runner import REPO_ROOT, read_stack
from infra.settings import load_settings
from infra.settings.cross_checks import built_names
from infra.settings.sql_limits import max_data_size_gb
from tests.support import offline_store_account, run
from tests.test_stack_files import DEV, one_message, plan_file, replaced  # noqa: F401  (plan_file: a fixture)

PROD = (REPO_ROOT / "Pulumi.prod.yaml").read_text()
TOKEN = "dapi-FAKE-TOKEN-IN-PLAIN-TEXT-0123456789"
BAD_GUID = "000000000000-0000-0000-0000-00000000"  # 36 hex digits and dashes, not 8-4-4-4-12


def with_names(text: str, **names: str) -> str:
    return text + "  feathr-infra:names:\n" + "".join(f"    {k}: {v}\n" for k, v in names.items())


def settings_of(tmp_path, text: str):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.ok.yaml").write_text(text)
    found = read_stack("ok", tmp_path)
    return load_settings(found.values, "feathr-infra", "ok", found.secret_keys)


def refused(plan_file, text: str) -> str:  # noqa: F811
    code, err = plan_file(text)
    assert code == 1
    message = one_message(err)
    assert message.startswith("settings error: setting feathr-infra:"), message
    return message.removeprefix("settings error: ")


# --- name overrides ----------------------------------------------------------------------------------


def test_both_sql_servers_overridden_to_one_name_is_refused(plan_file):  # noqa: F811
    message = refused(
        plan_file, with_names(PROD, registry_sql_server="contoso-reg", registry_sql_partner_server="contoso-reg")
    )
    assert message.startswith(
        "setting feathr-infra:names.registry_sql_partner_server = 'contoso-reg': also the name of registry_sql_server;"
    )


def test_a_failover_group_named_like_a_server_is_refused_they_share_database_windows_net(plan_file):  # noqa: F811
    message = refused(
        plan_file, with_names(PROD, registry_sql_server="contoso-reg", registry_sql_failover_group="contoso-reg")
    )
    assert message.startswith(
        "setting feathr-infra:names.registry_sql_failover_group = 'contoso-reg': also the name of registry_sql_server;"
    )


def test_an_override_equal_to_a_generated_name_of_the_same_kind_is_refused(plan_file):  # noqa: F811
    generated = run("dev").one("azure-native:resources:ResourceGroup").physical_name
    message = refused(plan_file, with_names(DEV, synapse_managed_resource_group=generated))
    assert message.startswith(
        f"setting feathr-infra:names.synapse_managed_resource_group = '{generated}': also the name of resource_group;"
    )


def test_distinct_overrides_of_one_kind_pass(tmp_path):
    settings = settings_of(
        tmp_path, with_names(PROD, registry_sql_server="contoso-reg", registry_sql_partner_server="contoso-regdr")
    )
    assert settings.names.of("registry_sql_partner_server") == "contoso-regdr"


@pytest.mark.parametrize(
    ("stack_text", "key", "value", "why"),
    [
        (DEV, "databricks_workspace", "contoso-dbw", "this stack builds no databricks workspace with these settings;"),
        (DEV, "registry_sql_partner_server", "contoso-regdr", "this stack builds no registry sql partner server"),
        (DEV, "purview_account", "contoso-pview", "this stack builds no purview account"),
        (DEV, "redis_cache", "contoso-redis", "this stack builds no redis cache"),
        (DEV, "storage_container", "features", "(the container is offlineStore.container)"),
        (PROD, "redis_persistence_identity", "contoso-id", "this stack builds no redis persistence identity"),
    ],
    ids=[
        "databricks-on-synapse",
        "partner-without-geo",
        "purview-on-sql",
        "legacy-on-managed",
        "container",
        "identity",
    ],
)
def test_a_name_override_for_something_the_stack_never_builds_is_refused(plan_file, stack_text, key, value, why):  # noqa: F811
    message = refused(plan_file, with_names(stack_text, **{key: value}))
    assert message.startswith(f"setting feathr-infra:names.{key} = '{value}': ") and why in message


def test_overrides_of_what_legacy_redis_with_persistence_builds_pass(tmp_path):
    store = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/redisfiles"
    text = replaced(
        "    kind: managed-redis\n    sku: Balanced_B0\n",
        f"    kind: cache-for-redis\n    sku: Premium\n    capacity: 1\n    persistence: rdb\n"
        f"    persistenceStorageAccountId: {store}\n",
    )
    settings = settings_of(
        tmp_path, with_names(text, redis_cache="contoso-cache", redis_persistence_identity="contoso-id")
    )
    assert settings.names.of("redis_persistence_identity") == "contoso-id"


def test_the_names_a_stack_builds_are_exactly_those_its_run_creates():
    # Literal sets: an extra key here would let an override for nothing pass, a missing one refuse a real one.
    common = {"resource_group", "key_vault", "registry_plan", "registry_app", "registry_identity", "storage_account"}
    common |= {"log_analytics_workspace"}
    sql = {"registry_sql_server", "registry_sql_database", "registry_bootstrap_script"}
    synapse = {"synapse_workspace", "synapse_spark_pool", "synapse_managed_resource_group"}
    # prod is private: Synapse Studio is reached through a private link hub (dev is public, has none).
    expected = {
        "dev": common | sql | synapse | {"managed_redis"},
        # private (network.mode): the deployment scripts' storage and the schema bootstrap's identity
        "prod": common
        | sql
        | synapse
        | {"managed_redis", "registry_sql_partner_server", "registry_sql_failover_group", "synapse_private_link_hub"}
        | {"registry_bootstrap_identity", "script_storage_account"}
        # registryApi.standby: the standby app, and the Front Door in front of both
        | {
            "registry_standby_plan",
            "registry_standby_app",
            "registry_standby_identity",
            "registry_front_door",
            "registry_front_door_endpoint",
            "registry_waf_policy",
        },
    }
    for stack, keys in expected.items():
        found = read_stack(stack)
        settings = load_settings(found.values, "feathr-infra", stack, found.secret_keys)
        assert built_names(settings) == keys
        # Every name as a whole JSON string somewhere in what the run declares (names, or inputs that hold one).
        declared = json.dumps([[r.physical_name, r.inputs] for r in run(stack).resources], default=str)
        appears = {key for key in NAMED_RESOURCES if json.dumps(settings.names.of(key)) in declared}
        assert appears == keys


# --- resource ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "    sku: Standard_LRS\n",
            f"    mode: shared\n    existingAccountId: /subscriptions/{BAD_GUID}/resourceGroups/rg/providers/"
            "Microsoft.Storage/storageAccounts/shared\n",
            "offlineStore.existingAccountId",
        ),
        (
            "    sku: Balanced_B0\n",
            "    sku: Balanced_B0\n    geoReplication:\n      groupNickname: feathr\n      linkedDatabaseIds:\n"
            f"        - /subscriptions/{BAD_GUID}/resourceGroups/rg/providers/Microsoft.Cache/redisEnterprise/other/databases/default\n",
            "onlineStore.geoReplication.linkedDatabaseIds[0]",
        ),
        (
            "    sku: B1\n",
            f"    sku: B1\n    acrResourceId: /subscriptions/{BAD_GUID}/resourceGroups/rg/providers/"
            "Microsoft.ContainerRegistry/registries/contosoacr\n",
            "registryApi.acrResourceId",
        ),
    ],
    ids=["offline-store", "redis-linked-database", "registry-acr"],
)
def test_a_resource_id_whose_subscription_guid_is_malformed_is_refused(plan_file, old, new, key):  # noqa: F811
    message = refused(plan_file, replaced(old, new))
    assert re.match(rf"setting feathr-infra:{re.escape(key)} = '/subscriptions/{BAD_GUID}/[^']*': must be ", message)


# --- SQL size ------------------------------------------------------------------------------------------


def test_max_data_sizes_are_learns():
    # Microsoft Learn, vCore resource limits for single databases, "Max data size (GB)".
    assert max_data_size_gb(True, "GeneralPurpose", 1) == 512
    assert max_data_size_gb(True, "GeneralPurpose", 6) == 1024
    assert max_data_size_gb(True, "GeneralPurpose", 8) == 2048
    assert max_data_size_gb(False, "GeneralPurpose", 2) == 1024
    assert max_data_size_gb(False, "GeneralPurpose", 6) == 1536
    assert max_data_size_gb(False, "BusinessCritical", 12) == 3072
    assert max_data_size_gb(False, "BusinessCritical", 24) == 4096


def test_max_size_at_the_sku_limit_passes(tmp_path):
    text = replaced("      sku: GP_S_Gen5_1\n", "      sku: GP_S_Gen5_1\n      maxSizeGb: 512\n")
    assert settings_of(tmp_path, text).registry.sql.max_size_gb == 512


@pytest.mark.parametrize(
    ("text", "value", "sku", "limit"),
    [
        (
            replaced("      sku: GP_S_Gen5_1\n", "      sku: GP_S_Gen5_1\n      maxSizeGb: 513\n"),
            513,
            "GP_S_Gen5_1",
            512,
        ),
        (replaced("      maxSizeGb: 64\n", "      maxSizeGb: 1025\n", PROD), 1025, "GP_Gen5_2", 1024),
        (
            replaced(
                "      sku: GP_Gen5_2\n      zoneRedundant: true\n      maxSizeGb: 64\n",
                "      sku: BC_Gen5_6\n      zoneRedundant: true\n      maxSizeGb: 1537\n",
                PROD,
            ),
            1537,
            "BC_Gen5_6",
            1536,
        ),
    ],
    ids=["serverless", "general-purpose", "business-critical"],
)
def test_max_size_one_past_the_sku_limit_is_refused(plan_file, text, value, sku, limit):  # noqa: F811
    assert refused(plan_file, text).startswith(
        f"setting feathr-infra:registry.sql.maxSizeGb = {value}: {sku} holds at most {limit} GB"
    )


# --- identities ----------------------------------------------------------------------------------------


def test_one_upn_with_two_object_ids_is_refused(plan_file):  # noqa: F811
    text = replaced(
        "          - objectId: 6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46\n            type: User\n            name: sam.analyst@contoso.com\n",
        "          - objectId: 11111111-2222-4333-8444-555555555555\n            type: User\n            name: Sam.Analyst@contoso.com\n",
    )
    assert refused(plan_file, text) == (
        "setting feathr-infra:access.projects.fraud.producers[0].objectId = '11111111-2222-4333-8444-555555555555': "
        "'Sam.Analyst@contoso.com' is listed at feathr-infra:access.consumers[0] with object id "
        "'6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46'; one User has one object id"
    )


def test_one_object_id_under_two_names_is_refused(plan_file):  # noqa: F811
    text = replaced(
        "          - objectId: 6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46\n            type: User\n            name: sam.analyst@contoso.com\n",
        "          - objectId: 6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46\n            type: User\n            name: someone.else@contoso.com\n",
    )
    assert refused(plan_file, text) == (
        "setting feathr-infra:access.projects.fraud.producers[0].objectId = '6a8c0e2d-4b6f-4d8a-b0c2-7e9a1c3e5f46': "
        "listed at feathr-infra:access.consumers[0] as User 'sam.analyst@contoso.com', here as User "
        "'someone.else@contoso.com'; one object id is one principal"
    )


# --- secrets -------------------------------------------------------------------------------------------


DATABRICKS = """  feathr-infra:spark:
    runtime: databricks
    mode: dedicated
"""


def databricks_stack(token_lines: str) -> str:
    start, end = DEV.index("  feathr-infra:spark:\n"), DEV.index("  feathr-infra:registryApi:\n")
    text = DEV[:start] + DATABRICKS + DEV[end:]
    text = replaced("    softDeleteDays: 7\n", "    softDeleteDays: 7\n    sharedKeyAccess: true\n", text)
    return text + token_lines


def test_a_databricks_token_in_plain_text_is_refused_without_echoing_it(plan_file):  # noqa: F811
    message = refused(plan_file, databricks_stack(f"  feathr-infra:databricksToken: {TOKEN}\n"))
    assert message.startswith("setting feathr-infra:databricksToken is given in plain text (value not shown)")
    assert TOKEN not in message


def test_a_databricks_token_set_with_secret_plans(plan_file, tmp_path):  # noqa: F811
    code, err = plan_file(databricks_stack("  feathr-infra:databricksToken:\n    secure: v1:AAAABBBBCCCC\n"))
    assert (code, err) == (0, "")
    assert "AAAABBBBCCCC" not in (tmp_path / "build" / "bad" / "plan.json").read_text()


def test_a_plain_setting_stored_as_a_secret_is_refused(plan_file):  # noqa: F811
    text = replaced(
        "  feathr-infra:owner: feature-platform@contoso.com\n", "  feathr-infra:owner:\n    secure: v1:AAAA\n"
    )
    assert refused(plan_file, text).startswith(
        "setting feathr-infra:owner is stored as a secret (`secure:`), but it is no secret setting"
    )


# --- Synapse exfiltration protection -----------------------------------------------------------------


def exfiltration_protected(location: str) -> str:
    text = replaced("      preventDataExfiltration: false", "      preventDataExfiltration: true", PROD)
    # Right after `mode`: prod's spark section has more keys (materializeOnlineStore) before `synapse:`.
    return replaced(
        "    runtime: synapse\n    mode: dedicated\n",
        f"    runtime: synapse\n    mode: dedicated\n    feathrRuntimeLocation: {location}\n",
        text,
    )


@pytest.mark.parametrize(
    "location",
    [
        "https://repo1.maven.org/maven2/com/linkedin/feathr/feathr_2.12/1.0.0/feathr_2.12-1.0.0.jar",
        "abfss://jars@someoneelse.dfs.core.windows.net/feathr.jar",
    ],
    ids=["maven", "other-account"],
)
def test_exfiltration_protection_with_a_runtime_on_a_host_it_blocks_is_refused(plan_file, location):  # noqa: F811
    assert refused(plan_file, exfiltration_protected(location)).startswith(
        f"setting feathr-infra:spark.feathrRuntimeLocation = '{location}': with spark.synapse.preventDataExfiltration"
    )


def test_exfiltration_protection_with_the_runtime_on_the_offline_store_passes(tmp_path):
    account = offline_store_account(run("prod")).physical_name
    location = f"abfss://features@{account}.dfs.core.windows.net/jars/feathr.jar"
    assert settings_of(tmp_path, exfiltration_protected(location)).spark.feathr_runtime_location == location


# --- allow-lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "      allowedIpRanges:\n        - 203.0.113.0/24\n  # Who",
            "      allowedIpRanges:\n        - 203.0.113.7\n        - 203.0.113.7/32\n  # Who",
            "registry.sql.allowedIpRanges[1] = '203.0.113.7/32': the same range as "
            "feathr-infra:registry.sql.allowedIpRanges[0] ('203.0.113.7')",
        ),
        (
            "      allowedIpRanges:\n        - 203.0.113.0/24\n      workspaceDir",
            "      allowedIpRanges:\n        - 203.0.113.0/24\n        - 198.51.100.0/24\n        - 203.0.113.0/24\n      workspaceDir",
            "spark.synapse.allowedIpRanges[2] = '203.0.113.0/24': the same range as "
            "feathr-infra:spark.synapse.allowedIpRanges[0] ('203.0.113.0/24')",
        ),
    ],
    ids=["sql-address-and-slash-32", "synapse-range-twice"],
)
def test_one_range_listed_twice_is_refused(plan_file, old, new, key):  # noqa: F811
    assert refused(plan_file, replaced(old, new)).startswith(f"setting feathr-infra:{key}; list each range once")

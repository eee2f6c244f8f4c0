"""Every generated name satisfies Azure's rule for its type; environments never collide."""

import itertools

import pytest

from infra.naming import NAMED_RESOURCES, RULES, SUFFIX_LENGTH, generate_name, unique_suffix
from infra.offline.runner import project_name
from infra.settings import SettingsError, load_settings
from tests.support import STACKS, config_merged, config_with, offline_store_account, run

PREFIXES = ["ab", "contoso", "fabrikam01", "z9z9z9z9z9"]
ENVIRONMENTS = ["qa", "dev", "prod", "staging1", "abcdefgh"]


@pytest.mark.parametrize("name_key", sorted(NAMED_RESOURCES))
@pytest.mark.parametrize("prefix, environment", list(itertools.product(PREFIXES, ENVIRONMENTS)))
def test_every_generated_name_is_valid_for_its_type(name_key, prefix, environment):
    kind, role = NAMED_RESOURCES[name_key]
    name = generate_name(kind, prefix, environment, role)
    assert RULES[kind].problems(name) == [], (name_key, name)


@pytest.mark.parametrize("name_key", sorted(NAMED_RESOURCES))
def test_environments_never_collide(name_key):
    kind, role = NAMED_RESOURCES[name_key]
    names = {generate_name(kind, p, e, role) for p, e in itertools.product(PREFIXES, ENVIRONMENTS)}
    assert len(names) == len(PREFIXES) * len(ENVIRONMENTS)


def test_globally_unique_names_carry_the_stable_suffix():
    suffix = unique_suffix("contoso", "dev")
    assert len(suffix) == SUFFIX_LENGTH and suffix.isalnum() and suffix == unique_suffix("contoso", "dev")
    assert suffix != unique_suffix("contoso", "prod")
    for kind, rule in RULES.items():
        name = generate_name(kind, "contoso", "dev")
        assert name.endswith(suffix) == rule.globally_unique, (kind, name)


def test_names_are_truncated_to_fit_without_losing_the_suffix():
    name = generate_name("storage_account", "fabrikam01", "abcdefgh")
    assert len(name) <= 24 and name.endswith(unique_suffix("fabrikam01", "abcdefgh"))


def test_rules_reject_what_azure_rejects():
    assert RULES["storage_account"].problems("Has-Caps")
    assert RULES["key_vault"].problems("kv--double")
    assert RULES["key_vault"].problems("1starts-with-digit")
    assert RULES["synapse_workspace"].problems("ws-ondemand")
    assert RULES["web_app"].problems("-leading")
    assert RULES["sql_server"].problems("a" * 64)


def test_deployed_names_of_all_stacks_are_valid_and_disjoint():
    seen: dict[str, str] = {}
    for stack in STACKS:
        for resource in run(stack).resources:
            if not resource.custom or not resource.token.startswith(("azure-native:", "azuread:")):
                continue
            kind = {
                "azure-native:storage:StorageAccount": "storage_account",
                "azure-native:keyvault:Vault": "key_vault",
                "azure-native:sql:Server": "sql_server",
                "azure-native:web:WebApp": "web_app",
                "azure-native:synapse:Workspace": "synapse_workspace",
                "azure-native:redisenterprise:RedisEnterprise": "managed_redis",
            }.get(resource.token)
            if kind is not None:
                assert RULES[kind].problems(resource.physical_name) == [], (stack, resource.physical_name)
            key = f"{resource.token}:{resource.arm_id}"
            assert key not in seen, f"{key} declared by {seen.get(key)} and {stack}"
            seen[key] = stack


def test_name_override_replaces_the_generated_name():
    result = run("dev", config_with("dev", names={"storage_account": "mycustomstore1"}))
    assert offline_store_account(result).physical_name == "mycustomstore1"


# Azure's own rules, value by value at each limit and one past it. Sources: SDK BlobContainer
# container_name; ARM reference Microsoft.Purview/accounts (^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$, 3-63);
# SDK RedisEnterprise cluster_name (1-60, no leading, trailing or consecutive hyphens).
NAME_CASES = {
    "storage_container": {
        "abc": True,
        "ab": False,
        "a" * 63: True,
        "a" * 64: False,
        "feat-ures": True,
        "features-": False,  # a dash must be followed by a letter or digit
        "-features": False,
        "feat--ures": False,
        "Features": False,
    },
    "purview_account": {
        "1pview": True,  # a leading digit is allowed
        "abc": True,
        "ab": False,
        "a" * 63: True,
        "a" * 64: False,
        "a-b-c": True,
        "a--b": False,
        "-abc": False,
        "abc-": False,
    },
    "managed_redis": {
        "1contoso-amr": True,  # a leading digit is allowed
        "7": True,
        "a" * 60: True,
        "a" * 61: False,
        "amr-": False,
        "-amr": False,
        "a--b": False,
    },
}


@pytest.mark.parametrize(
    "kind, name, valid", [(k, n, v) for k, cases in NAME_CASES.items() for n, v in cases.items()], ids=repr
)
def test_rules_match_azure_at_the_limits(kind, name, valid):
    assert (RULES[kind].problems(name) == []) is valid, RULES[kind].problems(name)


def test_databricks_workspace_name_is_unique_per_resource_group_so_has_no_suffix():
    # Learn naming rules: Microsoft.Databricks/workspaces, scope resource group, 3-64.
    assert RULES["databricks_workspace"].globally_unique is False
    assert generate_name("databricks_workspace", "contoso", "dev") == "contoso-dev-dbw"


def test_name_override_with_a_trailing_dash_is_rejected_naming_the_key():
    with pytest.raises(SettingsError) as error:
        run("dev", config_with("dev", names={"storage_container": "features-"}))
    assert str(error.value).startswith("setting feathr-infra:names.storage_container = 'features-': "), error.value


@pytest.mark.parametrize("container", ["features-", "ab", "a" * 64, "feat--ures"])
def test_offline_store_container_setting_follows_the_container_rule(container):
    with pytest.raises(SettingsError) as error:
        run("dev", config_merged("dev", "offlineStore", container=container))
    assert str(error.value).startswith(f"setting feathr-infra:offlineStore.container = '{container}': "), error.value


@pytest.mark.parametrize("container", ["abc", "a" * 63, "feat-ures", "1features"])
def test_offline_store_container_setting_accepts_valid_names(container):
    settings = load_settings(config_merged("dev", "offlineStore", container=container), project_name(), "dev")
    assert settings.offline_store.container == container

"""Every generated name satisfies Azure's rule for its type; environments never collide."""

import itertools

import pytest

from infra.naming import NAMED_RESOURCES, RULES, SUFFIX_LENGTH, generate_name, unique_suffix
from tests.support import STACKS, run

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
    from tests.support import config_with

    result = run("dev", config_with("dev", names={"storage_account": "mycustomstore1"}))
    assert result.one("azure-native:storage:StorageAccount").physical_name == "mycustomstore1"

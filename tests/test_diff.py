"""make diff (infra/offline/diff): settings after defaults and resources between two stacks, on the shared runs."""

from __future__ import annotations

from infra.offline.diff import render, resources_diff, settings_diff
from infra.offline.runner import read_stack
from infra.settings import load_settings


def settings_of(stack):
    found = read_stack(stack)
    return load_settings(found.values, "feathr-infra", stack, found.secret_keys)


def test_effective_settings_that_differ_include_defaults():
    rows = {key: (a, b) for key, a, b in settings_diff(settings_of("dev"), settings_of("prod"))}
    assert rows["env.production_like"] == (False, True)
    assert rows["registry.sql.sku.name"] == ("GP_S_Gen5_1", "GP_Gen5_2")
    # neither stack file sets it: the default follows productionLike (Pulumi.yaml: keyVault.purgeProtection)
    assert rows["key_vault.purge_protection"] == (False, True)
    assert "env.location" not in rows  # the same in both: not listed
    assert "cost.currency" not in rows


def test_resources_only_in_one_stack_and_changed_properties(dev, prod):
    diff = resources_diff(dev, prod)
    only_prod = {(r.token, r.logical_name) for r in diff.only_b}
    assert {
        ("azure-native:sql:Server", "registry-sql-partner-server"),
        ("azure-native:sql:Database", "registry-sql-secondary-database"),
        ("azure-native:sql:FailoverGroup", "registry-sql-failover-group"),
        ("azure-native:authorization:ManagementLockByScope", "key-vault-lock"),
    } <= only_prod
    # a secret is named after its vault: the same secret in both stacks, not one only in each
    assert not any(r.token == "azure-native:keyvault:Secret" for r in diff.only_a + diff.only_b)
    changed = {r.logical_name: dict((p, (a, b)) for p, a, b in props) for r, props in diff.changed}
    assert changed["spark-pool"]["nodeSize"] == ("Small", "Medium")
    assert changed["key-vault"]["properties.sku"] == (
        {"family": "A", "name": "standard"},
        {"family": "A", "name": "premium"},
    )
    assert changed["key-vault"]["protect"] == (False, True)
    assert "location" not in changed["key-vault"]  # both westeurope


def test_render_is_side_by_side(dev, prod):
    text = render("dev", "prod", settings_diff(settings_of("dev"), settings_of("prod")), resources_diff(dev, prod))
    assert text.splitlines()[0] == "dev vs prod"
    assert "  + sql:Server registry-sql-partner-server (contoso-prod-regdr-sql-78gz9l)" in text
    assert any(line.split() == ["nodeSize", "Small", "Medium"] for line in text.splitlines())

"""The whole program under the mocks, for every Pulumi.<stack>.yaml in the repo."""

import importlib
import inspect
import json
import re

import pytest

from infra.offline.azure_model import ARM_TYPES
from infra.offline.plan import inventory, plan_document, write_plan
from tests.support import STACKS

TAG_KEYS = {"environment", "stack", "managed-by", "owner", "cost-center"}


def sdk_class(token: str):
    """The Python SDK class behind a type token like azure-native:storage:StorageAccount."""
    package, module, name = token.split(":")
    module_path = {
        "azure-native": "pulumi_azure_native",
        "azuread": "pulumi_azuread",
        "random": "pulumi_random",
        "databricks": "pulumi_databricks",
    }[package]
    submodule = module.split("/")[0]
    mod = importlib.import_module(f"{module_path}.{submodule}" if submodule != "index" else module_path)
    return getattr(mod, name)


def accepts_tags(token: str) -> bool:
    if not token.startswith("azure-native:"):
        return False
    return "tags" in inspect.signature(sdk_class(token)._internal_init).parameters


def test_repo_has_dev_and_prod_stacks():
    assert {"dev", "prod"} <= set(STACKS)


def test_program_declares_resources_for_every_stack(stack_run):
    assert any(r.token == "azure-native:resources:ResourceGroup" for r in stack_run.resources)


def test_every_taggable_resource_carries_the_environment_tags(stack_run):
    checked = 0
    for resource in stack_run.resources:
        if resource.custom and accepts_tags(resource.token):
            tags = resource.inputs.get("tags") or {}
            assert TAG_KEYS <= set(tags), f"{resource.token} {resource.logical_name} tags: {tags}"
            assert tags["stack"] == stack_run.stack and tags["managed-by"] == "pulumi"
            checked += 1
    assert checked >= 3


def test_tag_values_come_from_settings(dev):
    tags = dev.one("azure-native:resources:ResourceGroup").inputs["tags"]
    assert tags == {
        "environment": "dev",
        "stack": "dev",
        "managed-by": "pulumi",
        "owner": "feature-platform@contoso.com",
        "cost-center": "CC-4711",
    }


def test_every_azure_resource_is_modelled_for_the_offline_plan(stack_run):
    for resource in stack_run.resources:
        if resource.custom and resource.token.startswith("azure-native:"):
            assert resource.token in ARM_TYPES


def test_every_resource_belongs_to_a_component(stack_run):
    stack_urn_suffix = "pulumi:pulumi:Stack::" + f"feathr-infra-{stack_run.stack}"
    for resource in stack_run.resources:
        if resource.custom:
            assert not resource.parent_urn.endswith(stack_urn_suffix), f"{resource.token} {resource.logical_name}"


def test_components_use_feathr_type_tokens(stack_run):
    for resource in stack_run.resources:
        if not resource.custom:
            assert re.fullmatch(r"feathr:[a-z]+:[A-Z]\w+", resource.token), resource.token


def test_stateful_resources_are_protected_only_in_production_like_stacks(dev, prod):
    stateful = {"azure-native:storage:StorageAccount", "azure-native:keyvault:Vault"}
    assert all(r.protect for r in prod.resources if r.token in stateful)
    assert not any(r.protect for r in dev.resources if r.token in stateful)


def test_production_stateful_resources_carry_a_delete_lock(prod):
    locked = {
        r.inputs["scope"]
        for r in prod.of_type("azure-native:authorization:ManagementLockByScope")
        if r.inputs["level"] == "CanNotDelete"
    }
    for token, name in (
        ("azure-native:storage:StorageAccount", "offline-store"),
        ("azure-native:keyvault:Vault", "key-vault"),
    ):
        (resource,) = [r for r in prod.of_type(token) if r.logical_name == name]
        assert resource.arm_id in locked
    # The deployment scripts' scratch account is not: a lock would reach the file shares the script service deletes.
    (scripts,) = [r for r in prod.of_type("azure-native:storage:StorageAccount") if r.logical_name != "offline-store"]
    assert scripts.arm_id not in locked


def test_plan_document_holds_every_resource_and_no_secret_values(stack_run, tmp_path):
    document = plan_document(stack_run)
    assert len(document["resources"]) == len(stack_run.resources)
    for entry in document["resources"]:
        assert {"type", "logicalName", "physicalName", "inputs"} <= set(entry)
    written = write_plan(stack_run, tmp_path)
    text = written[0].read_text()
    json.loads(text)
    for resource in stack_run.resources:
        for key in resource.secret_inputs:
            assert json.dumps(resource.inputs[key]) not in text


def test_inventory_groups_resources_by_component(prod):
    text = inventory(prod)
    assert "feathr:storage:OfflineStore offline-store" in text
    assert "contosoprodst" in text and "protected" in text


@pytest.mark.parametrize("stack", STACKS)
def test_offline_plan_command_writes_the_plan(stack, tmp_path, monkeypatch, capsys):
    from infra.offline import plan

    for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):  # a project elsewhere: the plan is written next to it
        (tmp_path / name).write_text((plan.REPO_ROOT / name).read_text())
    assert plan.main([stack, "--quiet", "--project-dir", str(tmp_path)]) == 0
    assert (tmp_path / "build" / stack / "plan.json").exists()
    out = capsys.readouterr().out
    assert f"build/{stack}/plan.json" in out
    # the picture beside the plan: Mermaid text and the SVG drawn from the same model
    assert (tmp_path / "build" / stack / "environment.mmd").read_text().splitlines()[2] == "flowchart LR"
    assert "<svg" in (tmp_path / "build" / stack / "environment.svg").read_text()
    assert f"build/{stack}/environment.svg" in out


def test_offline_plan_command_reports_a_settings_error(monkeypatch, capsys):
    from infra.offline import plan
    from infra.settings import SettingsError

    def broken(stack, **where):
        raise SettingsError("setting feathr-infra:location = 'moon': must be one of ...")

    monkeypatch.setattr(plan, "run_program", broken)
    assert plan.main(["dev"]) == 1
    assert "feathr-infra:location" in capsys.readouterr().err

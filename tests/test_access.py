"""Access control applied: the whole matrix for dev and prod, on the recorded resources."""

import pytest

from infra.access.matrix import WRITE_OR_MANAGE_ROLES
from infra.components.role_assignment import BUILT_IN_ROLES, assignment_guid
from infra.offline.runner import run_program
from infra.settings import load_settings
from tests.support import STACKS, config_merged, config_with, run

ROLE = "azure-native:authorization:RoleAssignment"
ROLE_BY_GUID = {guid: name for name, guid in BUILT_IN_ROLES.items()}
STATEFUL_SCOPES = {
    "azure-native:storage:StorageAccount",
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Secret",
    "azure-native:synapse:Workspace",
    "azure-native:databricks:Workspace",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redis:Redis",
}


def settings_of(stack):
    from infra.offline.runner import stack_config

    return load_settings(stack_config(stack), "feathr-infra", stack)


def script_env(result, logical_name):
    script = [r for r in result.of_type("azure-native:resources:AzureCliScript") if r.logical_name == logical_name]
    assert len(script) == 1, logical_name
    return {e["name"]: e.get("value") for e in script[0].inputs["environmentVariables"]}


def table_assignments(result):
    return [r for r in result.of_type(ROLE) if r.parent_urn.endswith("feathr:access:AccessControl::access")]


def role_name(assignment):
    return ROLE_BY_GUID[assignment.inputs["roleDefinitionId"].rsplit("/", 1)[-1]]


def consumer_ids(stack):
    access = settings_of(stack).access
    ids = {p.object_id for p in access.consumers}
    ids |= {p.object_id for project in access.projects for p in project.consumers}
    writers = {p.object_id for p in access.admins + access.producers}
    writers |= {p.object_id for project in access.projects for p in project.producers}
    return ids - writers


def test_in_prod_no_consumer_holds_a_write_or_manage_role_anywhere(prod):
    consumers = consumer_ids("prod")
    assert consumers
    for assignment in prod.of_type(ROLE):
        if assignment.inputs["principalId"] in consumers:
            assert role_name(assignment) not in WRITE_OR_MANAGE_ROLES, role_name(assignment)
    lines = synapse_command(prod).inputs["environment"]["ASSIGNMENTS"].splitlines()
    for role, object_id, _ in (line.split("|") for line in lines):
        if object_id in consumers:
            assert role not in WRITE_OR_MANAGE_ROLES
    consumer_names = {p.registry_user_name for p in settings_of("prod").access.consumers}
    for scope, user, role in seeded_registry_roles(prod):
        if user in consumer_names and scope == "global":
            assert role == "consumer", (scope, user, role)


def test_every_listed_principal_gets_its_matrix_roles(stack_run):
    access = settings_of(stack_run.stack).access
    recorded = {(r.inputs["principalId"], role_name(r)) for r in table_assignments(stack_run)}
    for principal in access.admins:
        assert (principal.object_id, "Storage Blob Data Owner") in recorded
        assert (principal.object_id, "Key Vault Administrator") in recorded
    for principal in access.producers:
        assert (principal.object_id, "Storage Blob Data Contributor") in recorded
        assert (principal.object_id, "Key Vault Secrets User") in recorded
    for principal in access.consumers:
        assert (principal.object_id, "Storage Blob Data Reader") in recorded


def test_every_assignment_is_scoped_to_a_single_resource_never_a_group_or_subscription(stack_run):
    resource_ids = {r.arm_id for r in stack_run.resources if r.token in STATEFUL_SCOPES}
    # An existing resource named in settings: the container registry the registry image is pulled from.
    acr_id = settings_of(stack_run.stack).registry_api.acr_id
    if acr_id is not None:
        assert "/providers/Microsoft.ContainerRegistry/registries/" in acr_id
        resource_ids.add(acr_id)
    for assignment in stack_run.of_type(ROLE):
        scope = assignment.inputs["scope"]
        assert scope in resource_ids, f"{assignment.logical_name} scoped to {scope}"


def test_consumers_read_only_the_secrets_the_client_needs(prod):
    consumers = consumer_ids("prod")
    for assignment in table_assignments(prod):
        if assignment.inputs["principalId"] in consumers and role_name(assignment) == "Key Vault Secrets User":
            assert assignment.inputs["scope"].endswith("/secrets/REDIS-PASSWORD")


def test_principal_type_is_always_explicit(stack_run):
    for assignment in stack_run.of_type(ROLE):
        assert assignment.inputs["principalType"] in {"User", "Group", "ServicePrincipal"}


def test_assignment_names_are_deterministic_and_stable_across_runs(stack_run):
    fresh = run_program(stack_run.stack)
    first = sorted(r.inputs["roleAssignmentName"] for r in stack_run.of_type(ROLE))
    assert first == sorted(r.inputs["roleAssignmentName"] for r in fresh.of_type(ROLE))
    for assignment in stack_run.of_type(ROLE):
        expected = assignment_guid(assignment.inputs["scope"], assignment.inputs["principalId"], role_name(assignment))
        assert assignment.inputs["roleAssignmentName"] == expected


def seeded_registry_roles(result):
    """(scope, user, role) rows the registry bootstrap seeds, read back from its rendered SQL."""
    import base64
    import re

    sql = base64.b64decode(script_env(result, "registry-sql-schema")["BOOTSTRAP_SQL_B64"]).decode()
    return set(re.findall(r"N?'([^']*)', N?'([^']*)', N?'(admin|producer|consumer)'", sql))


def test_registry_roles_from_the_table_are_seeded(prod):
    rows = seeded_registry_roles(prod)
    assert ("global", "sam.analyst@contoso.com", "consumer") in rows
    assert ("fraud", "sam.analyst@contoso.com", "consumer") in rows
    assert ("fraud", "dana.owner@contoso.com", "producer") in rows
    assert ("global", "7f3c2a51-8e4d-4b69-a0f2-6c1d9e8b5a27", "admin") in rows


def synapse_command(result):
    return next(r for r in result.of_type("command:local:Command") if r.logical_name == "access-synapse-roles")


def test_synapse_roles_are_applied_by_the_deployer_and_never_revoke_it(prod):
    from infra.offline.azure_model import DEPLOYER_OBJECT_ID

    command = synapse_command(prod)
    environment = command.inputs["environment"]
    assert environment["WORKSPACE"] == prod.one("azure-native:synapse:Workspace").physical_name
    workspace_identity = prod.one("azure-native:synapse:Workspace").outputs["identity"]["principalId"]
    assert set(environment["KEEP_OBJECT_IDS"].splitlines()) == {DEPLOYER_OBJECT_ID, workspace_identity}
    assert "az synapse role assignment create" in command.inputs["create"]
    assert "az synapse role assignment delete" in command.inputs["create"]  # removal from the table revokes
    assert command.inputs["update"] == command.inputs["create"]
    rows = {line.split("|")[0] for line in environment["ASSIGNMENTS"].splitlines()}
    assert rows == {"Synapse Administrator", "Synapse Contributor", "Synapse Compute Operator"}


def test_synapse_roles_rerun_when_the_table_changes(prod):
    newcomer = {"objectId": "12345678-1234-4234-8234-123456789abc", "type": "User", "name": "new@contoso.com"}
    changed = run("prod", config_merged("prod", "access", consumers=[newcomer]))
    assert synapse_command(changed).inputs["triggers"] != synapse_command(prod).inputs["triggers"]


def test_shared_spark_gets_no_spark_grants_from_this_stack():
    source = {"synapse": {"workspaceName": "contoso-shared-syn", "poolName": "sharedpool"}}
    result = run("dev", config_merged("dev", "spark", mode="shared", synapse={}, shared=source))
    workspace_grants = [r for r in table_assignments(result) if "/Microsoft.Synapse/" in r.inputs["scope"]]
    assert workspace_grants == []
    assert not [r for r in result.of_type("command:local:Command") if r.logical_name == "access-synapse-roles"]


@pytest.mark.parametrize("stack", STACKS)
def test_access_table_command_lists_every_grant(stack, capsys):
    from infra.offline.access_table import main

    assert main([stack]) == 0
    out = capsys.readouterr().out
    for principal in settings_of(stack).access.admins:
        assert principal.name in out
    assert "| principal | type | plane | role | scope | listed at |" in out


def test_databricks_account_key_goes_to_key_vault_and_only_writers_read_it():
    from tests.support import databricks_ready

    result = run("prod", databricks_ready(config_merged("prod", "spark", runtime="databricks", synapse={})))
    secrets = {r.inputs["secretName"]: r for r in result.of_type("azure-native:keyvault:Secret")}
    assert {"ADLS-ACCOUNT", "ADLS-KEY"} <= set(secrets)
    assert "properties" in secrets["ADLS-KEY"].secret_inputs
    key_scope = secrets["ADLS-KEY"].arm_id
    readers = {r.inputs["principalId"] for r in table_assignments(result) if r.inputs["scope"] == key_scope}
    access = settings_of("prod").access
    assert {p.object_id for p in access.producers} <= readers
    assert not readers & consumer_ids("prod")
    for output in result.outputs.values():
        assert "FAKE" not in str(output.value) or output.secret


def test_synapse_stacks_publish_no_account_key(stack_run):
    names = {r.inputs["secretName"] for r in stack_run.of_type("azure-native:keyvault:Secret")}
    assert not names & {"ADLS-ACCOUNT", "ADLS-KEY"}


def test_with_a_redis_secondary_consumers_also_read_its_key_and_nothing_more():
    config = config_with(
        "prod",
        # the same config as tests/test_online_store.py's geo_pair (one cached run)
        onlineStore={
            "sku": "Balanced_B5",
            "highAvailability": True,
            "geoReplication": {"groupNickname": "feathr-prod", "secondaryLocation": "northeurope"},
        },
    )
    result = run("prod", config)
    consumers = consumer_ids("prod")
    scopes = {
        assignment.inputs["scope"].rsplit("/secrets/", 1)[-1]
        for assignment in table_assignments(result)
        if assignment.inputs["principalId"] in consumers and role_name(assignment) == "Key Vault Secrets User"
    }
    assert scopes == {"REDIS-PASSWORD", "REDIS-PASSWORD-SECONDARY"}

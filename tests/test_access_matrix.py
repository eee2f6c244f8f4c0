"""The access table: parsing principals, the role matrix, and its expansion."""

import pytest

from infra.access.expand import expand, registry_roles
from infra.access.matrix import ROLE_MATRIX, WRITE_OR_MANAGE_ROLES
from infra.components.role_assignment import BUILT_IN_ROLES
from infra.settings.access import parse_access
from infra.settings.errors import SettingsError
from infra.settings.reader import Section

ALICE = {"objectId": "11111111-1111-4111-8111-111111111111", "type": "User", "name": "alice@contoso.com"}
BOB = {"objectId": "22222222-2222-4222-8222-222222222222", "type": "User", "name": "Bob@Contoso.com"}
PIPELINE = {
    "objectId": "33333333-3333-4333-8333-333333333333",
    "type": "ServicePrincipal",
    "name": "44444444-4444-4444-8444-444444444444",
}
READERS = {
    "objectId": "55555555-5555-4555-8555-555555555555",
    "type": "Group",
    "name": "feathr-readers",
    "azureOnly": True,
}


def parse(value):
    return parse_access(Section("feathr-infra:access", value))


def test_every_azure_role_in_the_matrix_is_a_known_built_in_role():
    for grants in ROLE_MATRIX.values():
        for grant in grants:
            if grant.plane == "azure":
                assert grant.role in BUILT_IN_ROLES


def test_consumers_hold_no_write_or_manage_role_in_the_matrix():
    assert not {g.role for g in ROLE_MATRIX["consumers"]} & WRITE_OR_MANAGE_ROLES


def test_only_admins_manage():
    managing = {"Owner", "User Access Administrator", "Key Vault Administrator", "Synapse Administrator", "admin"}
    for role, grants in ROLE_MATRIX.items():
        if role != "admins":
            assert not {g.role for g in grants} & managing


def test_expansion_covers_every_role_and_deduplicates():
    access = parse(
        {
            "admins": [PIPELINE],
            "producers": [ALICE],
            "consumers": [BOB, READERS],
            "projects": {"fraud": {"producers": [BOB], "consumers": [ALICE]}},
        }
    )
    assignments = expand(access, "synapse", spark_dedicated=True)
    keys = [a.key for a in assignments]
    assert len(keys) == len(set(keys))
    roles = {(a.principal.name, a.grant.role, a.scope) for a in assignments}
    assert ("alice@contoso.com", "Storage Blob Data Contributor", "global") in roles
    assert ("Bob@Contoso.com", "Storage Blob Data Reader", "global") in roles
    assert ("Bob@Contoso.com", "producer", "fraud") in roles
    assert ("feathr-readers", "Storage Blob Data Reader", "global") in roles


def test_registry_rows_are_lowercase_and_exclude_groups():
    access = parse({"admins": [PIPELINE], "consumers": [BOB, READERS], "projects": {"fraud": {"producers": [BOB]}}})
    rows = registry_roles(expand(access, "synapse", spark_dedicated=True))
    assert rows == (
        ("fraud", "bob@contoso.com", "producer"),
        ("global", "44444444-4444-4444-8444-444444444444", "admin"),
        ("global", "bob@contoso.com", "consumer"),
    )


def test_synapse_roles_only_for_synapse_and_no_spark_grants_for_shared_spark():
    access = parse({"producers": [ALICE]})
    databricks = expand(access, "databricks", spark_dedicated=True)
    assert not [a for a in databricks if a.grant.plane == "synapse"]
    shared = expand(access, "synapse", spark_dedicated=False)
    assert not [a for a in shared if a.grant.target == "spark"]


@pytest.mark.parametrize(
    "value, key, allowed",
    [
        (
            {"consumers": [{**READERS, "azureOnly": False}]},
            "feathr-infra:access.consumers[0].type",
            "accepts no groups",
        ),
        (
            {"projects": {"fraud": {"producers": [READERS]}}},
            "feathr-infra:access.projects.fraud.producers[0]",
            "accepts no groups",
        ),
        ({"producers": [{**ALICE, "name": "alice"}]}, "feathr-infra:access.producers[0].name", "UPN"),
        (
            {"producers": [{**PIPELINE, "name": "pipeline"}]},
            "feathr-infra:access.producers[0].name",
            "application (client) id",
        ),
        ({"admins": [{**ALICE, "objectId": "alice"}]}, "feathr-infra:access.admins[0].objectId", "GUID"),
        ({"admins": [{**ALICE, "type": "Robot"}]}, "feathr-infra:access.admins[0].type", "ServicePrincipal"),
        ({"admins": [ALICE], "consumers": [ALICE]}, "feathr-infra:access.consumers[0].objectId", "one global role"),
        ({"projects": {"Fraud Team": {}}}, "feathr-infra:access.projects.Fraud Team", "lowercase"),
        (
            {"projects": {"fraud": {"owners": [ALICE]}}},
            "feathr-infra:access.projects.fraud.owners",
            "not a known setting",
        ),
        ({"readers": [ALICE]}, "feathr-infra:access.readers", "not a known setting"),
        (
            {"consumers": [{**ALICE, "name": "a.very.long.name.of.somebody@subsidiary.contoso.com"}]},
            "feathr-infra:access.consumers[0].name",
            "varchar(50)",
        ),
    ],
)
def test_bad_access_settings_name_the_key(value, key, allowed):
    with pytest.raises(SettingsError) as error:
        parse(value)
    assert key in str(error.value) and allowed in str(error.value), str(error.value)

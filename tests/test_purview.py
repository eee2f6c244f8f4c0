"""The Purview registry backend: the account, its protection, and the Data Curator grant script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.components.registry.purview_store import CURATOR_SCRIPT, curator_script_tag
from infra.components.role_assignment import BUILT_IN_ROLES
from tests.support import purview_config as support_purview_config
from tests.support import run

PURVIEW = "azure-native:purview:Account"
SCRIPT = "azure-native:resources:AzureCliScript"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
LOCK = "azure-native:authorization:ManagementLockByScope"
APP = "azure-native:web:WebApp"


def purview_config(stack: str, **purview) -> dict:
    """The stack with the Purview backend; RBAC stays on, its roles in the stack's SQL database."""
    config = support_purview_config(stack)
    if purview:
        config["feathr-infra:purview"] = {**(config.get("feathr-infra:purview") or {}), **purview}
    return config


@pytest.fixture(scope="module")
def dev_purview():
    return run("dev", purview_config("dev"))


@pytest.fixture(scope="module")
def prod_purview():
    return run("prod", purview_config("prod"))


def identity_named(r, suffix: str):
    [identity] = [i for i in r.of_type(IDENTITY) if i.physical_name.endswith(suffix)]
    return identity


def curator_script(r):
    [script] = [s for s in r.of_type(SCRIPT) if s.logical_name.endswith("-purview-data-curator")]
    return script


def env_vars(script) -> dict[str, str]:
    return {v["name"]: v["value"] for v in script.inputs["environmentVariables"]}


def test_sql_stacks_have_no_purview(stack_run):
    assert stack_run.of_type(PURVIEW) == []
    assert not [s for s in stack_run.of_type(SCRIPT) if "CURATOR_PRINCIPAL_ID" in str(s.inputs)]
    assert not [i for i in stack_run.of_type(IDENTITY) if "purview" in i.physical_name]


def test_account_has_a_system_identity_and_its_own_managed_group(dev_purview):
    account = dev_purview.one(PURVIEW)
    assert account.physical_name == "contoso-dev-pview-yk41aj"
    assert account.inputs["identity"] == {"type": "SystemAssigned"}
    assert account.outputs["identity"]["principalId"]
    assert account.inputs["managedResourceGroupName"] == "contoso-dev-purview-managed-rg"
    assert account.inputs["publicNetworkAccess"] == "Enabled"
    assert account.inputs["managedEventHubState"] == "Disabled"
    assert account.inputs["tags"]["environment"] == "dev"
    assert account.outputs["endpoints"]["catalog"] == f"https://{account.physical_name}.purview.azure.com/catalog"


def test_dev_account_is_neither_protected_nor_locked(dev_purview):
    account = dev_purview.one(PURVIEW)
    assert account.protect is False
    assert not [lock for lock in dev_purview.of_type(LOCK) if lock.inputs["scope"] == account.arm_id]


def test_prod_account_is_protected_and_locked(prod_purview):
    account = prod_purview.one(PURVIEW)
    assert account.protect is True
    [lock] = [lock for lock in prod_purview.of_type(LOCK) if lock.inputs["scope"] == account.arm_id]
    assert lock.inputs["level"] == "CanNotDelete"


def test_curator_script_runs_as_an_admin_identity_with_rights_on_this_account_only(dev_purview):
    account, script = dev_purview.one(PURVIEW), curator_script(dev_purview)
    admin = identity_named(dev_purview, "-purview-admin-id")
    assert script.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [admin.arm_id]}
    [assignment] = [
        a for a in dev_purview.of_type(ASSIGNMENT) if a.inputs["principalId"] == admin.outputs["principalId"]
    ]
    assert assignment.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["User Access Administrator"])
    assert assignment.inputs["scope"] == account.arm_id
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    assert assignment.urn in script.depends_on and account.urn in script.depends_on


def test_curator_script_makes_the_registry_identity_data_curator(dev_purview):
    account, script = dev_purview.one(PURVIEW), curator_script(dev_purview)
    registry = identity_named(dev_purview, "-registry-id")
    admin = identity_named(dev_purview, "-purview-admin-id")
    assert script.inputs["kind"] == "AzureCLI"
    assert script.inputs["scriptContent"] == CURATOR_SCRIPT.read_text()
    assert env_vars(script) == {
        "PURVIEW_ACCOUNT": account.physical_name,
        "PURVIEW_ACCOUNT_ID": account.arm_id,
        "ADMIN_PRINCIPAL_ID": admin.outputs["principalId"],
        "CURATOR_PRINCIPAL_ID": registry.outputs["principalId"],
    }
    assert script.physical_name == "contoso-dev-purview-curator-ds"
    assert script.inputs["cleanupPreference"] == "OnSuccess"
    assert script.inputs["tags"]["environment"] == "dev"
    assert script.urn in dev_purview.one(APP).depends_on, "the registry starts once it may curate Purview"


def test_curator_script_reruns_exactly_when_its_inputs_change(dev_purview):
    script = curator_script(dev_purview)
    v = env_vars(script)
    expected = curator_script_tag(
        CURATOR_SCRIPT.read_text(),
        script.inputs["azCliVersion"],
        v["PURVIEW_ACCOUNT"],
        v["ADMIN_PRINCIPAL_ID"],
        v["CURATOR_PRINCIPAL_ID"],
    )
    assert script.inputs["forceUpdateTag"] == expected
    assert curator_script_tag("s", "2.63.0", "a", "b", "c") == curator_script_tag("s", "2.63.0", "a", "b", "c")
    assert curator_script_tag("s", "2.63.0", "a", "b", "c") != curator_script_tag("s", "2.63.0", "a", "b", "d")
    assert curator_script_tag("s", "2.63.0", "a", "b", "c") != curator_script_tag("t", "2.63.0", "a", "b", "c")


def test_cli_version_comes_from_settings():
    r = run("dev", purview_config("dev", scriptCliVersion="2.61.0"))
    assert curator_script(r).inputs["azCliVersion"] == "2.61.0"


def test_purview_with_rbac_runs_the_gateway_on_the_sql_roles(dev_purview, prod_purview):
    # deploy/start.sh:34-56: REACT_APP_ENABLE_RBAC=true and PURVIEW_NAME set -> the Purview registry
    # behind the RBAC gateway, which reads userroles through CONNECTION_STR (RBAC_CONNECTION_STR).
    for r in (dev_purview, prod_purview):
        settings = {p["name"]: p["value"] for p in r.one(APP).inputs["siteConfig"]["appSettings"]}
        assert settings["REACT_APP_ENABLE_RBAC"] == "true"
        assert settings["PURVIEW_NAME"] == r.one(PURVIEW).physical_name
        assert settings["CONNECTION_STR"].startswith("@Microsoft.KeyVault(SecretUri=")
        assert settings["CONNECTION_STR"].endswith("/secrets/FEATHR-REGISTRY-SQL-CONNECTION-STRING)")
        assert r.of_type("azure-native:sql:Database"), "the userroles table needs a database"


def test_purview_component_owns_its_resources(dev_purview):
    [component] = [c for c in dev_purview.resources if c.token == "feathr:registry:PurviewRegistryStore"]
    for resource in (
        dev_purview.one(PURVIEW),
        curator_script(dev_purview),
        identity_named(dev_purview, "-purview-admin-id"),
    ):
        assert resource.parent_urn == component.urn


# --- the script itself, against a stand-in `az` --------------------------------------------------------------

ACCOUNT = "contoso-dev-pview-yk41aj"
CURATOR = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"

FAKE_AZ = r"""#!/bin/bash
# Stand-in for `az rest`: logs each call, answers GETs from $FAKE_POLICIES, keeps PUT bodies.
echo "$*" >> "$FAKE_LOG"
method=""; body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method=$2; shift ;;
    --body) body=$2; shift ;;
  esac
  shift
done
if [ "$method" = get ]; then cat "$FAKE_POLICIES"; fi
if [ "$method" = put ]; then cat "${body#@}" > "$FAKE_PUT"; fi
"""


def policy(curator_conditions: list) -> dict:
    return {
        "name": f"policy_{ACCOUNT}",
        "id": "c6639bb2-9c41-4be0-912b-775750e725de",
        "version": 3,
        "properties": {
            "collection": {"type": "CollectionReference", "referenceName": ACCOUNT},
            "attributeRules": [
                {
                    "kind": "attributerule",
                    "id": f"purviewmetadatarole_builtin_collection-administrator:{ACCOUNT}",
                    "dnfCondition": [
                        [{"attributeName": "principal.microsoft.id", "attributeValueIncludedIn": [OTHER]}]
                    ],
                },
                {
                    "kind": "attributerule",
                    "id": f"purviewmetadatarole_builtin_data-curator:{ACCOUNT}",
                    "dnfCondition": [curator_conditions],
                },
            ],
        },
    }


DERIVED = {
    "fromRule": "purviewmetadatarole_builtin_data-curator",
    "attributeName": "derived.purview.role",
    "attributeValueIncludes": "purviewmetadatarole_builtin_data-curator",
}


def run_script(tmp_path: Path, policies: dict) -> tuple[subprocess.CompletedProcess, list[str], dict | None]:
    if not shutil.which("jq"):
        pytest.skip("jq is not installed (the Azure CLI image has it)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").write_text(FAKE_AZ)
    (bin_dir / "az").chmod(0o755)
    (tmp_path / "policies.json").write_text(json.dumps({"values": [policies]}))
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "RETRY_PAUSE_SECONDS": "0",
        "FAKE_LOG": str(tmp_path / "log"),
        "FAKE_POLICIES": str(tmp_path / "policies.json"),
        "FAKE_PUT": str(tmp_path / "put.json"),
        "PURVIEW_ACCOUNT": ACCOUNT,
        "ADMIN_PRINCIPAL_ID": OTHER,
        "CURATOR_PRINCIPAL_ID": CURATOR,
        "PURVIEW_ACCOUNT_ID": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Purview/accounts/{ACCOUNT}",
    }
    done = subprocess.run(["bash", str(CURATOR_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    log = (tmp_path / "log").read_text().splitlines() if (tmp_path / "log").exists() else []
    put = json.loads((tmp_path / "put.json").read_text()) if (tmp_path / "put.json").exists() else None
    return done, log, put


def curator_principals(updated: dict) -> list[str]:
    [rule] = [r for r in updated["properties"]["attributeRules"] if "data-curator" in r["id"]]
    [condition] = [c for c in rule["dnfCondition"][0] if c["attributeName"] == "principal.microsoft.id"]
    return condition["attributeValueIncludedIn"]


def test_script_adds_the_curator_to_the_root_collection_policy(tmp_path):
    before = policy([{"attributeName": "principal.microsoft.id", "attributeValueIncludedIn": [OTHER]}, DERIVED])
    done, log, put = run_script(tmp_path, before)
    assert done.returncode == 0, done.stderr
    assert "addRootCollectionAdmin" in log[0] and OTHER in log[0]
    assert any(line.startswith("rest --method put") and f"metadataPolicies/{before['id']}?" in line for line in log)
    assert sorted(curator_principals(put)) == sorted([OTHER, CURATOR])
    assert put["properties"]["attributeRules"][0] == before["properties"]["attributeRules"][0], "other roles untouched"


def test_script_changes_nothing_when_the_curator_is_there(tmp_path):
    before = policy([{"attributeName": "principal.microsoft.id", "attributeValueIncludedIn": [CURATOR]}, DERIVED])
    done, log, put = run_script(tmp_path, before)
    assert done.returncode == 0, done.stderr
    assert put is None and not any("--method put" in line for line in log)
    assert "already Data Curator" in done.stdout


def test_script_adds_a_principal_condition_where_the_rule_has_none(tmp_path):
    done, _, put = run_script(tmp_path, policy([DERIVED]))
    assert done.returncode == 0, done.stderr
    assert curator_principals(put) == [CURATOR]


def test_script_fails_without_a_root_collection_policy(tmp_path):
    other = policy([DERIVED])
    other["properties"]["collection"]["referenceName"] = "some-sub-collection"
    done, _, put = run_script(tmp_path, other)
    assert done.returncode != 0 and put is None


def test_script_fails_without_a_data_curator_rule(tmp_path):
    no_curator = policy([DERIVED])
    no_curator["properties"]["attributeRules"].pop()
    done, _log, put = run_script(tmp_path, no_curator)
    assert done.returncode != 0 and put is None
    assert "no Data Curator rule" in done.stderr


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
def test_script_passes_shellcheck():
    done = subprocess.run(["shellcheck", str(CURATOR_SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout

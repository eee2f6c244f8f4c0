"""Rotation: the SQL password and the Redis key are renewed by their own schedules, the Redis key by
regenerating the key no client holds; the registry app picks up a new connection secret at once."""

import os
import subprocess
from pathlib import Path

import pytest

from infra.components.redis_key_rotation import SCRIPT
from tests.support import run
from tests.test_online_store import legacy

SCHEDULE = "time:index/rotating:Rotating"
SECRET = "azure-native:keyvault:Secret"
COMMAND = "command:local:Command"
PASSWORD = "random:index/randomPassword:RandomPassword"
BASE = "2026-12-01T00:00:00Z"  # the offline schedules' base timestamp (fabricators/rotation.py)


def schedule_urns(result):
    return {s.logical_name: s.urn for s in result.of_type(SCHEDULE)}


def secret_named(result, name):
    [secret] = [s for s in result.of_type(SECRET) if s.inputs["secretName"] == name]
    return secret


def key_command(result):
    [command] = [c for c in result.of_type(COMMAND) if c.logical_name == "online-store-key-regeneration"]
    return command


def test_each_rotating_credential_has_its_own_schedule_and_the_rest_share_the_vaults(stack_run):
    assert set(schedule_urns(stack_run)) == {
        "key-vault-secret-expiry",
        "online-store-key-rotation",
        "registry-sql-admin-password-rotation",
        "registry-sql-app-password-rotation",  # the registry app's own database user (issue 14)
    }
    assert {s.inputs["rotationDays"] for s in stack_run.of_type(SCHEDULE)} == {60}


# --- SQL administrator password ----------------------------------------------------------------------


def test_sql_password_is_renewed_when_its_schedule_rotates(stack_run):
    [password] = [p for p in stack_run.of_type(PASSWORD) if p.logical_name == "registry-sql-admin-password"]
    assert password.inputs["keepers"]["rotation"] == BASE
    assert schedule_urns(stack_run)["registry-sql-admin-password-rotation"] in password.depends_on


def test_sql_connection_secret_expires_on_the_password_schedule(stack_run):
    # The connection string holds the app user's password (issue 14), so it follows that schedule.
    secret = secret_named(stack_run, "FEATHR-REGISTRY-SQL-CONNECTION-STRING")
    assert schedule_urns(stack_run)["registry-sql-app-password-rotation"] in secret.depends_on
    assert schedule_urns(stack_run)["registry-sql-admin-password-rotation"] not in secret.depends_on
    assert schedule_urns(stack_run)["key-vault-secret-expiry"] not in secret.depends_on


def test_registry_app_settings_change_with_each_connection_secret_version(stack_run):
    apps = stack_run.of_type("azure-native:web:WebApp")
    assert len(apps) == (2 if stack_run.stack == "prod" else 1)  # prod: the standby reads the same secret
    for app in apps:
        _changes_with_the_secret_version(app)


def _changes_with_the_secret_version(app):
    settings = {p["name"]: p["value"] for p in app.inputs["siteConfig"]["appSettings"]}
    # the version id of the secret as Azure returns it (fabricators/keyvault.py); a rotated password
    # writes a new version, so this setting changes and App Service re-fetches CONNECTION_STR at once
    assert settings["FEATHR_CONNECTION_SECRET_VERSION"] == "0123456789abcdef0123456789abcdef"
    assert settings["CONNECTION_STR"].startswith("@Microsoft.KeyVault(SecretUri=https://")
    assert "0123456789abcdef" not in settings["CONNECTION_STR"]  # the reference itself stays versionless


# --- Redis access key ------------------------------------------------------------------------------

REDIS_VARIANTS = {
    "managed-redis": (
        lambda: run("dev"),
        "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/contoso-dev-rg/providers"
        "/Microsoft.Cache/redisEnterprise/contoso-dev-amr-yk41aj/databases/default",
        "2025-07-01",
    ),
    "cache-for-redis": (
        lambda: legacy("dev"),
        "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/contoso-dev-rg/providers"
        "/Microsoft.Cache/redis/contoso-dev-redis-yk41aj",
        "2024-11-01",
    ),
}


@pytest.mark.parametrize("kind", sorted(REDIS_VARIANTS))
def test_redis_key_regeneration_runs_when_the_key_schedule_rotates(kind):
    runner, resource_id, api_version = REDIS_VARIANTS[kind]
    result = runner()
    command = key_command(result)
    assert command.inputs["triggers"] == [BASE, resource_id]
    assert schedule_urns(result)["online-store-key-rotation"] in command.depends_on
    assert command.inputs["environment"] == {
        "RESOURCE_ID": resource_id,
        "API_VERSION": api_version,
        "SECRET_ID": "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/contoso-dev-rg"
        "/providers/Microsoft.KeyVault/vaults/contoso-dev-kv-yk41aj/secrets/REDIS-PASSWORD",
        "SLOT_TAG": "feathr-key-slot",
    }
    assert command.inputs["create"] == SCRIPT.read_text()


@pytest.mark.parametrize("kind", sorted(REDIS_VARIANTS))
def test_redis_password_is_the_regenerated_key_tagged_with_its_slot(kind):
    result = REDIS_VARIANTS[kind][0]()
    secret = secret_named(result, "REDIS-PASSWORD")
    # offline, the script reports the secondary (a first deployment: no slot tag yet)
    assert secret.inputs["tags"]["feathr-key-slot"] == "Secondary"
    assert secret.inputs["properties"]["value"].startswith("FAKE-REDIS-KEY-secondary-")
    assert schedule_urns(result)["online-store-key-rotation"] in secret.depends_on


# --- the regeneration script, against a fake `az` ----------------------------------------------------

FAKE_AZ = r"""#!/usr/bin/env bash
# Records each call; answers like ARM. $STATE holds the current key values, one file per key.
echo "$*" >> "$STATE/calls"
case "$*" in
  *"--method get"*)
    if [ -f "$STATE/tag" ]; then cat "$STATE/tag"; exit 0; fi
    echo "${GET_ERROR:-ERROR: (SecretNotFound) Not Found}" >&2; exit 3 ;;
  *listKeys*) field=$(sed -E 's/.*--query ([a-zA-Z]+).*/\1/' <<< "$*"); cat "$STATE/$field" ;;
  *regenerateKey*)
    [ -n "${STUCK:-}" ] && exit 0
    key=$(sed -E 's/.*"keyType": "([A-Za-z]+)".*/\1/' <<< "$*")
    echo "regenerated-$key" > "$STATE/$(tr '[:upper:]' '[:lower:]' <<< "${key:0:1}")${key:1}Key" ;;
esac
"""


def run_script(tmp_path: Path, tag: str | None, **env):
    state = tmp_path / "state"
    state.mkdir()
    (state / "primaryKey").write_text("old-primary\n")
    (state / "secondaryKey").write_text("old-secondary\n")
    if tag is not None:
        (state / "tag").write_text(tag + "\n")
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    az.write_text(FAKE_AZ)
    az.chmod(0o755)
    environment = {
        **os.environ,
        "PATH": f"{az.parent}:{os.environ['PATH']}",
        "STATE": str(state),
        "RESOURCE_ID": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cache/redis/c",
        "API_VERSION": "2024-11-01",
        "SECRET_ID": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/secrets/REDIS-PASSWORD",
        "SLOT_TAG": "feathr-key-slot",
        "POLL_SECONDS": "0",
        **env,
    }
    done = subprocess.run(["/bin/bash", str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=60)
    calls = (state / "calls").read_text().splitlines() if (state / "calls").exists() else []
    keys = {k: (state / k).read_text().strip() for k in ("primaryKey", "secondaryKey")}
    return done, calls, keys


def test_first_rotation_regenerates_the_secondary_while_clients_hold_the_primary(tmp_path):
    done, calls, keys = run_script(tmp_path, tag=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Secondary"
    assert keys == {"primaryKey": "old-primary", "secondaryKey": "regenerated-Secondary"}
    assert any("regenerateKey?api-version=2024-11-01" in c and '"keyType": "Secondary"' in c for c in calls)


def test_next_rotation_regenerates_the_primary_while_clients_hold_the_secondary(tmp_path):
    done, _, keys = run_script(tmp_path, tag="Secondary")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Primary"
    assert keys == {"primaryKey": "regenerated-Primary", "secondaryKey": "old-secondary"}


def test_a_secret_holding_the_primary_gets_the_secondary_regenerated(tmp_path):
    done, _, keys = run_script(tmp_path, tag="Primary")
    assert (done.returncode, done.stdout) == (0, "Secondary")
    assert keys["primaryKey"] == "old-primary"


def test_a_failure_to_read_the_secret_stops_before_any_key_is_regenerated(tmp_path):
    done, calls, keys = run_script(tmp_path, tag=None, GET_ERROR="ERROR: (AuthorizationFailed) denied")
    assert done.returncode != 0 and "AuthorizationFailed" in done.stderr
    assert not any("regenerateKey" in c for c in calls)
    assert keys == {"primaryKey": "old-primary", "secondaryKey": "old-secondary"}


def test_no_key_value_reaches_the_output(tmp_path):
    done, _, _ = run_script(tmp_path, tag="Secondary")
    assert "old-" not in done.stdout + done.stderr and "regenerated-" not in done.stdout + done.stderr


def test_a_key_that_never_changes_fails_the_rotation(tmp_path):
    done, _, _ = run_script(tmp_path, tag=None, STUCK="1")
    assert done.returncode != 0 and "did not change" in done.stderr and done.stdout == ""

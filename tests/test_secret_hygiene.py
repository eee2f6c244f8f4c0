"""No secret in plain text: planted, recognisable secret values never reach a plain output, the
offline plan, the Feathr YAML or a non-secret input; they reach Key Vault, marked secret."""

import json

import pytest

from infra.offline.plan import plan_document
from infra.settings import SettingsError
from tests.support import config_merged, databricks_ready, run

PLANTED_TOKEN = "dapi-FAKE-DATABRICKS-TOKEN-0123456789abcdef"


def databricks_with_token(stack):
    config = databricks_ready(config_merged(stack, "spark", runtime="databricks", synapse={}))
    config["feathr-infra:databricksToken"] = PLANTED_TOKEN
    return config


def secret_values(result):
    """Every secret the run produced: the planted token, mocked keys and the generated password."""
    values = {PLANTED_TOKEN}
    for resource in result.resources:
        if resource.token == "random:index/randomPassword:RandomPassword":
            values.add(resource.outputs["result"])
        # ADLS-ACCOUNT holds the account's (public) name: Feathr merely looks it up in Key Vault.
        if resource.token == "azure-native:keyvault:Secret" and resource.inputs["secretName"] != "ADLS-ACCOUNT":
            values.add(resource.inputs["properties"]["value"])
    return {v for v in values if v}


def plain_texts(result):
    yield from (json.dumps(o.value, default=str) for o in result.outputs.values() if not o.secret)
    yield json.dumps(plan_document(result), default=str)
    for resource in result.resources:
        for key, value in resource.inputs.items():
            if key not in resource.secret_inputs:
                yield json.dumps(value, default=str)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_planted_secrets_never_appear_in_plain_text(stack):
    result = run(stack, databricks_with_token(stack))
    secrets = secret_values(result)
    assert PLANTED_TOKEN in secrets and any("FAKE-REDIS-KEY" in s for s in secrets) and len(secrets) >= 4
    for text in plain_texts(result):
        for secret in secrets:
            assert secret not in text


def test_databricks_token_goes_to_key_vault_marked_secret_and_clients_may_read_it():
    result = run("prod", databricks_with_token("prod"))
    [secret] = [
        r
        for r in result.of_type("azure-native:keyvault:Secret")
        if r.inputs["secretName"] == "DATABRICKS-WORKSPACE-TOKEN-VALUE"
    ]
    assert secret.inputs["properties"]["value"] == PLANTED_TOKEN and "properties" in secret.secret_inputs
    readers = {
        r.inputs["principalId"]
        for r in result.of_type("azure-native:authorization:RoleAssignment")
        if r.inputs["scope"] == secret.arm_id
    }
    assert len(readers) >= 3  # producers and consumers use the Feathr client


def test_a_token_without_databricks_is_rejected_without_echoing_it():
    config = config_merged("dev", "spark")
    config["feathr-infra:databricksToken"] = PLANTED_TOKEN
    with pytest.raises(SettingsError) as error:
        run("dev", config)
    assert "feathr-infra:databricksToken" in str(error.value) and PLANTED_TOKEN not in str(error.value)

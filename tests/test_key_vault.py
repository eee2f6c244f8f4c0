"""Key Vault: RBAC, soft delete, purge protection where production-like, network rules from settings."""

from tests.support import config_merged, run

VAULT = "azure-native:keyvault:Vault"


def test_vault_uses_rbac_and_soft_delete(stack_run):
    properties = stack_run.one(VAULT).inputs["properties"]
    assert properties["enableRbacAuthorization"] is True
    assert properties["enableSoftDelete"] is True
    assert properties["tenantId"]


def test_purge_protection_in_production_and_omitted_elsewhere(dev, prod):
    assert prod.one(VAULT).inputs["properties"]["enablePurgeProtection"] is True
    # never sent as false: Azure refuses to turn it off once on, so it is omitted instead
    assert "enablePurgeProtection" not in dev.one(VAULT).inputs["properties"]


def test_purge_protection_can_be_chosen_outside_production():
    result = run("dev", config_merged("dev", "keyVault", purgeProtection=True))
    assert result.one(VAULT).inputs["properties"]["enablePurgeProtection"] is True


def test_network_rules_from_settings(dev, prod):
    assert dev.one(VAULT).inputs["properties"]["networkAcls"]["defaultAction"] == "Allow"
    # A Deny vault is accepted where no Key Vault reference has to pass it (the Purview backend).
    purview = config_merged("dev", "registry", backend="purview")
    purview["feathr-infra:keyVault"] = {"networkDefaultAction": "Deny", "allowedIpRanges": ["203.0.113.0/24"]}
    acls = run("dev", purview).one(VAULT).inputs["properties"]["networkAcls"]
    assert acls == {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [{"value": "203.0.113.0/24"}]}


def test_retention_and_sku_from_settings(dev, prod):
    assert dev.one(VAULT).inputs["properties"]["softDeleteRetentionInDays"] == 7
    assert prod.one(VAULT).inputs["properties"]["sku"] == {"family": "A", "name": "premium"}


def test_vault_uri_is_exported(prod):
    name = prod.outputs["keyVaultName"].value
    assert prod.outputs["keyVaultUri"].value == f"https://{name}.vault.azure.net/"

"""The ADLS Gen2 offline store: secure by default, shared when settings say so."""

from tests.support import config_merged, offline_store_account, run

SHARED_ID = (
    "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/shared-data"
    "/providers/Microsoft.Storage/storageAccounts/contososhared"
)


def test_account_is_adls_gen2_and_locked_down(stack_run):
    account = offline_store_account(stack_run).inputs
    assert account["isHnsEnabled"] is True
    assert account["kind"] == "StorageV2"
    assert account["enableHttpsTrafficOnly"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["allowSharedKeyAccess"] is False
    assert account["defaultToOAuthAuthentication"] is True


def test_shared_key_access_only_when_a_setting_turns_it_on():
    account = offline_store_account(run("dev", config_merged("dev", "offlineStore", sharedKeyAccess=True))).inputs
    assert account["allowSharedKeyAccess"] is True


def test_sku_per_environment(dev, prod):
    assert offline_store_account(dev).inputs["sku"] == {"name": "Standard_LRS"}
    assert offline_store_account(prod).inputs["sku"] == {"name": "Standard_RAGZRS"}


def test_feature_container_is_private(stack_run):
    container = stack_run.one("azure-native:storage:BlobContainer").inputs
    assert container["containerName"] == "features"
    assert container["publicAccess"] == "None"


def test_soft_delete_backs_up_blobs_and_containers(prod):
    service = prod.one("azure-native:storage:BlobServiceProperties").inputs
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}


def test_network_rules_from_settings(dev, prod):
    assert offline_store_account(dev).inputs["networkRuleSet"]["defaultAction"] == "Allow"
    assert "publicNetworkAccess" not in offline_store_account(dev).inputs
    # Prod is private: public network access off, no IP rules; clients come through the dfs/blob endpoints.
    assert offline_store_account(prod).inputs["publicNetworkAccess"] == "Disabled"
    rules = offline_store_account(prod).inputs["networkRuleSet"]
    assert rules["defaultAction"] == "Deny" and rules["bypass"] == "AzureServices"
    assert rules["ipRules"] == []


def test_a_public_store_keeps_its_ip_rules():
    config = config_merged("dev", "offlineStore", networkDefaultAction="Deny", allowedIpRanges=["203.0.113.0/24"])
    spark = config["feathr-infra:spark"]
    config["feathr-infra:spark"] = {**spark, "synapse": {**spark["synapse"], "managedVirtualNetwork": True}}
    rules = offline_store_account(run("dev", config)).inputs["networkRuleSet"]
    assert rules["defaultAction"] == "Deny"
    assert rules["ipRules"] == [{"action": "Allow", "iPAddressOrRange": "203.0.113.0/24"}]


def test_shared_mode_creates_no_storage_and_points_at_the_shared_account():
    result = run("dev", config_merged("dev", "offlineStore", mode="shared", existingAccountId=SHARED_ID))
    assert not [r for r in result.resources if r.token.startswith("azure-native:storage:")]
    assert result.outputs["offlineStoreAccountName"].value == "contososhared"
    assert result.outputs["offlineStoreRoot"].value == "abfss://features@contososhared.dfs.core.windows.net"
    # the environment's own vault is still created: data may be shared, secrets never are
    assert result.one("azure-native:keyvault:Vault").physical_name == "contoso-dev-kv-yk41aj"


def _endpoints_of(result, account):
    """(group id, region) of every private endpoint to `account`."""
    return {
        (e.inputs["privateLinkServiceConnections"][0]["groupIds"][0], e.inputs["location"])
        for e in result.of_type("azure-native:network:PrivateEndpoint")
        if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == account.arm_id
    }


def test_prod_reaches_its_read_only_secondary_from_the_partner_region(prod):
    # Standard_RAGZRS: Learn storage-private-endpoints, read access to the secondary needs "separate private
    # endpoints for both the primary and secondary instances"; the secondaries sit in the partner VNet (northeurope),
    # which stays up when westeurope is lost.
    assert _endpoints_of(prod, offline_store_account(prod)) == {
        ("dfs", "westeurope"),
        ("blob", "westeurope"),
        ("dfs_secondary", "northeurope"),
        ("blob_secondary", "northeurope"),
    }


def test_a_private_store_without_read_access_to_a_secondary_has_primary_endpoints_only():
    # Standard_GZRS replicates but offers no readable secondary: nothing to reach there.
    config = config_merged("prod", "offlineStore", sku="Standard_GZRS")
    result = run("prod", config)
    assert _endpoints_of(result, offline_store_account(result)) == {("dfs", "westeurope"), ("blob", "westeurope")}

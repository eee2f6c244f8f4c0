"""Security-relevant properties of every component, per stack variant, against values written here.

TLS 1.2 is the minimum Azure still lets services accept; basic-auth publishing, remote debugging,
cross-tenant replication and public blob access are off everywhere; shared key access is on only
where the settings turn it on (Databricks reaches the offline store with the account key).
"""

import pytest

from tests.variants import run_variant

CASES = [
    (stack, variant)
    for stack in ("dev", "prod")
    for variant in ("as deployed", "databricks", "legacy redis", "purview")
]
IDS = [f"{s}-{v}" for s, v in CASES]
# offlineStore.sharedKeyAccess as the variants set it: tests/variants.py databricks() turns it on.
SHARED_KEY_ACCESS = {"as deployed": False, "databricks": True, "legacy redis": False, "purview": False}


@pytest.mark.parametrize("stack, variant", CASES, ids=IDS)
def test_registry_web_app(stack, variant):
    result = run_variant(stack, variant)
    for app in result.of_type("azure-native:web:WebApp"):  # the primary, and the standby where there is one
        _secure_web_app(result, app)


def _secure_web_app(result, app):
    assert app.inputs["httpsOnly"] is True
    config = app.inputs["siteConfig"]
    assert config["remoteDebuggingEnabled"] is False
    assert config["ftpsState"] == "Disabled"
    assert config["minTlsVersion"] == "1.2"
    assert config["scmMinTlsVersion"] == "1.2"
    # Basic-auth publishing credentials off, for FTP and for the SCM site, on this app.
    for token in ("azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"):
        [policy] = [p for p in result.of_type(token) if p.inputs["name"] == app.inputs["name"]]
        assert policy.inputs["allow"] is False
        assert policy.inputs["name"] == app.inputs["name"]
        assert policy.inputs["resourceGroupName"] == app.inputs["resourceGroupName"]


@pytest.mark.parametrize("stack, variant", CASES, ids=IDS)
def test_offline_store_account(stack, variant):
    result = run_variant(stack, variant)
    (account,) = [
        a.inputs for a in result.of_type("azure-native:storage:StorageAccount") if a.logical_name == "offline-store"
    ]
    assert account["allowBlobPublicAccess"] is False
    assert account["allowCrossTenantReplication"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["enableHttpsTrafficOnly"] is True
    assert account["allowSharedKeyAccess"] is SHARED_KEY_ACCESS[variant]
    assert account["defaultToOAuthAuthentication"] is not SHARED_KEY_ACCESS[variant]  # the portal default
    container = result.one("azure-native:storage:BlobContainer").inputs
    assert container.get("publicAccess") in (None, "None")


# The private deployment scripts' storage account: prod is private except its databricks variant
# (tests/support.py databricks_ready runs it public); dev is public and has none.
SCRIPT_STORAGE = {(s, v): s == "prod" and v != "databricks" for s, v in CASES}


@pytest.mark.parametrize("stack, variant", CASES, ids=IDS)
def test_script_storage_account(stack, variant):
    result = run_variant(stack, variant)
    found = [
        a.inputs for a in result.of_type("azure-native:storage:StorageAccount") if a.logical_name != "offline-store"
    ]
    assert len(found) == (1 if SCRIPT_STORAGE[(stack, variant)] else 0)
    for account in found:
        assert account["allowBlobPublicAccess"] is False
        assert account["allowCrossTenantReplication"] is False
        assert account["minimumTlsVersion"] == "TLS1_2"
        assert account["enableHttpsTrafficOnly"] is True
        # Container Instances mounts the scripts' file share with the account key (docs/networking.md).
        assert account["allowSharedKeyAccess"] is True
        assert account["networkRuleSet"]["defaultAction"] == "Deny"


@pytest.mark.parametrize("stack, variant", CASES, ids=IDS)
def test_key_vault(stack, variant):
    properties = run_variant(stack, variant).one("azure-native:keyvault:Vault").inputs["properties"]
    assert properties["enableRbacAuthorization"] is True
    assert properties["enabledForDeployment"] is False
    assert properties["enabledForTemplateDeployment"] is False
    assert properties["enabledForDiskEncryption"] is False
    assert properties["enableSoftDelete"] is True
    # Purge protection: on in production-like stacks (expressed by omission in dev: it cannot be
    # turned off again once on, so dev leaves it to Azure's default, off).
    assert properties.get("enablePurgeProtection") is (True if stack == "prod" else None)


@pytest.mark.parametrize("stack, variant", [c for c in CASES if c[1] != "purview"], ids=lambda c: str(c))
def test_sql_servers(stack, variant):
    servers = run_variant(stack, variant).of_type("azure-native:sql:Server")
    assert len(servers) == (2 if stack == "prod" else 1)  # prod: the geo-secondary's partner server
    for server in servers:
        assert server.inputs["minimalTlsVersion"] == "1.2"
        assert server.inputs["administrators"]["administratorType"] == "ActiveDirectory"
        assert "administratorLoginPassword" in server.secret_inputs


@pytest.mark.parametrize("stack, variant", [c for c in CASES if c[1] != "legacy redis"], ids=lambda c: str(c))
def test_managed_redis(stack, variant):
    result = run_variant(stack, variant)
    assert result.one("azure-native:redisenterprise:RedisEnterprise").inputs["minimumTlsVersion"] == "1.2"
    assert result.one("azure-native:redisenterprise:Database").inputs["clientProtocol"] == "Encrypted"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_legacy_redis(stack):
    cache = run_variant(stack, "legacy redis").one("azure-native:redis:Redis").inputs
    assert cache["minimumTlsVersion"] == "1.2"
    assert cache["enableNonSslPort"] is False


@pytest.mark.parametrize("stack, variant", [c for c in CASES if c[1] != "databricks"], ids=lambda c: str(c))
def test_synapse_workspace_accepts_entra_only(stack, variant):
    workspace = run_variant(stack, variant).one("azure-native:synapse:Workspace").inputs
    assert workspace["azureADOnlyAuthentication"] is True


@pytest.mark.parametrize(
    "stack, variant", [("dev", "databricks"), ("prod", "databricks"), ("prod", "databricks private")]
)
def test_databricks_clusters_get_no_public_ip(stack, variant):
    workspace = run_variant(stack, variant).one("azure-native:databricks:Workspace").inputs
    assert workspace["parameters"]["enableNoPublicIp"] == {"value": True}


# Public network access of each Spark workspace per stack variant: prod is private (network.mode), dev public.
SPARK_PUBLIC_ACCESS = {
    ("dev", "as deployed"): "Enabled",
    ("prod", "as deployed"): "Disabled",
    ("prod", "databricks private"): "Disabled",
}


@pytest.mark.parametrize("stack, variant", sorted(SPARK_PUBLIC_ACCESS), ids=lambda c: str(c))
def test_spark_workspace_public_network_access(stack, variant):
    result = run_variant(stack, variant)
    token = "azure-native:databricks:Workspace" if "databricks" in variant else "azure-native:synapse:Workspace"
    assert result.one(token).inputs["publicNetworkAccess"] == SPARK_PUBLIC_ACCESS[(stack, variant)]

"""Key Vaults and their secrets."""

from pulumi.runtime import rpc

from infra.offline.azure_model import ArmType, register


def _vault_properties(r, name, arm_id):
    return {"properties": {**(r.get("properties") or {}), "vaultUri": f"https://{name}.vault.azure.net/"}}


def _secret_properties(r, name, arm_id):
    vault = r.get("vaultName")
    uri = f"https://{vault}.vault.azure.net/secrets/{name}"
    # Azure never returns a secret's value from the management plane. A secret value makes the whole
    # `properties` input arrive wrapped as a secret ({<secret sig>: ..., "value": {...}}): unwrap it.
    properties = r.get("properties") or {}
    if properties.get(rpc._special_sig_key) == rpc._special_secret_sig:
        properties = properties.get("value") or {}
    properties = {k: v for k, v in properties.items() if k != "value"}
    return {
        "properties": {
            **properties,
            "secretUri": uri,
            "secretUriWithVersion": f"{uri}/0123456789abcdef0123456789abcdef",
        }
    }


register(
    ArmType(
        "azure-native:keyvault:Vault", "Microsoft.KeyVault/vaults/{vaultName}", "vaultName", computed=_vault_properties
    ),
    ArmType(
        "azure-native:keyvault:Secret",
        "Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
        "secretName",
        computed=_secret_properties,
    ),
)

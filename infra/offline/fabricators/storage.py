"""ADLS Gen2 storage accounts and their containers."""

import hashlib

from infra.offline.azure_model import ArmType, register, register_call


def _endpoints(account: str) -> dict[str, str]:
    return {
        kind: f"https://{account}.{kind}.core.windows.net/" for kind in ("blob", "dfs", "file", "queue", "table", "web")
    }


register(
    ArmType(
        "azure-native:storage:StorageAccount",
        "Microsoft.Storage/storageAccounts/{accountName}",
        "accountName",
        computed=lambda r, name, arm_id: {"primaryEndpoints": _endpoints(name), "provisioningState": "Succeeded"},
    ),
    ArmType(
        "azure-native:storage:BlobServiceProperties",
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}",
        "blobServicesName",
    ),
    ArmType(
        "azure-native:storage:BlobContainer",
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}",
        "containerName",
    ),
)


@register_call("azure-native:storage:getStorageAccount")
def get_storage_account(args):
    name = args["accountName"]
    return {"name": name, "isHnsEnabled": True, "primaryEndpoints": _endpoints(name), "kind": "StorageV2"}


@register_call("azure-native:storage:listStorageAccountKeys")
def list_storage_account_keys(args):
    key = hashlib.sha256(f"storage-key/{args.get('accountName')}".encode()).hexdigest()
    return {"keys": [{"keyName": "key1", "permissions": "FULL", "value": key + "=="}]}

"""Azure SQL (the registry's SQL store) and pulumi-random passwords.

Azure computes a server's host name as `<server>.database.windows.net`; a failover group's
listeners are `<group>.database.windows.net` (read-write) and `<group>.secondary.database.windows.net`
(read-only). Azure never returns the administrator password.
"""

import hashlib
import json
import string

from pulumi.runtime import rpc

from infra.offline.azure_model import ArmType, Resource, register, stable_uuid

_SERVER = "Microsoft.Sql/servers/{serverName}"
_DATABASE = _SERVER + "/databases/{databaseName}"


def _unwrap(value):
    """A secret input arrives wrapped in Pulumi's secret envelope under the mocks."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return value.get("value")
    return value


def _server(r, name, arm_id):
    administrators = dict(_unwrap(r.get("administrators")) or {})
    return {
        "administratorLoginPassword": None,  # write-only in Azure
        "fullyQualifiedDomainName": f"{name}.database.windows.net",
        "state": "Ready",
        "administrators": {**administrators, "administratorType": "ActiveDirectory"},
    }


def _database(r, name, arm_id):
    sku = r.get("sku") or {}
    return {
        "databaseId": stable_uuid("sql-database", arm_id),
        "status": "Online",
        "currentServiceObjectiveName": sku.get("name"),
        "currentSku": sku,
        "currentBackupStorageRedundancy": r.get("requestedBackupStorageRedundancy"),
        "defaultSecondaryLocation": None,
    }


def _failover_group(r, name, arm_id):
    partners = [
        {"id": p.get("id"), "location": None, "replicationRole": "Secondary"} for p in (r.get("partnerServers") or [])
    ]
    return {"replicationRole": "Primary", "replicationState": "CATCH_UP", "partnerServers": partners}


register(
    ArmType("azure-native:sql:Server", _SERVER, "serverName", computed=_server),
    ArmType("azure-native:sql:Database", _DATABASE, "databaseName", computed=_database),
    ArmType("azure-native:sql:FirewallRule", _SERVER + "/firewallRules/{firewallRuleName}", "firewallRuleName"),
    ArmType(
        "azure-native:sql:FailoverGroup",
        _SERVER + "/failoverGroups/{failoverGroupName}",
        "failoverGroupName",
        computed=_failover_group,
    ),
    ArmType(
        "azure-native:sql:BackupShortTermRetentionPolicy",
        _DATABASE + "/backupShortTermRetentionPolicies/{policyName}",
        "policyName",
    ),
    ArmType(
        "azure-native:sql:LongTermRetentionPolicy",
        _DATABASE + "/backupLongTermRetentionPolicies/{policyName}",
        "policyName",
    ),
)


class LocalType(ArmType):
    """A provider-local resource (pulumi-random): no Azure id (the provider reports `none`); the
    stand-in id is derived from the inputs (the keepers name the owner) so stacks never share one."""

    def arm_id(self, resource: Resource) -> str:
        return f"{self.path}/{stable_uuid(self.token, json.dumps(resource.inputs, sort_keys=True, default=str))}"


def _password(r, name, arm_id):
    """A deterministic stand-in honouring length, character classes and the allowed specials."""
    length = int(r.get("length") or 16)
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits]
    if r.get("special", True):
        classes.append(r.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?")
    seed = hashlib.sha256(f"random-password/{name}".encode()).digest()
    chars = [classes[i % len(classes)][seed[i % len(seed)] % len(classes[i % len(classes)])] for i in range(length)]
    return {"result": "".join(chars), "bcryptHash": "$2a$10$" + hashlib.sha256(seed).hexdigest()[:53]}


register(LocalType("random:index/randomPassword:RandomPassword", "random/passwords", "", computed=_password))

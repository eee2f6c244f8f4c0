"""The guardrails policy pack (policy/): every policy passes on every real stack and fires on a broken resource.

The policies get the resources the mocks recorded, wrapped in pulumi-policy's own argument objects
(ResourceValidationArgs / StackValidationArgs / PolicyResource), the way the analyzer server builds
them. Production-likeness reaches the policies as it does under the Pulumi CLI: the stack's config
in PULUMI_CONFIG.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from collections.abc import Iterable
from typing import Any

import pytest
import yaml
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from infra.offline.mocks import RecordedResource
from infra.offline.runner import REPO_ROOT, stack_config
from tests.support import STACKS, run

POLICY_DIR = REPO_ROOT / "policy"
sys.path.insert(0, str(POLICY_DIR))

import feathr_policies as fp  # noqa: E402
import taggable_types  # noqa: E402

# --- the framework's argument objects, built from recorded resources --------------------------------


def _options(r: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=r.protect,
        ignore_changes=sorted(r.ignore_changes),
        delete_before_replace=r.delete_before_replace or None,
        aliases=list(r.aliases),
        custom_timeouts=PolicyCustomTimeouts(0.0, 0.0, 0.0),
        additional_secret_outputs=sorted(r.additional_secret_outputs),
        parent=r.parent_urn or None,
    )


def resource_args(r: RecordedResource, config: dict[str, Any] | None = None) -> ResourceValidationArgs:
    props = unknown_checking_proxy(copy.deepcopy(r.inputs))
    return ResourceValidationArgs(r.token, props, r.urn, r.logical_name, _options(r), None, config)


def stack_args(resources: Iterable[RecordedResource], config: dict[str, Any] | None = None) -> StackValidationArgs:
    """As the analyzer's AnalyzeStack does: PolicyResources, then parents and dependencies linked by URN."""
    resources = list(resources)
    by_urn = {
        r.urn: PolicyResource(
            r.token,
            unknown_checking_proxy(copy.deepcopy(r.inputs)),
            r.urn,
            r.logical_name,
            _options(r),
            None,
            None,
            [],
            {},
        )
        for r in resources
    }
    for r in resources:
        policy_resource = by_urn[r.urn]
        policy_resource.parent = by_urn.get(r.parent_urn)
        policy_resource.dependencies = [by_urn[urn] for urn in r.depends_on if urn in by_urn]
    return StackValidationArgs(list(by_urn.values()), config)


def violations(policy: Any, resources: Iterable[RecordedResource], config: dict[str, Any] | None = None) -> list[str]:
    messages: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        messages.append(message)

    if isinstance(policy, ResourceValidationPolicy):
        for r in resources:
            policy.validate(resource_args(r, config), report)
    else:
        policy.validate(stack_args(resources, config), report)
    return messages


def pulumi_config_env(stack: str) -> str:
    """PULUMI_CONFIG as the CLI hands it to a policy pack: `project:key` -> string (objects as JSON)."""
    return json.dumps(
        {
            key: (
                json.dumps(value)
                if isinstance(value, dict | list)
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            )
            for key, value in stack_config(stack).items()
            if value is not None
        }
    )


@pytest.fixture
def as_stack(monkeypatch):
    """Run the policies as the CLI would for `stack`; returns that stack's recorded resources."""

    def activate(stack: str) -> list[RecordedResource]:
        monkeypatch.setenv("PULUMI_CONFIG", pulumi_config_env(stack))
        return run(stack).resources

    return activate


def replaced(r: RecordedResource, **inputs: Any) -> RecordedResource:
    """`r` with top-level inputs replaced; None removes the input."""
    broken = {key: value for key, value in {**copy.deepcopy(r.inputs), **inputs}.items() if value is not None}
    return dataclasses.replace(r, inputs=broken)


def recorded(stack: str, *tokens: str) -> list[RecordedResource]:
    return [r for r in run(stack).resources if r.token in tokens]


def without(resources: list[RecordedResource], token: str) -> list[RecordedResource]:
    return [r for r in resources if r.token != token]


# --- the pack -----------------------------------------------------------------------------------


def test_pack_has_seven_named_described_policies():
    names = [policy.name for policy in fp.ALL_POLICIES]
    assert len(names) == 7 and len(set(names)) == 7
    assert all(policy.description for policy in fp.ALL_POLICIES)
    main = (POLICY_DIR / "__main__.py").read_text()
    assert 'name="feathr-guardrails"' in main and "EnforcementLevel.MANDATORY" in main and "ALL_POLICIES" in main


def test_pack_pins_match_the_program():
    program_pins = {
        line.split("==")[0]: line for line in (REPO_ROOT / "requirements.txt").read_text().split() if "==" in line
    }
    pack_pins = [line for line in (POLICY_DIR / "requirements.txt").read_text().splitlines() if "==" in line]
    assert program_pins["pulumi"] in pack_pins
    assert "pulumi-policy==1.21.0" in pack_pins
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}


def test_taggable_types_file_matches_the_installed_sdk():
    assert sorted(taggable_types.load()) == taggable_types.scan_sdk(taggable_types.installed_sdk_dir()), (
        "policy/taggable_types.txt is stale: run python policy/taggable_types.py"
    )


def test_production_likeness_is_the_stack_setting(as_stack):
    as_stack("prod")
    assert fp.production_like(StackValidationArgs([]))
    assert not fp.production_like(StackValidationArgs([], {"productionLike": False}))
    as_stack("dev")
    assert not fp.production_like(StackValidationArgs([]))
    assert fp.production_like(StackValidationArgs([], {"productionLike": True}))


# --- every policy passes on every real stack ----------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("policy", fp.ALL_POLICIES, ids=lambda p: p.name)
def test_policy_passes_on_real_stack(as_stack, stack, policy):
    assert violations(policy, as_stack(stack)) == []


# --- each policy fires on a broken resource -----------------------------------------------------


def _set_path(inputs: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(inputs)
    node = broken
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return broken


def test_tls_policy_fires_on_weak_or_missing_minimum(as_stack):
    resources = [r for r in as_stack("prod") + as_stack("dev") if r.token in fp.TLS_REQUIRED]
    assert {"azure-native:storage:StorageAccount", "azure-native:sql:Server"} <= {r.token for r in resources}
    for r in resources:
        for path in fp.TLS_REQUIRED[r.token]:
            weak = "TLS1_1" if str(fp._lookup(r.inputs, path)).startswith("TLS") else "1.1"
            fired = violations(fp.TLS_MINIMUM, [dataclasses.replace(r, inputs=_set_path(r.inputs, path, weak))])
            assert fired and f"'{r.logical_name}'" in fired[0] and ".".join(path) in fired[0], (r.token, fired)
            fired = violations(fp.TLS_MINIMUM, [dataclasses.replace(r, inputs=_set_path(r.inputs, path, None))])
            assert fired and "is not set" in fired[0], (r.token, fired)
    sql = recorded("prod", "azure-native:sql:Server")[0]
    assert violations(fp.TLS_MINIMUM, [replaced(sql, minimalTlsVersion="None")])
    assert not violations(fp.TLS_MINIMUM, [replaced(sql, minimalTlsVersion="1.3")])


def test_tls_policy_checks_any_tls_setting_on_any_type():
    web_app = RecordedResource("urn:x", "azure-native:web:WebApp", "app", "app", "", {}, {}, frozenset())
    fired = violations(
        fp.TLS_MINIMUM, [replaced(web_app, siteConfig={"minTlsVersion": "1.2", "scmMinTlsVersion": "1.0"})]
    )
    assert fired == [
        "azure-native:web:WebApp 'app': property 'siteConfig.scmMinTlsVersion' is '1.0'; TLS 1.2 or later is required."
    ]


def test_public_blob_access_policy_fires():
    account = recorded("prod", "azure-native:storage:StorageAccount")[0]
    container = recorded("prod", "azure-native:storage:BlobContainer")[0]
    for broken in (
        replaced(account, allowBlobPublicAccess=True),
        dataclasses.replace(account, inputs=_set_path(account.inputs, ("allowBlobPublicAccess",), None)),
    ):
        fired = violations(fp.NO_PUBLIC_BLOB_ACCESS, [broken])
        assert len(fired) == 1 and f"'{account.logical_name}'" in fired[0] and "allowBlobPublicAccess" in fired[0]
    fired = violations(fp.NO_PUBLIC_BLOB_ACCESS, [replaced(container, publicAccess="Blob")])
    assert len(fired) == 1 and f"'{container.logical_name}'" in fired[0] and "publicAccess" in fired[0]


def test_firewall_policy_fires_on_every_recorded_rule_opened_to_all():
    rules = [r for s in STACKS for r in run(s).resources if {"startIpAddress", "endIpAddress"} <= r.inputs.keys()]
    assert {"azure-native:sql:FirewallRule", "azure-native:synapse:IpFirewallRule"} <= {r.token for r in rules}
    for rule in rules:
        fired = violations(
            fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(rule, startIpAddress="0.0.0.0", endIpAddress="255.255.255.255")]
        )
        assert len(fired) == 1 and f"'{rule.logical_name}'" in fired[0] and "startIpAddress" in fired[0]
        fired = violations(
            fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(rule, startIpAddress="10.0.0.0", endIpAddress="11.0.0.0")]
        )
        assert len(fired) == 1, "a range one address wider than a /8"
        assert not violations(
            fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(rule, startIpAddress="10.0.0.0", endIpAddress="10.255.255.255")]
        )
        assert not violations(
            fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(rule, startIpAddress="0.0.0.0", endIpAddress="0.0.0.0")]
        )


def test_firewall_policy_fires_on_redis_rules_and_network_ip_rules():
    redis_rule = RecordedResource(
        "urn:x", "azure-native:redis:FirewallRule", "redis-fw", "redis-fw", "", {}, {}, frozenset()
    )
    fired = violations(
        fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(redis_rule, startIP="0.0.0.0", endIP="255.255.255.255")]
    )
    assert len(fired) == 1 and "'redis-fw'" in fired[0] and "startIP" in fired[0]
    account = recorded("prod", "azure-native:storage:StorageAccount")[0]
    network = copy.deepcopy(account.inputs["networkRuleSet"])
    # Prod is private (no IP rules of its own): one good range, then the bad one.
    network["ipRules"] = [{"iPAddressOrRange": "203.0.113.0/24", "action": "Allow"}]
    network["ipRules"].append({"iPAddressOrRange": "0.0.0.0/0", "action": "Allow"})
    fired = violations(fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(account, networkRuleSet=network)])
    assert (
        len(fired) == 1
        and f"'{account.logical_name}'" in fired[0]
        and "networkRuleSet.ipRules.1.iPAddressOrRange" in fired[0]
    )
    vault = recorded("prod", "azure-native:keyvault:Vault")[0]
    properties = copy.deepcopy(vault.inputs["properties"])
    properties["networkAcls"]["ipRules"] = [{"value": "10.0.0.0/7"}]
    fired = violations(fp.NO_ALLOW_ALL_FIREWALL_RULE, [replaced(vault, properties=properties)])
    assert len(fired) == 1 and "properties.networkAcls.ipRules.0.value" in fired[0]


def test_purge_protection_policy_fires_in_production_like_stacks_only(as_stack):
    as_stack("prod")
    vault = recorded("prod", "azure-native:keyvault:Vault")[0]
    broken = replaced(vault, properties={**vault.inputs["properties"], "enablePurgeProtection": False})
    fired = violations(fp.KEY_VAULT_PURGE_PROTECTION, [broken])
    assert len(fired) == 1 and f"'{vault.logical_name}'" in fired[0] and "properties.enablePurgeProtection" in fired[0]
    as_stack("dev")
    assert violations(fp.KEY_VAULT_PURGE_PROTECTION, [broken]) == []
    assert len(violations(fp.KEY_VAULT_PURGE_PROTECTION, [broken], {"productionLike": True})) == 1


def test_registry_policy_fires_without_failover_group_backups_or_registry(as_stack):
    resources = as_stack("prod")
    fired = violations(fp.REGISTRY_RESILIENCE, without(resources, fp.SQL_FAILOVER_GROUP))
    servers = [r for r in resources if r.token == fp.SQL_SERVER]
    assert len(fired) == len(servers) and all("FailoverGroup" in message for message in fired)

    fired = violations(fp.REGISTRY_RESILIENCE, without(resources, fp.SQL_SHORT_TERM_RETENTION))
    primary = next(r for r in resources if r.token == fp.SQL_DATABASE and "createMode" not in r.inputs)
    assert fired == [
        f"{fp.SQL_DATABASE} '{primary.logical_name}': no azure-native:sql:BackupShortTermRetentionPolicy for this database in a production-like stack."
    ]

    local = [replaced(r, requestedBackupStorageRedundancy="Local") if r is primary else r for r in resources]
    fired = violations(fp.REGISTRY_RESILIENCE, local)
    assert (
        len(fired) == 1 and f"'{primary.logical_name}'" in fired[0] and "requestedBackupStorageRedundancy" in fired[0]
    )

    # As stack policies see it under the CLI (outputs): ARM echoes neither createMode nor secondaryType.
    as_outputs = [
        replaced(r, createMode=None, secondaryType=None) if r.token == fp.SQL_DATABASE and r is not primary else r
        for r in resources
    ]
    assert violations(fp.REGISTRY_RESILIENCE, as_outputs) == []

    no_registry = [r for r in resources if not r.token.startswith("azure-native:sql:")]
    assert "no feature registry found" in violations(fp.REGISTRY_RESILIENCE, no_registry)[0]
    purview = RecordedResource("urn:p", fp.PURVIEW_ACCOUNT, "registry-purview", "p", "", {}, {}, frozenset())
    assert violations(fp.REGISTRY_RESILIENCE, [*no_registry, purview]) == []

    as_stack("dev")
    assert violations(fp.REGISTRY_RESILIENCE, no_registry) == []


def test_protection_policy_fires_on_every_unprotected_stateful_resource(as_stack):
    resources = as_stack("prod")
    stateful = [r for r in resources if r.token in fp.STATEFUL_TYPES]
    assert {"azure-native:storage:StorageAccount", "azure-native:keyvault:Vault", "azure-native:sql:Server"} <= {
        r.token for r in stateful
    }
    for r in stateful:
        unprotected = [dataclasses.replace(x, protect=False) if x is r else x for x in resources]
        fired = violations(fp.STATEFUL_RESOURCES_PROTECTED, unprotected)
        assert fired == [
            f"{r.token} '{r.logical_name}': resource option 'protect' is false; stateful resources must be protected in a production-like stack."
        ]
    as_stack("dev")
    assert violations(fp.STATEFUL_RESOURCES_PROTECTED, [dataclasses.replace(r, protect=False) for r in stateful]) == []


def test_tags_policy_fires_on_every_recorded_taggable_resource_missing_a_tag():
    taggable = [r for s in STACKS for r in run(s).resources if r.token in fp.TAGGABLE_TYPES]
    assert len({r.token for r in taggable}) >= 10
    for r in taggable:
        tags = {key: value for key, value in r.inputs["tags"].items() if key != "owner"}
        fired = violations(fp.REQUIRED_TAGS_PRESENT, [replaced(r, tags=tags)])
        assert len(fired) == 1 and f"'{r.logical_name}'" in fired[0] and "tags" in fired[0] and "owner" in fired[0]
        untagged = dataclasses.replace(r, inputs={k: v for k, v in r.inputs.items() if k != "tags"})
        assert len(violations(fp.REQUIRED_TAGS_PRESENT, [untagged])) == 1


# --- fixed expectations: the types each policy must cover, written here; absent / off / on ------


def synthetic(token: str, inputs: dict[str, Any] | None = None, protect: bool = False) -> RecordedResource:
    return RecordedResource(f"urn:{token}", token, "x", "x", "", inputs or {}, {}, frozenset(), protect=protect)


# (type, path of its minimum-TLS property, the 1.2 spelling its API uses)
TLS_BOUND = [
    ("azure-native:storage:StorageAccount", ("minimumTlsVersion",), "TLS1_2"),
    ("azure-native:sql:Server", ("minimalTlsVersion",), "1.2"),
    ("azure-native:web:WebApp", ("siteConfig", "minTlsVersion"), "1.2"),
    ("azure-native:redis:Redis", ("minimumTlsVersion",), "1.2"),
    ("azure-native:redisenterprise:RedisEnterprise", ("minimumTlsVersion",), "1.2"),
]


@pytest.mark.parametrize("token, path, good", TLS_BOUND, ids=[t[0] for t in TLS_BOUND])
def test_tls_policy_covers_type(token, path, good):
    weak = "TLS1_0" if good.startswith("TLS") else "1.0"
    assert len(violations(fp.TLS_MINIMUM, [synthetic(token, _set_path({}, path, None))])) == 1  # absent
    assert len(violations(fp.TLS_MINIMUM, [synthetic(token, _set_path({}, path, weak))])) == 1  # off (too low)
    assert violations(fp.TLS_MINIMUM, [synthetic(token, _set_path({}, path, good))]) == []  # on


@pytest.mark.parametrize("productionlike", [True, False])
def test_purge_protection_absent_off_and_on(productionlike):
    config = {"productionLike": productionlike}
    vault = "azure-native:keyvault:Vault"
    absent = synthetic(vault, {"properties": {"enableSoftDelete": True}})
    off = synthetic(vault, {"properties": {"enablePurgeProtection": False}})
    on = synthetic(vault, {"properties": {"enablePurgeProtection": True}})
    expected = 1 if productionlike else 0
    assert len(violations(fp.KEY_VAULT_PURGE_PROTECTION, [absent], config)) == expected  # what dev declares
    assert len(violations(fp.KEY_VAULT_PURGE_PROTECTION, [off], config)) == expected
    assert violations(fp.KEY_VAULT_PURGE_PROTECTION, [on], config) == []


def test_public_blob_access_absent_off_and_on():
    account = "azure-native:storage:StorageAccount"
    assert len(violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(account)])) == 1  # absent: Azure's default varies
    assert len(violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(account, {"allowBlobPublicAccess": True})])) == 1
    assert violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(account, {"allowBlobPublicAccess": False})]) == []
    container = "azure-native:storage:BlobContainer"
    assert violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(container)]) == []  # absent is private
    assert violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(container, {"publicAccess": "None"})]) == []
    for public in ("Blob", "Container"):
        assert len(violations(fp.NO_PUBLIC_BLOB_ACCESS, [synthetic(container, {"publicAccess": public})])) == 1


# Types that hold data: each must be protected in a production-like stack.
STATEFUL = [
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobContainer",
    "azure-native:keyvault:Vault",
    "azure-native:sql:Server",
    "azure-native:sql:Database",
    "azure-native:redis:Redis",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redisenterprise:Database",
    "azure-native:synapse:Workspace",
    "azure-native:databricks:Workspace",
    "azure-native:purview:Account",
]


@pytest.mark.parametrize("token", STATEFUL)
def test_protection_policy_covers_type(token):
    prod = {"productionLike": True}
    assert len(violations(fp.STATEFUL_RESOURCES_PROTECTED, [synthetic(token)], prod)) == 1
    assert violations(fp.STATEFUL_RESOURCES_PROTECTED, [synthetic(token, protect=True)], prod) == []
    assert violations(fp.STATEFUL_RESOURCES_PROTECTED, [synthetic(token)], {"productionLike": False}) == []


def test_protection_policy_leaves_stateless_types_alone():
    prod = {"productionLike": True}
    for token in ("azure-native:authorization:RoleAssignment", "azure-native:sql:FirewallRule"):
        assert violations(fp.STATEFUL_RESOURCES_PROTECTED, [synthetic(token)], prod) == []


# Taggable types this program declares (Azure accepts tags on each: ARM `tags` property).
TAGGED = [
    "azure-native:resources:ResourceGroup",
    "azure-native:storage:StorageAccount",
    "azure-native:keyvault:Vault",
    "azure-native:sql:Server",
    "azure-native:sql:Database",
    "azure-native:web:AppServicePlan",
    "azure-native:web:WebApp",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:redis:Redis",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:synapse:Workspace",
    "azure-native:synapse:BigDataPool",
    "azure-native:databricks:Workspace",
    "azure-native:purview:Account",
    "azure-native:resources:AzureCliScript",
]
ALL_TAGS = {"environment": "e", "stack": "s", "managed-by": "pulumi", "owner": "o", "cost-center": "c"}


@pytest.mark.parametrize("token", TAGGED)
def test_tags_policy_covers_type(token):
    assert len(violations(fp.REQUIRED_TAGS_PRESENT, [synthetic(token)])) == 1  # absent
    for missing in ALL_TAGS:
        partial = {k: v for k, v in ALL_TAGS.items() if k != missing}
        fired = violations(fp.REQUIRED_TAGS_PRESENT, [synthetic(token, {"tags": partial})])
        assert len(fired) == 1 and missing in fired[0]
    assert len(violations(fp.REQUIRED_TAGS_PRESENT, [synthetic(token, {"tags": {**ALL_TAGS, "owner": " "}})])) == 1
    assert violations(fp.REQUIRED_TAGS_PRESENT, [synthetic(token, {"tags": ALL_TAGS})]) == []

"""Pulumi mocks that fabricate Azure's computed values and record every resource declared.

One module serves the tests and the offline plan. `AzureMocks` answers resource registrations
and provider function calls from `infra.offline.azure_model`; `RecordingMonitor` also keeps what
the mock interface hides (resource options such as `protect`, the parent, which inputs are secret)
so tests can assert on them.

"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import Mocks, rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from infra.offline import fabricators  # noqa: F401  (registers every resource type's Azure model)
from infra.offline.azure_model import CALLS, Resource, fabricate
from infra.offline.fabricators.spark import stack_reference_state

REDACTED = "[secret]"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


class EngineRuleError(Exception):
    """A registration the Pulumi engine refuses although Pulumi's mocks accept it."""


@dataclass
class RecordedResource:
    urn: str
    token: str
    logical_name: str
    physical_name: str
    arm_id: str
    inputs: dict[str, Any]  # secrets unwrapped: tests may look, the plan redacts
    outputs: dict[str, Any]
    secret_inputs: frozenset[str]  # top-level input keys that held a secret
    parent_urn: str = ""
    protect: bool = False
    custom: bool = True
    depends_on: tuple[str, ...] = ()
    # Resource options as the engine receives them (RegisterResourceRequest), for tests to assert.
    additional_secret_outputs: frozenset[str] = frozenset()
    ignore_changes: frozenset[str] = frozenset()
    replace_on_changes: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()  # alias URNs, and alias specs as `type=...,name=...` text
    delete_before_replace: bool = False
    retain_on_delete: bool = False
    deleted_with: str = ""

    def redacted_inputs(self) -> dict[str, Any]:
        return {key: (REDACTED if key in self.secret_inputs else value) for key, value in self.inputs.items()}


class AzureMocks(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":  # a read: another stack's outputs, fabricated from its
            # name with the same naming rules its own offline run would use (fabricators/spark.py)
            return args.inputs["name"], stack_reference_state(args.inputs["name"])
        if not args.custom:  # component resources have no Azure state
            return f"{args.name}-component", dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        arm_id, _, outputs = fabricate(Resource(args.typ, args.name, args.inputs))
        return arm_id, outputs

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        handler = CALLS.get(args.token)
        if handler is None:
            raise KeyError(
                f"no offline answer for provider function {args.token}: add one in infra/offline/fabricators/"
            )
        return dict(handler(args.args))


def _holds_secret(value: Any) -> bool:
    """Whether a serialized property value is a secret envelope or contains one (in a map or a list)."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        signature = fields.get(rpc._special_sig_key)
        if signature is not None and signature.string_value == rpc._special_secret_sig:
            return True  # a secret scalar (e.g. a password) arrives as this envelope
        return any(_holds_secret(v) for v in fields.values())
    if kind == "list_value":
        return any(_holds_secret(v) for v in value.list_value.values)
    return False


def _secret_keys(struct: Any) -> frozenset[str]:
    """Top-level input keys whose value is, or contains, a secret."""
    return frozenset(key for key, value in struct.fields.items() if _holds_secret(value))


def _alias_text(alias: Any) -> str:
    """One alias as a URN or `field=value` pairs (the SDK adds one per former type token by itself)."""
    if alias.WhichOneof("alias") == "urn":
        return str(alias.urn)
    spec = alias.spec
    fields = [(f.name, value) for f, value in spec.ListFields() if value not in ("", False)]
    return ",".join(f"{name}={value}" for name, value in fields)


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: AzureMocks):
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.engine_urns: dict[str, str] = {}  # the mocks' URN -> the URN the engine gives the resource
        self.registered_urns: set[str] = set()  # engine URNs (the mocks' own may coincide where these differ)
        self._lock = threading.Lock()  # the SDK registers from several threads at once
        # Kept, not raised: an exception here would reach the SDK's process-wide RPC state, which can
        # outlive the run. The runner raises the first after the program has finished.
        self.errors: list[EngineRuleError] = []

    def _engine_urn(self, request: Any) -> str:
        """pkg/resource/deploy/deployment.go generateURN: the parent's full qualified type (the mocks keep
        only its last part), none for children of the root stack."""
        prefix = self.make_urn("", request.type, request.name).split("::")[:2]
        parent_type = ""
        if request.parent:
            qualified = self.engine_urns.get(request.parent, request.parent).split("::")[2]
            parent_type = "" if qualified == ROOT_STACK_TYPE else qualified + "$"
        return "::".join([*prefix, parent_type + request.type, request.name])

    def check_registration(self, request: Any) -> str:
        """What the engine checks when a resource registers and the mocks skip (pulumi/pulumi
        pkg/resource/deploy/source_eval.go RegisterResource, step_generator.go checkParent/generateURN,
        and snapshot.go VerifyIntegrity for references to resources never registered)."""
        label = f"{request.type} '{request.name}'"
        if request.custom and len(request.type.split(":")) < 3:
            raise EngineRuleError(
                f"{label}: Type '{request.type}' is not a valid type token (must have format '*:*:*')"
            )

        def known(urn: str) -> bool:
            return urn in self.engine_urns or urn in self.resources

        if request.parent and not known(request.parent):
            raise EngineRuleError(f"{label}: could not find parent resource {request.parent}")
        references = [*request.dependencies, *(u for d in request.propertyDependencies.values() for u in d.urns)]
        if request.deletedWith:
            references.append(request.deletedWith)
        for urn in references:
            if not known(urn):
                raise EngineRuleError(f"{label}: refers to {urn}, which was never registered")
        urn = self._engine_urn(request)
        if urn in self.registered_urns:
            raise EngineRuleError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        return urn

    def RegisterResource(self, request: Any) -> Any:
        with self._lock:  # check and claim the URN in one step
            try:
                urn = self.check_registration(request)
            except EngineRuleError as error:
                self.errors.append(error)
                urn = self._engine_urn(request)
            self.registered_urns.add(urn)
        response = super().RegisterResource(request)
        with self._lock:
            self.engine_urns[response.urn] = urn
        if request.type == "pulumi:pulumi:Stack" or request.type.startswith("pulumi:providers:"):
            return response
        inputs, _ = rpc.deserialize_properties_unwrap_secrets(request.object)
        state = self.resources[response.urn]
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                token=request.type,
                logical_name=request.name,
                physical_name=str(state.state.get("name", request.name)) if request.custom else request.name,
                arm_id=state.id if request.custom else "",
                inputs=dict(inputs),
                outputs=dict(state.state),
                secret_inputs=_secret_keys(request.object),
                parent_urn=request.parent,
                protect=bool(request.protect),
                custom=bool(request.custom),
                depends_on=tuple(request.dependencies),
                additional_secret_outputs=frozenset(request.additionalSecretOutputs),
                ignore_changes=frozenset(request.ignoreChanges),
                replace_on_changes=frozenset(request.replaceOnChanges),
                aliases=(*request.aliasURNs, *(_alias_text(alias) for alias in request.aliases)),
                delete_before_replace=bool(request.deleteBeforeReplace),
                retain_on_delete=bool(request.retainOnDelete),
                deleted_with=request.deletedWith,
            )
        )
        return response

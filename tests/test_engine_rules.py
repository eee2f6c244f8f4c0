"""The offline runner refuses what the Pulumi engine refuses when a resource registers.

Pulumi's mocks accept any registration; the engine does not (pulumi/pulumi
pkg/resource/deploy/step_generator.go generateURN and checkParent, source_eval.go RegisterResource,
snapshot.go VerifyIntegrity). Tiny programs here register what the engine would refuse.
"""

from __future__ import annotations

import pulumi
import pytest
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.offline.mocks import AzureMocks, EngineRuleError, RecordingMonitor


class Part(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None, kind: str = "test:index:Part"):
        super().__init__(kind, name, None, opts)


def run(program) -> RecordingMonitor:
    runtime_settings.ROOT.set(None)
    monitor = RecordingMonitor(AzureMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project="proj", stack="st", preview=False, monitor=monitor)
    _sync_await(run_pulumi_func(program))
    return monitor


def test_two_resources_of_one_type_and_name_are_a_duplicate_urn():
    monitor = run(lambda: (Part("fw"), Part("fw")))
    assert [str(e) for e in monitor.errors] == [
        "Duplicate resource URN 'urn:pulumi:st::proj::test:index:Part::fw'; try giving it a unique name"
    ]


def test_children_of_like_parents_collide_although_their_parents_differ():
    # A URN holds the parent's type chain, not its name: two `fw` children of two Parts are one URN.
    def program():
        Part("fw", pulumi.ResourceOptions(parent=Part("a")))
        Part("fw", pulumi.ResourceOptions(parent=Part("b")))

    [error] = run(program).errors
    assert str(error) == (
        "Duplicate resource URN 'urn:pulumi:st::proj::test:index:Part$test:index:Part::fw'; try giving it a unique name"
    )


def test_the_full_parent_type_chain_keeps_children_of_different_chains_apart():
    # The mocks keep only the last parent type; the engine keeps the chain, so these differ.
    def program():
        outer = Part("outer", kind="test:index:Outer")
        Part("x", pulumi.ResourceOptions(parent=Part("mid", pulumi.ResourceOptions(parent=outer))))
        Part("x", pulumi.ResourceOptions(parent=Part("mid2")))

    monitor = run(program)
    assert monitor.errors == []
    assert {u for u in monitor.registered_urns if u.endswith("::x")} == {
        "urn:pulumi:st::proj::test:index:Outer$test:index:Part$test:index:Part::x",
        "urn:pulumi:st::proj::test:index:Part$test:index:Part::x",
    }


def test_same_name_different_type_is_no_duplicate():
    assert run(lambda: (Part("fw"), Part("fw", kind="test:index:Other"))).errors == []


class FakeRequest:
    """A RegisterResource request as the SDK sends it, for what the SDK itself never sends."""

    def __init__(self, **fields):
        self.type, self.name, self.custom, self.parent = "test:index:Thing", "t", True, ""
        self.dependencies, self.propertyDependencies, self.deletedWith = [], {}, ""
        self.__dict__.update(fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"type": "test:Thing"},
            "test:Thing 't': Type 'test:Thing' is not a valid type token (must have format '*:*:*')",
        ),
        (
            {"parent": "urn:pulumi:st::proj::test:index:Part::ghost"},
            "test:index:Thing 't': could not find parent resource urn:pulumi:st::proj::test:index:Part::ghost",
        ),
        (
            {"dependencies": ["urn:pulumi:st::proj::test:index:Part::ghost"]},
            "test:index:Thing 't': refers to urn:pulumi:st::proj::test:index:Part::ghost, which was never registered",
        ),
        (
            {"deletedWith": "urn:pulumi:st::proj::test:index:Part::ghost"},
            "test:index:Thing 't': refers to urn:pulumi:st::proj::test:index:Part::ghost, which was never registered",
        ),
    ],
    ids=["type-token", "unknown-parent", "unknown-dependency", "unknown-deleted-with"],
)
def test_registrations_the_engine_refuses(fields, message):
    monitor = run(lambda: None)
    with pytest.raises(EngineRuleError) as error:
        monitor.check_registration(FakeRequest(**fields))
    assert str(error.value) == message

"""The session's shared program runs (tests/shared_runs.py): built once, waited for, never half-written, and
each caller's copy its own."""

from __future__ import annotations

import threading

import pytest

from tests import shared_runs
from tests.support import run


@pytest.fixture
def session_dir(tmp_path):
    previous = shared_runs._directory
    shared_runs.share_in(tmp_path)
    yield tmp_path
    shared_runs._directory = previous


def refuse_to_build():
    raise AssertionError("built a second time")


def test_a_run_is_built_once_and_then_read_back(session_dir):
    first = shared_runs.pickled_run(["dev", "{}"], "dev", lambda: {"built": 1})
    again = shared_runs.pickled_run(["dev", "{}"], "dev", refuse_to_build)
    assert shared_runs.unpickled(again) == {"built": 1}
    assert again == first


def test_the_key_is_the_exact_config(session_dir):
    shared_runs.pickled_run(["dev", '{"a": 1}'], "dev", lambda: "one")
    other = shared_runs.pickled_run(["dev", '{"a": 2}'], "dev", lambda: "two")
    assert shared_runs.unpickled(other) == "two"


def test_a_failed_build_leaves_nothing_behind(session_dir):
    def fails():
        raise ValueError("settings error")

    with pytest.raises(ValueError, match="settings error"):
        shared_runs.pickled_run(["dev"], "dev", fails)
    assert shared_runs.unpickled(shared_runs.pickled_run(["dev"], "dev", lambda: "second try")) == "second try"
    assert sorted(p.suffix for p in session_dir.iterdir()) == [".lock", ".pickle"]


def test_a_second_process_waits_for_the_build_instead_of_building_again(session_dir, monkeypatch):
    # A thread stands for the other worker: flock locks belong to the open file, so two opens conflict.
    real_flock = shared_runs.fcntl.flock
    building, second_at_lock = threading.Event(), threading.Event()
    calls = []

    def flock(file, operation):
        calls.append(operation)
        if len(calls) == 2:
            second_at_lock.set()
        real_flock(file, operation)

    monkeypatch.setattr(shared_runs.fcntl, "flock", flock)

    def build_until_the_second_waits():
        building.set()
        assert second_at_lock.wait(30), "the second caller never reached the lock"
        return "built by the first"

    results = {}

    def call(name, build):
        results[name] = shared_runs.pickled_run(["prod"], "prod", build)

    first = threading.Thread(target=call, args=("first", build_until_the_second_waits))
    second = threading.Thread(target=call, args=("second", refuse_to_build))
    first.start()
    assert building.wait(30)
    second.start()
    first.join(60)
    second.join(60)
    assert shared_runs.unpickled(results["second"]) == "built by the first"
    assert results["second"] == results["first"]


def test_an_unpicklable_run_names_itself():
    with pytest.raises(TypeError, match=r"the program run dev \(a config\) cannot be pickled"):
        shared_runs.pickled_run(["dev"], "dev (a config)", lambda: lambda: None)


def test_each_caller_gets_its_own_copy():
    mine = run("dev")
    mine.resources[0].inputs["planted"] = "by this test"
    mine.resources.clear()
    theirs = run("dev")
    assert theirs.resources
    assert "planted" not in theirs.resources[0].inputs
    assert theirs is not mine


def test_this_session_shares_runs_through_its_own_directory():
    # tests/conftest.py: made by the controller for this session, handed to every worker
    assert shared_runs._directory is not None
    assert shared_runs._directory.name.startswith("feathr-program-runs-")
    assert shared_runs._directory.is_dir()


def test_a_runs_key_holds_everything_that_decides_it(monkeypatch):
    # tests/support.py keys a shared run by the stack, the exact config, the secret keys, Pulumi.yaml (and the
    # stack file when the run reads it) and the engine's config variables: leaving one out would hand a run built
    # under other inputs to every worker.
    from tests import support

    keys = []
    monkeypatch.setattr(shared_runs, "pickled_run", lambda key, label, build: keys.append(key) or b"")
    project = (support.REPO_ROOT / "Pulumi.yaml").read_text()
    stack_file = (support.REPO_ROOT / "Pulumi.dev.yaml").read_text()
    support._run_pickled.__wrapped__("dev", None, None, (None, None))
    support._run_pickled.__wrapped__("dev", '{"a": 1}', ("feathr-infra:x",), ('{"p:k": "v"}', '["p:k"]'))
    assert keys == [
        ["dev", None, None, [project, stack_file], [None, None]],
        ["dev", '{"a": 1}', ("feathr-infra:x",), [project], ['{"p:k": "v"}', '["p:k"]']],
    ]


def test_run_reads_the_engines_config_variables(monkeypatch):
    from tests import support

    seen = []
    monkeypatch.setattr(support, "_run_pickled", lambda *args: seen.append(args[3]) or b"")
    monkeypatch.setattr(shared_runs, "unpickled", lambda data: data)
    monkeypatch.setenv("PULUMI_CONFIG", '{"feathr-infra:environment": "dev"}')
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)
    support.run("dev")
    assert seen == [('{"feathr-infra:environment": "dev"}', None)]

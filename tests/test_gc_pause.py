"""The runner pauses the cyclic garbage collector during a run (half a run's time) and gives it back."""

import gc

import pytest

from infra.offline.runner import cyclic_gc_paused


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_enabled_again_after(collector_enabled):
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_a_failed_run(collector_enabled):
    with pytest.raises(ValueError), cyclic_gc_paused():
        raise ValueError("settings error")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled(collector_enabled):
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()

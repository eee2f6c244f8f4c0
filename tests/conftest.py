"""Shared test setup: the repo on sys.path, and the whole program run under the mocks per stack."""

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests import shared_runs  # noqa: E402
from tests.support import STACKS, run  # noqa: E402

# One directory per session for the program runs its processes share (tests/shared_runs.py): made by the
# controller (or the only process), handed to each xdist worker, removed when the session ends.
RUNS_DIR = "feathr_program_runs"


def pytest_configure(config):
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        shared_runs.share_in(workerinput[RUNS_DIR])
        return
    config._feathr_runs_dir = tempfile.mkdtemp(prefix="feathr-program-runs-")
    shared_runs.share_in(config._feathr_runs_dir)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    node.workerinput[RUNS_DIR] = node.config._feathr_runs_dir


def pytest_unconfigure(config):
    directory = getattr(config, "_feathr_runs_dir", None)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=STACKS)
def stack_run(request):
    """The program as deployed by each Pulumi.<stack>.yaml in the repo."""
    return run(request.param)


@pytest.fixture
def dev():
    return run("dev")


@pytest.fixture
def prod():
    return run("prod")


# Under `make test` (pytest-xdist, --dist loadfile) each file runs on one worker. These files walk the same
# stack-variant program runs (tests/variants.py) in the same order, so they run as one unit on one worker:
# on two workers at once, one would wait on the other's build of each variant (tests/shared_runs.py).
SHARED_VARIANT_FILES = frozenset(
    {
        "tests/test_resource_options.py",
        "tests/test_access_exact.py",
        "tests/test_security_properties.py",
        "tests/test_diagnostics.py",
        "tests/test_alerts.py",
        "tests/test_sql_audit.py",
    }
)


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class VariantAwareFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "stack-variants" if path in SHARED_VARIANT_FILES else path

    return VariantAwareFileScheduling(config, log)

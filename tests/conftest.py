"""Shared test setup: the repo on sys.path, and the whole program run under the mocks per stack."""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support import STACKS, run  # noqa: E402


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


# Under `make test` (pytest-xdist, --dist loadfile) each file runs on one worker. These files share
# the same stack-variant program runs (tests/variants.py), so they run as one unit on one worker,
# where tests/support.py's cache builds each variant once.
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

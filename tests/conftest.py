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

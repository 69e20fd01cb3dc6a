"""Shared test fixtures: where the offline mirror of the public sources lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def mirror_root() -> Path:
    """The mirror of public sources: ``$REMONTADA_TEST_MIRROR`` or ``../shared/data/mirror``."""
    return Path(os.environ.get("REMONTADA_TEST_MIRROR", REPO_ROOT.parent / "shared" / "data" / "mirror"))


@pytest.fixture(scope="session")
def mirror() -> Path:
    root = mirror_root()
    if not root.is_dir():
        pytest.fail(f"the data mirror is missing at {root}; set REMONTADA_TEST_MIRROR")
    return root

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


COVERAGE = Path(os.environ.get("REMONTADA_TEST_COVERAGE", REPO_ROOT.parent / "shared" / "data" / "COVERAGE.md"))


@pytest.fixture(scope="session")
def full_store_path(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the whole mirror (once per test session, a few minutes).

    ``$REMONTADA_TEST_STORE`` points at an existing one instead (it is only read).
    """
    existing = os.environ.get("REMONTADA_TEST_STORE")
    if existing:
        return Path(existing)
    from remontada.ingest.update import update

    path = tmp_path_factory.mktemp("full-store") / "remontada.duckdb"
    report = update(path, mirror=str(mirror))
    if report.errors or not report.committed:
        pytest.fail("building the store from the mirror failed:\n" + "\n".join(report.errors[:20]))
    return path


@pytest.fixture(scope="session")
def full_store(full_store_path: Path):  # type: ignore[no-untyped-def]
    """A read-only :class:`remontada.store.reader.Store` over the whole mirror."""
    from remontada.store.reader import Store

    with Store(full_store_path) as store:
        yield store

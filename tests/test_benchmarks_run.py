"""Every benchmark script still imports what it measures: ``python benchmarks/X.py --help`` exits 0.

The benchmarks are not run by the suite (they time things), so a module moved inside the package
would otherwise break one silently (benchmarks/ingest.py imported ``remontada.ingest.rebuild`` for
a while after the rebuild moved to ``remontada.store``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))
SHARED = {"timing.py"}  # a helper module of the others, not a script


@pytest.mark.parametrize("script", [p for p in BENCHMARKS if p.name not in SHARED], ids=lambda p: p.name)
def test_the_benchmark_script_imports_and_parses_its_options(script: Path) -> None:
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()

"""CI runs exactly the README's test command, and that command type-checks the package."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_test_command() -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(lines) if line.startswith("# 2. run the tests"))
    return lines[marker + 1].strip()


def test_ci_runs_the_readme_test_command() -> None:
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert _readme_test_command() in ci


def test_the_test_command_lints_type_checks_and_tests() -> None:
    command = _readme_test_command()
    steps = [step.strip() for step in command.split("&&")]
    assert "ruff check ." in steps and "mypy src/remontada" in steps and "python3 -m pytest" in steps
    assert steps.index("mypy src/remontada") < steps.index("python3 -m pytest")

"""One name, one thing: no two public classes or type aliases of the package share a name.

Private helpers (``_FileParser``...) may repeat; so may a specialisation of a public error
(``sources.records.SourceError`` is an ``errors.SourceError`` that knows its line).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import remontada

PACKAGE = Path(remontada.__file__).parent


def _public_names() -> dict[str, list[tuple[str, ast.AST]]]:
    found: dict[str, list[tuple[str, ast.AST]]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = node.value
                is_alias = isinstance(value, ast.Subscript) and ast.unparse(value.value) in ("Literal", "Union")
                name = node.targets[0].id if is_alias else ""
            else:
                continue
            if name and not name.startswith("_"):
                found[name].append((str(path.relative_to(PACKAGE)), node))
    return found


def _specialises_the_public_one(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.ClassDef) and any(ast.unparse(base) == f"errors.{name}" for base in node.bases)


def test_no_two_public_classes_or_aliases_share_a_name() -> None:
    clashes = {
        name: [where for where, _ in places]
        for name, places in _public_names().items()
        if len([n for _, n in places if not _specialises_the_public_one(n, name)]) > 1
    }
    assert clashes == {}


def test_the_renamed_pairs_stay_apart() -> None:
    """The pairs issue 11 found: each name now means one thing."""
    names = _public_names()
    for name in ("BetSettlement", "Settlement", "Ground", "Venue", "WalkForwardForecaster", "Forecaster",
                 "WalkForwardResult", "BacktestResult"):  # fmt: skip
        assert len(names[name]) == 1, name

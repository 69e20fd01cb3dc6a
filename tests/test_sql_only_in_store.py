"""Only the ``remontada.store`` package talks to the database: no other module runs SQL.

The scan reads every module of the package (AST, no import) and fails on any of: an import of
``duckdb`` (other than for type annotations, under ``if TYPE_CHECKING:``), a call of a DuckDB
query method (``.execute``, ``.executemany``, ``.sql``, ``.fetch*``), or a string literal that is
an SQL statement (``SELECT ... FROM``, ``INSERT INTO``, ``DELETE FROM``, ``CREATE TABLE``...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import remontada

PACKAGE = Path(remontada.__file__).parent
QUERY_METHODS = {"execute", "executemany", "sql", "fetchall", "fetchone", "fetchmany", "fetchdf", "fetchnumpy", "df"}
SQL_STATEMENT = re.compile(
    r"^\s*(SELECT\s.*\bFROM\b|WITH\s+\w+\s+AS\s*\(|INSERT\s+(OR\s+\w+\s+)?INTO\b|DELETE\s+FROM\b|UPDATE\s+\w+\s+SET\b"
    r"|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?(TABLE|VIEW|INDEX)\b|DROP\s+(TABLE|VIEW)\b|BEGIN\s+TRANSACTION\b"
    r"|COMMIT\s*$|ROLLBACK\s*$)",
    re.DOTALL,
)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def sql_offences(source: str, name: str) -> list[str]:
    """Every place in ``source`` that runs SQL or imports duckdb for use, as ``name:line: what``."""
    tree = ast.parse(source)
    typing_only = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in typing_only:
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(m.split(".")[0] == "duckdb" for m in modules):
                found.append(f"{where}: imports duckdb")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in QUERY_METHODS:
                found.append(f"{where}: calls .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.match(node.value):
            found.append(f"{where}: SQL text {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL_STATEMENT.match(text):
                found.append(f"{where}: SQL text {text.strip()[:40]!r}")
    return found


def test_no_module_outside_store_runs_sql() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "store":
            continue
        offences += sql_offences(path.read_text(encoding="utf-8"), str(relative))
    assert offences == [], "SQL outside remontada.store:\n" + "\n".join(offences)


def test_the_scan_catches_each_way_of_running_sql() -> None:
    """The scan is not vacuous: each kind of offence in a made-up module is reported."""
    module = '''
import duckdb
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import duckdb as typed_only
def f(store, con, ids):
    store.query("SELECT club_id FROM clubs")
    con.execute("DELETE FROM raw_odds WHERE raw_id = ?", [1]).fetchall()
    store.query(f"""SELECT * FROM matches WHERE match_id IN ({ids})""")
'''
    offences = sql_offences(module, "m.py")
    assert offences[0] == "m.py:2: imports duckdb"
    assert not any(":5:" in o for o in offences)  # a type-only import is allowed
    assert {o.split(":")[1] for o in offences if "SQL text" in o} == {"7", "8", "9"}
    assert any(".execute()" in o for o in offences) and any(".fetchall()" in o for o in offences)


def test_the_store_modules_hold_the_sql() -> None:
    """The scan would flag the store's own modules: the SQL moved there rather than disappearing."""
    assert sql_offences((PACKAGE / "store" / "ties.py").read_text(encoding="utf-8"), "store/ties.py")
    assert sql_offences((PACKAGE / "store" / "writer.py").read_text(encoding="utf-8"), "store/writer.py")

"""Fast reading of CSV files that need no CSV parser: no quotes, so a row is a line split at commas.

Several sources publish hundreds of thousands of such rows; splitting lines costs a fraction of
the ``csv`` module, and gives the same fields and line numbers. Anything the split could read
differently (quotes, NULs, a carriage return not ending a line, a field longer than the ``csv``
module accepts) goes to the ``csv`` module instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from remontada.sources.records import SourceError

#: The longest field the ``csv`` module reads; it rejects longer ones.
FIELD_LIMIT = csv.field_size_limit()


def plain_lines(text: str) -> list[str] | None:
    """The lines of ``text`` (without line ends) when each is a row split at commas, else ``None``."""
    if '"' in text or "\0" in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = text.replace("\r\n", "\n").split("\n") if "\r" in text else text.split("\n")
    return lines if max(map(len, lines)) <= FIELD_LIMIT else None


def rows_after_header(text: str, location: str) -> Iterable[tuple[int, list[str]]]:
    """(1-based line, fields) of every row after the first; blank lines come as ``[]`` or ``[""]``.

    A row the ``csv`` module cannot read (e.g. a carriage return inside an unquoted field) raises
    :class:`SourceError` naming ``location`` and the line.
    """
    lines = plain_lines(text)
    if lines is not None:
        return enumerate((line.split(",") for line in lines[1:]), start=2)
    return _csv_rows(text, location)


def _csv_rows(text: str, location: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    start = 1  # the line the row being read starts on
    try:
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            yield reader.line_num, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(location, start, f"unreadable CSV: {exc}") from None

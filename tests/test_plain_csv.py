"""Splitting quote-free CSV lines reads the same fields and line numbers as the csv module."""

from __future__ import annotations

import csv
import io

import pytest

from remontada.sources.plain_csv import plain_lines, rows_after_header
from remontada.sources.records import SourceError

# ClubElo's Liverpool rows either side of Liverpool 0-3 Atalanta (11 April 2024), as the mirror holds them
LIVERPOOL = (
    "Rank,Club,Country,Level,Elo,From,To\n"
    "4,Liverpool,ENG,1,1967.94213867,2024-04-10,2024-04-11\n"
    "5,Liverpool,ENG,1,1937.83508301,2024-04-12,2024-04-14\n"
)


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return [(reader.line_num, row) for row in reader if row]


@pytest.mark.parametrize(
    "text", [LIVERPOOL, LIVERPOOL.replace("\n", "\r\n"), LIVERPOOL + "\n", LIVERPOOL.replace("ENG,1,1937", "ENG,,1937")]
)
def test_plain_rows_match_the_csv_module(text: str) -> None:
    assert plain_lines(text) is not None  # the fast path is taken
    fast = [(line, row) for line, row in rows_after_header(text, "clubelo/Liverpool.csv") if row != [""]]
    assert fast == csv_rows(text)


@pytest.mark.parametrize(
    "text",
    [
        LIVERPOOL.replace("Liverpool", '"Liverpool, FC"', 1),  # a quoted comma
        LIVERPOOL.replace("\n", "\r", 1),  # a lone carriage return
        LIVERPOOL.replace("Liverpool", "Liver\0pool", 1),
    ],
)
def test_text_a_split_could_misread_is_left_to_the_csv_module(text: str) -> None:
    assert plain_lines(text) is None


def test_a_quoted_comma_is_read_by_the_csv_module() -> None:
    text = LIVERPOOL.replace("Liverpool", '"Liverpool, FC"', 1)
    assert next(iter(rows_after_header(text, "clubelo/Liverpool.csv"))) == (
        2,
        ["4", "Liverpool, FC", "ENG", "1", "1967.94213867", "2024-04-10", "2024-04-11"],
    )


def test_a_carriage_return_inside_a_row_is_an_error_naming_the_file_and_line() -> None:
    # found by the parser fuzz: "\n\r," before the second row's first field; the csv module refuses it
    text = LIVERPOOL.replace("\n5,Liverpool", "\n\r5,Liverpool")
    with pytest.raises(SourceError) as caught:
        list(rows_after_header(text, "clubelo/Liverpool.csv"))
    assert "clubelo/Liverpool.csv" in str(caught.value) and ":3" in str(caught.value)
    assert "unreadable CSV" in str(caught.value)

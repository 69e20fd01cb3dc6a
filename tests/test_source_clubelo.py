"""ClubElo source: catalogue, real ratings from the mirror, and strict errors on malformed answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from remontada.sources import clubelo
from remontada.sources.clubelo import ClubElo, parse_ratings, rating_on
from remontada.sources.records import SourceError, TeamRef

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "clubelo"


def _parse_mirror(mirror: Path, path: str):
    source = ClubElo(clubs=[path] if not path[0].isdigit() else [], dates=[path] if path[0].isdigit() else [])
    (remote,) = source.files()
    return source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)


def test_catalog_lists_every_clubelo_file_of_the_mirror(mirror: Path) -> None:
    clubs, dates = clubelo.read_catalog()
    on_disk = sorted(p.name for p in (mirror / "api.clubelo.com").iterdir())
    assert len(clubs) == 99 and len(dates) == 5
    assert sorted([*clubs, *(d.isoformat() for d in dates)]) == on_disk
    assert "Liverpool" in clubs and "ManCity" in clubs and dt.date(2017, 4, 1) in dates


def test_catalog_file_is_what_the_generator_writes_from_the_mirror_listing(mirror: Path) -> None:
    listing = (p.name for p in (mirror / "api.clubelo.com").iterdir())
    shipped = (Path(clubelo.__file__).parent / "catalog" / "clubelo.txt").read_text(encoding="utf-8")
    assert clubelo.catalog_text(listing) == shipped


def test_files_point_at_the_api_and_the_mirror_layout() -> None:
    files = ClubElo(clubs=["Liverpool"], dates=["2017-04-01"], base_url="http://example.test/elo").files()
    assert [f.url for f in files] == ["http://example.test/elo/Liverpool", "http://example.test/elo/2017-04-01"]
    assert [f.mirror_path for f in files] == ["api.clubelo.com/Liverpool", "api.clubelo.com/2017-04-01"]
    assert {f.source for f in files} == {"clubelo"}


def test_club_names_with_spaces_are_rejected() -> None:
    with pytest.raises(ValueError, match="Man City"):
        ClubElo(clubs=["Man City"], dates=[])


def test_liverpool_rating_on_the_first_of_april_2024(mirror: Path) -> None:
    parsed = _parse_mirror(mirror, "Liverpool")
    record = rating_on(parsed.ratings, "Liverpool", dt.date(2024, 4, 1))
    assert record is not None
    assert (record.date_from, record.date_to) == (dt.date(2024, 4, 1), dt.date(2024, 4, 4))
    assert record.rating == pytest.approx(1970.48022461)
    assert record.rank == 4 and record.level == 1
    assert record.team == TeamRef("Liverpool", "ENG")
    assert record.source == "clubelo"


def test_atalanta_rating_on_the_first_of_april_2024(mirror: Path) -> None:
    parsed = _parse_mirror(mirror, "Atalanta")
    record = rating_on(parsed.ratings, "Atalanta", dt.date(2024, 4, 1))
    assert record is not None
    assert (record.date_from, record.date_to) == (dt.date(2024, 3, 31), dt.date(2024, 4, 6))
    assert record.rating == pytest.approx(1824.78955078)
    assert record.rank == 15
    assert record.team == TeamRef("Atalanta", "ITA")
    # The gap between them is the Elo edge Liverpool carried into the 11 April 2024 first leg.
    liverpool = rating_on(_parse_mirror(mirror, "Liverpool").ratings, "Liverpool", dt.date(2024, 4, 1))
    assert liverpool is not None and liverpool.rating - record.rating == pytest.approx(145.69, abs=0.01)


def test_club_history_has_one_row_per_line_and_contiguous_intervals(mirror: Path) -> None:
    data = (mirror / "api.clubelo.com" / "Liverpool").read_bytes()
    parsed = parse_ratings(data, "Liverpool")
    data_lines = data.decode().strip().count("\n")  # lines after the header
    assert len(parsed.ratings) == data_lines == 5867
    assert parsed.ratings[0].date_from == dt.date(1946, 7, 7)
    assert parsed.ratings[0].rank is None  # "None" in the file: unranked in 1946
    assert [r.line for r in parsed.ratings[:3]] == [2, 3, 4]
    one_day = dt.timedelta(days=1)
    assert all(a.date_to + one_day == b.date_from for a, b in zip(parsed.ratings, parsed.ratings[1:], strict=False))


def test_west_german_ratings_take_the_german_code(mirror: Path) -> None:
    raw = (mirror / "api.clubelo.com" / "Bayern").read_text()
    assert ",FRG," in raw  # the file itself uses the pre-1990 code
    parsed = _parse_mirror(mirror, "Bayern")
    assert {r.team.country for r in parsed.ratings} == {"GER"}
    assert rating_on(parsed.ratings, "Bayern", dt.date(1974, 5, 17)) is not None


def test_snapshot_holds_every_club_rated_on_that_day(mirror: Path) -> None:
    parsed = _parse_mirror(mirror, "2017-04-01")
    day = dt.date(2017, 4, 1)
    assert len(parsed.ratings) == 634
    assert all(r.date_from <= day <= r.date_to for r in parsed.ratings)
    top = parsed.ratings[0]
    assert (top.team, top.rank) == (TeamRef("Real Madrid", "ESP"), 1)
    countries = {r.team.country for r in parsed.ratings}
    assert {"ROU", "SVK", "MDA", "BIH"} <= countries
    assert not countries & set(clubelo.COUNTRY_CODES)


def test_every_mirrored_clubelo_file_parses_without_warnings(mirror: Path) -> None:
    source = ClubElo()
    total = 0
    for remote in source.files():
        data = (mirror / remote.mirror_path).read_bytes()
        parsed = source.parse(data, remote, remote.mirror_path)
        assert parsed.warnings == []
        assert len(parsed.ratings) == data.decode().strip().count("\n"), remote.path
        total += len(parsed.ratings)
    assert total == 478_764


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("bad_elo.csv", 3, "Elo '1561.3576x602'"),
        ("reversed_interval.csv", 3, "before it starts"),
        ("short_row.csv", 2, "expected 7 fields, got 6"),
        ("html.csv", 1, "HTML"),
    ],
)
def test_malformed_answers_name_file_and_line(fixture: str, line: int, message: str) -> None:
    path = FIXTURE_DIR / fixture
    with pytest.raises(SourceError, match=message) as caught:
        parse_ratings(path.read_bytes(), str(path))
    assert caught.value.line == line
    assert caught.value.location == str(path)


def test_empty_answer_is_an_error_for_the_whole_file() -> None:
    with pytest.raises(SourceError) as caught:
        parse_ratings(b"  \n", "api.clubelo.com/Nobody")
    assert caught.value.line is None


def test_header_only_answer_is_a_warning_not_an_error() -> None:
    parsed = parse_ratings((FIXTURE_DIR / "header_only.csv").read_bytes(), "header_only.csv")
    assert parsed.ratings == []
    assert parsed.warnings and "header only" in parsed.warnings[0][1]


def test_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    parsed = parse_ratings((FIXTURE_DIR / "west_germany.csv").read_bytes(), "west_germany.csv")
    assert [r.line for r in parsed.ratings] == [2, 4]
    assert [r.team.country for r in parsed.ratings] == ["GER", "GER"]

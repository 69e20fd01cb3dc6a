"""UEFA finals source (DataRozhlas final_matches.json): finals, legs, replays, and strict errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef
from remontada.sources.uefa_finals import UefaFinals, parse_finals

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "uefa_finals"


def _parsed(mirror: Path) -> ParsedFile:
    source = UefaFinals()
    (remote,) = source.files()
    return source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)


def _final(parsed: ParsedFile, competition: str, season: str) -> list[MatchRecord]:
    return [m for m in parsed.matches if (m.competition, m.season) == (competition, season)]


def test_file_points_at_the_repository_and_the_mirror() -> None:
    (remote,) = UefaFinals().files()
    assert remote.url == (
        "https://raw.githubusercontent.com/DataRozhlas/evropske-pohary/master/data/final_matches.json"
    )
    assert remote.mirror_path == "DataRozhlas/evropske-pohary/data/final_matches.json"


def test_istanbul_2005_liverpool_beat_milan_and_no_score_is_invented(mirror: Path) -> None:
    (final,) = _final(_parsed(mirror), "uefa.cl", "2004-05")
    assert (final.home, final.away, final.tie_winner) == (
        TeamRef("Liverpool"),
        TeamRef("AC Milan"),
        TeamRef("Liverpool"),
    )
    assert (final.stage, final.round, final.leg, final.neutral) == ("final", "final", None, True)
    assert "venue: Atatürk Olympic Stadium, Istanbul, Turkey" in (final.note or "")
    # The file has no score, date, extra time or shoot-out: 3-3 and the penalties must not appear.
    assert (final.home_goals, final.away_goals, final.aet_home, final.pen_home, final.date) == (None,) * 5


def test_dublin_2024_atalanta_beat_leverkusen(mirror: Path) -> None:
    (final,) = _final(_parsed(mirror), "uefa.el", "2023-24")
    assert (final.home.name, final.away.name, final.tie_winner.name) == ("Atalanta", "Bayer Leverkusen", "Atalanta")
    assert (
        final.note == "venue: Dublin Arena, Dublin, Republic of Ireland; wikipedia: Atalanta_BC / Bayer_04_Leverkusen"
    )
    assert final.line == 163  # pandas row 162


def test_two_legged_uefa_cup_final_1973_has_two_legs_with_unknown_hosts(mirror: Path) -> None:
    parsed = _parsed(mirror)
    first, second = _final(parsed, "uefa.el", "1972-73")
    assert (first.leg, second.leg) == (1, 2)
    assert (first.home, second.home) == (second.away, first.away)  # the return leg swaps the sides
    assert {first.home.name, first.away.name} == {"Liverpool", "Borussia Mönchengladbach"}
    assert first.tie_winner == second.tie_winner == TeamRef("Liverpool")
    assert not first.neutral and not second.neutral
    assert first.note.startswith("hosts unknown; venue: Anfield, Liverpool, England")
    assert second.note.startswith("hosts unknown; venue: Bökelbergstadion, Mönchengladbach, West Germany")
    assert any(line == first.line and "uefa.el 1972-73" in text for line, text in parsed.warnings)


def test_away_goals_winner_mark_is_read_not_kept_in_the_name(mirror: Path) -> None:
    legs = _final(_parsed(mirror), "uefa.el", "1976-77")
    assert [leg.tie_winner for leg in legs] == [TeamRef("Juventus")] * 2
    assert all(leg.note.endswith("won on away goals") for leg in legs)
    assert not any("#" in m.home.name or "#" in m.away.name for m in _parsed(mirror).matches)


def test_cup_winners_cup_seasons_legs_and_replays(mirror: Path) -> None:
    parsed = _parsed(mirror)
    legs_1961 = _final(parsed, "uefa.cwc", "1960-61")  # the file writes "1960-61[a]"
    assert [m.leg for m in legs_1961] == [1, 2]
    final, replay = _final(parsed, "uefa.cwc", "1961-62")
    assert (final.round, replay.round) == ("final", "final replay")
    assert final.neutral and replay.neutral and final.leg is None
    assert "Neckarstadion, Stuttgart" in replay.note
    (galatasaray,) = _final(parsed, "uefa.el", "1999-00")  # the file writes "1999-2000"
    assert galatasaray.tie_winner == TeamRef("Galatasaray")


def test_finals_per_competition_match_the_manifest(mirror: Path) -> None:
    parsed = _parsed(mirror)
    finals = Counter(competition for competition, _ in {(m.competition, m.season) for m in parsed.matches})
    assert finals == {"uefa.cl": 69, "uefa.cwc": 39, "uefa.el": 53, "uefa.ecl": 3}
    two_legged = {(m.competition, m.season) for m in parsed.matches if m.leg is not None}
    assert len(two_legged) == 27 == len(parsed.warnings)  # UEFA Cup 1971-72..1996-97 and CWC 1960-61
    assert len(parsed.matches) == 164 + 27 + 2
    assert all(m.stage == "final" and m.home_goals is None and m.date is None for m in parsed.matches)


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("bad_season.json", 2, "season '2004/05'"),
        ("three_venues.json", 3, "expected one or two venues, got 3"),
        ("unknown_competition.json", 1, "unknown competition 'Inter-Cities Fairs Cup'"),
        ("missing_venues.json", None, "missing column"),
        ("truncated.json", None, "not JSON"),
    ],
)
def test_malformed_files_name_file_and_record(fixture: str, line: int | None, message: str) -> None:
    path = FIXTURE_DIR / fixture
    with pytest.raises(SourceError, match=message) as caught:
        parse_finals(path.read_bytes(), str(path))
    assert (caught.value.location, caught.value.line) == (str(path), line)

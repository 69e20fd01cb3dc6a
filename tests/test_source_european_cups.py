"""European cups source (schochastics/football-data uefa-*.csv): legs, rounds, groups, finals and
shoot-outs rebuilt from files with no round, leg or venue column; malformed rows reported by line."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from remontada.sources.base import RemoteFile
from remontada.sources.european_cups import COMMIT, EuropeanCups, parse_results
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "european_cups"


def _fixture(name: str, kind: str) -> ParsedFile:
    return parse_results((FIXTURE_DIR / name).read_bytes(), kind, name)


def _match(parsed: ParsedFile, home: str, away: str, date: str) -> MatchRecord:
    found = [
        m for m in parsed.matches if (m.home.name, m.away.name, m.date) == (home, away, dt.date.fromisoformat(date))
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def mirrored(mirror: Path) -> dict[str, ParsedFile]:
    source = EuropeanCups()
    return {
        remote.path.rsplit("/", 1)[-1]: source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.url)
        for remote in source.files()
    }


def test_files_point_at_the_pinned_commit_and_the_mirror() -> None:
    remotes = EuropeanCups().files()
    assert [r.path for r in remotes] == [f"data/results/uefa-{n}.csv" for n in ("el", "cw", "cl", "itc", "sc")]
    assert remotes[0].url == (
        f"https://raw.githubusercontent.com/schochastics/football-data/{COMMIT}/data/results/uefa-el.csv"
    )
    assert remotes[0].mirror_path == f"schochastics/football-data/{COMMIT}/data/results/uefa-el.csv"
    assert (
        EuropeanCups(base_url="http://mirror.test/x").files()[1].url == "http://mirror.test/x/data/results/uefa-cw.csv"
    )


# ---- pairing, from small real excerpts -----------------------------------------------------------
def test_real_madrid_4_0_gladbach_is_the_second_leg_after_1_5_and_the_bracket_names_the_rounds() -> None:
    parsed = _fixture("uefa-el-1985-86.csv", "uefa-el")
    first = _match(parsed, "Bor Moenchengladbach", "Real Madrid", "1985-11-27")
    second = _match(parsed, "Real Madrid", "Bor Moenchengladbach", "1985-12-11")
    assert (first.leg, second.leg) == (1, 2)
    assert (first.home_goals, first.away_goals, second.home_goals, second.away_goals) == (5, 1, 4, 0)
    assert first.home == TeamRef("Bor Moenchengladbach", "GER") and first.away == TeamRef("Real Madrid", "ESP")
    # Real Madrid played on (quarter-final v Neuchatel Xamax): the bracket's winner of the tie
    assert second.tie_winner == TeamRef("Real Madrid", "ESP")
    assert (first.competition, first.season, first.stage, first.round) == (
        "uefa.el",
        "1985-86",
        "knockout",
        "Round of 16",
    )
    rounds = Counter((m.round, m.leg) for m in parsed.matches if m.leg == 1)
    assert rounds == {
        ("Round of 64", 1): 3, ("Round of 32", 1): 3, ("Round of 16", 1): 3,
        ("Quarterfinals", 1): 3, ("Semifinals", 1): 2, ("Final", 1): 1,
    }  # fmt: skip


def test_the_two_legged_uefa_cup_final_of_1986_is_the_last_tie_and_has_no_bracket_winner() -> None:
    parsed = _fixture("uefa-el-1985-86.csv", "uefa-el")
    legs = [m for m in parsed.matches if m.stage == "final"]
    assert [(m.home.name, m.away.name, m.leg, m.neutral) for m in legs] == [
        ("Real Madrid", "1 FC Koeln", 1, False),
        ("1 FC Koeln", "Real Madrid", 2, False),
    ]
    assert all(m.tie_winner is None for m in legs)  # nobody plays on after a final: the scores decide


def test_a_round_robin_is_a_group_stage_and_its_return_matches_are_not_paired_as_ties() -> None:
    parsed = _fixture("uefa-el-2012-13-liverpool.csv", "uefa-el")
    group = [m for m in parsed.matches if m.stage == "group"]
    assert len(group) == 12 and {m.leg for m in group} == {None} and {m.round for m in group} == {"Group stage"}
    assert all(m.tie_winner is None for m in group)
    hearts = _match(parsed, "Liverpool FC", "Heart Of Midlothian", "2012-08-30")
    gomel = _match(parsed, "FK Gomel", "Liverpool FC", "2012-08-02")
    assert (gomel.stage, gomel.round, gomel.leg) == ("qualifying", "Qualifying round 1", 1)
    assert (hearts.stage, hearts.round, hearts.leg) == ("qualifying", "Qualifying round 2", 2)
    assert hearts.tie_winner == TeamRef("Liverpool FC", "ENG")  # Liverpool went on to the group stage


def test_a_shoot_out_written_as_the_second_legs_score_is_read_as_a_shoot_out() -> None:
    parsed = _fixture("uefa-cw-1974-75-red-star.csv", "uefa-cw")
    # Real Madrid 2-0, then Crvena Zvezda 2-0 and 6-5 on penalties; the file writes "6-5"
    second = _match(parsed, "Red Star Belgrade", "Real Madrid", "1975-03-19")
    assert (second.home_goals, second.away_goals) == (None, None)
    assert (second.aet_home, second.aet_away, second.pen_home, second.pen_away) == (2, 0, 6, 5)
    assert second.tie_winner == TeamRef("Red Star Belgrade", "SRB") and "shoot-out" in (second.note or "")
    assert any("read as shoot-outs" in text and "line 11" in text for _, text in parsed.warnings)
    # a tie whose scores agree with the bracket is left as written
    assert _match(parsed, "Austria Wien", "Real Madrid", "1974-11-06").home_goals == 2


def test_malformed_rows_are_skipped_with_their_line_and_nothing_else_is_lost() -> None:
    parsed = _fixture("uefa-el-malformed.csv", "uefa-el")
    warnings = dict(parsed.warnings)
    assert "bad date '1984-13-24'" in warnings[4]
    assert "impossible score gh='-3'" in warnings[5]
    assert "unknown full_time code 'Q'" in warnings[6]
    assert "unknown home_country 'atlantis'" in warnings[7]
    assert "AFC Ajax is listed as playing itself" in warnings[8]
    assert "expected 17 fields, found 7" in warnings[9]
    assert "competition 'UEFA CL' in the UEFA EL file" in warnings[10]
    assert [(m.line, m.leg) for m in parsed.matches] == [(2, 1), (3, 2)]  # Partizan's 4-0 after 2-6 survives


def test_a_file_without_the_needed_columns_is_an_error_naming_the_header_line() -> None:
    with pytest.raises(SourceError) as err:
        parse_results(b"home,away,date\nA,B,2000-01-01\n", "uefa-el", "bad.csv")
    assert err.value.line == 1 and "missing column(s) gh, ga, full_time" in err.value.message
    with pytest.raises(SourceError, match="not a european-cups file"):
        EuropeanCups().parse(b"", RemoteFile("european-cups", "data/results/x.csv", "u", "m"), "x.csv")


# ---- the whole files from the mirror -------------------------------------------------------------
def test_every_well_formed_row_of_the_mirrored_files_becomes_one_match(mirrored: dict[str, ParsedFile]) -> None:
    counts = {name: len(parsed.matches) for name, parsed in mirrored.items()}
    assert counts == {"uefa-el.csv": 12918, "uefa-cw.csv": 2519, "uefa-cl.csv": 7191, "uefa-itc.csv": 1558,
                      "uefa-sc.csv": 64}  # fmt: skip
    competitions = Counter(m.competition for m in mirrored["uefa-el.csv"].matches)
    assert competitions == {"uefa.el": 11881, "uefa.fairs": 1037}


def test_partizan_4_0_qpr_is_the_second_leg_after_2_6(mirrored: dict[str, ParsedFile]) -> None:
    parsed = mirrored["uefa-el.csv"]
    first = _match(parsed, "Queens Park Rangers", "Partizan", "1984-10-24")
    second = _match(parsed, "Partizan", "Queens Park Rangers", "1984-11-07")
    assert (first.leg, first.home_goals, first.away_goals) == (1, 6, 2)
    assert (second.leg, second.home_goals, second.away_goals, second.season) == (2, 4, 0, "1984-85")
    assert second.tie_winner == TeamRef("Partizan", "SRB") and second.round == "Round of 32"


def test_extra_time_and_penalty_codes_keep_the_score_after_extra_time(mirrored: dict[str, ParsedFile]) -> None:
    istanbul = _match(mirrored["uefa-cl.csv"], "AC Milan", "Liverpool FC", "2005-05-25")
    assert (istanbul.home_goals, istanbul.aet_home, istanbul.aet_away, istanbul.pen_home) == (None, 3, 3, None)
    assert (istanbul.stage, istanbul.neutral, istanbul.note) == ("final", True, "decided on penalties")
    dortmund = _match(mirrored["uefa-el.csv"], "Liverpool FC", "Cd Alaves", "2001-05-16")  # golden goal, 5-4
    assert (dortmund.home_goals, dortmund.aet_home, dortmund.aet_away, dortmund.stage) == (None, 5, 4, "final")


def test_fairs_cup_editions_and_late_finals_belong_to_their_season(mirrored: dict[str, ParsedFile]) -> None:
    parsed = mirrored["uefa-el.csv"]
    leeds = _match(parsed, "Ferencvarosi Tc", "Leeds United", "1968-09-11")
    assert (leeds.competition, leeds.season, leeds.stage, leeds.leg) == ("uefa.fairs", "1967-68", "final", 2)
    basel = _match(parsed, "Auswahl Basel", "London Xi", "1955-06-04")
    assert (basel.competition, basel.season, basel.stage) == ("uefa.fairs", "1955-56", "group")
    uefa_cup = _match(parsed, "Real Madrid", "1 FC Koeln", "1986-04-30")
    assert (uefa_cup.competition, uefa_cup.season) == ("uefa.el", "1985-86")


def test_unpairable_matches_are_kept_and_counted_with_examples(mirrored: dict[str, ParsedFile]) -> None:
    parsed = mirrored["uefa-el.csv"]
    roda = _match(parsed, "Roda JC Kerkrade", "AC Milan", "2002-02-20")  # the return leg is missing from the file
    assert (roda.leg, roda.note) == (None, "no second leg found in the source")
    (summary,) = [text for _, text in parsed.warnings if "could not be paired" in text]
    assert summary.startswith("17 matches could not be paired") and "line 5: Leipziger Auswahl" in summary


def test_expelled_clubs_show_up_as_bracket_disagreements(mirrored: dict[str, ParsedFile]) -> None:
    # Dinamo Tbilisi beat Linfield 2-1 and 1-1 but were expelled for bribery: Linfield played on
    texts = [text for line, text in mirrored["uefa-cl.csv"].warnings if "another winner" in text]
    assert any(text.startswith("Linfield FC v Dinamo Tbilisi 1993-09-01") for text in texts)

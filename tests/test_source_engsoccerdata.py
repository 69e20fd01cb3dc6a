"""engsoccerdata: every mirrored match file parses, and real matches come out as they were played."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from remontada.competitions import CATALOGUE
from remontada.sources.engsoccerdata import (
    DATA_FILES,
    EngSoccerData,
    parse_deductions,
    parse_teamnames,
)
from remontada.sources.records import MatchRecord, ParsedFile, SourceError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "engsoccerdata"
SOURCE = EngSoccerData()

#: Data rows per file: COVERAGE.md §4/§5, and `wc -l` minus the header for the three files it omits.
ROWS = {
    "champs": 6556,
    "england5": 22473,
    "germany": 38918,
    "germany2": 17290,
    "italy": 28824,
    "spain": 27335,
    "france": 29558,
    "holland": 20776,
    "scotland": 22079,
    "portugal": 8958,
    "belgium": 8394,
    "belgium_current_2023_raw": 312,
    "belgium_current_2024_raw": 312,
    "turkey": 9786,
    "greece": 7902,
    "safrica": 4320,
    "mls": 4995,
    "facup": 17080,
    "leaguecup": 7495,
    "englandplayoffs": 764,
    "dfbpokal": 4,
}

Loader = Callable[[str], ParsedFile]


@pytest.fixture(scope="module")
def load(mirror: Path) -> Loader:
    """Parse a mirrored file once per test module."""
    cache: dict[str, ParsedFile] = {}

    def parse(name: str) -> ParsedFile:
        if name not in cache:
            remote = SOURCE.remote(name)
            path = mirror / remote.mirror_path
            cache[name] = SOURCE.parse(path.read_bytes(), remote, str(path))
        return cache[name]

    return parse


def find(parsed: ParsedFile, home: str, away: str, date: str) -> MatchRecord:
    day = dt.date.fromisoformat(date)
    found = [m for m in parsed.matches if m.home.name == home and m.away.name == away and m.date == day]
    assert len(found) == 1, f"{home} v {away} on {date}: {len(found)} records"
    return found[0]


def skipped_rows(parsed: ParsedFile) -> int:
    return sum("skipped" in text for _, text in parsed.warnings)


# ---- every file ---------------------------------------------------------------------------------


def test_every_match_file_is_known_and_counted() -> None:
    assert set(ROWS) == set(DATA_FILES)


def test_every_competition_id_is_in_the_catalogue() -> None:
    used = {spec.competition for spec in DATA_FILES.values() if spec.competition}
    used |= {cid for spec in DATA_FILES.values() for cid in spec.tiers.values()}
    assert used <= set(CATALOGUE)
    assert {"uefa.cl", "eng.fa", "eng.po", "ger.cup", "usa.1", "rsa.1", "sco.4"} <= used


@pytest.mark.parametrize("name", sorted(ROWS))
def test_file_parses_and_accounts_for_every_row(load: Loader, name: str) -> None:
    parsed = load(name)
    assert len(parsed.matches) + skipped_rows(parsed) == ROWS[name]
    assert all(m.source == "engsoccerdata" for m in parsed.matches)
    lines = [m.line for m in parsed.matches]
    assert len(set(lines)) == len(lines) and min(lines) >= 2


def test_catalogue_leaves_out_files_that_repeat_another(load: Loader) -> None:
    names = [remote.path for remote in SOURCE.files()]
    assert "data-raw/champs.csv" in names and "data-raw/germany.csv" in names
    assert "data-raw/germany2.csv" not in names and "data-raw/belgium_current_2024_raw.csv" not in names

    def keys(parsed: ParsedFile, competition: str) -> set[tuple[object, ...]]:
        return {
            (m.date, m.home.name, m.away.name, m.home_goals, m.away_goals)
            for m in parsed.matches
            if m.competition == competition
        }

    assert keys(load("germany2"), "ger.2") <= keys(load("germany"), "ger.2")
    assert keys(load("belgium_current_2024_raw"), "bel.1") <= keys(load("belgium"), "bel.1")


def test_files_point_at_the_github_raw_url_and_the_mirror_layout(mirror: Path) -> None:
    for remote in SOURCE.files():
        assert remote.url == "https://raw.githubusercontent.com/jalapic/engsoccerdata/master/" + remote.path
        assert (mirror / remote.mirror_path).is_file()
    moved = EngSoccerData(base_url="http://localhost:8000/esd").remote("champs")
    assert moved.url == "http://localhost:8000/esd/data-raw/champs.csv"


# ---- European Cup -------------------------------------------------------------------------------


def test_first_european_cup_match(load: Loader) -> None:
    match = find(load("champs"), "Sporting CP", "Partizan Belgrade", "1955-09-04")
    assert (match.home_goals, match.away_goals, match.ht_home, match.ht_away) == (3, 3, 1, 1)
    assert (match.competition, match.season, match.stage, match.round, match.leg) == (
        "uefa.cl",
        "1955-56",
        "knockout",
        "First round",
        1,
    )
    assert (match.home.country, match.away.country) == ("POR", "SRB")
    assert match.tie_winner is not None and match.tie_winner.name == "Partizan Belgrade"
    assert match.agg_home is None


def test_deportivo_overturn_milan_first_leg_lead(load: Loader) -> None:
    champs = load("champs")
    first = find(champs, "AC Milan", "Deportivo La Coruna", "2004-03-23")
    second = find(champs, "Deportivo La Coruna", "AC Milan", "2004-04-07")
    assert (first.home_goals, first.away_goals, first.leg) == (4, 1, 1)
    assert (second.home_goals, second.away_goals, second.leg, second.round) == (4, 0, 2, "Quarterfinals")
    assert (second.season, second.agg_home, second.agg_away) == ("2003-04", 5, 4)
    assert second.tie_winner == second.home


def test_only_finals_after_2015_16_so_famous_later_comebacks_are_absent(load: Loader) -> None:
    champs = load("champs")
    late = [m for m in champs.matches if m.season >= "2016-17"]
    assert [(m.season, m.home.name, m.away.name, m.stage) for m in late] == [
        ("2016-17", "Real Madrid", "Juventus", "final"),
        ("2017-18", "Real Madrid", "Liverpool", "final"),
    ]
    # Barcelona 6-1 Paris Saint-Germain (8 March 2017) and Liverpool 4-0 Barcelona (7 May 2019).
    assert not any(m.date in (dt.date(2017, 3, 8), dt.date(2019, 5, 7)) for m in champs.matches)


def test_shoot_out_after_extra_time_in_a_second_leg(load: Loader) -> None:
    # 4 November 1970: the first European Cup tie settled on penalties.
    match = find(load("champs"), "Everton", "Borussia Monchengladbach", "1970-11-04")
    assert (match.home_goals, match.away_goals, match.aet_home, match.aet_away) == (1, 1, 1, 1)
    assert (match.pen_home, match.pen_away, match.agg_home, match.agg_away) == (4, 3, 2, 2)
    assert match.tie_winner == match.home


def test_final_decided_in_extra_time_and_final_on_penalties(load: Loader) -> None:
    champs = load("champs")
    wembley = find(champs, "Manchester United", "SL Benfica", "1968-05-29")
    assert (wembley.home_goals, wembley.away_goals, wembley.aet_home, wembley.aet_away) == (1, 1, 4, 1)
    assert wembley.neutral and wembley.leg is None and wembley.pen_home is None
    istanbul = find(champs, "Liverpool", "AC Milan", "2005-05-25")
    assert (istanbul.home_goals, istanbul.away_goals, istanbul.ht_home, istanbul.ht_away) == (3, 3, 0, 3)
    assert (istanbul.aet_home, istanbul.aet_away, istanbul.pen_home, istanbul.pen_away) == (3, 3, 3, 2)
    finals = [m for m in champs.matches if m.stage == "final"]
    assert len(finals) == 64 and all(m.neutral for m in finals)


def test_away_goals_and_coin_toss_are_recorded(load: Loader) -> None:
    champs = load("champs")
    madrid = find(champs, "Real Madrid", "Rapid Wien", "1968-12-04")
    assert (madrid.home_goals, madrid.away_goals, madrid.agg_home, madrid.agg_away) == (2, 1, 2, 2)
    assert madrid.note == "won on away goals" and madrid.tie_winner == madrid.away
    rotterdam = find(champs, "Liverpool", "Koln", "1965-03-24")
    assert rotterdam.leg is None and rotterdam.round == "Quarterfinals"
    assert rotterdam.note == "replay; decided by coin toss" and rotterdam.tie_winner == rotterdam.home


def test_abandoned_1991_quarter_finals_are_awarded_not_played(load: Loader) -> None:
    awarded = [m for m in load("champs").matches if m.status == "awarded"]
    assert sorted((m.home.name, m.home_goals, m.away_goals) for m in awarded) == [
        ("Dynamo Dresden", 0, 3),
        ("Olympique Marseille", 3, 0),
    ]


def test_second_leg_aggregate_is_the_sum_of_both_legs(load: Loader) -> None:
    champs = load("champs")
    first_legs = {(m.season, m.round, m.home.name, m.away.name): m for m in champs.matches if m.leg == 1}
    second_legs = [m for m in champs.matches if m.leg == 2]
    assert len(second_legs) == 2136
    for match in second_legs:
        first = first_legs[(match.season, match.round, match.away.name, match.home.name)]
        home = (match.aet_home if match.aet_home is not None else match.home_goals) + first.away_goals
        away = (match.aet_away if match.aet_away is not None else match.away_goals) + first.home_goals
        assert (match.agg_home, match.agg_away) == (home, away), match.line
    # Ties replayed after a level aggregate: the source's totals include the replay, ours do not.
    dortmund = find(champs, "Borussia Dortmund", "Spora Luxemburg", "1956-09-16")
    assert dortmund.note == "replay" and dortmund.agg_home is None


def test_mislabelled_legs_are_ordered_by_date(load: Loader) -> None:
    champs = load("champs")
    first = find(champs, "Olimpija Ljubljana", "FC Norma Tallinn", "1992-08-19")
    second = find(champs, "FC Norma Tallinn", "Olimpija Ljubljana", "1992-09-02")
    assert (first.leg, second.leg, second.agg_home, second.agg_away) == (1, 2, 0, 5)
    assert any(line == first.line and "ordered by date" in text for line, text in champs.warnings)


def test_source_quirks_are_reported(load: Loader) -> None:
    warnings = dict(load("champs").warnings)
    bayern = find(load("champs"), "Bayern Munich", "Real Madrid", "2000-05-10")
    assert "lost 3-2 on aggregate to 'Real Madrid'" in warnings[bayern.line]
    vorwarts = find(load("champs"), "Crvena Zvezda", "ASK Vorwarts Berlin", "1969-11-26")
    assert vorwarts.tie_winner == vorwarts.away and "read as" in warnings[vorwarts.line]


def test_group_stage_matches_have_no_legs_or_aggregates(load: Loader) -> None:
    groups = [m for m in load("champs").matches if m.stage == "group"]
    assert len(groups) == 2184
    assert all(m.leg is None and m.agg_home is None and m.tie_winner is None for m in groups)
    assert Counter(m.round for m in groups)["Second group stage Group A"] == 48


# ---- domestic leagues ---------------------------------------------------------------------------


def test_germany_tiers_become_two_competitions(load: Loader) -> None:
    counts = Counter(m.competition for m in load("germany").matches)
    assert counts == {"ger.1": 18874, "ger.2": 20044}
    match = find(load("germany"), "Werder Bremen", "Borussia Dortmund", "1963-08-24")
    assert (match.season, match.home_goals, match.away_goals, match.home.country) == ("1963-64", 3, 2, "GER")
    north = [m for m in load("germany").matches if m.round == "North"]
    assert len(north) == 2934 and {m.season for m in north} >= {"1974-75", "1980-81"}


def test_scotland_tiers_and_renamed_top_division(load: Loader) -> None:
    counts = Counter((m.competition, m.season) for m in load("scotland").matches)
    assert counts[("sco.1", "2016-17")] == 228 and counts[("sco.1", "2015-16")] == 228
    assert counts[("sco.4", "1997-98")] == 180 and ("sco.3", "1996-97") not in counts


def test_match_without_a_score_is_skipped_with_a_warning(load: Loader) -> None:
    greece = load("greece")
    assert [text for _, text in greece.warnings] == ["Panathinaikos v Olympiakos has no score (NA-NA); row skipped"]


def test_awarded_league_result_keeps_the_awarded_score(load: Loader) -> None:
    match = find(load("spain"), "CD Malaga", "AD Almeria", "1980-03-30")
    assert (match.status, match.home_goals, match.away_goals) == ("awarded", 0, 1)
    assert match.note == "1-0 win awarded to AD Almeria" and match.ht_home == 0


def test_conference_history_without_dates_before_1999(load: Loader) -> None:
    england5 = load("england5")
    assert {m.competition for m in england5.matches} == {"eng.5"}
    undated = {m.season for m in england5.matches if m.date is None}
    assert min(undated) == "1979-80" and max(undated) == "1998-99"


def test_season_labels_follow_each_league_calendar(load: Loader) -> None:
    assert {m.season for m in load("mls").matches} == {str(year) for year in range(1996, 2017)}
    assert min(m.season for m in load("safrica").matches) == "2002-03"
    assert min(m.season for m in load("italy").matches) == "1929-30"


def test_mls_cup_finals_neutral_until_the_higher_seed_hosted(load: Loader) -> None:
    finals = {m.season: m for m in load("mls").matches if m.stage == "final"}
    assert len(finals) == 21
    assert finals["2010"].neutral and not finals["2012"].neutral
    # Pre-chosen venues that were a finalist's ground: RFK (DC United) and Home Depot Center (LA Galaxy).
    assert finals["1997"].home.name == "DC United" and not finals["1997"].neutral
    assert finals["2011"].home.name == "LA Galaxy" and not finals["2011"].neutral
    toronto = finals["2016"]
    assert (toronto.home.name, toronto.away.name, toronto.aet_home, toronto.aet_away) == (
        "Toronto FC",
        "Seattle Sounders",
        0,
        0,
    )
    assert (toronto.pen_home, toronto.pen_away) == (4, 5)


# ---- cups and play-offs -------------------------------------------------------------------------


def test_fa_cup_score_after_extra_time_is_not_a_90_minute_score(load: Loader) -> None:
    final = find(load("facup"), "Manchester United", "Crystal Palace", "2016-05-21")
    assert (final.home_goals, final.away_goals, final.aet_home, final.aet_away) == (None, None, 2, 1)
    assert final.neutral and final.stage == "final" and final.stats["attendance"] == 88619


def test_fa_cup_shoot_out_is_oriented_home_and_away(load: Loader) -> None:
    replay = find(load("facup"), "Newcastle United", "AFC Bournemouth", "1992-01-22")
    assert (replay.aet_home, replay.aet_away, replay.pen_home, replay.pen_away) == (2, 2, 3, 4)
    assert replay.note == "replay"


def test_fa_cup_non_matches(load: Loader) -> None:
    facup = load("facup")
    statuses = Counter(m.status for m in facup.matches)
    assert statuses == {"played": 16754, "walkover": 119, "annulled": 42, "cancelled": 2}
    assert sum("bye for" in text for _, text in facup.warnings) == 163
    first_final = find(facup, "Wanderers", "Royal Engineers", "1872-03-16")
    assert (first_final.season, first_final.home_goals, first_final.away_goals, first_final.neutral) == (
        "1871-72",
        1,
        0,
        True,
    )
    walkover = next(m for m in facup.matches if m.home.name == "Royal Engineers" and m.status == "walkover")
    assert walkover.tie_winner == walkover.home and walkover.home_goals is None


def test_league_cup_single_matches_marked_as_first_legs(load: Loader) -> None:
    leaguecup = load("leaguecup")
    final = find(leaguecup, "Liverpool", "Manchester City", "2016-02-28")
    assert final.leg is None and final.neutral and (final.home_goals, final.away_goals) == (1, 1)
    two_legged = find(leaguecup, "Aston Villa", "Rotherham United", "1961-09-05")
    assert two_legged.leg == 2 and not two_legged.neutral
    wembley = find(leaguecup, "Tottenham Hotspur", "Aston Villa", "1971-02-27")
    assert wembley.stats["attendance"] == 100000  # written 1e+05


def test_play_off_legs_follow_the_dates(load: Loader) -> None:
    playoffs = load("englandplayoffs")
    first = find(playoffs, "Preston North End", "Sheffield United", "2009-05-08")
    second = find(playoffs, "Sheffield United", "Preston North End", "2009-05-11")
    assert (first.leg, second.leg) == (1, 2)
    assert first.round == second.round == "Semifinals (tier 2)"
    assert not first.neutral and not second.neutral


def test_play_off_shoot_out_text_and_extra_time_flags(load: Loader) -> None:
    playoffs = load("englandplayoffs")
    decider = find(playoffs, "Milton Keynes Dons", "Scunthorpe United", "2009-05-15")
    assert (decider.aet_home, decider.aet_away, decider.pen_home, decider.pen_away) == (0, 0, 6, 7)
    # 1986-87: "aet" is marked on both legs of the tie; only the second leg went to extra time.
    first = find(playoffs, "Leeds United", "Oldham Athletic", "1987-05-14")
    second = find(playoffs, "Oldham Athletic", "Leeds United", "1987-05-17")
    assert (first.home_goals, first.away_goals, first.aet_home) == (1, 0, None)
    assert (second.home_goals, second.aet_home, second.aet_away) == (None, 2, 1)


def test_play_off_dates_written_as_days_since_1970(load: Loader) -> None:
    playoffs = load("englandplayoffs")
    final = find(playoffs, "AFC Fylde", "Salford City", "2019-05-11")
    assert (final.home_goals, final.away_goals, final.season) == (0, 3, "2018-19")
    assert any("home and away swapped" in text for _, text in playoffs.warnings)
    assert not any(m.home.name == "Salford City" and m.date == final.date for m in playoffs.matches)


# ---- reference files ----------------------------------------------------------------------------


def test_points_deductions(mirror: Path) -> None:
    path = mirror / "engsoccerdata/data-raw/deductions.csv"
    deductions = parse_deductions(path.read_bytes(), str(path))
    assert len(deductions) == 45
    leeds = [d for d in deductions if d.team.name == "Leeds United" and d.season == "2007-08"]
    assert len(leeds) == 1 and (leeds[0].points, leeds[0].competition, leeds[0].tier) == (15, "eng.3", 3)
    stockport = next(d for d in deductions if d.season == "1926-27")
    assert stockport.team.name == "Stockport County" and stockport.competition is None


def test_team_name_variants(mirror: Path) -> None:
    path = mirror / "engsoccerdata/data-raw/teamnames.csv"
    names = parse_teamnames(path.read_bytes(), str(path))
    assert len(names) == 1442
    assert ("ENG", "Liverpool", "Liv") in names
    assert {country for country, _, _ in names} == {
        "ENG", "GER", "FRA", "ITA", "ESP", "NED", "TUR", "GRE", "SCO", "POR", "BEL", "USA",
    }  # fmt: skip


# ---- malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "name", "line", "message"),
    [
        ("champs_bad_score.csv", "champs", 4, "bad vgoal 'x'"),
        ("champs_bad_date.csv", "champs", 3, "bad date '1955-09-31'"),
        ("champs_wrong_header.csv", "champs", 1, "missing column(s) tiewinner"),
        ("champs_truncated.csv", "champs", 4, "expected 23 fields, found 12"),
        ("champs_quoted_fields.csv", "champs", 5, "unknown round 'Round7'"),
        ("germany_unknown_tier.csv", "germany", 3, "tier 3 is not expected in germany.csv"),
        ("germany_score_mismatch.csv", "germany", 3, "FT '0-2' disagrees with hgoal-vgoal"),
    ],
)
def test_malformed_rows_name_file_and_line(fixture: str, name: str, line: int, message: str) -> None:
    path = FIXTURES / fixture
    with pytest.raises(SourceError) as error:
        SOURCE.parse(path.read_bytes(), SOURCE.remote(name), str(path))
    assert error.value.location == str(path)
    assert error.value.line == line
    assert message in error.value.message


def test_quoted_commas_and_line_breaks_are_read_as_one_field() -> None:
    path = FIXTURES / "champs_quoted_fields.csv"
    good = b"".join(path.read_bytes().splitlines(keepends=True)[:4])
    parsed = SOURCE.parse(good, SOURCE.remote("champs"), str(path))
    assert [m.home.name for m in parsed.matches] == ["Sporting, Clube de Portugal", "Budapesti\nVoros Lobogo"]
    assert [m.line for m in parsed.matches] == [2, 3]


def test_unknown_file_and_non_utf8_bytes_are_rejected() -> None:
    with pytest.raises(SourceError, match="not an engsoccerdata match file"):
        SOURCE.parse(b"a,b\n", SOURCE.remote("mlsconfs"), "mlsconfs.csv")
    header = (FIXTURES / "champs_bad_date.csv").read_bytes().splitlines()[0]
    with pytest.raises(SourceError) as error:
        SOURCE.parse(header + b"\n\xff\xfe\n", SOURCE.remote("champs"), "champs.csv")
    assert error.value.line == 2

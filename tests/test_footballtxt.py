"""The Football.TXT parser, on real openfootball files from the mirror and hand-written fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from remontada.sources.footballtxt import FileFacts, assign_legs, parse_football_txt, read_title
from remontada.sources.records import MatchRecord, ParsedFile, SourceError

from .conftest import FIXTURES

CASES = FIXTURES / "footballtxt"
EL_2023_24 = FileFacts("openfootball", "uefa.el", "2023-24", "uefa")


def parse_mirror(mirror: Path, path: str, facts: FileFacts) -> ParsedFile:
    location = f"openfootball/{path}"
    return parse_football_txt((mirror / location).read_text("utf-8"), location, facts)


def find(matches: list[MatchRecord], home: str, away: str, date: dt.date | None = None) -> MatchRecord:
    found = [m for m in matches if m.home.name == home and m.away.name == away and (date is None or m.date == date)]
    assert len(found) == 1, f"{home} v {away} on {date}: {len(found)} matches"
    return found[0]


def fixture_error(name: str, facts: FileFacts = EL_2023_24) -> SourceError:
    path = CASES / name
    with pytest.raises(SourceError) as caught:
        parse_football_txt(path.read_text("utf-8"), str(path), facts)
    return caught.value


# -- UEFA layout ------------------------------------------------------------------------------


def test_uefa_file_reads_scores_dates_countries_and_kickoffs(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "champions-league/2023-24/el.txt", EL_2023_24)
    first_leg = find(parsed.matches, "Liverpool FC", "Atalanta", dt.date(2024, 4, 11))
    assert (first_leg.home_goals, first_leg.away_goals, first_leg.ht_home, first_leg.ht_away) == (0, 3, 0, 1)
    assert first_leg.home.country == "ENG" and first_leg.away.country == "ITA"
    assert (first_leg.stage, first_leg.round) == ("knockout", "Quarterfinals")
    # The time column is blank on this line: 21.00 above it holds for the whole date.
    assert first_leg.kickoff == "21:00"
    assert first_leg.line == 224
    # The first date names its year (Sep/21 2023); Apr/11 is placed in 2024 by the # Date range.
    group_opener = find(parsed.matches, "Olympiakos Piraeus", "SC Freiburg")
    assert group_opener.date == dt.date(2023, 9, 21) and (group_opener.stage, group_opener.round) == (
        "group",
        "Group A",
    )
    assert len(parsed.matches) == 141 and not parsed.warnings


def test_shootout_after_extra_time_keeps_90_minute_score_separate(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "champions-league/2023-24/el.txt", EL_2023_24)
    # "4-2 pen. 1-0 a.e.t. (1-0, 0-0)": shoot-out, after extra time, (90 minutes, half time).
    match = find(parsed.matches, "Olympique Marseille", "SL Benfica", dt.date(2024, 4, 18))
    assert (match.home_goals, match.away_goals) == (1, 0)
    assert (match.aet_home, match.aet_away) == (1, 0)
    assert (match.pen_home, match.pen_away) == (4, 2)
    assert (match.ht_home, match.ht_away) == (0, 0)


def test_extra_time_score_exceeding_90_minutes(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.cl", "2019-20", "uefa")
    parsed = parse_mirror(mirror, "champions-league/2019-20/cl.txt", facts)
    # Liverpool 2-3 Atlético a.e.t. (1-0, 1-0): 1-0 after 90 minutes, 2-3 after extra time.
    match = find(parsed.matches, "Liverpool FC", "Atlético Madrid")
    assert (match.home_goals, match.away_goals, match.aet_home, match.aet_away) == (1, 0, 2, 3)
    assert match.pen_home is None


def test_august_2020_dates_follow_the_date_range_not_the_july_cut(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.cl", "2019-20", "uefa")
    parsed = parse_mirror(mirror, "champions-league/2019-20/cl.txt", facts)
    final = find(parsed.matches, "Paris Saint-Germain", "Bayern München")
    assert final.date == dt.date(2020, 8, 23) and final.stage == "final" and final.neutral


def test_league_phase_header_sets_stage_league_and_matchday_round(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.cl", "2024-25", "uefa")
    parsed = parse_mirror(mirror, "champions-league/2024-25/cl.txt", facts)
    match = find(parsed.matches, "AC Milan", "Liverpool FC")
    assert (match.date, match.home_goals, match.away_goals) == (dt.date(2024, 9, 17), 1, 3)
    assert (match.stage, match.round, match.leg) == ("league", "Matchday 1", None)
    playoff = [m for m in parsed.matches if m.stage == "playoff"]
    assert len(playoff) == 16 and {m.round for m in playoff} == {"Playoffs"}
    assert sum(m.stage == "league" for m in parsed.matches) == 144


def test_cancelled_match_has_status_and_no_score(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.el", "2021-22", "uefa")
    parsed = parse_mirror(mirror, "champions-league/2021-22/el.txt", facts)
    match = find(parsed.matches, "Spartak Moskva", "RB Leipzig")
    assert match.status == "cancelled" and match.home_goals is None and match.date == dt.date(2022, 3, 17)
    assert match.home.country == "RUS"


def test_awarded_marker_keeps_the_awarded_score(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.ecl", "2021-22", "uefa")
    parsed = parse_mirror(mirror, "champions-league/2021-22/conf.txt", facts)
    match = find(parsed.matches, "Tottenham Hotspur", "Stade Rennais")
    assert (match.status, match.home_goals, match.away_goals, match.ht_home) == ("awarded", 0, 3, None)
    # Listed first under its date without a time: the previous date's 21.00 does not carry over.
    assert match.kickoff is None


# -- league layout ----------------------------------------------------------------------------


def test_league_file_with_score_between_teams(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.1", "2023-24", "league", "ENG")
    parsed = parse_mirror(mirror, "england/2023-24/1-premierleague.txt", facts)
    opener = find(parsed.matches, "Burnley FC", "Manchester City FC")
    assert (opener.date, opener.kickoff, opener.home_goals, opener.away_goals) == (dt.date(2023, 8, 11), "20:00", 0, 3)
    assert (opener.ht_home, opener.ht_away, opener.stage, opener.round) == (0, 2, "league", "Matchday 1")
    assert opener.home.country == "ENG"
    assert len(parsed.matches) == 380 and all(m.status == "played" for m in parsed.matches)
    assert parsed.matches[-1].date == dt.date(2024, 5, 19)


def test_penalties_straight_after_90_minutes(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.lc", "2018-19", "cup", "ENG")
    parsed = parse_mirror(mirror, "england/2018-19/eflcup.txt", facts)
    # "10-9 pen. (1-1, 0-1)": no extra time in early EFL Cup rounds.
    match = find(parsed.matches, "Nottingham Forest", "Bury FC")
    assert (match.home_goals, match.away_goals, match.ht_home, match.ht_away) == (1, 1, 0, 1)
    assert (match.aet_home, match.pen_home, match.pen_away) == (None, 10, 9)


def test_rsssf_aet_score_is_the_score_after_extra_time(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.lc", "2019-20", "cup", "ENG")
    parsed = parse_mirror(mirror, "england/rsssf/eng2020-leaguecup.txt", facts)
    match = find(parsed.matches, "AFC Wimbledon", "Milton Keynes Dons")
    assert (match.aet_home, match.aet_away, match.pen_home, match.pen_away) == (2, 2, 2, 4)
    assert match.home_goals is None  # rsssf does not give the 90-minute score
    walkover = find(parsed.matches, "Sheffield Wednesday", "Bury")
    assert (walkover.status, walkover.date, walkover.note) == ("walkover", None, "Bury bankrupted")


def test_rsssf_dates_without_weekday_and_byes(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.fa", "1871-72", "cup", "ENG")
    parsed = parse_mirror(mirror, "england/rsssf/engcup1872.txt", facts)
    final = find(parsed.matches, "Wanderers", "Royal Engineers")
    assert (final.date, final.stage, final.neutral, final.note) == (
        dt.date(1872, 3, 16),
        "final",
        True,
        "@ Kennington Oval, London",
    )
    assert find(parsed.matches, "Barnes", "Civil Service").date == dt.date(1871, 11, 11)
    assert find(parsed.matches, "Crystal Palace", "Hitchin").note == "Both Qualified"
    assert [text for _, text in parsed.warnings].count("bye for Queen's Park (no match)") == 2


def test_covid_season_without_date_range_follows_chronology(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.fa", "2019-20", "cup", "ENG")
    parsed = parse_mirror(mirror, "england/rsssf/eng2020-facup.txt", facts)
    final = find(parsed.matches, "Arsenal", "Chelsea")
    assert final.date == dt.date(2020, 8, 1)
    # The July cut would have put it in 2019: the parser says so rather than guessing quietly.
    assert any("Aug/1 placed in 2020" in text for _, text in parsed.warnings)


def test_abandoned_and_awarded_rsssf_markers(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.1", "2023-24", "league", "ENG")
    parsed = parse_mirror(mirror, "england/rsssf/eng2024-premierleague.txt", facts)
    abandoned, replay = sorted(
        (m for m in parsed.matches if (m.home.name, m.away.name) == ("Bournemouth", "Luton")), key=lambda m: m.line
    )
    assert (abandoned.status, abandoned.date, abandoned.home_goals) == ("abandoned", dt.date(2023, 12, 16), None)
    assert (replay.status, replay.date, replay.home_goals, replay.away_goals) == ("played", dt.date(2024, 3, 13), 4, 3)
    assert (replay.round, replay.note) == ("Matchday 17", "replay")
    facts = FileFacts("openfootball", "ger.1", "2024-25", "league", "GER")
    awarded = find(parse_mirror(mirror, "deutschland/rsssf/duit2025.txt", facts).matches, "Union", "Bochum")
    assert (awarded.status, awarded.home_goals, awarded.away_goals) == ("awarded", 0, 2)
    assert awarded.note is not None and awarded.note.startswith("originally 1-1")


def test_founding_years_in_team_names_are_not_goals(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.1", "1888-89", "league", "ENG")
    parsed = parse_mirror(mirror, "england/archive/1880s/1888-89/1-footballleague.txt", facts)
    match = find(parsed.matches, "Everton FC", "Accrington FC (1878-1896)", dt.date(1888, 9, 8))
    assert (match.home_goals, match.away_goals) == (2, 1) and not parsed.goals
    assert len(parsed.matches) == 132  # 12 clubs, double round robin


def test_halftime_above_fulltime_is_read_as_awarded(mirror: Path) -> None:
    facts = FileFacts("openfootball", "tur.1", "2023-24", "league", "TUR")
    parsed = parse_mirror(mirror, "europe/turkey/2023-24_tr1.txt", facts)
    match = find(parsed.matches, "İstanbulspor AŞ", "Trabzonspor")
    assert (match.status, match.home_goals, match.away_goals, match.ht_home, match.ht_away) == ("awarded", 0, 3, 1, 1)
    assert (match.line, "half-time score exceeds full time; result read as awarded") in parsed.warnings


# -- goals -------------------------------------------------------------------------------------


def test_rsssf_goal_lists_with_minutes_penalties_own_goals_and_wrapped_lines(mirror: Path) -> None:
    facts = FileFacts("openfootball", "ger.1", "1963-64", "league", "GER")
    parsed = parse_mirror(mirror, "deutschland/rsssf/duit64.txt", facts)
    opener = find(parsed.matches, "Werder", "Dortmund")  # (Soya 34, Schütz 36, Klöckner 50 - Konietzka 1, 90)
    goals = [g for g in parsed.goals if g.match_line == opener.line]
    assert [(g.side, g.player, g.minute) for g in goals] == [
        ("home", "Soya", 34),
        ("home", "Schütz", 36),
        ("home", "Klöckner", 50),
        ("away", "Konietzka", 1),
        ("away", "Konietzka", 90),
    ]
    hertha = find(parsed.matches, "Hertha", "Nürnberg", dt.date(1963, 8, 24))  # (Schimmöller 63 p - Morlock 40)
    penalty, other = [g for g in parsed.goals if g.match_line == hertha.line]
    assert (penalty.player, penalty.side, penalty.penalty, other.player, other.penalty) == (
        "Schimmöller",
        "home",
        True,
        "Morlock",
        False,
    )
    # Geisler (Dortmund) scored into his own net: listed, and credited, on Schalke's side.
    derby = find(parsed.matches, "Schalke", "Dortmund", dt.date(1963, 9, 7))
    own = [g for g in parsed.goals if g.match_line == derby.line and g.player == "Geisler"]
    assert len(own) == 1 and own[0].own_goal and own[0].side == "home" and own[0].minute == 55
    # "(Sturm 16, 80, Cyliax 27 - Grosser 49, 63,\n  Küppers 9)" continues on the next line.
    wrapped = find(parsed.matches, "Dortmund", "TSV 1860")
    assert [g.player for g in parsed.goals if g.match_line == wrapped.line][-1] == "Küppers"
    # Goal lists agree with the scores except where the source itself is inconsistent (warned).
    by_match: dict[int | None, list[str]] = {}
    for goal in parsed.goals:
        by_match.setdefault(goal.match_line, []).append(goal.side)
    agree = sum(
        by_match.get(m.line, []).count("home") == m.home_goals
        and by_match.get(m.line, []).count("away") == m.away_goals
        for m in parsed.matches
    )
    mismatched = [text for _, text in parsed.warnings if text.startswith("goal list")]
    assert len(parsed.matches) == 240 and agree == 240 - len(mismatched) and len(mismatched) <= 5


def test_goal_lines_in_parentheses_with_stoppage_and_penalty_flags() -> None:
    path = CASES / "goals.txt"
    parsed = parse_football_txt(path.read_text("utf-8"), str(path), EL_2023_24)
    first, second, final = parsed.matches
    assert [(g.side, g.player, g.minute) for g in parsed.goals if g.match_line == first.line] == [
        ("away", "Scamacca", 38),
        ("away", "Scamacca", 60),
        ("away", "Pašalić", 83),
    ]
    (salah,) = [g for g in parsed.goals if g.match_line == second.line]
    assert (salah.side, salah.player, salah.minute, salah.penalty) == ("away", "Salah", 7, True)
    # One undivided list belongs to the only side that scored.
    assert {g.side for g in parsed.goals if g.match_line == final.line} == {"home"}
    assert final.note == "@ Aviva Stadium, Dublin" and final.neutral
    assert not parsed.warnings


def test_bracketed_goal_line_with_stoppage_time(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.el", "2012-13", "uefa")
    location = "_history/openfootball/champions-league/b1b22f0af3dc/2012-13/el_finals.txt"
    parsed = parse_football_txt((mirror / location).read_text("utf-8"), location, facts)
    # [Cardozo 68' (pen.); Torres 60' Ivanović 90+3']
    final = find(parsed.matches, "Benfica", "Chelsea FC", dt.date(2013, 5, 15))
    goals = [(g.side, g.player, g.minute, g.stoppage, g.penalty) for g in parsed.goals if g.match_line == final.line]
    assert goals == [
        ("home", "Cardozo", 68, None, True),
        ("away", "Torres", 60, None, False),
        ("away", "Ivanović", 90, 3, False),
    ]
    # "(2-0, )": after extra time with the 90-minute score and no half-time score.
    steaua = find(parsed.matches, "Steaua București", "Ajax")
    assert (steaua.home_goals, steaua.aet_home, steaua.pen_home, steaua.pen_away, steaua.ht_home) == (2, 2, 4, 2, None)


# -- legs ---------------------------------------------------------------------------------------


def test_reverse_fixtures_in_a_uefa_round_are_legs_with_aggregate(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "champions-league/2023-24/el.txt", EL_2023_24)
    matches = assign_legs(parsed.matches, always_two_legged=True)
    first = find(matches, "Liverpool FC", "Atalanta")
    second = find(matches, "Atalanta", "Liverpool FC")
    assert (first.leg, first.agg_home, second.leg) == (1, None, 2)
    assert (second.date, second.home_goals, second.away_goals) == (dt.date(2024, 4, 18), 0, 1)
    assert (second.agg_home, second.agg_away) == (3, 1)  # Atalanta 3-1 on aggregate
    # Extra-time goals count towards the aggregate: Benfica 2-1, then Marseille 1-0 a.e.t.
    marseille = find(matches, "Olympique Marseille", "SL Benfica", dt.date(2024, 4, 18))
    assert (marseille.leg, marseille.agg_home, marseille.agg_away) == (2, 2, 2)
    final = find(matches, "Atalanta", "Bayer Leverkusen")
    assert (final.leg, final.neutral, final.date) == (None, True, dt.date(2024, 5, 22))
    assert all(m.leg is None for m in matches if m.stage == "group")
    assert sum(m.leg == 2 for m in matches) == 22  # 8 play-off ties, 8 + 4 + 2 knockout ties


def test_single_match_uefa_rounds_are_neutral(mirror: Path) -> None:
    facts = FileFacts("openfootball", "uefa.cl", "2019-20", "uefa")
    matches = assign_legs(
        parse_mirror(mirror, "champions-league/2019-20/cl.txt", facts).matches, always_two_legged=True
    )
    # The August 2020 quarter-finals and semi-finals were one match each in Lisbon.
    lisbon = [m for m in matches if m.round in {"Quarterfinals", "Semifinals"}]
    assert len(lisbon) == 6 and all(m.neutral and m.leg is None for m in lisbon)
    # The round of 16 stayed two-legged, its delayed second legs played in August.
    city = find(matches, "Manchester City", "Real Madrid")
    assert (city.leg, city.date, city.agg_home, city.agg_away, city.neutral) == (2, dt.date(2020, 8, 7), 4, 2, False)


def test_cup_replays_are_not_legs_but_two_legged_semifinals_are(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.fa", "2018-19", "cup", "ENG")
    fa_cup = assign_legs(parse_mirror(mirror, "england/2018-19/facup.txt", facts).matches, always_two_legged=False)
    replay = find(fa_cup, "Cheltenham Town", "Ebbsfleet United")
    assert (replay.leg, replay.note) == (None, "replay")
    assert all(m.leg is None for m in fa_cup)
    facts = FileFacts("openfootball", "eng.lc", "2018-19", "cup", "ENG")
    league_cup = assign_legs(parse_mirror(mirror, "england/2018-19/eflcup.txt", facts).matches, always_two_legged=False)
    second = find(league_cup, "Chelsea FC", "Tottenham Hotspur")
    # Spurs 1-0 Chelsea, then Chelsea 2-1 a.e.t. and 4-2 on penalties.
    assert (second.leg, second.agg_home, second.agg_away, second.pen_home) == (2, 2, 2, 4)
    assert [m.leg for m in league_cup if m.leg] == [1, 1, 2, 2]


def test_legs_named_by_headers_get_aggregates(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.po", "2023-24", "playoff", "ENG")
    parsed = parse_mirror(mirror, "england/rsssf/eng2024-playoffs.txt", facts)
    matches = assign_legs(parsed.matches, always_two_legged=False)
    second = find(matches, "Doncaster", "Crewe")  # 0-2 (aet, 3-4 pen) after Crewe 0-2 Doncaster
    assert (second.leg, second.aet_home, second.aet_away, second.agg_home, second.agg_away) == (2, 0, 2, 2, 2)
    assert (second.round, second.stage) == ("Division 2, Promotion Playoff, Semifinals", "playoff")
    assert find(matches, "Leeds", "Southampton").stage == "final"


def test_outline_and_detailed_layouts_of_one_file_give_the_same_matches(mirror: Path) -> None:
    facts = FileFacts("openfootball", "eng.po", "2023-24", "playoff", "ENG")

    def key(path: str) -> list[tuple[object, ...]]:
        parsed = parse_mirror(mirror, path, facts)
        return [
            (
                m.date,
                m.home.name,
                m.away.name,
                m.home_goals,
                m.away_goals,
                m.aet_home,
                m.pen_home,
                m.status,
                m.round,
                m.leg,
            )
            for m in parsed.matches
        ]

    canonical = key("england/rsssf/eng2024-playoffs.txt")
    assert len(canonical) == 20
    assert key("england/rsssf/eng2024-playoffs_v2.txt") == canonical
    assert key("england/rsssf/eng2024-playoffs_details.txt") == canonical


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_line_is_an_error_naming_file_and_line() -> None:
    error = fixture_error("unknown_line.txt")
    assert error.location.endswith("unknown_line.txt") and error.line == 6
    assert "Liverpool lost at home on Thursday" in error.message


@pytest.mark.parametrize(
    ("name", "line", "facts"),
    [
        ("bad_score.txt", 6, EL_2023_24),
        ("bad_score_league.txt", 7, FileFacts("openfootball", "eng.1", "2023-24", "league", "ENG")),
    ],
)
def test_bad_score_is_an_error_on_its_line(name: str, line: int, facts: FileFacts) -> None:
    error = fixture_error(name, facts)
    assert error.line == line and "2-x" in str(error) and name in str(error)


def test_impossible_date_is_an_error() -> None:
    error = fixture_error("bad_date.txt", FileFacts("openfootball", "eng.1", "2023-24", "league", "ENG"))
    assert error.line == 4 and "impossible date Feb/30" in error.message


def test_date_outside_the_files_range_cannot_be_placed() -> None:
    error = fixture_error("unplaceable_date.txt")
    assert error.line == 6 and "cannot be placed" in error.message


def test_weekday_that_contradicts_the_placed_date_is_an_error() -> None:
    error = fixture_error("wrong_weekday.txt")
    assert error.line == 4 and "Mon Apr/11" in error.message and "Thu 2024-04-11" in error.message


def test_date_without_year_in_a_file_without_season_is_an_error() -> None:
    path = CASES / "wrong_weekday.txt"
    facts = FileFacts("openfootball", "uefa.el", None, "uefa")
    with pytest.raises(SourceError, match="no year") as caught:
        parse_football_txt(path.read_text("utf-8"), str(path), facts)
    assert caught.value.line == 4


def test_explicit_year_outside_the_season_is_an_error() -> None:
    path = CASES / "goals.txt"
    facts = FileFacts("openfootball", "uefa.el", "2021-22", "uefa")
    with pytest.raises(SourceError, match="outside season 2021-22") as caught:
        parse_football_txt(path.read_text("utf-8"), str(path), facts)
    assert caught.value.line == 4


def test_title_names_the_competition_without_its_season(mirror: Path) -> None:
    assert read_title((mirror / "openfootball/europe/iceland/2024_is1.txt").read_text("utf-8")) == "Iceland Úrvalsdeild"
    assert read_title((mirror / "openfootball/deutschland/rsssf/duit64.txt").read_text("utf-8")) == "Bundesliga"


def test_versus_split_reads_lines_exactly_as_the_versus_pattern(mirror: Path) -> None:
    # _versus stands in for the _VERSUS regex (for speed); on real lines, and on the same lines
    # with extra joins and truncations, both must read the same home, away and score.
    from remontada.sources.footballtxt import _SCORE_GROUPS, _VERSUS, _versus

    text = (mirror / "openfootball/champions-league/2023-24/cl.txt").read_text("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    samples = [
        variant
        for line in lines
        for variant in (line, line[:-1], line + " v X", line.replace("  ", " - ", 1), line.replace(" v ", " vs. "))
    ]
    samples += ["A v B", "A vs B 1-0", "A - B - C 1-1", "A v  B  2-1 (1-0)", "A v B 3-2 pen. 1-1 a.e.t. (1-1, 0-0)"]
    assert sum(" v " in line for line in lines) > 100
    for sample in samples:
        found = _VERSUS.match(sample)
        split = _versus(sample)
        if found is None:
            assert split is None, sample
            continue
        assert split is not None, sample
        home, away, score = split
        assert (home, away) == (found.group("home"), found.group("away")), sample
        groups = score.group(*_SCORE_GROUPS) if score else (None,) * len(_SCORE_GROUPS)
        assert groups == found.group(*_SCORE_GROUPS), sample

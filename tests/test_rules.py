"""Competition rules by season: the eras table and its lookup."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest

from remontada.rules import (
    TieRules,
    load_eras,
    normalise_round,
    parse_eras,
    rules_for,
    season_label,
    season_start_year,
)
from remontada.sources.records import SourceError

UEFA_TWO_LEGGED = ("uefa.cl", "uefa.el")


@pytest.mark.parametrize("competition", UEFA_TWO_LEGGED)
def test_2020_21_uefa_ties_use_away_goals_including_extra_time(competition: str) -> None:
    rules = rules_for(competition, "2020-21", "r16")
    assert rules.legs == 2
    assert rules.away_goals and rules.away_goals_in_extra_time
    assert rules.extra_time_minutes == 30 and rules.decider == "penalties"


@pytest.mark.parametrize("competition", [*UEFA_TWO_LEGGED, "uefa.ecl"])
@pytest.mark.parametrize("season", ["2021-22", "2023-24", "2024-25"])
def test_away_goals_are_gone_from_2021_22(competition: str, season: str) -> None:
    rules = rules_for(competition, season, "qf")
    assert not rules.away_goals and not rules.away_goals_in_extra_time
    assert rules.extra_time_minutes == 30 and rules.penalties


def test_liverpool_atalanta_2023_24_quarter_final_has_no_away_goals() -> None:
    rules = rules_for("uefa.el", "2023-24", "Quarterfinals")
    assert rules == TieRules(
        legs=2, away_goals=False, extra_time_minutes=30, decider="penalties", source=rules.source, note=rules.note
    )


def test_1964_65_european_cup_has_no_away_goals_and_replays_level_ties() -> None:
    # Liverpool v Koln, 1964-65 quarter-final: a play-off and then a coin toss (champs.csv).
    rules = rules_for("uefa.cl", "1964-65", "QF")
    assert not rules.away_goals
    assert rules.replay and not rules.penalties
    assert not rules.has_extra_time


def test_away_goals_entered_the_european_cup_round_by_round() -> None:
    assert rules_for("uefa.cl", "1967-68", "Round1").away_goals
    assert not rules_for("uefa.cl", "1967-68", "QF").away_goals  # Juventus v Braunschweig play-off
    assert rules_for("uefa.cl", "1968-69", "R16").away_goals
    assert not rules_for("uefa.cl", "1968-69", "QF").away_goals
    assert rules_for("uefa.cl", "1969-70", "QF").away_goals
    assert rules_for("uefa.cl", "1969-70").decider == "coin_toss"
    assert rules_for("uefa.cl", "1970-71").decider == "penalties"


@pytest.mark.parametrize("competition", ["uefa.cl", "uefa.el", "uefa.cwc"])
def test_extra_time_away_goals_counted_through_the_away_goals_era(competition: str) -> None:
    for season in range(1971, 2021):
        if competition == "uefa.cwc" and season > 1998:
            break
        rules = rules_for(competition, season)
        assert rules.away_goals_in_extra_time, (competition, season_label(season))


def test_the_cup_winners_cup_introduced_away_goals_in_1965_66() -> None:
    assert not rules_for("uefa.cwc", "1964-65").away_goals
    assert rules_for("uefa.cwc", "1965-66").away_goals


def test_finals_are_single_neutral_matches_except_the_two_legged_uefa_cup_final() -> None:
    european_cup_final = rules_for("uefa.cl", "1973-74", "final")
    assert european_cup_final.legs == 1 and european_cup_final.neutral_venue and european_cup_final.replay
    assert rules_for("uefa.cl", "1983-84", "final").penalties
    assert rules_for("uefa.el", "1996-97", "final").legs == 2
    assert rules_for("uefa.el", "1996-97", "final").away_goals  # 1976-77 Juventus won the final on away goals
    single = rules_for("uefa.el", "1997-98", "final")
    assert single.legs == 1 and single.neutral_venue and not single.away_goals


def test_covid_final_eight_was_single_matches() -> None:
    assert rules_for("uefa.cl", "2019-20", "qf").legs == 1
    assert rules_for("uefa.cl", "2019-20", "r16").legs == 2
    assert rules_for("uefa.cl", "2020-21", "qf").legs == 2


def test_domestic_rows_show_replays_and_play_offs() -> None:
    assert rules_for("eng.fa", "1985-86", "3").replay
    assert rules_for("eng.fa", "2010-11", "replay").penalties
    assert rules_for("eng.fa", "2024-25", "3").penalties  # replays scrapped
    playoff_1997 = rules_for("eng.po", "1996-97", "s")
    assert not playoff_1997.away_goals and playoff_1997.away_goals_in_extra_time
    assert not rules_for("eng.po", "2012-13", "s").away_goals_in_extra_time
    assert rules_for("eng.po", "2012-13", "f").neutral_venue


def test_hypothetical_rules_are_a_dataclass_replace() -> None:
    real = rules_for("uefa.el", "2023-24", "qf")
    what_if = dataclasses.replace(real, away_goals=True, away_goals_in_extra_time=True)
    assert what_if.away_goals and not real.away_goals
    with pytest.raises(dataclasses.FrozenInstanceError):
        real.away_goals = True  # type: ignore[misc]


def test_invalid_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="1 or 2 legs"):
        TieRules(legs=3)
    with pytest.raises(ValueError, match="decider"):
        TieRules(decider="golden_goal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="away goals only apply"):
        TieRules(legs=1, away_goals=True)


def test_competitions_can_be_named_by_alias() -> None:
    assert rules_for("UEFA Cup", "1987-88", "final") == rules_for("uefa.el", "1987-88", "final")
    assert rules_for("European Cup", "1964-65").replay


def test_unknown_competition_or_season_names_what_is_covered() -> None:
    with pytest.raises(LookupError, match=r"no tie rules for competition 'eng\.1'"):
        rules_for("eng.1", "2020-21")
    with pytest.raises(LookupError, match=r"uefa\.el 1965-66.*1971-72"):
        rules_for("uefa.el", 1965)


def test_every_row_cites_a_source_and_no_two_rows_overlap() -> None:
    eras = load_eras()
    assert len(eras) >= 25
    claims: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for era in eras:
        assert era.rules.source.strip(), era
        last = era.last_season if era.last_season is not None else 9999
        for key in era.rounds or {"*"}:
            for first_seen, last_seen in claims[(era.competition, key)]:
                assert last < first_seen or era.first_season > last_seen, (era.competition, key, era.first_season)
            claims[(era.competition, key)].append((era.first_season, last))


def test_a_bad_row_is_reported_with_file_and_line() -> None:
    lines = [
        "# comment\n",
        "competition,first_season,last_season,rounds,legs,away_goals,away_goals_in_extra_time,"
        "extra_time_minutes,decider,neutral_venue,source,note\n",
        "uefa.cl,2021-22,,*,2,0,0,30,penalties,0,UEFA,\n",
        "uefa.cl,2022-23,,*,2,0,0,30,golden_goal,0,UEFA,\n",
    ]
    with pytest.raises(SourceError) as caught:
        parse_eras(lines, "rules.csv")
    assert caught.value.location == "rules.csv" and caught.value.line == 4
    assert "decider" in caught.value.message


def test_custom_tables_replace_the_packaged_one() -> None:
    lines = [
        "competition,first_season,last_season,rounds,legs,away_goals,away_goals_in_extra_time,"
        "extra_time_minutes,decider,neutral_venue,source,note\n",
        "usa.cup,2023-24,,*,1,0,0,0,penalties,0,hand-written,\n",
    ]
    eras = parse_eras(lines, "mine.csv")
    rules = rules_for("usa.cup", 2024, eras=eras)
    assert rules.legs == 1 and not rules.has_extra_time


@pytest.mark.parametrize(
    ("text", "start"),
    [("2023-24", 2023), ("2023/24", 2023), ("2023/2024", 2023), ("1999-00", 1999), ("2024", 2024), (1964, 1964)],
)
def test_seasons_are_read_by_start_year(text: str | int, start: int) -> None:
    assert season_start_year(text) == start


@pytest.mark.parametrize("text", ["2023-25", "23-24", "spring"])
def test_bad_seasons_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        season_start_year(text)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Round1", "round1"),  # engsoccerdata champs.csv
        ("R16", "r16"),
        ("QF", "qf"),
        ("SF", "sf"),
        ("final", "final"),
        ("Q-PO", "po"),
        ("Q-2", "q2"),
        ("s", "sf"),  # engsoccerdata play-offs / FA Cup
        ("f", "final"),
        ("Round of 16", "r16"),  # openfootball
        ("Quarterfinals", "qf"),
        ("Finals, Semifinals", "sf"),
        ("Finals, Final", "final"),
        ("1. Round", "round1"),
        ("Playoffs", "po"),
        ("Sechzehntelfinale", "r32"),
        ("replay2", "replay"),
    ],
)
def test_round_labels_from_every_source_normalise(label: str, key: str) -> None:
    assert normalise_round(label) == key

"""Two-legged ties from hand-built legs: how each was decided, pairing, base rates.

The scores are real ties (European Cup / Champions League and Europa League, as the store holds
them); the rules are the packaged rules table's for their season.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest
from scipy.stats import norm

from remontada.rules import rules_for
from remontada.stats import wilson_interval
from remontada.ties.history import (
    Leg,
    Tie,
    base_rate,
    base_rate_table,
    cross_check,
    make_tie,
    parse_seasons,
    rules_round,
    select_ties,
    settle,
    tie_rules,
    ties_from_frame,
)

_ids = iter(range(1, 10_000))


def leg(date: str | None, home: str, away: str, home_goals: int | None, away_goals: int | None, **extra) -> Leg:
    return Leg(
        match_id=next(_ids),
        date=dt.date.fromisoformat(date) if date else None,
        home_id=home,
        away_id=away,
        home_goals=home_goals,
        away_goals=away_goals,
        **extra,
    )


def cl_tie(season: str, round_label: str, leg1: Leg | None, leg2: Leg | None, **kw) -> Tie:
    competition = kw.pop("competition", "uefa.cl")
    rules = kw.pop("rules", rules_for(competition, season, rules_round(round_label)))
    return make_tie(leg1, leg2, competition=competition, season=season, rules=rules, round=round_label, **kw)


# ---- how ties were decided ---------------------------------------------------------------------
def test_liverpool_overturned_three_goals_against_barcelona_on_aggregate() -> None:
    tie = cl_tie(
        "2018-19",
        "Semifinals",
        leg("2019-05-01", "barcelona", "liverpool", 3, 0),
        leg("2019-05-07", "liverpool", "barcelona", 4, 0),
    )
    assert (tie.how, tie.winner, tie.aggregate) == ("aggregate", "liverpool", (3, 4))
    assert tie.first_leg_loser == "liverpool"
    assert tie.deficit("liverpool") == 3 and tie.deficit("barcelona") == -3
    assert tie.first_leg_venue("liverpool") == "away"
    assert tie.overturned


def test_roma_went_through_on_away_goals_only_while_the_rule_existed() -> None:
    legs = (
        leg("2018-04-04", "barcelona", "roma", 4, 1),
        leg("2018-04-10", "roma", "barcelona", 3, 0),
    )
    with_rule = cl_tie("2017-18", "Quarterfinals", *legs)
    # away_goals is (A at B's ground, B at A's ground): Barcelona 0 in Rome, Roma 1 at the Camp Nou.
    assert (with_rule.how, with_rule.winner, with_rule.away_goals) == ("away goals", "roma", (0, 1))
    # The same scores under 2021-22 rules were level after 90 minutes: extra time would have followed,
    # and nothing in these legs says what happened then.
    without = cl_tie("2021-22", "Quarterfinals", *legs)
    assert without.complete and not without.decided
    assert "level after 90 minutes" in (without.issue or "")


def test_chelsea_went_out_on_away_goals_counted_after_extra_time() -> None:
    tie = cl_tie(
        "2014-15",
        "Round of 16",
        leg("2015-02-17", "psg", "chelsea", 1, 1),
        leg("2015-03-11", "chelsea", "psg", 1, 1, aet_home=2, aet_away=2),
    )
    assert (tie.how, tie.winner, tie.after_extra_time) == ("away goals", "psg", True)
    assert "after extra time" in tie.outcome_text()


def test_real_madrid_beat_chelsea_in_extra_time_without_away_goals() -> None:
    tie = cl_tie(
        "2021-22",
        "Quarterfinals",
        leg("2022-04-06", "chelsea", "real-madrid", 1, 3),
        leg("2022-04-12", "real-madrid", "chelsea", 1, 3, aet_home=2, aet_away=3),
    )
    assert (tie.how, tie.winner, tie.aggregate) == ("extra time", "real-madrid", (4, 5))


def test_real_madrid_beat_manchester_city_on_penalties() -> None:
    tie = cl_tie(
        "2023-24",
        "Quarterfinals",
        leg("2024-04-09", "real-madrid", "man-city", 3, 3),
        leg("2024-04-17", "man-city", "real-madrid", 1, 1, aet_home=1, aet_away=1, pen_home=3, pen_away=4),
    )
    assert (tie.how, tie.winner, tie.after_extra_time) == ("penalties", "real-madrid", True)
    assert tie.first_leg_loser is None and not tie.overturned


def test_ajax_beat_benfica_in_a_replay_after_level_legs() -> None:
    tie = cl_tie(
        "1968-69",
        "Quarterfinals",
        leg("1969-02-12", "ajax", "benfica", 1, 3),
        leg("1969-02-19", "benfica", "ajax", 1, 3),
        replays=[leg("1969-03-05", "ajax", "benfica", 0, 0, aet_home=3, aet_away=0, note="replay")],
    )
    assert (tie.how, tie.winner) == ("replay", "ajax")
    assert tie.overturned and tie.date == dt.date(1969, 3, 5)


def test_a_replay_level_after_extra_time_went_to_a_coin_toss() -> None:
    replay = leg("1965-03-24", "liverpool", "koln", 2, 2, aet_home=2, aet_away=2, note="replay; decided by coin toss")
    legs = (leg("1965-02-10", "koln", "liverpool", 0, 0), leg("1965-03-17", "liverpool", "koln", 0, 0))
    tie = cl_tie("1964-65", "Quarterfinals", *legs, replays=[replay], recorded_winner="liverpool")
    assert (tie.how, tie.winner) == ("coin toss", "liverpool")
    unknown = cl_tie("1964-65", "Quarterfinals", *legs, replays=[replay])
    assert unknown.how == "coin toss" and unknown.winner is None and "not recorded" in (unknown.issue or "")


def test_a_coin_toss_after_extra_time_of_the_second_leg_takes_the_recorded_winner() -> None:
    tie = cl_tie(
        "1969-70",
        "Round of 16",
        leg("1969-11-12", "celtic", "benfica", 3, 0),
        leg("1969-11-26", "benfica", "celtic", 3, 0, aet_home=3, aet_away=0, note="decided by coin toss"),
        recorded_winner="celtic",
    )
    assert (tie.how, tie.winner, tie.after_extra_time) == ("coin toss", "celtic", True)


def test_an_awarded_second_leg_counts_with_its_awarded_score() -> None:
    tie = cl_tie(
        "1990-91",
        "Quarterfinals",
        leg("1991-03-06", "milan", "marseille", 1, 1),
        leg("1991-03-20", "marseille", "milan", 3, 0, status="awarded"),
    )
    assert (tie.how, tie.winner) == ("awarded", "marseille")


def test_a_tie_with_a_missing_leg_is_reported_not_guessed() -> None:
    tie = cl_tie(
        "1961-62", "First round", leg("1961-09-20", "vorwarts", "linfield", 3, 0), None, recorded_winner="vorwarts"
    )
    assert not tie.complete and tie.winner is None and tie.how is None
    assert tie.issue == "no second leg in the store"
    assert tie.first_leg_margin == 3
    assert base_rate([tie], 3).n == 0


def test_a_second_leg_not_yet_played_is_incomplete() -> None:
    tie = cl_tie(
        "2025-26",
        "Quarterfinals",
        leg("2026-04-07", "a", "b", 2, 0),
        leg("2026-04-14", "b", "a", None, None, status="scheduled"),
    )
    assert not tie.complete and "not played yet" in (tie.issue or "")


def test_a_replay_beats_the_rules_table_and_is_flagged() -> None:
    # 1992-93: Leeds' 4-1 would have lost on away goals, but Stuttgart fielded an ineligible
    # player; the second leg was awarded 3-0 and the tie went to a replay in Barcelona.
    tie = cl_tie(
        "1992-93",
        "First round",
        leg("1992-09-16", "stuttgart", "leeds", 3, 0),
        leg("1992-09-30", "leeds", "stuttgart", 4, 1),
        replays=[leg("1992-10-09", "stuttgart", "leeds", 1, 2, note="replay")],
    )
    assert (tie.how, tie.winner) == ("replay", "leeds")
    assert "a replay was played" in (tie.issue or "")


def test_without_rules_a_source_saying_away_goals_decides_and_is_flagged() -> None:
    result = settle(
        leg("1977-05-04", "juventus", "bilbao", 1, 0, note="won on away goals"),
        leg("1977-05-18", "bilbao", "juventus", 2, 1),
        rules=None,
    )
    assert (result.how, result.winner) == ("away goals", "juventus")
    assert result.issue is not None


def test_only_the_score_after_extra_time_still_decides_the_tie() -> None:
    # engsoccerdata's play-off file gives only the score after extra time for such second legs.
    rules = rules_for("eng.po", "1998-99", "sf")
    result = settle(
        leg("1999-05-16", "bolton", "ipswich", 1, 0),
        leg("1999-05-19", "ipswich", "bolton", None, None, aet_home=4, aet_away=3),
        rules,
    )
    assert (result.how, result.winner, result.after_extra_time) == ("away goals", "bolton", True)


def test_settle_refuses_legs_of_different_ties() -> None:
    with pytest.raises(ValueError, match="does not reverse"):
        settle(leg(None, "a", "b", 1, 0), leg(None, "a", "b", 0, 1), rules=None)


# ---- rules lookup ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("First round", "round1"),
        ("Second round", "round2"),
        ("Second qualifying round", "q2"),
        ("Round of 16", "r16"),
        ("Semifinals (tier 2)", "sf"),
        ("Championship, Promotion Playoff, Semifinals", "sf"),
        ("Final (tier 3)", "final"),
    ],
)
def test_stored_round_labels_become_rules_table_keys(label: str, key: str) -> None:
    assert rules_round(label) == key


def test_the_1967_68_first_round_used_away_goals_but_later_rounds_did_not() -> None:
    first = tie_rules("uefa.cl", "1967-68", "knockout", "First round")
    quarter = tie_rules("uefa.cl", "1967-68", "knockout", "Quarterfinals")
    assert first is not None and first.away_goals
    assert quarter is not None and not quarter.away_goals and quarter.replay


def test_competitions_without_rules_get_none() -> None:
    assert tie_rules("eng.lc", "1990-91", "knockout", "Round 2") is None


# ---- pairing legs from store rows --------------------------------------------------------------
def rows(*specs: tuple) -> pd.DataFrame:
    """(competition, season, date, stage, round, leg, home, away, hg, ag[, extra dict]) -> store-shaped rows."""
    out = []
    for n, spec in enumerate(specs, start=1):
        competition, season, date, stage, round_label, leg_no, home, away, hg, ag, *rest = spec
        row = {
            "match_id": n,
            "competition_id": competition,
            "season": season,
            "date": pd.Timestamp(date) if date else pd.NaT,
            "stage": stage,
            "round": round_label,
            "leg": leg_no,
            "home_id": home,
            "home_name": home.title(),
            "away_id": away,
            "away_name": away.title(),
            "home_goals": hg,
            "away_goals": ag,
            "aet_home": None,
            "aet_away": None,
            "pen_home": None,
            "pen_away": None,
            "neutral": False,
            "status": "played",
            "tie_winner_id": None,
            "shootout_winner_id": None,
            "n_sources": 1,
            "note": None,
        }
        row.update(rest[0] if rest else {})
        out.append(row)
    return pd.DataFrame(out)


def test_legs_pair_by_clubs_even_when_sources_label_the_round_differently() -> None:
    frame = rows(
        ("uefa.cl", "2003-04", "2004-03-23", "knockout", "Quarterfinals", 1, "milan", "deportivo", 4, 1),
        ("uefa.cl", "2003-04", "2004-04-07", "knockout", "Quarter-finals", 2, "deportivo", "milan", 4, 0),
    )
    (tie,) = ties_from_frame(frame)
    assert (tie.team_a, tie.team_b, tie.winner, tie.how) == ("milan", "deportivo", "deportivo", "aggregate")
    assert tie.rules is not None and tie.rules.away_goals


def test_a_replay_joins_its_tie_and_a_second_leg_dated_first_still_pairs() -> None:
    frame = rows(
        ("uefa.cl", "1958-59", "1958-09-17", "knockout", "First round", 1, "kb", "schalke", 3, 0),
        ("uefa.cl", "1958-59", "1958-09-24", "knockout", "First round", 2, "schalke", "kb", 5, 2),
        (
            "uefa.cl",
            "1958-59",
            "1958-10-01",
            "knockout",
            "First round",
            None,
            "schalke",
            "kb",
            3,
            1,
            {"note": "replay"},
        ),
        ("eng.lc", "1960-61", "1961-08-22", "final", "Final", 2, "villa", "rotherham", 3, 0),
        ("eng.lc", "1960-61", "1961-09-05", "final", "Final", 1, "rotherham", "villa", 2, 0),
    )
    schalke, villa = ties_from_frame(frame)
    assert (schalke.how, schalke.winner, len(schalke.replays)) == ("replay", "schalke", 1)
    assert (villa.team_a, villa.winner, villa.how) == ("rotherham", "villa", "aggregate")
    assert "dated before the first" in (villa.issue or "")


def test_unpaired_legs_become_incomplete_ties() -> None:
    frame = rows(
        ("eng.lc", "1987-88", "1987-08-25", "knockout", "Round 1", 1, "cardiff", "newport", 1, 2),
        ("eng.lc", "1987-88", "1987-09-01", "knockout", "Round 1", 2, "cardiff", "newport", 2, 2),
    )
    ties = ties_from_frame(frame)
    assert len(ties) == 2 and not any(t.complete for t in ties)


def test_one_tie_stored_under_two_ids_of_a_club_is_counted_once() -> None:
    frame = rows(
        (
            "uefa.cl",
            "2011-12",
            "2012-02-14",
            "knockout",
            "Round of 16",
            1,
            "zenit",
            "benfica",
            3,
            2,
            {"tie_winner_id": "benfica"},
        ),
        (
            "uefa.cl",
            "2011-12",
            "2012-03-06",
            "knockout",
            "Round of 16",
            2,
            "benfica",
            "zenit",
            2,
            0,
            {"tie_winner_id": "benfica"},
        ),
        ("uefa.cl", "2011-12", "2012-02-14", "knockout", "Round of 16", 1, "zenit", "sl-benfica", 3, 2),
        ("uefa.cl", "2011-12", "2012-03-06", "knockout", "Round of 16", 2, "sl-benfica", "zenit", 2, 0),
        # A different tie on the same days with the same scores shares no club: both stay.
        ("uefa.cl", "2011-12", "2012-02-14", "knockout", "Round of 16", 1, "x", "y", 3, 2),
        ("uefa.cl", "2011-12", "2012-03-06", "knockout", "Round of 16", 2, "y", "x", 2, 0),
    )
    ties = ties_from_frame(frame)
    assert sorted((t.team_a, t.team_b) for t in ties) == [("x", "y"), ("zenit", "benfica")]
    kept = next(t for t in ties if t.team_a == "zenit")
    assert "sl-benfica" in (kept.issue or "")


# ---- base rates --------------------------------------------------------------------------------
def simple_tie(
    season: str, first: tuple[int, int], second: tuple[int, int], *, stage: str = "knockout", neutral: bool = False
) -> Tie:
    """A v B with 90-minute scores; a level aggregate goes to penalties won by B."""
    agg_a, agg_b = first[0] + second[1], first[1] + second[0]
    pens = {"pen_home": 5, "pen_away": 4} if agg_a == agg_b else {}
    year = int(season[:4])
    return make_tie(
        leg(f"{year}-10-01", "a", "b", *first, neutral=neutral),
        leg(f"{year}-10-15", "b", "a", *second, **pens),
        competition="uefa.cl",
        season=season,
        rules=rules_for("uefa.cl", "2022-23"),
        stage=stage,
    )


@pytest.fixture
def ties() -> list[Tie]:
    return [
        simple_tie("2000-01", (0, 1), (0, 2)),  # A lost 0-1 at home, won away: comeback (home, 1)
        simple_tie("2001-02", (0, 1), (1, 0)),  # A lost 0-1 at home, level, B won on pens: none
        simple_tie("2002-03", (2, 0), (3, 0)),  # B lost 0-2 away, won 3-0: comeback (away, 2)
        simple_tie("2003-04", (2, 0), (1, 0)),  # B lost 0-2 away, out (away, 2)
        simple_tie("2004-05", (3, 0), (0, 0)),  # B lost 0-3 away, out (away, 3)
        simple_tie("2005-06", (1, 1), (0, 1)),  # draw; A won away
        simple_tie("2006-07", (0, 4), (0, 1), stage="qualifying"),  # A lost 0-4 at home, out
        simple_tie("2007-08", (1, 0), (2, 0), neutral=True),  # B lost at a neutral ground, came back
    ]


def test_base_rate_counts_the_side_behind_by_exactly_that_many(ties: list[Tie]) -> None:
    two_away = base_rate(ties, 2, "away")
    assert (two_away.n, two_away.k) == (2, 1)
    assert [t.season for t in two_away.comebacks] == ["2002-03"]
    one = base_rate(ties, 1)
    assert (one.n, one.k) == (3, 2)  # both home losers and the neutral-ground loser
    assert base_rate(ties, 1, "neutral").k == 1
    assert (base_rate(ties, 1, "home").n, base_rate(ties, 1, "home").k) == (2, 1)


def test_base_rate_or_more_counts_larger_deficits_too(ties: list[Tie]) -> None:
    assert (base_rate(ties, 3, or_more=True).n, base_rate(ties, 3, or_more=True).k) == (2, 0)
    assert base_rate(ties, 1, or_more=True).n == 7
    # Leads: the side ahead by 2 or more went through in 4 of 5.
    ahead = base_rate(ties, -2, or_more=True)
    assert (ahead.n, ahead.k) == (4, 3)


def test_a_drawn_first_leg_counts_once_unless_a_venue_is_given(ties: list[Tie]) -> None:
    draw = base_rate(ties, 0)
    assert (draw.n, draw.k) == (1, 1)  # seen from A, who hosted it
    assert (base_rate(ties, 0, "away").n, base_rate(ties, 0, "away").k) == (1, 0)


def test_base_rate_interval_is_wilsons(ties: list[Tie]) -> None:
    rate = base_rate(ties, 1)
    low, high = wilson_interval(2, 3, z=norm.ppf(0.975))
    assert rate.p == pytest.approx(2 / 3)
    assert (rate.low, rate.high) == pytest.approx((low, high))
    ninety = base_rate(ties, 1, level=0.9)
    assert ninety.low > rate.low and ninety.high < rate.high
    empty = base_rate(ties, 7)
    assert empty.n == 0 and math.isnan(empty.p) and math.isnan(empty.low)


def test_base_rate_filters_by_season_stage_and_date(ties: list[Tie]) -> None:
    assert base_rate(ties, 4, stages=["knockout"]).n == 0
    assert base_rate(ties, 4, stages=["qualifying"]).n == 1
    assert base_rate(ties, 2, seasons="2003-04..").n == 1
    assert base_rate(ties, 2, before="2002-10-15").n == 0
    assert base_rate(ties, 2, before="2002-10-16").n == 1


def test_base_rate_rejects_an_unknown_venue(ties: list[Tie]) -> None:
    with pytest.raises(ValueError, match="first_leg_at"):
        base_rate(ties, 1, "abroad")  # type: ignore[arg-type]


def test_base_rate_table_has_a_row_per_deficit_and_venue(ties: list[Tie]) -> None:
    table = base_rate_table(ties, deficits=(1, 2, 3), venues=("home", "away", None))
    assert len(table) == 9
    top = table[(table.deficit == 3) & (table.first_leg_at == "all")].iloc[0]
    assert bool(top.or_more) and top.n == 2
    assert table[(table.deficit == 2) & (table.first_leg_at == "away")].iloc[0].k == 1


def test_select_ties_leaves_out_undated_ties_when_a_date_is_asked(ties: list[Tie]) -> None:
    undated = dataclasses.replace(
        ties[0], leg1=dataclasses.replace(ties[0].leg1, date=None), leg2=dataclasses.replace(ties[0].leg2, date=None)
    )
    assert select_ties([undated], before="2100-01-01") == []
    assert select_ties([undated]) == [undated]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("1955-56..2016-17", (1955, 2016)),
        ("2016-17", (2016, 2016)),
        ("..1999-00", (0, 1999)),
        ("2000-01..", (2000, 9999)),
    ],
)
def test_parse_seasons_reads_ranges(text: str, span: tuple[int, int]) -> None:
    assert parse_seasons(text) == span


def test_parse_seasons_rejects_backwards_ranges() -> None:
    with pytest.raises(ValueError, match="ends before"):
        parse_seasons("2016-17..1955-56")


# ---- cross-check -------------------------------------------------------------------------------
def test_cross_check_lists_ties_whose_derived_winner_differs_from_the_recorded_one() -> None:
    real = cl_tie(
        "1999-00",
        "Semifinals",
        leg("2000-05-02", "real-madrid", "bayern", 2, 0),
        leg("2000-05-09", "bayern", "real-madrid", 2, 1),
        recorded_winner="bayern",  # as engsoccerdata has it, although Real Madrid won 3-2
    )
    agreeing = cl_tie(
        "2003-04",
        "Quarterfinals",
        leg(None, "milan", "deportivo", 4, 1),
        leg(None, "deportivo", "milan", 4, 0),
        recorded_winner="deportivo",
    )
    missing = cl_tie(
        "1961-62", "First round", leg(None, "vorwarts", "linfield", 3, 0), None, recorded_winner="vorwarts"
    )
    check = cross_check([real, agreeing, missing])
    assert (check.compared, check.agree) == (2, 1)
    assert check.disagreements == (real,) and check.underived == (missing,)
    assert real.winner == "real-madrid"

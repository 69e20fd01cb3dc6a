"""Competitions are named as they were called in the season of the tie or match shown, while ids and
the pickers' names stay the same in every era (the UEFA Cup of 2004-05 is ``uefa.el``, shown as
"UEFA Cup"; the picker offers "Europa League")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

import remontada as rm
from remontada.cli import app
from remontada.competitions import display_name, era_names, eras_label, resolve, season_name
from remontada.ties.history import Leg


@pytest.mark.parametrize(
    ("competition", "season", "name"),
    [
        ("uefa.cl", "1955-56", "European Cup"),
        ("uefa.cl", "1991-92", "European Cup"),  # the last season before the rebrand
        ("uefa.cl", "1992-93", "Champions League"),
        ("uefa.el", "1971-72", "UEFA Cup"),
        ("uefa.el", "2004-05", "UEFA Cup"),
        ("uefa.el", "2008-09", "UEFA Cup"),
        ("uefa.el", "2009-10", "Europa League"),
        ("uefa.ecl", "2021-22", "Europa Conference League"),
        ("uefa.ecl", "2024-25", "Conference League"),
        ("uefa.fairs", "1965-66", "Inter-Cities Fairs Cup"),
        ("uefa.cwc", "1998-99", "Cup Winners' Cup"),
        ("eng.1", "1991-92", "First Division"),
        ("eng.1", "1992-93", "Premier League"),
        ("eng.2", "2003-04", "First Division"),
        ("eng.2", "2004-05", "Championship"),
        ("sco.1", "2012-13", "Scottish Premier League"),
    ],
)
def test_a_competition_is_named_as_it_was_called_that_season(competition: str, season: str, name: str) -> None:
    assert display_name(competition, season) == name


def test_seasons_in_every_form_and_dates_name_the_same_era() -> None:
    assert display_name("uefa.el", 2004) == display_name("uefa.el", "2004/2005") == "UEFA Cup"
    # a date stands for the European season it falls in: May 2009 is 2008-09, August 2009 is 2009-10
    assert display_name("uefa.el", dt.date(2009, 5, 20)) == "UEFA Cup"
    assert display_name("uefa.el", dt.date(2009, 8, 20)) == "Europa League"


def test_without_a_season_the_name_is_todays_and_ids_resolve_in_every_era() -> None:
    assert display_name("uefa.el") == "Europa League" and display_name("uefa.cl") == "Champions League"
    assert resolve("UEFA Cup").id == resolve("Europa League").id == "uefa.el"
    assert resolve("European Cup").id == "uefa.cl"
    assert display_name("int.fifa-world-cup", "2018") == "int.fifa-world-cup"  # outside the catalogue: as given
    assert display_name("uefa.el", "not a season") == "Europa League"


def test_a_store_competition_outside_the_catalogue_keeps_its_own_name(full_store: Any) -> None:
    world_cup = full_store.competition("int.fifa-world-cup")
    assert season_name(world_cup, "2018") == world_cup.name != "int.fifa-world-cup"
    assert season_name(full_store.competition("Europa League"), "2004-05") == "UEFA Cup"


def test_the_names_over_a_span_of_seasons() -> None:
    assert era_names("uefa.cl") == ["European Cup", "Champions League"]
    assert era_names("uefa.el", "2010-11") == ["Europa League"]
    assert era_names("uefa.el", "1990-91", "2000-01") == ["UEFA Cup"]
    assert eras_label("uefa.el", last=dt.date(2024, 4, 18)) == "UEFA Cup / Europa League"
    assert eras_label("uefa.ecl", last=dt.date(2024, 4, 18)) == "Europa Conference League"
    assert eras_label("uefa.cwc") == "Cup Winners' Cup"


def test_a_uefa_cup_tie_is_labelled_uefa_cup_in_the_api_and_the_cli(full_store: Any) -> None:
    # Liverpool's UEFA Cup semi-final against Barcelona, 2000-01 (0-0 at the Camp Nou, 1-0 at Anfield)
    answer = rm.answer_tie("Barcelona", "Liverpool", season="2000-01", store=full_store)
    tie = answer.to_dict()["tie"]
    assert tie["competition"] == "uefa.el" and tie["competition_name"] == "UEFA Cup"
    assert answer.state.title().startswith("UEFA Cup 2000-01, Semi-finals")
    listed = rm.list_ties(competition="Europa League", season="2004-05", store=full_store)
    assert listed and {t.competition for t in listed} == {"UEFA Cup"}
    assert all(t.summary.startswith("2004-05 UEFA Cup ") for t in listed)


def test_history_names_each_comeback_by_its_seasons_competition(full_store_path: Any) -> None:
    # Deportivo's 4-0 over AC Milan (2003-04) is a Champions League comeback, Real Madrid's over
    # Borussia Monchengladbach (1985-86) a UEFA Cup one, Leixoes's (1961-62) a Cup Winners' Cup one
    result = CliRunner().invoke(
        app, ["history", "--deficit", "4", "--first-leg-at", "away", "--store", str(full_store_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    summaries = [t["summary"] for t in report["comebacks"]]
    heads = [s.split(";")[0] for s in summaries]
    assert "1985-86 UEFA Cup Round of 16: Borussia Monchengladbach 5-1 Real Madrid" in heads
    assert "2016-17 Champions League Round of 16: Paris Saint-Germain 4-0 Barcelona" in heads
    assert "European Cup / Champions League" in report["filters"]["competition_eras"]
    assert "uefa.el" not in " ".join(summaries)
    text = CliRunner().invoke(
        app, ["history", "--deficit", "4", "--first-leg-at", "away", "--store", str(full_store_path)]
    ).output
    assert "UEFA Cup / Europa League" in text and "main draw" in text and "qualifying rounds" in text


def test_a_leg_known_only_after_extra_time_shows_that_score_never_question_marks(full_store: Any) -> None:
    # Valencia 5-0 Basel after extra time, 10 April 2014: the source has no 90-minute score
    answer = rm.answer_tie("Basel", "Valencia", season="2013-14", store=full_store)
    leg2 = answer.to_dict()["tie"]["leg2"]
    assert leg2["home_goals"] is None and (leg2["aet_home"], leg2["aet_away"]) == (5, 0)
    assert leg2["score"] == "5-0 aet (90-minute score not recorded)"
    assert "?" not in answer.record  # type: ignore[operator]


def test_score_text_says_what_is_known_of_a_leg() -> None:
    day = dt.date(1977, 12, 7)  # Barcelona v Ipswich Town, UEFA Cup 1977-78: 3-0 aet, 3-1 on penalties
    only_aet = Leg(1, day, "barcelona-esp", "ipswich-eng", None, None, aet_home=3, aet_away=0, pen_home=3, pen_away=1)
    assert only_aet.score_text() == "3-0 aet pens 3-1 (90-minute score not recorded)"
    full = Leg(2, day, "barcelona-esp", "ipswich-eng", 3, 0, aet_home=3, aet_away=0, pen_home=3, pen_away=1)
    assert full.score_text() == "3-0 aet 3-0 pens 3-1"
    assert Leg(3, day, "a", "b", None, None).score_text() == "score not recorded"
    assert Leg(4, day, "a", "b", None, None, status="scheduled").score_text() == "scheduled"

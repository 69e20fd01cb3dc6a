"""Two-legged ties rebuilt from the store built from the whole mirror.

Slow and data-bound: uses the session's store built from the mirror (``full_store_path``, or the
store named by ``$REMONTADA_TEST_STORE``). The published figures checked here come from press
articles that counted the same ties by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.grid import ScoreGrid
from remontada.store.reader import Store
from remontada.ties.engine import forecast_second_leg
from remontada.ties.history import Tie, base_rate, cross_check, rebuild_ties, select_ties

pytestmark = pytest.mark.slow

UEFA = ["uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc"]


@pytest.fixture(scope="module")
def store_path(full_store_path: Path) -> Path:
    return full_store_path


@pytest.fixture(scope="module")
def uefa_ties(store_path: Path) -> Iterator[list[Tie]]:
    with Store(store_path) as store:
        yield rebuild_ties(store, UEFA)


def the_tie(ties: list[Tie], season: str, club: str, opponent: str) -> Tie:
    found = [t for t in ties if t.season == season and {club, opponent} == {t.team_a, t.team_b}]
    assert len(found) == 1, f"{club} v {opponent} {season}: {[t.describe() for t in found]}"
    return found[0]


# ---- the famous comebacks ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("season", "club", "opponent", "deficit", "second_leg"),
    [
        ("2016-17", "barcelona-esp", "paris-saint-germain-fra", 4, (6, 1)),
        ("2003-04", "deportivo-la-coruna-esp", "ac-milan-ita", 3, (4, 0)),
        ("2017-18", "as-roma-ita", "barcelona-esp", 3, (3, 0)),
        ("2018-19", "liverpool-eng", "barcelona-esp", 3, (4, 0)),
    ],
)
def test_the_famous_comebacks_are_among_the_base_rate_comebacks(
    uefa_ties: list[Tie], season: str, club: str, opponent: str, deficit: int, second_leg: tuple[int, int]
) -> None:
    tie = the_tie(uefa_ties, season, club, opponent)
    assert tie.deficit(club) == deficit and tie.first_leg_venue(club) == "away"
    assert tie.leg2 is not None and (tie.leg2.home_goals, tie.leg2.away_goals) == second_leg
    assert tie.winner == club and tie.overturned
    assert tie in base_rate(uefa_ties, deficit, "away").comebacks


def test_liverpool_trailed_atalanta_by_three_after_the_first_leg_at_home(uefa_ties: list[Tie]) -> None:
    tie = the_tie(uefa_ties, "2023-24", "liverpool-eng", "atalanta-ita")
    assert (tie.team_a, tie.first_leg_margin, tie.aggregate) == ("liverpool-eng", -3, (1, 3))
    assert tie.first_leg_venue("liverpool-eng") == "home" and tie.winner == "atalanta-ita"
    before = base_rate(uefa_ties, 3, "home", before="2024-04-18")
    assert tie not in before.comebacks and before.n > 0


def test_barcelona_4_0_down_was_the_first_champions_league_comeback_from_four_goals(uefa_ties: list[Tie]) -> None:
    four_plus = base_rate(uefa_ties, 4, or_more=True, competitions=["uefa.cl"], stages=["knockout"])
    assert four_plus.comebacks[0].season == "2016-17" and four_plus.n > 150


# ---- cross-checks ------------------------------------------------------------------------------
def test_derived_winners_agree_with_the_recorded_ones_but_for_explained_ties(uefa_ties: list[Tie]) -> None:
    check = cross_check(uefa_ties)
    assert check.compared > 8000  # engsoccerdata's tiewinner and european-cups' bracket (who played on)
    assert [(t.season, t.round, t.recorded_winner) for t in check.disagreements] == [
        ("1987-88", "final", "bayer-leverkusen-ger"),  # won on penalties: european-cups writes the shoot-out 3-2
        ("1999-00", "Semifinals", "bayern-munich-ger"),  # engsoccerdata's slip: Real Madrid won 3-2
        ("2007-08", "Qualifying round 1", "hsk-zrinjski-mostar-bih"),  # Partizan expelled
        ("2010-11", "Qualifying round 2", "buducnost-mne"),  # the file's scores and its bracket disagree
        ("2011-12", "Qualifying round 3", "differdange-03-lux"),  # Olympiakos Volou expelled
        ("2013-14", "Qualifying round 4", "troms-il-nor"),  # Besiktas banned
    ]


def point(home: int, away: int) -> ScoreGrid:
    probs = np.zeros((home + 1, away + 1))
    probs[home, away] = 1.0
    return ScoreGrid.from_matrix(probs)


def test_the_tie_engine_fed_the_real_scores_sends_the_same_side_through_the_same_way(uefa_ties: list[Tie]) -> None:
    routes = {"aggregate": "regulation", "extra time": "extra_time"}
    checked: Counter[str] = Counter()
    for tie in uefa_ties:
        if not tie.decided or tie.rules is None or tie.how in ("replay", "awarded", None):
            continue  # how=None: the sources name the winner, not how it won (european-cups' bracket)
        leg1, leg2 = tie.leg1, tie.leg2
        assert leg1 is not None and leg2 is not None and leg1.home_goals is not None
        if leg2.home_goals is None:
            assert leg2.extra_time, tie.describe()  # european-cups: only the score after extra time
            continue
        assert leg2.away_goals is not None
        extra = (leg2.aet_home - leg2.home_goals, leg2.aet_away - leg2.away_goals) if leg2.extra_time else (0, 0)
        forecast = forecast_second_leg(
            (leg1.home_goals, leg1.away_goals),
            point(leg2.home_goals, leg2.away_goals),
            rules=tie.rules,
            extra_time=point(*extra),  # type: ignore[arg-type]
            teams=(tie.team_a, tie.team_b),
            on_unmodelled="even",  # a coin toss after a replay: the engine only has to reach the decider
        )
        split = forecast.split(tie.winner)  # type: ignore[arg-type]
        if tie.how in ("penalties", "coin toss"):
            assert forecast.p_decider == pytest.approx(1.0), tie.describe()
        elif tie.how == "away goals":
            route = split.extra_time_away_goals if tie.after_extra_time else split.away_goals
            assert route == pytest.approx(1.0), tie.describe()
        else:
            assert getattr(split, routes[tie.how]) == pytest.approx(1.0), tie.describe()  # type: ignore[index]
        checked[tie.how] += 1  # type: ignore[index]
    assert checked["aggregate"] > 2000 and checked["away goals"] > 100 and checked["penalties"] > 50


def test_no_club_plays_two_ties_in_one_round(uefa_ties: list[Tie]) -> None:
    seen = Counter(
        (t.competition, t.season, t.stage, t.round, club) for t in uefa_ties for club in (t.team_a, t.team_b)
    )
    assert [key for key, n in seen.items() if n > 1] == []


def test_only_the_known_gaps_are_incomplete(uefa_ties: list[Tie]) -> None:
    gaps = [t for t in uefa_ties if not t.complete]
    finals = [t for t in gaps if t.stage == "final"]  # DataRozhlas: two-legged finals without scores
    others = sorted((t.season, t.team_a, t.issue) for t in gaps if t.stage != "final")
    assert finals and all((t.issue or "").startswith("no score recorded") for t in finals)
    assert others == [
        ("1961-62", "ask-vorwarts-berlin-ger", "no second leg in the store"),
        ("2021-22", "rb-leipzig-ger", "first leg cancelled"),
    ]


# ---- published base rates ----------------------------------------------------------------------
def test_twenty_of_94_european_cup_semi_final_first_leg_losers_went_through(uefa_ties: list[Tie]) -> None:
    # "Of the 94 teams that lost a European Cup semi-final first leg, only 20 (21%) managed to come
    # from behind in the second leg. When the home team won the first semi-final game by a one-goal
    # margin there was a 36% comeback rate (12 of 33)" (AS, 3 May 2022).
    semis = [t for t in uefa_ties if t.round == "Semifinals"]
    rate = base_rate(semis, 1, or_more=True, competitions=["uefa.cl"], before="2022-05-01")
    one_away = base_rate(semis, 1, "away", competitions=["uefa.cl"], before="2022-05-01")
    assert (rate.n, rate.k) == (94, 20)
    assert (one_away.n, one_away.k) == (33, 12)


def test_five_champions_league_sides_came_back_after_losing_the_first_leg_at_home(uefa_ties: list[Tie]) -> None:
    # "only five of those 51 deficits were overturned by the away side" (bwin, February 2023:
    # knockout ties since 1994-95, 225 with a first-leg lead).
    since = dict(competitions=["uefa.cl"], stages=["knockout"], seasons="1994-95..", before="2023-02-21")
    home = base_rate(uefa_ties, 1, "home", or_more=True, **since)
    assert [(t.season, t.winner) for t in home.comebacks] == [
        ("1995-96", "ajax-ned"),
        ("2010-11", "inter-ita"),
        ("2018-19", "ajax-ned"),
        ("2018-19", "manchester-united-eng"),
        ("2018-19", "tottenham-hotspur-eng"),
    ]
    anywhere = base_rate(uefa_ties, 1, or_more=True, **since)
    assert abs(anywhere.n - 225) <= 3 and abs(anywhere.k - 51) <= 2


def test_the_1955_2017_rates_by_deficit_match_the_published_ones(uefa_ties: list[Tie]) -> None:
    # "201 out of the 932 ... 36.8% of clubs who lost the first leg by one goal progressed, 16.0% by
    # two and 7.1% by three"; ten three-goal comebacks, three of them Spanish (bwin, March 2017).
    # The ten are reproduced when ties settled by a play-off are left out (Schalke 1958-59 and
    # Leeds 1992-93 won theirs in one).
    window = select_ties(uefa_ties, competitions=["uefa.cl"], stages=["knockout"], before="2017-03-09")
    no_replays = [t for t in window if t.how not in ("replay", "coin toss")]
    three = base_rate(no_replays, 3)
    countries = Counter(t.winner.rsplit("-", 1)[-1] for t in three.comebacks)  # type: ignore[union-attr]
    assert three.k == 10 and countries["esp"] == 3 and max(n for c, n in countries.items() if c != "esp") == 1
    for deficit, published in ((1, 0.368), (2, 0.160), (3, 0.071)):
        rate = base_rate(no_replays, deficit)
        assert rate.low < published < rate.high and abs(rate.p - published) < 0.01
    overall = base_rate(no_replays, 1, or_more=True)
    assert abs(overall.p - 201 / 932) < 0.01


# ---- the command -------------------------------------------------------------------------------
def test_history_command_lists_the_three_goal_comebacks_made_at_home(store_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["history", "--deficit", "3", "--first-leg-at", "away", "--json", "--store", str(store_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (rate,) = report["rates"]
    found = {(t["season"], t["winner"]) for t in report["comebacks"]}
    assert {("2003-04", "deportivo-la-coruna-esp"), ("2017-18", "as-roma-ita"), ("2018-19", "liverpool-eng")} <= found
    assert rate["k"] == len(report["comebacks"]) and rate["low"] < rate["p"] < rate["high"]


def test_history_command_prints_a_table_by_deficit_and_venue(store_path: Path) -> None:
    args = ["history", "-c", "Champions League", "--seasons", "1955-56..2016-17", "--stage", "knockout"]
    result = CliRunner().invoke(app, [*args, "--cross-check", "--store", str(store_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Did the side behind after the first leg go through?" in result.output
    assert "4+" in result.output and "agree" in result.output


def test_history_command_rejects_a_backwards_season_range(store_path: Path) -> None:
    result = CliRunner().invoke(app, ["history", "--seasons", "2016-17..1955-56", "--store", str(store_path)])
    assert result.exit_code == 1 and "ends before it starts" in result.output

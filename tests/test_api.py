"""The public facade, ``import remontada as rm``, on the store built from the whole mirror: names in,
names out, the errors of one family, one number for one question (Atalanta v Liverpool, 18 April 2024)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import remontada as rm

pytestmark = pytest.mark.slow

LIVERPOOL_ATALANTA = {"competition": "Europa League", "season": "2023-24"}


@pytest.fixture(scope="module")
def answer(full_store_path: Path) -> rm.TieAnswer:
    return rm.answer_tie("Liverpool", "Atalanta", store=full_store_path, **LIVERPOOL_ATALANTA)


def roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value))


# ---- the package -----------------------------------------------------------------------------------
def test_import_remontada_loads_no_numerics_until_a_name_is_used() -> None:
    code = (
        "import sys, remontada as rm; heavy = [m for m in ('numpy', 'pandas', 'duckdb', 'scipy') if m in sys.modules]; "
        "print(heavy, callable(rm.answer_tie), 'remontada.ties.answer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True False"


def test_every_public_name_resolves_and_simulate_stays_a_function() -> None:
    for name in rm.__all__:
        assert getattr(rm, name) is not None, name
    import importlib

    package = importlib.import_module("remontada.simulate")  # must not replace the function of that name
    assert package.SimulationResult is rm.SimulationResult

    assert callable(rm.simulate) and rm.simulate.__module__ == "remontada._api.simulate"
    with pytest.raises(AttributeError):
        rm.no_such_thing  # noqa: B018


# ---- answer_tie ---------------------------------------------------------------------------------------
def test_the_readme_three_lines(answer: rm.TieAnswer) -> None:
    p = answer.p_through("Liverpool")
    # three goals down at home against a side of similar strength; the second-leg fix takes a third off
    # the strength model's 8.5% (a visitor three down scores less than its rating says)
    assert 0.02 < p < 0.12
    assert p == answer.p_through("liverpool-eng") == answer.p_through("LIVERPOOL")
    assert p + answer.p_through("Atalanta") == pytest.approx(1.0)
    with pytest.raises(rm.UnknownClub) as caught:
        answer.p_through("Barcelona")
    assert caught.value.suggestions == ["Liverpool", "Atalanta"]


def test_the_answer_carries_names_and_its_json_round_trips(answer: rm.TieAnswer) -> None:
    out = answer.to_dict()
    assert roundtrip(out) == out
    tie = out["tie"]
    assert tie["competition_name"] == "Europa League" and tie["round_name"] == "Quarter-finals"
    assert out["p_through"]["Liverpool"] == pytest.approx(answer.p_through("Liverpool"))
    assert out["next_match"]["home"] == "Atalanta" and out["next_match"]["away"] == "Liverpool"
    assert "Conference League" in out["history"]["competition_names"]
    assert answer.warnings == () and out["data_cutoff"] >= "2024-04-18"


@pytest.mark.parametrize("competition", ["uefa.el", "UEL", "europa-league"])
def test_a_competition_by_id_or_abbreviation_gives_the_same_answer(
    full_store_path: Path, answer: rm.TieAnswer, competition: str
) -> None:
    other = rm.answer_tie("Atalanta", "Liverpool", competition=competition, season="2023", store=full_store_path)
    assert other.p_through("Liverpool") == pytest.approx(answer.p_through("Liverpool"), abs=1e-12)


def test_a_competition_name_passed_to_the_model_is_its_id(full_store: Any) -> None:
    """The bug of issue 11: "Europa League" gave 1.3935 expected goals (the domestic home advantage)
    against 1.4070 for "uefa.el"; a name is now resolved to its id before the model sees it."""
    from remontada.forecast import Forecaster

    home, away = full_store.resolve_club("Atalanta"), full_store.resolve_club("Liverpool")
    fitted = Forecaster(full_store).fitted("2024-04-18")
    by_id = fitted.rates(home, away, competition="uefa.el")
    assert fitted.rates(home, away, competition="Europa League") == by_id
    assert fitted.rates(home, away, competition="UEL") == by_id
    assert fitted.rates(home, away, competition="eng.1") != by_id  # the groups do differ
    with pytest.raises(rm.UnknownCompetition):
        fitted.rates(home, away, competition="Europa Leage")


def test_a_tie_in_a_season_after_the_data_is_data_ends_before(full_store_path: Path) -> None:
    cutoff = rm.status(full_store_path).data_cutoff
    assert cutoff is not None
    season = f"{cutoff.year + 1}-{(cutoff.year + 2) % 100:02d}"
    with pytest.raises(rm.DataEndsBefore) as caught:
        rm.answer_tie("Liverpool", "Atalanta", competition="UEL", season=season, store=full_store_path)
    assert caught.value.cutoff == cutoff.isoformat() and caught.value.http_status == 422


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"team1": "Liverpol"}, rm.UnknownClub, "team1"),
        ({"competition": "Europa Leage"}, rm.UnknownCompetition, "competition"),
        ({"date": "18/04/2024"}, rm.InvalidInput, "date"),
        ({"first_leg": "three-nil"}, rm.InvalidInput, "first_leg"),
        ({"model": "xgboost"}, rm.InvalidInput, "model"),
        ({"season": "2023-25"}, rm.InvalidInput, "season"),
        ({"round": "Semifinals"}, rm.TieNotFound, None),
    ],
)
def test_bad_questions_raise_one_family_naming_the_field(
    full_store_path: Path, kwargs: dict[str, Any], error: type[rm.RemontadaError], field: str | None
) -> None:
    question: dict[str, Any] = {"team1": "Liverpool", "team2": "Atalanta", **LIVERPOOL_ATALANTA, **kwargs}
    with pytest.raises(error) as caught:
        rm.answer_tie(question.pop("team1"), question.pop("team2"), store=full_store_path, **question)
    assert caught.value.field == field
    assert roundtrip(caught.value.to_dict())["error"] == error.kind


def test_the_default_store_is_the_users(monkeypatch: pytest.MonkeyPatch, full_store_path: Path) -> None:
    monkeypatch.setenv("REMONTADA_STORE", str(full_store_path))
    assert rm.status().store == str(full_store_path)
    with rm.open_store() as st:
        assert rm.find_clubs("Atalanta", store=st)[0].club_id == st.resolve_club("Atalanta")


# ---- one number for one question ---------------------------------------------------------------------
def test_predict_tie_and_live_price_the_same_second_leg(full_store_path: Path, answer: rm.TieAnswer) -> None:
    """predict, tie and live at kick-off for Atalanta v Liverpool, 18 April 2024: one strength-model
    forecast (predict takes the stored fixture's competition, Europa League); tie and live both scale the
    second leg for the first-leg score (``remontada.ties.second_leg``) and so give one pre-match number,
    and predict says that it does not."""
    from remontada.ties.second_leg import packaged

    forecast = rm.predict("Atalanta", "Liverpool", date="2024-04-18", store=full_store_path)
    assert forecast.competition == "Europa League" and forecast.competition_source == "stored fixture"
    kickoff = rm.live("Atalanta", "Liverpool", date="2024-04-18", store=full_store_path)
    assert kickoff.pre_match is not None
    host, visitor = packaged().factors((0, 3), forecast.grid.expected_goals())
    xg = answer.rates["second_leg"]
    assert forecast.expected_goals == pytest.approx((xg[0] / host, xg[1] / visitor), abs=1e-6)
    assert kickoff.forecast.rates == pytest.approx(xg, abs=1e-6)
    assert kickoff.pre_match["p_through"]["Liverpool"] == pytest.approx(answer.p_through("Liverpool"), abs=1e-9)
    assert any("second leg of a tie" in w and f"x{visitor:.2f} Liverpool" in w for w in forecast.warnings)
    # Liverpool, three down and away, score less than the strength model says
    assert visitor < 1.0


def test_live_at_kick_off_says_why_the_in_play_numbers_differ(full_store_path: Path) -> None:
    kickoff = rm.live("Atalanta", "Liverpool", date="2024-04-18", store=full_store_path)
    assert kickoff.pre_match is not None
    assert kickoff.home_win != pytest.approx(kickoff.pre_match["home_win"], abs=1e-3)
    (note,) = kickoff.notes
    assert "in-play chain" in note and "aggregate lead: Atalanta 3 up" in note
    assert f"{100 * kickoff.home_win:.1f}%" in note and f"{100 * kickoff.pre_match['home_win']:.1f}%" in note
    later = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=7, score="0-1", store=full_store_path)
    assert later.notes == ()


def test_a_forecast_after_the_data_says_so_with_the_cutoff(full_store_path: Path) -> None:
    cutoff = rm.status(full_store_path).data_cutoff
    assert cutoff is not None
    day = cutoff + dt.timedelta(days=60)
    forecast = rm.predict("Liverpool", "Arsenal", date=day, store=full_store_path)
    (warning,) = forecast.warnings
    assert cutoff.isoformat() in warning and day.isoformat() in warning
    assert forecast.to_dict()["data_cutoff"] == cutoff.isoformat()
    assert rm.predict("Liverpool", "Arsenal", date=cutoff, store=full_store_path).warnings == ()


# ---- live and the comeback curve ------------------------------------------------------------------------
def test_live_answers_by_name_and_draws_the_comeback_curve(full_store_path: Path) -> None:
    ans = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=7, score=(0, 1), store=full_store_path)
    assert ans.p_through("Liverpool") == pytest.approx(ans.forecast.tie.p_through("Liverpool"))  # type: ignore[union-attr]
    assert ans.p_through("Liverpool") > rm.live("Atalanta", "Liverpool", date="2024-04-18",
                                                store=full_store_path).p_through("Liverpool")  # fmt: skip
    curve = rm.comeback_curve("Atalanta", "Liverpool", date="2024-04-18", minute=7, score="0-1", store=full_store_path)
    assert curve.team == "Liverpool" and curve.at(7)["if_unchanged"] == pytest.approx(ans.p_through("Liverpool"))
    out = roundtrip(ans.to_dict())
    assert out["competition_name"] == "Europa League" and out["comeback_curve"]["team"] == "Liverpool"
    assert "Quarter-finals" in out["match"]


def test_a_league_match_has_no_comeback_curve(full_store_path: Path) -> None:
    ans = rm.live("Liverpool", "Arsenal", date="2024-04-14", rates=(1.5, 1.2), store=full_store_path)
    with pytest.raises(rm.InvalidInput):
        ans.p_through("Liverpool")
    with pytest.raises(rm.InvalidInput) as caught:
        rm.comeback_curve("Liverpool", "Arsenal", date="2024-04-14", rates="1.5,1.2", store=full_store_path)
    assert caught.value.field == "first_leg"
    with pytest.raises(rm.InvalidInput) as bad:
        rm.live("Liverpool", "Arsenal", minute="95", store=full_store_path)
    assert bad.value.field == "minute"


# ---- the rest of the facade ---------------------------------------------------------------------------
def test_find_clubs_and_its_did_you_mean(full_store_path: Path) -> None:
    (first, *_) = rm.find_clubs("Atalanta", store=full_store_path)
    assert first.name == "Atalanta" and first.matches > 100
    with pytest.raises(rm.UnknownClub) as caught:
        rm.find_clubs("Atalantaa BC Bergamo", store=full_store_path)
    assert caught.value.field == "query"
    assert roundtrip([c.to_dict() for c in rm.find_clubs("Liverpool", limit=2, store=full_store_path)])


def test_list_ties_by_name_with_qualifying_rounds_marked(full_store_path: Path) -> None:
    ties = rm.list_ties(competition="UEL", season="2023-24", club="Liverpool", store=full_store_path)
    quarter = next(t for t in ties if t.team_b == "Atalanta")
    assert (quarter.round, quarter.first_leg, quarter.aggregate, quarter.winner) == (
        "Quarter-finals", "0-3", "1-3", "Atalanta",
    )  # fmt: skip
    assert quarter.competition == "Europa League" and not quarter.qualifying
    cl = rm.list_ties(competition="Champions League", season="2014-15", store=full_store_path)
    assert any(t.qualifying for t in cl) and any(not t.qualifying for t in cl)
    assert all(t.qualifying == (t.stage == "qualifying") for t in cl)


def test_history_lists_main_draw_comebacks_before_qualifying_ones(full_store_path: Path) -> None:
    result = rm.history(deficit=3, store=full_store_path)
    flags = [t.qualifying for t in result.comebacks]
    assert True in flags and False in flags and flags == sorted(flags)
    out = roundtrip(result.to_dict())
    assert [t["qualifying"] for t in out["comebacks"]] == flags
    assert "European Cup / Champions League" in out["coverage"]  # the names it had over the seasons covered
    with pytest.raises(rm.InvalidInput) as caught:
        rm.history(stage="group", store=full_store_path)
    assert caught.value.field == "stage" and "knockout" in caught.value.allowed


def test_ratings_predict_status_and_matches_carry_names(full_store_path: Path) -> None:
    table = rm.ratings(date="2024-04-18", competition="UEL", top=5, store=full_store_path)
    assert len(table.rows) == 5 and table.competition == "Europa League"
    assert all(r["league_name"] and r["club"] for r in table.rows)
    status = rm.status(full_store_path, competition="UEL")
    assert status.competition == "Europa League" and status.per_season
    liverpool = rm.matches("Liverpool", season="2023-24", competition="Europa League", store=full_store_path)
    rounds = {m["round"] for m in liverpool.matches}
    assert "Quarter-finals" in rounds and "Quarterfinals" not in rounds
    for value in (table.to_dict(), status.to_dict(), liverpool.to_dict()):
        assert roundtrip(value) == value

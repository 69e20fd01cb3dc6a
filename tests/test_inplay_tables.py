"""The live answer read off tables built per match (:mod:`remontada.inplay.tables`) must be the answer the
goals-to-come surface and the tie engine give state by state, and the answer of the chain run forward: every
number to 1e-12, every list the same cells in the same order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import remontada as rm
from remontada.inplay.surface import SCORES
from tests.test_inplay_surface import assert_same_json

# Atalanta v Liverpool, 18 April 2024 (second leg after Liverpool's 0-3 at Anfield), and a league match
MATCHES = [("Atalanta", "Liverpool", "2024-04-18"), ("Liverpool", "Crystal Palace", "2024-04-14")]
MINUTES = (0, 12, 44, "45", "HT", 46, 61, 83, 88, 89, "90")
SCORES_NOW = ("0-0", "1-0", "0-1", "2-1", "1-4", f"{SCORES}-{SCORES}")
REDS = ("0-0", "0-1")


@pytest.fixture
def built_before_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    from remontada.inplay import surface

    monkeypatch.setattr(surface, "BACKGROUND", False)  # built before answering (a server builds them aside)


@pytest.mark.parametrize(("home", "away", "day"), MATCHES, ids=["second-leg-after-0-3", "league-match"])
def test_answers_from_the_tables_are_the_surface_and_engine_answers_and_the_chains(
    home: str, away: str, day: str, monkeypatch: pytest.MonkeyPatch, full_store_path: Path,
    built_before_answering: None,
) -> None:  # fmt: skip
    from remontada._api import live as live_api

    states = [(m, s, r) for m in MINUTES for s in SCORES_NOW for r in REDS]
    tabled = []
    for m, s, r in states:
        answer = rm.live(home, away, date=day, minute=m, score=s, red_cards=r, store=full_store_path)
        tabled.append((answer, answer.to_dict()))
    held = sum(answer._summary is not None for answer, _ in tabled)
    assert held >= 0.9 * len(states), f"the tables answer most states on the grid ({held} of {len(states)})"
    monkeypatch.setattr(live_api, "_tabled", lambda *args: None)  # the surface's grid and the tie engine
    surface_answers = [rm.live(home, away, date=day, minute=m, score=s, red_cards=r, store=full_store_path)
                       for m, s, r in states]  # fmt: skip
    for (m, s, r), (_, body), by_surface in zip(states, tabled, surface_answers, strict=True):
        assert_same_json(body, by_surface.to_dict(), f"{home} v {away} at {m}, {s}, red cards {r} (tables v surface)")
    monkeypatch.setattr(live_api, "_remaining", lambda *args: None)  # the chain run forward from the state
    for (m, s, r), (answer, body) in list(zip(states, tabled, strict=True))[::4]:  # a chain a state: 0.1 s each
        where = f"{home} v {away} at {m}, {s}, red cards {r}"
        exact = rm.live(home, away, date=day, minute=m, score=s, red_cards=r, store=full_store_path)
        assert_same_json(body, exact.to_dict(), where + " (tables v chain)")
        # the objects behind the answer too: what a library user reads off it
        assert answer.home_win == pytest.approx(exact.home_win, abs=1e-12)
        assert answer.forecast.remaining.shape == exact.forecast.remaining.shape, where
        np.testing.assert_allclose(answer.forecast.final.probs, exact.forecast.final.probs, rtol=0, atol=1e-12)
        if exact.forecast.tie is not None:
            assert answer.forecast.tie is not None
            assert answer.p_through(away) == pytest.approx(exact.p_through(away), abs=1e-12)
            tie, exact_tie = answer.forecast.tie, exact.forecast.tie
            np.testing.assert_allclose(tie.next_match_p_a, exact_tie.next_match_p_a, rtol=0, atol=1e-12)
            np.testing.assert_allclose(tie.aggregate, exact_tie.aggregate, rtol=0, atol=1e-12)
            assert_same_json([s.to_dict() for s in tie.needs(away)], [s.to_dict() for s in exact_tie.needs(away)],
                             where + " needs")  # fmt: skip


def test_states_off_the_tables_take_the_surface_or_the_chain(
    full_store_path: Path, built_before_answering: None
) -> None:
    """Added time, fractions, scores past the tables, a known last goal: answered the exact way (no tables)."""
    off = (("45+2", "0-1", None), (60.5, "0-1", None), (60, f"{SCORES + 1}-0", None), (60, "0-1", "55 away"),
           ("90+3", "1-1", None))
    for minute, score, last_goal in off:
        answer = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=minute, score=score,
                         last_goal=last_goal, store=full_store_path)  # fmt: skip
        assert answer._summary is None, (minute, score, last_goal)
    on_grid = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=60, score="0-1", store=full_store_path)
    assert on_grid._summary is not None


def test_a_server_builds_the_tables_aside_and_answers_the_same_meanwhile(
    monkeypatch: pytest.MonkeyPatch, full_store_path: Path
) -> None:
    """With background builds (a server), the first question about a match does not wait for its surface and
    tables: it is answered by the chain, and once the tables are built the same question reads them, with the
    same answer."""
    import time

    from remontada.inplay import surface

    monkeypatch.setattr(surface, "BACKGROUND", True)

    def ask() -> rm.LiveAnswer:  # rates given: a surface no other test builds
        return rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=60, score="0-1", rates=(1.23, 1.87),
                       store=full_store_path)  # fmt: skip

    first = ask()
    assert first._summary is None, "the first question does not wait for the build"
    for _ in range(600):
        later = ask()
        if later._summary is not None:
            break
        time.sleep(0.05)
    assert later._summary is not None, "the tables were built within 30 s"
    assert_same_json(later.to_dict(), first.to_dict(), "the answer from the tables v the chain's")

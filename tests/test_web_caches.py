"""What the server keeps between distinct questions (stored ties, comeback lines, the second-leg fit,
competitions per connection, the in-play model per season, value surfaces) never changes an answer:
answers asked with everything kept equal the answers of a cold process, and what is kept cannot be
changed by a caller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import remontada as rm
from remontada._api import live as live_api
from remontada.errors import UnknownCompetition
from remontada.inplay import surface
from remontada.store.reader import Store
from remontada.ties import answer as tie_answer
from remontada.web.app import _dumps

EUROPA = {"competition": "Europa League", "season": "2023-24"}


def forget_everything() -> None:
    """What a fresh server process would hold: nothing kept."""
    live_api._KNOWN.clear()
    live_api._MODELS.clear()
    tie_answer._LINES.clear()
    tie_answer._packaged_second_leg.cache_clear()
    surface._SURFACES.clear()


def tie_dict(store: Store, first_leg: str, model: str) -> dict[str, Any]:
    answer = rm.answer_tie("Liverpool", "Atalanta", first_leg=first_leg, model=model, store=store, **EUROPA)
    return answer.to_dict()


def live_dict(store: Store, minute: str, score: str, red_cards: str) -> dict[str, Any]:
    answer = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=minute, score=score, red_cards=red_cards,
                     store=store)  # fmt: skip
    return answer.to_dict()


@pytest.mark.parametrize("model", ["dixon-coles", "poisson"])
def test_distinct_tie_questions_with_everything_kept_equal_a_cold_processs(full_store_path: Path, model: str) -> None:
    questions = ["0-3", "1-0", "2-2", "0-0", "4-1"]
    with Store(full_store_path) as store:
        warm = {}
        for first_leg in questions + questions:  # the second round is answered from what the first kept
            warm[first_leg] = tie_dict(store, first_leg, model)
    for first_leg in questions:
        forget_everything()
        with Store(full_store_path) as store:
            assert tie_dict(store, first_leg, model) == warm[first_leg], first_leg


def test_distinct_live_questions_with_everything_kept_equal_a_cold_processs(full_store_path: Path) -> None:
    questions = [("0", "0-0", "0-0"), ("HT", "0-1", "0-0"), ("60", "1-1", "1-0"), ("88", "0-2", "0-1"),
                 ("45+1", "0-1", "0-0"), ("90+2", "1-1", "0-0")]  # fmt: skip
    with Store(full_store_path) as store:
        warm = {q: live_dict(store, *q) for q in questions + questions[::-1]}
    for q in questions:
        forget_everything()
        with Store(full_store_path) as store:
            assert live_dict(store, *q) == warm[q], q


def test_kept_comeback_lines_are_copied_out(full_store_path: Path) -> None:
    with Store(full_store_path) as store:
        first = tie_dict(store, "0-3", "dixon-coles")
        rates = first["history"]["rates"]
        assert rates[0]["comebacks"], "Liverpool's position after a 0-3 at home has comebacks in history"
        rates[0]["comebacks"][0]["tie"] = "changed by a caller"
        rates[0]["comebacks"][0]["legs"].append("a leg added by a caller")
        rates[0]["comebacks"].clear()
        again = tie_dict(store, "0-3", "dixon-coles")
    assert again["history"]["rates"][0]["comebacks"]
    line = again["history"]["rates"][0]["comebacks"][0]
    assert line["tie"] != "changed by a caller" and "a leg added by a caller" not in line["legs"]


def test_competitions_are_kept_by_id_or_name_only_and_unknown_ones_still_fail(full_store_path: Path) -> None:
    with Store(full_store_path) as store:
        by_name = store.competition("Europa League")
        assert store.competition("Europa League") is by_name
        assert store.competition("uefa.el") == by_name
        assert store.competition("UEL").id == by_name.id == "uefa.el"
        kept = {key[1] for key in store._fixed if key[0] == "competition"}
        assert {"Europa League", "uefa.el"} <= kept and "UEL" not in kept  # bounded by the competitions
        for _ in range(2):
            with pytest.raises(UnknownCompetition):
                store.competition("Europa Legue of Nations")


def test_answers_are_written_as_the_strict_json_they_were(full_store_path: Path) -> None:
    with Store(full_store_path) as store:
        body = tie_dict(store, "0-3", "dixon-coles")
    written = _dumps(body)
    assert json.loads(written) == json.loads(json.dumps(body, ensure_ascii=False))
    assert json.loads(_dumps({"p": float("nan"), "q": float("inf"), "name": "Atalanta Bérgamo"})) == {
        "p": None, "q": None, "name": "Atalanta Bérgamo"}  # fmt: skip
    assert json.loads(_dumps({"huge": 2**70})) == {"huge": 2**70}  # past orjson's 64 bits: written by json


def test_live_questions_answered_in_two_threads_at_once_equal_those_answered_one_by_one(
    full_store_path: Path,
) -> None:
    """The server answers in two threads: they share one in-play model (its extra-time grids kept behind a
    lock), the value surfaces and the kept matches, and give the same answers."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [(str(m), score, reds) for m in range(0, 91, 9) for score in ("0-0", "1-1") for reds in ("0-0", "0-1")]
    with Store(full_store_path) as store:
        one_by_one = [live_dict(store, *q) for q in questions]
    forget_everything()

    def ask(q: tuple[str, str, str]) -> dict[str, Any]:
        with Store(full_store_path) as store:
            return live_dict(store, *q)

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(ask, questions)) == one_by_one

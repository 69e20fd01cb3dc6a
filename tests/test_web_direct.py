"""The lean path (:mod:`remontada.web.direct`): strictly valid ``/api/live`` and ``/api/tie`` questions are
answered without FastAPI's routing and validation, with the very answers FastAPI gives; everything else
(bad, doubtful or unusual queries, and every error) is FastAPI's, with its 4xx JSON naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from remontada.web import direct
from remontada.web.app import create_app

LIVE = "/api/live?home=Atalanta&away=Liverpool&date=2024-04-18"
TIE = "/api/tie?home=Liverpool&away=Atalanta&competition=Europa%20League&season=2023-24"

VALID = [
    LIVE, LIVE + "&minute=60&score=0-1", LIVE + "&minute=HT&score=1-1&red_cards=1-0", LIVE + "&minute=45%2B2",
    LIVE + "&minute=90+%2B+3&score=0%3A2", LIVE + "&minute=7&team=Liverpool&model=poisson",
    LIVE + "&minute=8&score=0-1&last_goal=7+away", LIVE + "&minute=HT&score=1-1&last_goal=45%2B1%20home",
    "/api/live?home=Atalanta&away=Liverpool&date=2024-04-18&competition=UEL&first_leg=0-3&minute=30",
    TIE, TIE + "&first_leg=2-1", TIE + "&first_leg=0-0&model=poisson", TIE + "&round=QF&first_leg=1-3",
    "/api/tie?away=Atalanta&home=Liverpool&competition=Europa+League&season=2023%2F24",
]  # fmt: skip
LEFT_TO_FASTAPI = [
    LIVE + "&minute=60&minute=70",  # given twice
    LIVE + "&minute=60&colour=red",  # unknown parameter
    LIVE + "&score=",  # empty
    "/api/live?home=Atalanta&away=Liverpool&date=2024-4-18",  # a date spelling only pydantic reads
    LIVE + "&minute=91",  # valid for FastAPI, refused by the library: the library's 4xx
    LIVE + "&minute=6o",
    LIVE + "&red_cards=5-0",
    LIVE + "&model=xg",
    LIVE + "&minute=8&score=0-1&last_goal=7",  # no side
    "/api/live?home=Atalanta&date=2024-04-18",  # missing
    "/api/live?home=" + "A" * 81 + "&away=Liverpool",  # too long
    "/api/live?home=Liverpol&away=Atalanta&date=2024-04-18",  # unknown club: suggestions
    TIE + "&first_leg=1-",
    "/api/tie?home=Liverpool&away=Atalanta&competition=Europa%20Legue&season=2023-24",  # unknown competition
    "/api/tie?home=Liverpool&away=Atalanta&season=23-24",
]


@pytest.fixture(scope="module")
def clients(full_store_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(full_store_path), raise_server_exceptions=False) as lean,
        TestClient(create_app(full_store_path, lean=False), raise_server_exceptions=False) as full,
    ):
        yield lean, full


@pytest.mark.parametrize("url", VALID)
def test_a_valid_question_gets_fastapis_answer(
    clients: tuple[TestClient, TestClient], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean, full = clients
    taken = []
    route = direct.route

    def spy(routes: dict[str, direct.Direct], path: str, query: bytes) -> object:
        found = route(routes, path, query)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(direct, "route", spy)
    ours, theirs = lean.get(url), full.get(url)
    assert taken == [True]  # the lean app answered it directly (the other app has no direct routes)
    assert ours.status_code == theirs.status_code == 200, ours.text
    assert ours.headers["content-type"] == theirs.headers["content-type"] == "application/json"
    assert ours.json() == theirs.json()
    assert "server-timing" in ours.headers


@pytest.mark.parametrize("url", LEFT_TO_FASTAPI)
def test_bad_or_doubtful_questions_get_fastapis_answer_and_errors(clients: tuple[TestClient, TestClient], url: str
                                                                  ) -> None:  # fmt: skip
    lean, full = clients
    ours, theirs = lean.get(url), full.get(url)
    assert ours.status_code == theirs.status_code, url
    assert ours.json() == theirs.json()
    if ours.status_code >= 400:
        assert 400 <= ours.status_code < 500 and "error" in ours.json()


def test_strict_reading_of_a_query() -> None:
    async def endpoint(**values: object) -> None:  # never called here
        raise AssertionError

    route = direct.Direct(
        (direct.Param.required("home", direct.text(5)), direct.Param("date", direct.day, None),
         direct.Param("score", direct.text(9, r"^\s*\d{1,2}\s*[-:]\s*\d{1,2}\s*$"), "0-0")),
        endpoint,  # type: ignore[arg-type]
    )  # fmt: skip
    assert route.values(b"home=Inter") == {"home": "Inter", "date": None, "score": "0-0"}
    assert route.values(b"home=Inter&date=2024-04-18&score=2%3A1") == {
        "home": "Inter", "date": dt.date(2024, 4, 18), "score": "2:1"}  # fmt: skip
    assert route.values(b"home=Inter+FC") is None  # 8 characters: too long
    for bad in (b"", b"home=", b"home=Inter&home=Roma", b"home=Inter&x=1", b"home=Inter&date=18/04/2024",
                b"home=Inter&date=2024-02-30", b"home=Inter&score=2-1\n0"):  # fmt: skip
        assert route.values(bad) is None, bad
    assert direct.route({"/api/x": route}, "/api/y", b"home=Inter") is None
    assert direct.route({"/api/x": route}, "/api/x", b"home=Inter") is not None


def test_distinct_questions_asked_at_once_are_computed_at_most_two_at_a_time(
    full_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """32 clients asking 32 different questions: every one answered, never more than two (COMPUTE_LANES)
    computations at once (threads holding the GIL only take turns), by the lean path and by FastAPI."""
    import asyncio
    import threading
    import time

    import httpx

    from remontada.web import app as web_app
    from remontada.web import facade

    running, most = 0, 0
    lock = threading.Lock()
    real = facade.live

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.01)  # a slow answer: the others arrive meanwhile
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(facade, "live", counted)
    monkeypatch.setattr(web_app, "COMPUTE_LANES", 2)  # the default, whatever REMONTADA_SERVE_LANES says
    for lean in (True, False):
        app = create_app(full_store_path, lean=lean)
        app.state.snapshots.start()
        try:

            async def ask_all(app: Any) -> list[httpx.Response]:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    return await asyncio.gather(*(client.get(LIVE + f"&minute={m}&score=0-1") for m in range(32)))

            responses = asyncio.run(ask_all(app))
        finally:
            app.state.snapshots.close()
        assert [r.status_code for r in responses] == [200] * 32
        assert [r.json()["answer"]["minute"] for r in responses] == [str(m) for m in range(32)]
        assert 1 <= most <= 2, most
        most = 0


def test_quick_answers_take_one_lane_and_a_slow_one_opens_a_second(
    full_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers are computed one at a time (two threads taking turns on the GIL cost more CPU per answer), but
    while one has taken longer than SLOW_ANSWER (a model being fitted) a second lane answers those queued."""
    import asyncio
    import threading
    import time

    import httpx

    from remontada.web import app as web_app
    from remontada.web import facade

    running, most, done_during_slow = 0, 0, 0
    slow_running = False
    lock = threading.Lock()
    real = facade.live
    on_loop: dict[str, bool] = {}  # minute and model -> answered on the event loop's thread (not a lane's)

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal running, most, done_during_slow, slow_running
        slow = kwargs.get("model") == "poisson"  # a model not fitted yet: slow
        asked = f"{kwargs['minute']} {kwargs['score']} {kwargs['model']}"
        on_loop[asked] = threading.current_thread() is threading.main_thread()
        with lock:
            running += 1
            most = max(most, running)
            slow_running = slow_running or slow
        try:
            time.sleep(0.5 if slow else 0.002)
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                running -= 1
                if slow:
                    slow_running = False
                elif slow_running:
                    done_during_slow += 1

    monkeypatch.setattr(facade, "live", counted)
    monkeypatch.setattr(web_app, "COMPUTE_LANES", 2)
    app = create_app(full_store_path)
    app.state.snapshots.start()
    try:

        async def ask(app: Any, minutes: range, score: str = "1-1") -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await asyncio.gather(*(
                    client.get(LIVE + f"&minute={m}&score={score}" + ("&model=poisson" if m == 0 else ""))
                    for m in minutes
                ))  # fmt: skip

        asyncio.run(ask(app, range(1, 2)))  # the model fitted and the match's surfaces built (slow)
        most = 0
        quick = asyncio.run(ask(app, range(2, 18)))
        assert [r.status_code for r in quick] == [200] * 16
        assert most == 1, "quick answers are computed one at a time"
        for m in range(20, 24):  # one at a time, the kind of question now warm
            asyncio.run(ask(app, range(m, m + 1)))
        most = 0
        with_slow = asyncio.run(ask(app, range(0, 9), "2-1"))
    finally:
        app.state.snapshots.close()
    assert [r.status_code for r in with_slow] == [200] * 9
    assert most == 2 and done_during_slow >= 1, "the questions queued behind a slow answer are answered meanwhile"
    assert not on_loop["1 1-1 dixon-coles"], "the first question about a match (a model to fit) goes to a lane"
    assert all(on_loop[f"{m} 1-1 dixon-coles"] for m in range(20, 24)), "warm questions are answered on the loop"
    assert not on_loop["0 2-1 poisson"], "a question of a kind not answered yet (another model) goes to a lane"
    assert all(on_loop[f"{m} 2-1 dixon-coles"] for m in range(1, 9)), "warm ones go on the loop beside a slow lane"


def test_warm_answers_on_the_loop_take_turns_with_the_rest_of_the_loop(
    full_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm questions are answered on the event loop one per turn of the loop, not back to back: between two
    answers the loop does its other work (accepting connections, reading requests, sending answers), so a
    connection opened while eight answers are due is not kept waiting for all eight."""
    import asyncio

    import httpx

    from remontada.web import facade

    done = 0
    real = facade.live

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal done
        try:
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            done += 1

    monkeypatch.setattr(facade, "live", counted)
    app = create_app(full_store_path)
    app.state.snapshots.start()
    seen: list[int] = []  # answers done each time another task of the loop got a turn
    try:

        async def ask(minutes: range) -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await asyncio.gather(*(client.get(LIVE + f"&minute={m}&score=0-2") for m in minutes))

        async def while_answering(minutes: range) -> list[httpx.Response]:
            async def other_work() -> None:
                while done < start + len(minutes):
                    seen.append(done - start)
                    await asyncio.sleep(0)

            start = done
            responses, _ = await asyncio.gather(ask(minutes), other_work())
            return responses

        asyncio.run(ask(range(1, 3)))  # the match's kind of question answered: warm from now on
        asyncio.run(ask(range(3, 5)))
        responses = asyncio.run(while_answering(range(10, 18)))
    finally:
        app.state.snapshots.close()
    assert [r.status_code for r in responses] == [200] * 8
    assert set(range(1, 8)) <= set(seen), f"other work ran only after answers {sorted(set(seen))}"


def test_the_first_question_about_a_tie_counts_its_other_first_legs_ahead_once(
    full_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first answer about a tie (per model), every first-leg position's history is counted ahead in
    a thread of its own (facade.tie_positions), once; a question that fails starts nothing; the answers
    given before and after are the same."""
    import threading

    from remontada.web import facade

    started: list[tuple[str, str, str]] = []
    done = threading.Event()
    real = facade.tie_positions

    def counted(store: object, home: str, away: str, **kwargs: Any) -> None:
        started.append((home, away, kwargs["model"]))
        try:
            real(store, home, away, **kwargs)  # type: ignore[arg-type]
        finally:
            done.set()

    monkeypatch.setattr(facade, "tie_positions", counted)
    with TestClient(create_app(full_store_path), raise_server_exceptions=False) as client:
        first = client.get(TIE + "&first_leg=0-3").json()
        assert done.wait(60)
        for score in ("1-1", "2-0", "0-3"):
            assert client.get(TIE + f"&first_leg={score}").status_code == 200
        assert client.get(TIE.replace("Atalanta", "Atalantaa") + "&first_leg=0-1").status_code == 404
        again = client.get(TIE + "&first_leg=0-3&model=dixon-coles").json()  # another spelling: computed anew
    assert started == [("Liverpool", "Atalanta", "dixon-coles")]
    assert again["answer"] == first["answer"]

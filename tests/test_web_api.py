"""The JSON API of ``remontada serve`` over the whole store: every endpoint answers, states its model, fit
date and data cut-off, and every kind of bad input gets a 4xx JSON body naming the field (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import remontada as rm
from remontada.web import facade
from remontada.web.app import create_app
from remontada.web.limits import MAX_ARTICLE_CHARS, MAX_BODY_BYTES, MAX_SIMS
from tests.web_support import ARTICLE

TIE = "/api/tie?home=Liverpool&away=Atalanta&competition=Europa%20League&season=2023-24"
LIVE = "/api/live?home=Atalanta&away=Liverpool&date=2024-04-18"


@pytest.fixture(scope="module")
def client(full_store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(full_store_path), raise_server_exceptions=False) as c:
        yield c


def ok(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"model", "fit_date", "data_cutoff", "store_updated", "answer"} <= set(body)
    assert body["data_cutoff"] is not None and body["store_updated"] is not None
    return body


def liverpool_live(client: TestClient, **params: str) -> float:
    query = "".join(f"&{k}={v}" for k, v in params.items())
    return float(ok(client, LIVE + query)["answer"]["tie"]["p_through"]["Liverpool"])


# ---- answers -----------------------------------------------------------------------------------------
def test_tie_states_liverpools_chance_before_the_second_leg_with_model_and_legs(client: TestClient) -> None:
    body = ok(client, TIE)
    assert body["model"] == "dixon-coles" and body["fit_date"] == "2024-04-18"
    answer = body["answer"]
    p = answer["p_through"]
    assert 0.0 < p["Liverpool"] < 0.5 < p["Atalanta"] and p["Liverpool"] + p["Atalanta"] == pytest.approx(1.0)
    tie = answer["tie"]
    assert (tie["leg1"]["date"], tie["leg1"]["score"]) == ("2024-04-11", "0-3")
    assert answer["model"]["latest_match"] < "2024-04-18"
    grid = answer["grid"]
    assert (grid["home"], grid["away"], grid["match"]) == ("Atalanta", "Liverpool", "second_leg")
    total = sum(map(sum, grid["probability"]))
    assert 0.95 < total <= 1.0 + 1e-9
    # Liverpool (team A) through only when winning the second leg by 3 or more (or via extra time)
    assert grid["p_a_through"][0][4] == 1.0 and grid["p_a_through"][1][1] == 0.0
    rates = answer["history"]["rates"]
    assert rates[0]["n"] > 0 and rates[0]["low"] <= rates[0]["p"] <= rates[0]["high"]


def test_live_chance_falls_as_the_clock_runs_and_rises_with_an_atalanta_red_card(client: TestClient) -> None:
    early, late = liverpool_live(client, minute="10"), liverpool_live(client, minute="80")
    assert late < early
    assert liverpool_live(client, minute="30", red_cards="1-0") > liverpool_live(client, minute="30")
    body = ok(client, LIVE + "&minute=60&score=0-1")
    curve = body["answer"]["comeback_curve"]
    assert curve["team"] == "Liverpool" and curve["rows"][0]["minute"] == "60"


def test_live_told_of_salahs_goal_at_7_minutes_answers_with_the_lull_and_says_so(
    client: TestClient, full_store_path: Path
) -> None:
    # Atalanta 0-1 Liverpool, 18 April 2024: Salah scored in the 7th minute
    told = ok(client, LIVE + "&minute=8&score=0-1&last_goal=7%20away")["answer"]
    average = ok(client, LIVE + "&minute=8&score=0-1")["answer"]
    assert told["last_goal"] == "7 away" and average["last_goal"] is None
    assert told["tie"]["p_through"]["Liverpool"] != average["tie"]["p_through"]["Liverpool"]
    library = rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=8, score="0-1", last_goal="7 away",
                      store=full_store_path)  # fmt: skip
    assert told["tie"]["p_through"]["Liverpool"] == pytest.approx(library.p_through("Liverpool"), abs=1e-12)


def test_clubs_finds_liverpool_and_suggests_it_for_a_misspelling(client: TestClient) -> None:
    names = [c["name"] for c in ok(client, "/api/clubs?q=Liverp")["answer"]["clubs"]]
    assert "Liverpool" in names
    response = client.get("/api/clubs?q=Liverpol")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_club" and body["field"] == "q" and "Liverpool" in body["suggestions"]


def test_ties_and_competitions_list_the_europa_league_quarter_final(client: TestClient) -> None:
    comps = {c["id"]: c for c in ok(client, "/api/competitions")["answer"]["competitions"]}
    assert "2023-24" in comps["uefa.el"]["seasons"]
    ties = ok(client, "/api/ties?competition=Europa%20League&season=2023-24")["answer"]["ties"]
    quarter = [t for t in ties if {t["team_a"], t["team_b"]} == {"Liverpool", "Atalanta"}]
    assert len(quarter) == 1 and quarter[0]["winner"] == "Atalanta"


def test_tie_lists_the_latest_comebacks_per_group_and_history_pages_the_rest(client: TestClient) -> None:
    # after a 1-1 first leg at Anfield: 1,409 sides that drew the first leg away went through (main draw and
    # qualifying rounds); the answer lists the latest 20 of each, and /api/history pages through all of them
    body = ok(client, TIE + "&first_leg=1-1")
    rate = body["answer"]["history"]["rates"][0]
    totals, listed, more = rate["comebacks_total"], rate["comebacks"], rate["more"]
    assert totals["main_draw"] + totals["qualifying"] == rate["k"] > 1000
    main = [c for c in listed if not c["qualifying"]]
    qualifying = [c for c in listed if c["qualifying"]]
    assert (len(main), len(qualifying)) == (20, 20)
    assert [c["date"] for c in main] == sorted((c["date"] for c in main), reverse=True)
    assert more["deficit"] == 0 and more["first_leg_at"] == "away" and more["before"] == "2024-04-18"
    query = "&".join(f"{k}={v}" for k, v in more.items() if v is not None)
    for group, shown in (("main_draw", main), ("qualifying", qualifying)):
        seen: list[dict[str, Any]] = []
        while True:
            page = ok(client, f"/api/history?{query}&group={group}&offset={len(seen)}&limit=200")["answer"]
            assert page["comebacks_page"]["total"] == totals[group]
            if not page["comebacks"]:
                break
            seen += page["comebacks"]
        assert len(seen) == totals[group]
        assert [(c["date"], c["tie"]) for c in seen[:20]] == [(c["date"], c["tie"]) for c in shown]
        assert all(c["qualifying"] == (group == "qualifying") for c in seen)
    page = ok(client, f"/api/history?{query}&offset=5&limit=3")["answer"]
    assert len(page["comebacks"]) == 3 and page["rates"][-1]["k"] == rate["k"]


def test_history_predict_ratings_and_status_answer(client: TestClient) -> None:
    history = ok(client, "/api/history?deficit=3&first_leg_at=home")["answer"]
    assert history["rates"][-1]["n"] > 50
    predict = ok(client, "/api/predict?home=Atalanta&away=Liverpool&date=2024-04-18")
    assert predict["fit_date"] == "2024-04-18"
    p = predict["answer"]
    assert p["home_win"] + p["draw"] + p["away_win"] == pytest.approx(1.0, abs=1e-6)
    ratings = ok(client, "/api/ratings?date=2024-04-18&top=5")["answer"]["ratings"]
    assert len(ratings) == 5 and ratings[0]["rank"] == 1
    status = ok(client, "/api/status")["answer"]
    assert status["matches"] > 100_000 and not status["store"].startswith("/tmp/remontada-serve")


def test_simulate_is_seeded_and_capped(client: TestClient) -> None:
    request = {"competition": "Champions League", "season": "2023-24", "date": "2024-03-01", "sims": 2000, "seed": 7}
    first = client.post("/api/simulate", json=request)
    assert first.status_code == 200, first.text
    again = client.post("/api/simulate", json=request)
    assert first.json()["answer"]["knockout"] == again.json()["answer"]["knockout"]
    winners = sum(row["Winner"] for row in first.json()["answer"]["knockout"])
    assert winners == pytest.approx(1.0, abs=1e-9)
    too_many = client.post("/api/simulate", json={**request, "sims": MAX_SIMS + 1})
    assert too_many.status_code == 422 and too_many.json()["field"] == "sims"


@pytest.mark.skipif(facade.reader() is None, reason="no news reader (rm.read_article) in this remontada")
def test_read_finds_the_tie_in_the_motivating_article(client: TestClient) -> None:
    response = client.post("/api/read", json={"text": ARTICLE.read_text()})
    assert response.status_code == 200, response.text
    body = response.json()
    answer = body["answer"]["answer"]
    assert answer["p_through"]["Liverpool"] < 0.5 and body["fit_date"] == "2024-04-18"


def test_read_says_plainly_when_there_is_no_news_reader(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facade, "reader", lambda: None)
    response = client.post("/api/read", json={"text": "Liverpool lost 0-3 to Atalanta."})
    assert response.status_code == 501 and response.json()["error"] == "not_available"


# ---- bad input -----------------------------------------------------------------------------------------
BAD_GETS = [
    # (url, status, field)
    ("/api/tie?away=Atalanta", 422, "home"),  # missing
    ("/api/tie?home=&away=Atalanta", 422, "home"),  # empty
    ("/api/tie?home=" + "x" * 5000 + "&away=Atalanta", 422, "home"),  # huge
    ("/api/tie?home=Liverpol&away=Atalanta", 404, "home"),  # unknown club, with suggestions
    ("/api/tie?home=Liverpool&away=Atalanto", 404, "away"),
    ("/api/tie?home=Liverpool&away=Liverpool", 422, "away"),  # the same club twice
    ("/api/tie?home=Liverpool&away=Atalanta&competition=Europa%20Leag", 404, "competition"),
    ("/api/tie?home=Liverpool&away=Atalanta&date=2024-13-45", 422, "date"),  # not a date
    ("/api/tie?home=Liverpool&away=Atalanta&first_leg=3", 422, "first_leg"),
    ("/api/tie?home=Liverpool&away=Atalanta&model=magic", 422, "model"),
    ("/api/tie?home=Liverpool&away=Real%20Madrid&season=1990-91", 404, None),  # no such tie
    (LIVE + "&minute=95", 422, "minute"),  # past full time
    (LIVE + "&minute=-5", 422, "minute"),
    (LIVE + "&minute=soon", 422, "minute"),
    (LIVE + "&score=1", 422, "score"),
    (LIVE + "&score=-1-0", 422, "score"),
    (LIVE + "&red_cards=6-0", 422, "red_cards"),  # more red cards than a side can have
    (LIVE + "&minute=8&score=0-1&last_goal=soon", 422, "last_goal"),
    (LIVE + "&minute=8&score=0-1&last_goal=30%20away", 422, "last_goal"),  # after the minute now
    (LIVE + "&minute=8&score=0-1&last_goal=7%20home", 422, "last_goal"),  # the home side has no goal
    ("/api/clubs?q=", 422, "q"),
    ("/api/clubs?q=Liverpool&limit=100000", 422, "limit"),
    ("/api/ties?competition=Nowhere%20Cup", 404, "competition"),
    ("/api/ties?competition=uefa.el&season=last", 422, "season"),
    ("/api/history?deficit=-1", 422, "deficit"),
    ("/api/history?deficit=three", 422, "deficit"),
    ("/api/history?first_leg_at=moon", 422, "first_leg_at"),
    ("/api/history?deficit=1&offset=-1", 422, "offset"),
    ("/api/history?deficit=1&offset=many", 422, "offset"),
    ("/api/history?deficit=1&offset=", 422, "offset"),
    ("/api/history?deficit=1&offset=10000000000", 422, "offset"),
    ("/api/history?deficit=1&limit=0", 422, "limit"),
    ("/api/history?deficit=1&limit=100000", 422, "limit"),
    ("/api/history?deficit=1&limit=2.5", 422, "limit"),
    ("/api/history?deficit=1&group=final", 422, "group"),
    ("/api/history?deficit=1&or_more=perhaps", 422, "or_more"),
    ("/api/history?deficit=1&competition=uefa.cl,Nowhere%20Cup", 404, "competition"),
    ("/api/predict?home=Atalanta&away=Liverpool&date=1800-01-01", 422, "date"),  # before any match
    ("/api/predict?home=Atalanta&away=Liverpool&neutral=perhaps", 422, "neutral"),
    ("/api/ratings?top=abc", 422, "top"),
    ("/api/ratings?top=0", 422, "top"),
    ("/api/ratings?competition=Nowhere%20Cup", 404, "competition"),
    ("/api/nothing-here", 404, None),
]


@pytest.mark.parametrize(("url", "status", "field"), BAD_GETS, ids=[u[:60] for u, _, _ in BAD_GETS])
def test_bad_query_gets_4xx_json_naming_the_field(client: TestClient, url: str, status: int, field: str | None) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["message"] and "Traceback" not in response.text
    assert body["field"] == field


def test_unknown_competition_lists_the_valid_names(client: TestClient) -> None:
    body = client.get("/api/ties?competition=Champions%20Leag").json()
    assert "Champions League" in body["suggestions"] and any("Europa League" in v for v in body["valid"])


SIM = {"competition": "Champions League", "season": "2023-24", "date": "2024-03-01"}
BAD_POSTS = [
    # (path, json body, status, field)
    ("/api/simulate", {**SIM, "sims": 0}, 422, "sims"),
    ("/api/simulate", {**SIM, "sims": 10**12}, 422, "sims"),
    ("/api/simulate", {**SIM, "sims": "many"}, 422, "sims"),
    ("/api/simulate", {**SIM, "competition": "Champions Leag"}, 404, "competition"),
    ("/api/simulate", {**SIM, "surprise": 1}, 422, "surprise"),
    ("/api/simulate", {"season": "2023-24", "date": "2024-03-01"}, 422, "competition"),
    ("/api/simulate", [1, 2, 3], 422, "body"),
    ("/api/read", {"text": ""}, 422, "text"),
    ("/api/read", {"text": "x" * (MAX_ARTICLE_CHARS + 1)}, 422, "text"),
    ("/api/read", {"text": 42}, 422, "text"),
    ("/api/read", {}, 422, "text"),
]


@pytest.mark.parametrize(
    ("path", "payload", "status", "field"), BAD_POSTS, ids=[str(p)[:50] for _, p, _, _ in BAD_POSTS]
)
def test_bad_body_gets_4xx_json_naming_the_field(
    client: TestClient, path: str, payload: Any, status: int, field: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


def test_oversized_and_malformed_bodies_are_refused_with_json(client: TestClient) -> None:
    huge = b'{"text": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    response = client.post("/api/read", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    streamed = client.post("/api/read", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"] == "payload_too_large"
    broken = client.post("/api/simulate", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["field"] == "body"
    assert client.get("/api/simulate").status_code == 405


def test_no_request_value_becomes_a_path(client: TestClient, full_store_path: Path) -> None:
    assert client.get("/static/../../../etc/passwd").status_code == 404
    assert client.get("/static/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert client.get("/api/tie?home=../../etc/passwd&away=Atalanta").json()["error"] == "unknown_club"
    snapshot = client.app.state.snapshots.current  # type: ignore[attr-defined]
    assert [p.name for p in snapshot.path.parent.iterdir()] == [snapshot.path.name]


def test_the_page_and_the_api_docs_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "remontada" in page.text and "http" not in page.text.split("<footer>")[0]
    assert client.get("/static/app.js").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs.js" in docs.text
    schema = client.get("/openapi.json").json()
    assert {"/api/tie", "/api/live", "/api/clubs", "/api/simulate", "/api/read", "/api/status"} <= set(schema["paths"])


def test_the_same_question_asked_at_once_is_answered_by_one_computation(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    calls = []
    real = facade.clubs

    def slow_clubs(store: Any, query: str, limit: int) -> Any:
        calls.append(query)
        time.sleep(0.5)
        return real(store, query, limit)

    monkeypatch.setattr(facade, "clubs", slow_clubs)
    answers: list[Any] = []

    def ask() -> None:
        answers.append(client.get("/api/clubs?q=Arsenal&limit=7"))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [200] * 6
    assert len({r.text for r in answers}) == 1 and calls == ["Arsenal"]
    assert client.get("/api/clubs?q=Arsenal&limit=7").status_code == 200 and calls == ["Arsenal"]

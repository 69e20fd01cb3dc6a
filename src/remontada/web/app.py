"""The FastAPI application: the JSON API under ``/api``, its docs at ``/docs`` and the page at ``/``.

Every answer is ``{"model", "fit_date", "data_cutoff", "store_updated", "answer"}``: the strength
model used (or ``null``), the date it was fitted as of (it knows only matches before that day), the
day of the latest match in the store, when the store was last updated, and the library's answer.
Requests are answered from a snapshot of the store (:mod:`remontada.web.snapshot`), so a running
``remontada update`` never breaks them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import anyio
import anyio.to_thread
import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Receive, Scope, Send

from remontada import __version__
from remontada.store.reader import Store
from remontada.web import direct, errors, facade
from remontada.web.fastpath import FastPath, offer
from remontada.web.limits import (
    DEFAULT_SIMS,
    HISTORY_PAGE,
    MAX_ARTICLE_CHARS,
    MAX_BODY_BYTES,
    MAX_CLUBS,
    MAX_DEFICIT,
    MAX_HISTORY_OFFSET,
    MAX_HISTORY_PAGE,
    MAX_NAME_CHARS,
    MAX_SIMS,
    MAX_TOP,
)
from remontada.web.snapshot import StoreSnapshots

STATIC = Path(__file__).resolve().parent / "static"
#: Answers kept per server process (their JSON, a few KB to a few hundred KB each).
ANSWER_CACHE = 512
#: Most answers computed at once per process (threads). Answering is Python holding the GIL: more threads
#: do not answer sooner, they take turns every few milliseconds, so that 32 questions at once all finish
#: late (measured: p99 0.6 s for 1.5 ms answers), and two threads taking turns spend more CPU per answer
#: than one (measured: 2.3 against 1.4 ms per distinct live answer at 32 clients). So one lane answers,
#: and another opens only while an answer has taken longer than :data:`SLOW_ANSWER` (a model being
#: fitted, seconds): the questions queued behind it are answered meanwhile. First come, first served.
COMPUTE_LANES = int(os.environ.get("REMONTADA_SERVE_LANES", "2"))
#: Seconds an answer may take before another lane opens beside it.
SLOW_ANSWER = 0.05
#: Seconds of CPU under which an answer counts as warm: the next question of the same kind (the same
#: match, red cards and model, or the same tie and model, on the same snapshot and day: the ``kind`` the
#: endpoints of :func:`create_app` name) is answered on the event loop itself, without the hop to a lane
#: thread. A warm answer takes about a millisecond; the hop, two threads taking turns on the GIL and the
#: thread pool's bookkeeping cost about half as much again.
WARM_ANSWER = 0.02
#: Seconds by the clock over which an answer is not warm, whatever its CPU time (it waited for something).
WARM_WALL = 0.25
#: Kinds of question remembered as warm per process (least recently used forgotten first).
WARM_KINDS = 4096
#: The environment variable ``remontada serve --workers N`` passes the store path through.
STORE_ENV = "REMONTADA_SERVE_STORE"
#: Seconds between a worker's checks of the store for an update (``remontada serve --poll`` with ``--workers``).
POLL_ENV = "REMONTADA_SERVE_POLL"

SEASON = r"^\s*\d{4}(\s*[-/]\s*\d{2,4})?\s*$"
SCORE = r"^\s*\d{1,2}\s*[-:]\s*\d{1,2}\s*$"
MINUTE = r"^\s*(\d{1,3}(\s*\+\s*\d{1,2})?|[Hh][Tt]|[Kk][Oo])\s*$"
#: The last goal: its minute and the side that scored it ("7 away", "45+2 home"), or "none".
LAST_GOAL = r"^\s*([Nn][Oo][Nn][Ee]|\d{1,3}(\s*\+\s*\d{1,2})?\s+([Hh][Oo][Mm][Ee]|[Aa][Ww][Aa][Yy]))\s*$"
Name = Annotated[str, Query(min_length=1, max_length=MAX_NAME_CHARS)]
OptName = Annotated[str | None, Query(min_length=1, max_length=MAX_NAME_CHARS)]
Season = Annotated[str | None, Query(pattern=SEASON, max_length=12)]
Score = Annotated[str, Query(pattern=SCORE, max_length=9)]
OptScore = Annotated[str | None, Query(pattern=SCORE, max_length=9)]
Minute = Annotated[str, Query(pattern=MINUTE, max_length=9)]
LastGoal = Annotated[str | None, Query(pattern=LAST_GOAL, max_length=16)]
Model = Literal["dixon-coles", "poisson", "bivariate", "elo"]
MODELS: tuple[str, ...] = get_args(Model)
Day = Annotated[dt.date | None, Query()]


class SimulateRequest(BaseModel):
    """``POST /api/simulate``: a competition simulated to its end from the morning of ``date``."""

    model_config = ConfigDict(extra="forbid")
    competition: str = Field(min_length=1, max_length=MAX_NAME_CHARS, examples=["Champions League"])
    season: str = Field(pattern=r"^\s*\d{4}(\s*[-/]\s*\d{2,4})?\s*$", max_length=12, examples=["2023-24"])
    date: dt.date = Field(examples=["2024-03-01"])
    start: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS, examples=["quarter-finals"])
    sims: int = Field(default=DEFAULT_SIMS, ge=1, le=MAX_SIMS, description=f"at most {MAX_SIMS:,} a request")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    model: Model = "dixon-coles"


class ReadRequest(BaseModel):
    """``POST /api/read``: an article's text, and the day it was published (default: today)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_ARTICLE_CHARS)
    date: dt.date | None = None


def create_app(
    store_path: str | os.PathLike[str],
    *,
    poll: float = 1.0,
    snapshots: StoreSnapshots | None = None,
    lean: bool = True,
) -> FastAPI:
    """The app answering from the store at ``store_path`` (read-only; checked for updates every ``poll`` s).

    ``snapshots``: already started (or starting) snapshots of that store, to serve from instead of new ones.
    ``lean``: answer strictly valid ``/api/live`` and ``/api/tie`` questions without FastAPI's routing and
    validation (:mod:`remontada.web.direct`); ``False`` sends every request through FastAPI.
    """
    snapshots = snapshots if snapshots is not None else StoreSnapshots(Path(store_path), poll=poll)
    facade.serving()
    cutoffs: dict[int, str | None] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        snapshots.start()
        try:
            yield
        finally:
            snapshots.close()

    app = _App(
        title="remontada",
        version=__version__,
        summary="Can they come back? Knockout ties, live matches and competitions forecast from public data.",
        lifespan=lifespan,
        docs_url="/docs/swagger",  # Swagger UI loads its scripts from a CDN; /docs itself works offline
        redoc_url=None,
    )
    app.state.snapshots = snapshots
    app.add_middleware(errors.BodyLimit, max_bytes=MAX_BODY_BYTES)
    directs: dict[str, direct.Direct] = {}  # filled below, once the endpoints exist
    app.front = FastPath(
        app.behind_front,
        generation=lambda: snapshots.current.generation,
        size=ANSWER_CACHE,
        direct=(lambda path, query: direct.route(directs, path, query)) if lean else None,
    )
    errors.install(app)

    cache = AnswerCache(ANSWER_CACHE)
    lanes: list[anyio.CapacityLimiter] = []  # made in the event loop, on first use
    slow: set[object] = set()  # the answers being computed that have taken longer than SLOW_ANSWER

    def open_lanes() -> None:
        lanes[0].total_tokens = max(1, min(COMPUTE_LANES, 1 + len(slow)))

    gate: list[tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = []  # the turn of the warm answers on the loop
    warm: OrderedDict[tuple[Any, ...], None] = OrderedDict()  # kinds of question answered quickly lately

    async def in_lane(compute: Callable[[], tuple[int, bytes]]) -> tuple[int, bytes]:
        """``compute()`` in a worker thread, one at a time but while a slow one runs (:data:`COMPUTE_LANES`)."""
        if not lanes:
            lanes.append(anyio.CapacityLimiter(1))
        token = object()

        def taking_long() -> None:
            slow.add(token)
            open_lanes()

        async with lanes[0]:
            timer = asyncio.get_running_loop().call_later(SLOW_ANSWER, taking_long)
            try:
                return await anyio.to_thread.run_sync(compute)
            finally:
                timer.cancel()
                if token in slow:
                    slow.discard(token)
                    open_lanes()
                    settle()  # a model fitted, the ties rebuilt, ...: what it left is long-lived

    ahead: set[tuple[Any, ...]] = set()  # kinds whose count_ahead has been started (per snapshot and day)

    def start_ahead(kind: tuple[Any, ...], count_ahead: Callable[[Store], None]) -> None:
        """``count_ahead`` on a connection of the current snapshot in a thread of its own, once per kind."""
        if kind in ahead:
            return
        if len(ahead) >= WARM_KINDS:
            ahead.clear()
        ahead.add(kind)

        def run() -> None:
            try:
                with snapshots.borrow() as (_, store):
                    count_ahead(store)
            except Exception:  # only a head start: the questions themselves will say what is wrong
                return

        threading.Thread(target=run, name="remontada-ahead", daemon=True).start()

    async def computed(
        compute: Callable[[], tuple[int, bytes]],
        kind: tuple[Any, ...] | None,
        count_ahead: Callable[[Store], None] | None = None,
    ) -> tuple[int, bytes]:
        """``compute()`` on the event loop when its ``kind`` of question was answered quickly on this snapshot
        and day (a warm answer: cheaper than the hop to a thread), else in a lane. A kind is warm once an
        answer of it took under :data:`WARM_ANSWER` s of CPU and :data:`WARM_WALL` s in all (models fitted,
        surfaces built, store read), and no longer once one took longer (the next then goes to a lane, where
        a slow answer does not hold up the others). CPU time, not the clock: on a busy machine a warm answer
        may wait for a core without being slow itself. ``count_ahead``: what to prepare for the other
        questions of the kind once one was answered (:func:`start_ahead`)."""
        if kind is None:
            return await in_lane(compute)
        kind = (snapshots.current.generation, dt.date.today(), *kind)
        took = [math.inf, math.inf]

        def timed() -> tuple[int, bytes]:
            began, cpu = time.perf_counter(), time.thread_time()
            result = compute()
            took[:] = time.thread_time() - cpu, time.perf_counter() - began
            return result

        if kind in warm:
            loop = asyncio.get_running_loop()
            if not gate or gate[0][0] is not loop:  # a lock belongs to one event loop (tests run several)
                gate[:] = [(loop, asyncio.Lock())]
            # one answer per turn of the event loop, first come first served: the gate is held across a turn
            # (``sleep(0)``), so that between two answers the loop accepts connections, reads requests and
            # sends what is waiting. Answered back to back in one turn (all the requests read at once), a
            # connection opened meanwhile waited for all of them to be accepted: one accepted per 20 ms
            # at 32 clients, its first request answered 0.1-0.3 s late.
            async with gate[0][1]:
                await asyncio.sleep(0)
                result = timed()
        else:
            result = await in_lane(timed)
        if took[0] < WARM_ANSWER and took[1] < WARM_WALL:
            warm[kind] = None
            warm.move_to_end(kind)
            if len(warm) > WARM_KINDS:
                warm.popitem(last=False)
        else:
            warm.pop(kind, None)
        if count_ahead is not None:
            start_ahead(kind, count_ahead)
        return result

    async def answer(
        call: Callable[[Store], facade.Answer | None],
        key: tuple[Any, ...] | None = None,
        kind: tuple[Any, ...] | None = None,
        count_ahead: Callable[[Store], None] | None = None,
    ) -> Response:
        """Answer with ``call`` run on a connection of the current snapshot, in a worker thread (or, for a warm
        ``kind`` of question, on the event loop: :func:`computed`). Answers are
        kept per snapshot under ``key`` (the endpoint and its parameters): asking again is a lookup, and
        requests that ask the same question at the same time share one computation. The ``Server-Timing``
        header says how long the server took (ms), apart from the HTTP layer and the network. ``kind``: the
        part of ``key`` that decides whether an answer is quick (the match, red cards and model, not the
        minute or score), for the questions that may be answered on the event loop (:func:`computed`)."""

        def compute() -> tuple[int, bytes]:
            with snapshots.borrow() as (snapshot, store):
                result = call(store)
                if snapshot.generation not in cutoffs:
                    cutoffs[snapshot.generation] = facade.data_cutoff(store)
            if result is None:
                raise _NotAvailable()
            body, model, fit_date = result
            return snapshot.generation, _dumps({
                "model": model,
                "fit_date": fit_date,
                "data_cutoff": cutoffs.get(snapshot.generation),
                "store_updated": snapshot.last_update,
                "answer": body,
            })  # fmt: skip

        began = time.perf_counter()
        if key is None:
            content = (await in_lane(compute))[1]
        else:  # kept per snapshot and day (an answer without a date is today's)
            generation, content = await cache.fetch(
                (snapshots.current.generation, *key, dt.date.today()), lambda: computed(compute, kind, count_ahead)
            )
            offer(generation, content)
        took = 1000 * (time.perf_counter() - began)
        return Response(content, media_type="application/json", headers={"Server-Timing": f"app;dur={took:.2f}"})

    @app.exception_handler(_NotAvailable)
    def _not_available(request: Request, exc: _NotAvailable) -> JSONResponse:
        return JSONResponse(
            errors.error_body("not_available", "this remontada has no news reader: article analysis is not available"),
            status_code=501,
        )

    # ---- the page ----------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        """The API reference, drawn from ``/openapi.json`` by a local script (no CDN)."""
        return FileResponse(STATIC / "docs.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # ---- the API -----------------------------------------------------------------------------------
    @app.get("/api/status", tags=["store"])
    async def status() -> Response:
        """What the store holds: matches, clubs, sources and when it was last updated."""
        return await answer(facade.status, ("status",))

    @app.get("/api/clubs", tags=["store"])
    async def clubs(q: Name, limit: Annotated[int, Query(ge=1, le=MAX_CLUBS)] = 10) -> Response:
        """Clubs matching ``q`` (accent-insensitive, any source's spelling), with "did you mean" when none does."""
        return await answer(lambda st: facade.clubs(st, q, limit), ("clubs", q, limit))

    @app.get("/api/competitions", tags=["ties"])
    async def competitions() -> Response:
        """Competitions with two-legged ties in the store, and their seasons (for pickers)."""
        return await answer(facade.competitions, ("competitions",))

    @app.get("/api/ties", tags=["ties"])
    async def ties(competition: OptName = None, season: Season = None) -> Response:
        """The two-legged knockout ties in the store, for pickers (default: every UEFA club competition)."""
        return await answer(lambda st: facade.ties(st, competition, season), ("ties", competition, season))

    @app.get("/api/tie", tags=["ties"])
    async def tie(
        home: Name,
        away: Name,
        competition: OptName = None,
        season: Season = None,
        round: OptName = None,
        date: Day = None,
        first_leg: OptScore = None,
        model: Model = "dixon-coles",
    ) -> Response:
        """Who goes through: per side split 90 minutes / extra time / penalties, the scores that decide it,
        the history base rate with its interval and the comebacks from the same position.

        ``home`` and ``away`` are the two clubs in either order. A tie the store does not hold is stated
        with ``competition`` and ``date`` (and ``first_leg``, its home side first, once it is played).
        """
        return await answer(
            lambda st: facade.tie(
                st, home, away, competition=competition, season=season, round=round, date=date,
                first_leg=first_leg, model=model,
            ),
            ("tie", home, away, competition, season, round, date, first_leg, model),
            ("tie", home, away, competition, season, round, date, model),
            lambda st: facade.tie_positions(st, home, away, competition=competition, season=season, round=round,
                                            date=date, model=model),
        )  # fmt: skip

    @app.get("/api/live", tags=["live"])
    async def live(
        home: Name,
        away: Name,
        date: Day = None,
        minute: Minute = "0",
        score: Score = "0-0",
        red_cards: Score = "0-0",
        competition: OptName = None,
        first_leg: OptScore = None,
        team: OptName = None,
        model: Model = "dixon-coles",
        last_goal: LastGoal = None,
    ) -> Response:
        """A match in play: the result after 90 minutes, the goals to come and, in a second leg, who goes
        through and the comeback curve (the chance to go through if the next goal comes at each minute).
        ``last_goal`` ("7 away", "none"), when known, lets the state score at rates of its own until the
        next goal (the lull just after a goal)."""
        return await answer(
            lambda st: facade.live(
                st, home, away, date=date, minute=minute, score=score, red_cards=red_cards,
                competition=competition, first_leg=first_leg, team=team, model=model, last_goal=last_goal,
            ),
            ("live", home, away, date, minute, score, red_cards, competition, first_leg, team, model, last_goal),
            # a known last goal is computed from its state, not read off the match's surface: a kind of its own
            ("live", home, away, date, red_cards, competition, first_leg, team, model, last_goal is not None),
        )  # fmt: skip

    # the same parameters as above, checked the same way (strictly: anything doubtful goes to FastAPI)
    name, opt_score, models = direct.text(MAX_NAME_CHARS), direct.text(9, SCORE), direct.one_of(MODELS)
    directs["/api/live"] = direct.Direct((
        direct.Param.required("home", name), direct.Param.required("away", name),
        direct.Param("date", direct.day, None), direct.Param("minute", direct.text(9, MINUTE), "0"),
        direct.Param("score", opt_score, "0-0"),
        direct.Param("red_cards", opt_score, "0-0"), direct.Param("competition", name, None),
        direct.Param("first_leg", opt_score, None), direct.Param("team", name, None),
        direct.Param("model", models, "dixon-coles"), direct.Param("last_goal", direct.text(16, LAST_GOAL), None),
    ), live)  # fmt: skip
    directs["/api/tie"] = direct.Direct((
        direct.Param.required("home", name), direct.Param.required("away", name),
        direct.Param("competition", name, None), direct.Param("season", direct.text(12, SEASON), None),
        direct.Param("round", name, None), direct.Param("date", direct.day, None),
        direct.Param("first_leg", opt_score, None), direct.Param("model", models, "dixon-coles"),
    ), tie)  # fmt: skip

    @app.get("/api/history", tags=["ties"])
    async def history(
        competition: OptName = None,
        deficit: Annotated[int | None, Query(ge=0, le=MAX_DEFICIT)] = None,
        first_leg_at: Literal["home", "away", "neutral"] | None = None,
        or_more: bool = False,
        before: Day = None,
        group: Literal["main_draw", "qualifying"] | None = None,
        offset: Annotated[int, Query(ge=0, le=MAX_HISTORY_OFFSET)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_HISTORY_PAGE)] = HISTORY_PAGE,
    ) -> Response:
        """How often sides behind after the first leg went through, with the comebacks.

        ``competition``: one or several (comma-separated), default the UEFA club competitions. With a
        ``deficit`` (``or_more``: that many goals or more) the comebacks are listed a page at a time, latest
        first: ``limit`` of them from the ``offset``-th, of the main draw or the qualifying rounds (``group``)
        or both; ``comebacks_page.total`` says how many there are. A tie answer's history rates name their
        query in ``more``.
        """
        return await answer(
            lambda st: facade.history(st, competition=competition, deficit=deficit, first_leg_at=first_leg_at,
                                      or_more=or_more, before=before, group=group, offset=offset, limit=limit),
            ("history", competition, deficit, first_leg_at, or_more, before, group, offset, limit),
        )  # fmt: skip

    @app.get("/api/predict", tags=["models"])
    async def predict(
        home: Name,
        away: Name,
        date: Day = None,
        competition: OptName = None,
        neutral: bool = False,
        model: Model = "dixon-coles",
    ) -> Response:
        """One match as a scoreline distribution: 1X2, expected goals, likely scores."""
        return await answer(
            lambda st: facade.predict(st, home, away, date=date, competition=competition, neutral=neutral, model=model),
            ("predict", home, away, date, competition, neutral, model),
        )

    @app.get("/api/ratings", tags=["models"])
    async def ratings(
        date: Day = None,
        competition: OptName = None,
        top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 20,
        model: Model = "dixon-coles",
    ) -> Response:
        """Club strengths on one scale across every league and UEFA competition."""
        return await answer(
            lambda st: facade.ratings(st, date=date, competition=competition, top=top, model=model),
            ("ratings", date, competition, top, model),
        )

    @app.post("/api/simulate", tags=["competitions"])
    async def simulate(request: SimulateRequest) -> Response:
        """Each club's chance to reach each round (or finish in each place), simulated from ``date``."""
        r = request
        return await answer(
            lambda st: facade.simulate(
                st, competition=r.competition, season=r.season, date=r.date, start=r.start, sims=r.sims,
                seed=r.seed, model=r.model,
            ),
            ("simulate", r.competition, r.season, r.date, r.start, r.sims, r.seed, r.model),
        )  # fmt: skip

    @app.post("/api/read", tags=["news"])
    async def read(request: ReadRequest) -> Response:
        """An article about a tie or a match: which one it is, and the answer to the question it asks."""
        return await answer(lambda st: facade.read_article(st, request.text, date=request.date))

    return app


def settle() -> None:
    """Exempt what the process holds now from garbage collection (``gc.freeze``), after a slow answer.

    A slow answer (a model fitted, the ties rebuilt, a history read) leaves hundreds of thousands of
    long-lived objects that each full collection would walk again: 100-250 ms measured with every
    request waiting meanwhile. Frozen, they are never walked again, and collections look at what the
    answers since allocated. The cycles left by the slow answer itself (if any) are frozen with them:
    a few, once per model fit or store.
    """
    gc.freeze()


class _App(FastAPI):
    """FastAPI with a front door: a ``GET`` of the API goes to :attr:`front` (:class:`FastPath`: answers kept,
    and the lean path of :mod:`remontada.web.direct`) before FastAPI's and Starlette's middleware; what the
    front does not answer itself it passes to :meth:`behind_front`, the app as FastAPI serves it."""

    front: FastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http" and scope["method"] == "GET" \
                and scope["path"].startswith("/api/"):  # fmt: skip
            await front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def behind_front(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request as FastAPI answers it (routing, validation, its middleware and error handlers)."""
        await super().__call__(scope, receive, send)


class AnswerCache:
    """The JSON of recent answers, least recently used dropped first, with one computation per question
    in flight (used from the event loop only)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._pending: dict[tuple[Any, ...], asyncio.Future[tuple[int, bytes]]] = {}

    async def fetch(
        self, key: tuple[Any, ...], compute: Callable[[], Awaitable[tuple[int, bytes]]]
    ) -> tuple[int, bytes]:
        """The answer under ``key`` (its first item a snapshot generation): kept, being computed for
        another request, or computed now; with the generation of the snapshot it was read from.

        ``compute`` returns (the snapshot generation it read, the JSON); the answer is kept under that
        generation (a newer one than ``key``'s when the store was swapped meanwhile).
        """
        if key in self._items:
            self._items.move_to_end(key)
            return key[0], self._items[key]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            generation, content = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it; nobody waiting is fine too
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result((generation, content))
        self._items[(generation, *key[1:])] = content
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return generation, content


def _dumps(value: Any) -> bytes:
    """Strict JSON (NaN and infinities become null), UTF-8, compact.

    orjson writes it (a 240 KB tie answer in 0.2 ms against 1 ms for ``json``; it writes NaN and
    infinities as null itself); anything it refuses (an integer over 64 bits) goes through ``json``.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        pass
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode()
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":")).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class _NotAvailable(Exception):
    """A feature this build of remontada lacks (answered with 501)."""


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` worker processes: the store path comes from ``$REMONTADA_SERVE_STORE``,
    the seconds between checks for an update from ``$REMONTADA_SERVE_POLL`` (default 1)."""
    path = os.environ.get(STORE_ENV)
    if not path:
        raise RuntimeError(f"set {STORE_ENV} to the store file")
    return create_app(path, poll=float(os.environ.get(POLL_ENV, "1.0")))

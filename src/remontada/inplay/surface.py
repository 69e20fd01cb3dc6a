"""The value surface of a second leg: one backward pass from kick-off answers every (minute, score).

The in-play chain of a second leg started at kick-off (:meth:`InplayModel.chain` from 0-0) visits
every score of the leg at every step boundary: cell ``(i, j)`` at boundary ``k`` *is* the leg
standing ``i``-``j`` after ``k`` steps, and its scoring rates there are the rates the chain
started at that minute from that score uses (the same lead rule, period and red cards, read off
the same :class:`~remontada.inplay.model.InplayModel`). One :meth:`GoalChain.backward` pass of
P(A goes through | the leg ends at this score) therefore holds P(A through) for every state of
the match, and the comeback curve from any state is a lookup (:meth:`LiveSurface.curve`)
instead of a chain built and run backwards per question.

Only states on a step boundary are answered (every whole minute of regular time, ``45`` and
``90`` before added time, ``HT``); a minute inside a step (fractional, or within added time off
the grid) gets ``None`` and the caller takes the exact path
(:meth:`~remontada.inplay.comeback.LiveSecondLeg.comeback_curve`). The grid is widened by
:data:`SCORES` goals a side, so that the cells the exact path treats as "that many goals or more"
are inside the surface; scores beyond it are answered by the exact path too. The two agree to
within the chain's tail cut (:data:`~remontada.inplay.model.DEFAULT_TAIL`, 1e-9).

Surfaces are kept per (in-play model, pre-match rates, first leg, rules, sides, red cards), least
recently used dropped first (:func:`surface_for`).

:class:`FinalsSurface` does the same for the goals still to come (what :meth:`InplayModel.remaining`
gives, and with it the live answer's final score, aggregate, scenarios and "needs"): one backward pass
whose terminals are the one-hot final cells holds P(the leg ends at each score | every state), and the
remaining-goals grid of a state on the grid is a lookup instead of a chain built and run forward
(:func:`finals_for`; a league match, a single-match knockout and a second leg alike).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from remontada.grid import ScoreGrid
from remontada.inplay.comeback import ComebackCurve, LiveSecondLeg, clock_labels
from remontada.inplay.model import (
    InplayModel,
    LeadRule,
    MatchClock,
    clock_position,
    regular_steps,
    second_leg_lead,
)
from remontada.penalties import ShootoutModel

#: Goals a side the leg's score may already have for a state to be answered from the surface.
SCORES = 6
#: Surfaces kept per process (each about 0.45 MB: values and chances at scores up to SCORES + 2 a side).
SURFACES = 32
#: Goals-to-come surfaces kept per process (each about 11 MB at the rates of a Champions League tie:
#: 101 boundaries x 49 scores x the kick-off grid of goals to come, in float64).
FINALS = 16
#: Final cells run backwards at once when a goals-to-come surface is built (bounds its working memory:
#: about 40 MB at the rates of a Champions League tie).
FINALS_CHUNK = 96
#: How far (minutes) a state's first step may be from a whole step for it to count as on the grid
#: (the extended clock is a sum of float durations: HT lands within ~1e-14 of its boundary).
ON_GRID = 1e-9
#: The least P(no goal yet) from kick-off to a state for its curve to be read off the running sums (below it,
#: dividing by it would lose digits: the curve is summed from the state instead).
MIN_NOTHING = 1e-4


@dataclass(frozen=True, eq=False)
class LiveSurface:
    """P(A goes through) from every score of a second leg at every step boundary of regular time.

    ``values[k, i, j]``: P(A through | the leg (B, A) stands ``i``-``j`` at boundary ``k``), for
    scores up to :data:`SCORES` (+2) a side; ``home``/``away``: the chain's chances that B / A
    scores 0, 1, 2 goals in step ``k`` from those cells (``[m][k, i, j]``); ``clock``: the regular
    minute at each boundary; ``ends``/``durations``: where each step ends and how long it is on the
    model's extended clock (added time included).
    """

    tie: LiveSecondLeg
    params: Any
    values: np.ndarray
    home: tuple[np.ndarray, np.ndarray, np.ndarray]
    away: tuple[np.ndarray, np.ndarray, np.ndarray]
    clock: np.ndarray
    ends: np.ndarray
    durations: np.ndarray
    #: The curves' clock labels per (boundary, hair, start): the same for every score and side.
    labels: dict[tuple[int, bool, str, float], np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, tie: LiveSecondLeg, model: InplayModel, shootout: ShootoutModel | None = None) -> LiveSurface:
        """One backward pass from kick-off of ``tie`` (its rates, rules and red cards) under ``model``."""
        lead = second_leg_lead(tie.first_leg, (0, 0), away_goals=tie.rules.away_goals)
        b_rate, a_rate = tie.rates
        natural = model.chain(b_rate, a_rate, minute=0.0, red_cards=tie.red_cards, lead=lead).shape
        shape = (natural[0] + SCORES, natural[1] + SCORES)
        chain = model.chain(b_rate, a_rate, minute=0.0, red_cards=tie.red_cards, lead=lead, shape=shape)
        values = chain.backward(tie.terminal_values((0, 0), shape, model, shootout))
        keep = (slice(None), slice(0, SCORES + 3), slice(0, SCORES + 3))

        def cells(table: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(table.reshape(chain.n_steps, *shape)[keep])

        start, duration, _ = regular_steps(model.params)
        return cls(
            tie=tie,
            params=model.params,
            values=np.ascontiguousarray(values[keep]),
            home=(cells(chain.home[0]), cells(chain.home[1]), cells(chain.home[2])),
            away=(cells(chain.away[0]), cells(chain.away[1]), cells(chain.away[2])),
            clock=np.asarray(chain.clock, dtype=float),
            ends=start + duration,
            durations=duration,
        )

    def boundary(self, clock: MatchClock) -> tuple[int, bool] | None:
        """Where the chain :meth:`InplayModel.chain` starts at ``clock`` begins in this surface:
        ``(k, False)`` when ``clock`` is step boundary ``k``; ``(k, True)`` when it is a hair
        before it (the extended clock is a sum of float durations: half-time lands within ~1e-14
        minutes of its boundary, and the chain then starts with a step of that length, which moves
        nothing); ``None`` inside a step or at the final whistle."""
        position = clock_position(self.params, clock)
        first = int(np.searchsorted(self.ends, position, side="right"))
        if first >= len(self.ends):
            return None  # the final whistle: no step left
        first_duration = float(self.ends[first] - position)
        if abs(first_duration - float(self.durations[first])) <= ON_GRID:
            return first, False
        if first_duration <= ON_GRID and first + 1 < len(self.ends):
            return first + 1, True
        return None

    def curve(self, team: str, *, minute: str | float | MatchClock, score: tuple[int, int]) -> ComebackCurve | None:
        """``team``'s comeback curve from ``minute`` with the leg at ``score`` (B, A), as
        :meth:`LiveSecondLeg.comeback_curve` gives it; ``None`` off the grid (ask that instead)."""
        clock = MatchClock.parse(minute)
        b_now, a_now = score
        if not (0 <= b_now <= SCORES and 0 <= a_now <= SCORES):
            return None
        where = self.boundary(clock)
        if where is None:
            return None
        k, hair = where
        side = self.tie.side_of(team)

        def rows(table: np.ndarray, i: int, j: int, before: float) -> np.ndarray:
            """``table[k:, i, j]``, after the hair-thin first step's ``before`` when the chain has one."""
            column = table[k:, i, j]
            return np.concatenate([[before], column]) if hair else column

        values = self.values[k:]
        if hair:
            values = np.concatenate([values[:1], values])
        if side == "b":
            values = 1.0 - values
        goal = (0, 1) if side == "a" else (1, 0)
        two = (0, 2) if side == "a" else (2, 0)
        unchanged = values[:, b_now, a_now]
        after_goal = values[:, b_now + goal[0], a_now + goal[1]]
        running = self._running[side]
        if running[0][k, b_now, a_now] > MIN_NOTHING:
            # the sums from boundary k read off the running sums from kick-off (P(no goal yet) divides out); a
            # hair-thin first step adds a row in which nothing can happen
            nothing_before, scored_before, gained_before = (table[:, b_now, a_now] for table in running)
            scored = scored_before[k + 1 :] - scored_before[k]
            share = np.concatenate([[0.0, 0.0] if hair else [0.0], scored / nothing_before[k]])
            with np.errstate(invalid="ignore", divide="ignore"):
                by = (gained_before[k + 1 :] - gained_before[k]) / scored
            first = after_goal[:2] if hair else after_goal[:1]
            by = np.concatenate([first, np.where(np.isfinite(by), by, after_goal[len(first) :])])
            return self._curve(side, clock, k, hair, score, unchanged, after_goal, by, share)
        # the same sums as the exact path, read at this state's cell of the surface
        h0, h1, h2 = (rows(t, b_now, a_now, float(m == 0)) for m, t in enumerate(self.home))
        a0, a1, a2 = (rows(t, b_now, a_now, float(m == 0)) for m, t in enumerate(self.away))
        nothing = np.concatenate([[1.0], np.cumprod(h0 * a0)])[:-1]
        if side == "a":
            one, two_goals = h0 * a1, h0 * a2
        else:
            one = h1 * rows(self.away[0], b_now + 1, a_now, 1.0)
            two_goals = h2 * rows(self.away[0], b_now + 2, a_now, 1.0)
        scored = nothing * (one + two_goals)
        gained = nothing * (one * values[1:, b_now + goal[0], a_now + goal[1]] + two_goals * values[1:, b_now + two[0],
                                                                                                    a_now + two[1]])
        share = np.concatenate([[0.0], np.cumsum(scored)])
        with np.errstate(invalid="ignore", divide="ignore"):
            by = np.concatenate([[after_goal[0]], np.cumsum(gained) / np.cumsum(scored)])
        by = np.where(np.isfinite(by), by, after_goal)
        return self._curve(side, clock, k, hair, score, unchanged, after_goal, by, share)

    @cached_property
    def _running(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per side (``"a"``, ``"b"``) and score up to :data:`SCORES` a side, over the boundaries from kick-off:
        P(no goal in the steps before boundary ``t``) from the cell, and the running sums of P(the side's goal
        is the next, in step ``t``) and of that times P(through) after it, each weighted by the first: the
        curve's cumulative columns from any boundary are differences of these (:meth:`curve`)."""
        n = SCORES + 1
        h0, h1, h2 = (table[:, :n, :n] for table in self.home)
        a0, a1, a2 = (table[:, :n, :n] for table in self.away)
        nothing = np.concatenate([np.ones((1, n, n)), np.cumprod(h0 * a0, axis=0)])
        out = {}
        for side in ("a", "b"):
            values = self.values if side == "a" else 1.0 - self.values
            if side == "a":
                one, two = h0 * a1, h0 * a2
                after_one, after_two = values[1:, :n, 1 : n + 1], values[1:, :n, 2 : n + 2]
            else:
                one, two = h1 * self.away[0][:, 1 : n + 1, :n], h2 * self.away[0][:, 2 : n + 2, :n]
                after_one, after_two = values[1:, 1 : n + 1, :n], values[1:, 2 : n + 2, :n]
            zero = np.zeros((1, n, n))
            scored = np.concatenate([zero, np.cumsum(nothing[:-1] * (one + two), axis=0)])
            gained = np.concatenate([zero, np.cumsum(nothing[:-1] * (one * after_one + two * after_two), axis=0)])
            out[side] = (nothing, scored, gained)
        return out

    def _curve(
        self,
        side: str,
        clock: MatchClock,
        k: int,
        hair: bool,
        score: tuple[int, int],
        unchanged: np.ndarray,
        after_goal: np.ndarray,
        by: np.ndarray,
        share: np.ndarray,
    ) -> ComebackCurve:
        clock_now = np.concatenate([[clock.minute], self.clock[k + (0 if hair else 1) :]])
        key = (k, hair, str(clock), clock.minute)
        labels = self.labels.get(key)
        if labels is None:
            labels = self.labels[key] = clock_labels(clock_now, str(clock))
        a_name, b_name = self.tie.teams
        return ComebackCurve(
            team=a_name if side == "a" else b_name,
            opponent=b_name if side == "a" else a_name,
            start=str(clock),
            score=score,
            first_leg=self.tie.first_leg,
            label=labels.copy(),
            minute=clock_now.astype(float),
            if_unchanged=unchanged,
            if_next_goal_at=after_goal,
            if_next_goal_by=by,
            next_goal_share=share,
        )


_SURFACES: OrderedDict[tuple[Any, ...], LiveSurface] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[tuple[Any, ...], threading.Lock] = {}


def surface_for(tie: LiveSecondLeg, model: InplayModel, shootout: ShootoutModel | None = None) -> LiveSurface:
    """The surface of ``tie`` under ``model``, built once and kept (requests asking for it at the same
    time wait for one build)."""
    key = (model.params, model.tail, tie.first_leg, tuple(float(r) for r in tie.rates), tie.rules, tie.teams,
           tie.red_cards, shootout)  # fmt: skip
    with _LOCK:
        found = _SURFACES.get(key)
        if found is not None:
            _SURFACES.move_to_end(key)
            return found
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _LOCK:
            found = _SURFACES.get(key)
        if found is None:
            found = LiveSurface.build(tie, model, shootout)
            with _LOCK:
                _SURFACES[key] = found
                while len(_SURFACES) > SURFACES:
                    _SURFACES.popitem(last=False)
    with _LOCK:
        _BUILDING.pop(key, None)
    return found


def _boundary(params: Any, ends: np.ndarray, durations: np.ndarray, clock: MatchClock) -> int | None:
    """The step boundary whose remaining chain is the one :meth:`InplayModel.chain` starts at ``clock``
    (``clock`` on a boundary, or a hair before it: see :meth:`LiveSurface.boundary`); ``None`` inside a step
    or at the final whistle."""
    position = clock_position(params, clock)
    first = int(np.searchsorted(ends, position, side="right"))
    if first >= len(ends):
        return None
    first_duration = float(ends[first] - position)
    if abs(first_duration - float(durations[first])) <= ON_GRID:
        return first
    if first_duration <= ON_GRID and first + 1 < len(ends):
        return first + 1  # a step of ~1e-14 minutes first: it moves nothing
    return None


@dataclass(frozen=True, eq=False)
class FinalsSurface:
    """The goals still to come from every score of a match at every step boundary of regular time.

    ``table[k, i, j, h, a]``: P(the home side scores ``h`` more and the away side ``a`` more | the match
    (the leg) stands ``i``-``j`` at boundary ``k``), for scores up to :data:`SCORES` a side and goals to
    come on the grid of :meth:`InplayModel.chain` from kick-off (its last row and column: that many or
    more, as in the chain). ``tail``: the model's tail cut, applied as :meth:`InplayModel.remaining` does.
    """

    params: Any
    tail: float
    table: np.ndarray
    ends: np.ndarray
    durations: np.ndarray
    #: Tables read off this surface (e.g. :class:`~remontada.inplay.tables.StateTables`), kept by their
    #: inputs (:func:`derived_for`); ``None`` for a build that failed.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        model: InplayModel,
        rates: tuple[float, float],
        *,
        red_cards: tuple[int, int],
        lead: LeadRule,
    ) -> FinalsSurface:
        """One backward pass from kick-off, ``lead`` the home side's lead (:func:`match_lead` from 0-0,
        :func:`second_leg_lead` from the first leg and 0-0) as a function of goals scored from kick-off."""
        home_rate, away_rate = rates
        natural = model.chain(home_rate, away_rate, minute=0.0, red_cards=red_cards, lead=lead).shape
        rows, cols = natural[0] + SCORES, natural[1] + SCORES
        chain = model.chain(home_rate, away_rate, minute=0.0, red_cards=red_cards, lead=lead, shape=(rows, cols))
        n_rows, n_cols = natural
        states = SCORES + 1
        table = np.empty((chain.n_steps + 1, states, states, n_rows, n_cols))
        # the chance of ending at final cell f from state (i, j) is the backward value of f's one-hot terminal;
        # the goals to come from (i, j) are the final cells from (i, j) on, the last row and column "or more"
        size = rows * cols
        by_final = np.empty((chain.n_steps + 1, states, states, rows, cols))
        for start in range(0, size, FINALS_CHUNK):
            stop = min(size, start + FINALS_CHUNK)
            terminal = np.zeros((stop - start, size))
            terminal[np.arange(stop - start), np.arange(start, stop)] = 1.0
            values = chain.backward(terminal.reshape(stop - start, rows, cols))  # (k, final, i, j)
            finals = np.moveaxis(values[:, :, :states, :states], 1, -1)  # (k, i, j, final)
            by_final.reshape(chain.n_steps + 1, states, states, size)[..., start:stop] = finals
        for i in range(states):
            for j in range(states):
                block = by_final[:, i, j, i:, j:]  # (k, more home, more away)
                block = np.concatenate([block[:, : n_rows - 1], block[:, n_rows - 1 :].sum(axis=1, keepdims=True)], 1)
                table[:, i, j] = np.concatenate(
                    [block[:, :, : n_cols - 1], block[:, :, n_cols - 1 :].sum(axis=2, keepdims=True)], 2
                )
        start_times, duration, _ = regular_steps(model.params)
        return cls(model.params, model.tail, table, start_times + duration, duration)

    def boundary(self, clock: MatchClock) -> int | None:
        """The step boundary the chain started at ``clock`` begins at; ``None`` inside a step or at the final
        whistle."""
        return _boundary(self.params, self.ends, self.durations, clock)

    def remaining(self, minute: str | float | MatchClock, score: tuple[int, int]) -> ScoreGrid | None:
        """The goals to come from ``minute`` with the match at ``score`` (home, away), as
        :meth:`InplayModel.remaining` gives them; ``None`` off the grid (ask that instead)."""
        home, away = score
        if not (0 <= home <= SCORES and 0 <= away <= SCORES):
            return None
        k = self.boundary(MatchClock.parse(minute))
        if k is None:
            return None
        return ScoreGrid.from_matrix(self.table[k, home, away], self.tail)


_FINALS: OrderedDict[tuple[Any, ...], FinalsSurface] = OrderedDict()
_FINALS_BUILDING: dict[tuple[Any, ...], threading.Lock] = {}
#: Whether :func:`finals_for` builds a missing surface in a thread of its own and answers ``None`` meanwhile
#: (a server: the first question about a match or red-card state takes the exact path instead of waiting
#: half a second for the build) or builds it before answering (a library call, a command line). Set by
#: :func:`build_in_background`.
BACKGROUND = False


def build_in_background(on: bool = True) -> None:
    """Build goals-to-come surfaces in the background (``on``) or before answering (the default)."""
    global BACKGROUND
    BACKGROUND = on


#: What is read off a surface: (its key, the function building it from the surface).
Derive = tuple[Any, Callable[[FinalsSurface], Any]]


def finals_for(
    model: InplayModel,
    rates: tuple[float, float],
    *,
    red_cards: tuple[int, int],
    lead: LeadRule,
    lead_key: Any,
    derive: Derive | None = None,
) -> FinalsSurface | None:
    """The goals-to-come surface of a match under ``model``, built once and kept (requests asking for it at
    the same time wait for one build); with :data:`BACKGROUND`, ``None`` until a build started in a thread
    of its own is done. ``lead_key`` names ``lead`` (e.g. ``("match",)`` or the first leg and the away-goals
    rule): surfaces are kept per (model, rates, red cards, lead_key). ``derive``: tables read off the surface,
    built right after it (in the same thread) and kept on it (:func:`derived_for` reads them)."""
    key = (model.params, model.tail, tuple(float(r) for r in rates), tuple(red_cards), lead_key)
    with _LOCK:
        found = _FINALS.get(key)
        if found is not None:
            _FINALS.move_to_end(key)
            return found
        if BACKGROUND:
            if key not in _FINALS_BUILDING:
                building = _FINALS_BUILDING[key] = threading.Lock()
                threading.Thread(target=_build, args=(key, building, model, rates, red_cards, lead, derive),
                                 daemon=True, name="remontada-surface").start()  # fmt: skip
            return None
        building = _FINALS_BUILDING.setdefault(key, threading.Lock())
    return _build(key, building, model, rates, red_cards, lead, derive)


_DERIVING: set[tuple[int, Any]] = set()


def derived_for(finals: FinalsSurface, derive: Derive) -> Any | None:
    """The tables ``derive`` names, read off ``finals``: built once and kept on the surface; with
    :data:`BACKGROUND`, ``None`` until a build started in a thread of its own is done (and ``None`` when the
    build failed: the caller answers without them)."""
    key, _ = derive
    found = finals.derived.get(key)
    if found is not None or key in finals.derived:
        return found
    if BACKGROUND:
        with _LOCK:
            if (id(finals), key) in _DERIVING:
                return None
            _DERIVING.add((id(finals), key))
        threading.Thread(target=_derive, args=(finals, derive), daemon=True, name="remontada-tables").start()
        return None
    return _derive(finals, derive)


def _derive(finals: FinalsSurface, derive: Derive) -> Any | None:
    key, build = derive
    try:
        with _LOCK:
            if key in finals.derived:
                return finals.derived[key]
        try:
            value = build(finals)
        except (ValueError, MemoryError):
            value = None
        with _LOCK:
            return finals.derived.setdefault(key, value)
    finally:
        with _LOCK:
            _DERIVING.discard((id(finals), key))


def _build(
    key: tuple[Any, ...],
    building: threading.Lock,
    model: InplayModel,
    rates: tuple[float, float],
    red_cards: tuple[int, int],
    lead: LeadRule,
    derive: Derive | None = None,
) -> FinalsSurface | None:
    """Build the surface under ``key`` once (callers of the same key wait for one build) and keep it, with
    the tables ``derive`` names; ``None`` when the build fails (the exact path then answers, and says what is
    wrong)."""
    try:
        with building:
            with _LOCK:
                found = _FINALS.get(key)
            if found is None:
                found = FinalsSurface.build(model, rates, red_cards=red_cards, lead=lead)
                if derive is not None:
                    _derive(found, derive)
                with _LOCK:
                    _FINALS[key] = found
                    while len(_FINALS) > FINALS:
                        _FINALS.popitem(last=False)
        return found
    except (ValueError, MemoryError):
        return None
    finally:
        with _LOCK:
            _FINALS_BUILDING.pop(key, None)

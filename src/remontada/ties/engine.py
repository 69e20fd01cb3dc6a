"""Exact knockout-tie probabilities from score grids: before a tie, between its legs, and live.

Sides are named A and B. **A is at home in the first leg, B at home in the second.** Every
grid is written the way its match is written, home goals on rows and away goals on columns:

* ``leg1[i, j]`` = P(A scores i, B scores j) at A's ground;
* ``leg2[k, l]`` = P(B scores k, A scores l) at B's ground, 90 minutes;
* ``extra_time[m, n]`` = P(B scores m, A scores n) in extra time at B's ground.

For a single match (a final) A is the home or first-named side and every grid has A on rows.

Nothing is sampled. After 90 minutes of the second leg the tie is level with probability
``sum_d P(leg-1 margin = d) P(leg-2 margin = -d)``; the joint law of the two sides' away goals
on that event is the product ``F1.T @ F2`` of two small matrices (leg-1 margin x B's away goals,
leg-2 margin x A's away goals), and extra time and the decider act on that J x L matrix. The
cost is a few dozen numpy calls on arrays of a few hundred cells per tie, with no loop over
scorelines; ``benchmarks/tie.py`` prints the time per tie for each entry point.

Extra time defaults to the leg-2 (or single-match) expected goals scaled to
``rules.extra_time_minutes / 90`` with independent Poisson goals; pass ``extra_time`` to use a
better grid. Penalties come from :class:`remontada.penalties.ShootoutModel`; a coin toss is an
exact one-half. Replays are not modelled: the engine raises :class:`UnmodelledRuleError` when
a replay can decide the tie unless the caller asks for ``on_unmodelled="even"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
from scipy import signal

from remontada.errors import InvalidInput
from remontada.grid import ScoreGrid
from remontada.inplay.model import InplayModel, MatchClock, match_lead, second_leg_lead
from remontada.kernels import apply_dixon_coles, poisson_pmf, poisson_upper, shift_scores
from remontada.penalties import ShootoutModel
from remontada.rules import TieRules

Stage = Literal["before_first_leg", "between_legs", "live_second_leg", "single_match", "live_single_match"]
OnUnmodelled = Literal["raise", "even"]


class UnmodelledRuleError(InvalidInput):
    """The rules settle a level tie by a replay, which remontada records but does not model."""


@dataclass(frozen=True, slots=True)
class RouteSplit:
    """How one side goes through, as probabilities in [0, 1] that add up to its P(through).

    ``regulation``: more aggregate goals after 90 minutes of the second leg (or of the match);
    ``away_goals``: level aggregate, more away goals after those 90 minutes;
    ``extra_time``: more goals in extra time; ``extra_time_away_goals``: level after extra
    time, more away goals counting extra-time goals; ``decider``: penalties, coin toss, or
    (when asked for) an even split standing in for a replay.
    """

    regulation: float
    away_goals: float
    extra_time: float
    extra_time_away_goals: float
    decider: float

    @property
    def total(self) -> float:
        return self.regulation + self.away_goals + self.extra_time + self.extra_time_away_goals + self.decider

    @property
    def after_90(self) -> float:
        """Through when the second leg's (or match's) 90 minutes end."""
        return self.regulation + self.away_goals

    @property
    def in_extra_time(self) -> float:
        return self.extra_time + self.extra_time_away_goals

    def to_dict(self) -> dict[str, float]:
        return {
            "regulation": self.regulation,
            "away_goals": self.away_goals,
            "extra_time": self.extra_time,
            "extra_time_away_goals": self.extra_time_away_goals,
            "decider": self.decider,
        }


@dataclass(frozen=True, slots=True)
class Scenario:
    """One final score of the next match to finish, and what it means for the tie.

    ``home_goals``/``away_goals`` as that match is written (the second leg has B at home).
    ``p_a_through`` is P(A goes through | this score), in [0, 1]: 0 or 1 when the score settles
    the tie, in between when extra time, the decider or (before the first leg) the second leg
    still has to be played. ``outcome`` is ``a``/``b`` (settled on aggregate or score),
    ``a_away_goals``/``b_away_goals``, ``extra_time`` or ``open`` (a first-leg score).
    """

    match: str
    home_goals: int
    away_goals: int
    probability: float
    p_a_through: float
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "score": f"{self.home_goals}-{self.away_goals}",
            "probability": self.probability,
            "p_a_through": self.p_a_through,
            "outcome": self.outcome,
        }


@dataclass(frozen=True, eq=False)
class TieForecast:
    """The answer for one tie: who goes through, how, and which scores decide it.

    Probabilities are in [0, 1]. ``next_match_probs[h, a]`` is the law of the final score of
    the next match to finish (first leg before the tie, second leg between legs or live, the
    match itself for a single match) and ``next_match_p_a[h, a]`` P(A through | that score).
    """

    team_a: str
    team_b: str
    rules: TieRules
    stage: Stage
    split_a: RouteSplit
    split_b: RouteSplit
    p_extra_time: float
    p_decider: float
    decider_modelled: bool
    next_match: str
    next_match_probs: np.ndarray = field(repr=False)
    first_leg: tuple[int, int] | None = None
    minute: float | None = None
    score_now: tuple[int, int] | None = None
    _p_a_table: Callable[[], np.ndarray] | None = field(default=None, repr=False)
    _leg1: np.ndarray | None = field(default=None, repr=False)
    _leg2: np.ndarray | None = field(default=None, repr=False)

    @property
    def p_a(self) -> float:
        """P(A goes through)."""
        return self.split_a.total

    @property
    def p_b(self) -> float:
        """P(B goes through)."""
        return self.split_b.total

    def _side(self, team: str) -> str:
        return side_of(team, (self.team_a, self.team_b))

    def p_through(self, team: str) -> float:
        """P(``team`` goes through); ``team`` is a name given to the forecast, or ``"A"``/``"B"``."""
        return self.p_a if self._side(team) == "a" else self.p_b

    def split(self, team: str) -> RouteSplit:
        return self.split_a if self._side(team) == "a" else self.split_b

    @cached_property
    def next_match_p_a(self) -> np.ndarray:
        """``[h, a]`` = P(A goes through | the next match ends h-a), in [0, 1]; built on first use."""
        if self._p_a_table is None:
            raise ValueError("this forecast was built without a per-score table")
        return self._p_a_table()

    @cached_property
    def aggregate(self) -> np.ndarray:
        """``[x, y]`` = P(A has x and B has y goals on aggregate after 90 minutes of the second leg).

        For a single match this is the match score after 90 minutes.
        """
        if self._leg2 is None:
            return self.next_match_probs.copy()
        leg1 = self._leg1 if self._leg1 is not None else np.ones((1, 1))
        a1, b1 = leg1.shape[0] - 1, leg1.shape[1] - 1
        if leg1[a1, b1] == 1.0 and np.count_nonzero(leg1) == 1:
            # a known first leg (a point at its corner): the convolution only moves the second leg's grid, and
            # every cell is that grid's number (times one, plus zeros), so place it
            return shift_scores(self._leg2.T, a1, b1)
        return signal.convolve2d(leg1, self._leg2.T)

    @cached_property
    def away_goals(self) -> np.ndarray | None:
        """``[x, y]`` = P(A scored x away goals, B scored y) after 90 minutes of the second leg;
        ``None`` when away goals play no part in these rules."""
        if self._leg2 is None or not (self.rules.away_goals or self.rules.away_goals_in_extra_time):
            return None
        leg1 = self._leg1 if self._leg1 is not None else np.ones((1, 1))
        return np.outer(self._leg2.sum(axis=0), leg1.sum(axis=0))

    def scenarios(self, n: int = 10, min_probability: float = 0.0) -> list[Scenario]:
        """The ``n`` most likely final scores of the next match, most likely first."""
        return self._pick(self.next_match_probs, n, min_probability)

    def needs(self, team: str, n: int = 5) -> list[Scenario]:
        """What ``team`` needs: the scores of the next match that carry most of its chance
        (probability of the score times P(through | score)), largest first. Scores that only
        take the tie to extra time or the decider appear with their conditional chance."""
        side = self._side(team)
        p_team = self.next_match_p_a if side == "a" else 1.0 - self.next_match_p_a
        contribution = np.where(p_team > 1e-12, self.next_match_probs * p_team, -1.0)
        return self._pick(contribution, n, 0.0)

    def _pick(self, ranking: np.ndarray, n: int, min_value: float) -> list[Scenario]:
        """Scenarios for the ``n`` cells with the largest ``ranking`` above ``min_value``."""
        # largest first, equal values in the order of their cells (a stable sort: the same cells whichever way the
        # grid was computed; the live answer's tables pick them so)
        order = np.argsort(-ranking, axis=None, kind="stable")[:n]
        homes, aways = np.unravel_index(order, ranking.shape)  # read as one array each, not cell by cell
        values = ranking[homes, aways].tolist()
        p_as = self.next_match_p_a[homes, aways].tolist()
        probabilities = self.next_match_probs[homes, aways].tolist()
        picked = []
        for home, away, value, p_a, probability in zip(homes.tolist(), aways.tolist(), values, p_as, probabilities,
                                                       strict=True):  # fmt: skip
            if value <= min_value:
                break
            picked.append(Scenario(self.next_match, home, away, probability, p_a, self._outcome(home, away)))
        return picked

    def _outcome(self, home: int, away: int) -> str:
        """How a final score of the next match settles the tie (read off the score and rules)."""
        if self.next_match == "first_leg":
            return "open"
        unsettled = "extra_time" if self.rules.has_extra_time else self.rules.decider
        if self.next_match == "match":
            return "a" if home > away else "b" if away > home else unsettled
        a1, b1 = self.first_leg if self.first_leg is not None else (0, 0)
        a_total, b_total = a1 + away, b1 + home
        if a_total != b_total:
            return "a" if a_total > b_total else "b"
        if self.rules.away_goals and away != b1:
            return "a_away_goals" if away > b1 else "b_away_goals"
        return unsettled

    def to_dict(self, n_scenarios: int = 10) -> dict[str, Any]:
        """A JSON-ready summary (floats, strings, lists)."""
        agg = self.aggregate
        top_agg = np.argsort(-agg, axis=None, kind="stable")[:10]  # equal values in the order of their cells
        xs, ys = (a.tolist() for a in np.unravel_index(top_agg, agg.shape))  # read at once, not cell by cell
        ps = agg.flat[top_agg].tolist()
        return {
            "team_a": self.team_a,
            "team_b": self.team_b,
            "stage": self.stage,
            "rules": self.rules.describe(),
            "first_leg": f"{self.first_leg[0]}-{self.first_leg[1]}" if self.first_leg is not None else None,
            "minute": self.minute,
            "score_now": f"{self.score_now[0]}-{self.score_now[1]}" if self.score_now is not None else None,
            "p_through": {self.team_a: self.p_a, self.team_b: self.p_b},
            "routes": {self.team_a: self.split_a.to_dict(), self.team_b: self.split_b.to_dict()},
            "p_extra_time": self.p_extra_time,
            "p_decider": self.p_decider,
            "decider": self.rules.decider,
            "decider_modelled": self.decider_modelled,
            "aggregate": [
                {"score": f"{x}-{y}", "probability": p} for x, y, p in zip(xs, ys, ps, strict=True)
            ],
            "scenarios": [s.to_dict() for s in self.scenarios(n_scenarios)],
            "needs": {
                self.team_a: [s.to_dict() for s in self.needs(self.team_a)],
                self.team_b: [s.to_dict() for s in self.needs(self.team_b)],
            },
        }


# ---- grids for parts of a match --------------------------------------------------------------

_TAIL = 1e-9


def side_of(team: str, teams: tuple[str, str]) -> str:
    """``"a"`` or ``"b"``: which of ``teams`` (A, B) ``team`` is, by the name given or ``"A"``/``"B"``.

    Raises ``KeyError`` for a team in neither place.
    """
    if team in (teams[0], "a", "A"):
        return "a"
    if team in (teams[1], "b", "B"):
        return "b"
    raise KeyError(f"{team!r} is not in this tie ({teams[0]} v {teams[1]})")


def _poisson_matrix(home_rate: float, away_rate: float, rho: float = 0.0) -> np.ndarray:
    """Independent Poisson goals (Dixon-Coles ``rho`` on the four low scores), summing to one;
    each side cut where its tail mass P(X > n) falls below ``_TAIL``."""
    for rate in (home_rate, away_rate):
        if not math.isfinite(rate) or rate < 0:
            raise ValueError(f"expected goals must be finite and non-negative, got {rate}")
    return _kept_poisson_matrix(float(home_rate), float(away_rate), float(rho))


@lru_cache(maxsize=1024)
def _kept_poisson_matrix(home_rate: float, away_rate: float, rho: float) -> np.ndarray:
    """:func:`_poisson_matrix`, kept by its rates (every hypothetical first leg of a tie with the same second-leg
    adjustment prices the same extra time), read-only."""
    home = poisson_pmf(np.arange(poisson_upper(home_rate, _TAIL) + 1.0), home_rate)
    away = poisson_pmf(np.arange(poisson_upper(away_rate, _TAIL) + 1.0), away_rate)
    matrix = np.outer(home, away)
    if rho:
        apply_dixon_coles(matrix, home_rate, away_rate, rho)
        if (matrix < 0).any():
            raise ValueError(f"rho={rho} gives negative probabilities at rates {home_rate}, {away_rate}")
    out = matrix / matrix.sum()
    out.setflags(write=False)
    return out


def _expected_goals(probs: np.ndarray) -> tuple[float, float]:
    return float(probs.sum(axis=1) @ np.arange(probs.shape[0])), float(probs.sum(axis=0) @ np.arange(probs.shape[1]))


def remaining_grid(
    home_rate: float,
    away_rate: float,
    minute: float,
    *,
    rho: float = 0.0,
    home_factor: float = 1.0,
    away_factor: float = 1.0,
    match_minutes: float = 90.0,
) -> ScoreGrid:
    """Goals still to come in a match at ``minute``, from 90-minute expected goals.

    Rates (goals per 90 minutes) are scaled by the share of time left,
    ``(match_minutes - minute) / match_minutes``, and by ``home_factor``/``away_factor`` (e.g.
    a red-card adjustment from the in-play model). A stand-in until :mod:`remontada.inplay.model`
    supplies a fitted remaining-time grid; :func:`forecast_live` accepts either.
    """
    if not 0.0 <= minute <= match_minutes:
        raise ValueError(f"minute must be within [0, {match_minutes}], got {minute}")
    if home_factor < 0 or away_factor < 0:
        raise ValueError("rate factors must be non-negative")
    share = (match_minutes - minute) / match_minutes
    return ScoreGrid(_poisson_matrix(home_rate * share * home_factor, away_rate * share * away_factor, rho))


def period_grid(grid: ScoreGrid, fraction: float) -> ScoreGrid:
    """Independent Poisson goals with ``fraction`` of ``grid``'s expected goals (e.g. 30/90
    for extra time from a 90-minute grid)."""
    if fraction < 0:
        raise ValueError(f"fraction of the period must be non-negative, got {fraction}")
    home, away = _expected_goals(grid.probs)
    return ScoreGrid(_poisson_matrix(home * fraction, away * fraction))


# ---- the engine -------------------------------------------------------------------------------


def _check_score(score: tuple[int, int], what: str) -> tuple[int, int]:
    if len(score) != 2:
        raise ValueError(f"{what} must be (home goals, away goals), got {score}")
    home, away = score
    if int(home) != home or int(away) != away or home < 0 or away < 0:
        raise ValueError(f"{what} must be two non-negative whole numbers of goals, got {score}")
    return int(home), int(away)


def _point(home: int, away: int) -> np.ndarray:
    out = np.zeros((home + 1, away + 1))
    out[home, away] = 1.0
    return out


def _decider_share(rules: TieRules, shootout: ShootoutModel, a_hosts: bool) -> tuple[float, bool]:
    """P(A wins the decider), and whether that number models what happens (a replay does not)."""
    if rules.decider == "penalties":
        return shootout.p_win(at_home=a_hosts, neutral=rules.neutral_venue), True
    return 0.5, rules.decider == "coin_toss"


def _refuse_if_reached(rules: TieRules, p_decider: float, on_unmodelled: OnUnmodelled) -> None:
    if rules.decider == "replay" and on_unmodelled == "raise" and p_decider > 0.0:
        raise UnmodelledRuleError(
            f"these rules ({rules.describe()}) settle a level tie by a replay, which is recorded but not "
            f"modelled; the tie reaches it with probability {p_decider:.4f}. Pass on_unmodelled='even' to "
            "split that probability 50/50."
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Layout:
    """Index arrays and 0/1 masks for one combination of grid shapes, built once and reused.

    ``f1[d1 + J - 1, j]`` = P(leg-1 margin d1 = i - j, B's away goals j) and
    ``f2[d2 + K - 1, l]`` = P(leg-2 margin d2 = l - k (A minus B), A's away goals l) are
    filled by ``bincount`` over ``flat1``/``flat2``; f2 carries one extra all-zero row. Row r
    of f1 is levelled by row ``partner_pad[r]`` of f2 (margin -d1, or the zero row when no
    leg-2 margin can level it), and ``ahead_index[r]`` reads P(leg-2 margin beats -d1) from the
    reversed cumulative sum of f2's row totals. On the J x L matrix of level outcomes, A's away
    goals minus B's is ``s = l - j``; ``s_code`` = s + J - 1 and the masks pick s > 0, < 0, = 0.
    """

    flat1: np.ndarray
    flat2: np.ndarray
    size1: int
    size2: int
    partner_pad: np.ndarray
    ahead_index: np.ndarray
    s_code: np.ndarray
    s_values: np.ndarray
    s_positive: np.ndarray
    s_zero: np.ndarray
    a_more_away: np.ndarray
    b_more_away: np.ndarray
    equal_away: np.ndarray


@lru_cache(maxsize=512)
def _layout(shape1: tuple[int, int], shape2: tuple[int, int]) -> _Layout:
    n_i, n_j = shape1
    n_k, n_l = shape2
    i1, j1 = np.indices(shape1)
    k2, l2 = np.indices(shape2)
    rows2 = n_k + n_l - 1
    partner = (n_j + n_k - 2) - np.arange(n_i + n_j - 1)
    inside = (partner >= 0) & (partner < rows2)
    s_grid = (np.arange(n_l)[None, :] - np.arange(n_j)[:, None]).ravel()
    return _Layout(
        flat1=((i1 - j1 + n_j - 1) * n_j + j1).ravel(),
        flat2=((l2 - k2 + n_k - 1) * n_l + l2).ravel(),
        size1=(n_i + n_j - 1) * n_j,
        size2=(rows2 + 1) * n_l,
        partner_pad=np.where(inside, partner, rows2),
        ahead_index=np.clip(partner, -1, rows2 - 1) + 1,
        s_code=s_grid + n_j - 1,
        s_values=np.arange(-(n_j - 1), n_l),
        s_positive=(np.arange(-(n_j - 1), n_l) > 0).astype(float),
        s_zero=(np.arange(-(n_j - 1), n_l) == 0).astype(float),
        a_more_away=(s_grid > 0).astype(float),
        b_more_away=(s_grid < 0).astype(float),
        equal_away=(s_grid == 0).astype(float),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _ExtraTimeLayout:
    """0/1 masks over an extra-time grid (home side on rows) and, per away-goal difference s,
    over its n-n diagonal: A (the away side) leads on away goals after extra time when
    ``s + n > 0``."""

    home_wins: np.ndarray
    away_wins: np.ndarray
    diagonal: np.ndarray
    a_ahead: np.ndarray
    b_ahead: np.ndarray
    still_level: np.ndarray


@lru_cache(maxsize=512)
def _extra_time_layout(shape: tuple[int, int], s_min: int, n_s: int) -> _ExtraTimeLayout:
    rows, cols = shape
    n_diag = min(rows, cols)
    margin = np.arange(s_min, s_min + n_s)[:, None] + np.arange(n_diag)[None, :]
    return _ExtraTimeLayout(
        home_wins=np.tri(rows, cols, -1).ravel(),
        away_wins=(1.0 - np.tri(rows, cols, 0)).ravel(),
        diagonal=np.arange(n_diag) * (cols + 1),
        a_ahead=(margin > 0).astype(float),
        b_ahead=(margin < 0).astype(float),
        still_level=(margin == 0).astype(float),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _LevelOutcomes:
    """For a tie level on aggregate after 90 minutes and sent on to extra time, per away-goal
    difference ``s`` (A's away goals minus B's): P(A / B wins extra time on goals), P(A / B
    through on away goals after extra time), P(the decider is reached)."""

    a_goals: float
    b_goals: float
    a_away: np.ndarray | float
    b_away: np.ndarray | float
    to_decider: np.ndarray | float


def _level_outcomes(s_values: np.ndarray, rules: TieRules, extra: np.ndarray | None) -> _LevelOutcomes:
    """Extra time at B's ground (``extra[m, n]``: B scores m, A scores n) for every s at once."""
    if extra is None or not rules.has_extra_time:
        return _LevelOutcomes(0.0, 0.0, 0.0, 0.0, 1.0)
    lay = _extra_time_layout(extra.shape, int(s_values[0]), len(s_values))
    flat = extra.ravel()
    b_goals = float(flat @ lay.home_wins)
    a_goals = float(flat @ lay.away_wins)
    level_at = flat[lay.diagonal]  # P(extra time ends n-n)
    if not rules.away_goals_in_extra_time:
        return _LevelOutcomes(a_goals, b_goals, 0.0, 0.0, float(level_at.sum()))
    return _LevelOutcomes(a_goals, b_goals, lay.a_ahead @ level_at, lay.b_ahead @ level_at, lay.still_level @ level_at)


@dataclass(frozen=True, slots=True, eq=False)
class _TwoLegResult:
    split_a: RouteSplit
    split_b: RouteSplit
    p_extra_time: float
    p_decider: float
    when_level: np.ndarray  # P(A through | level after 90, away difference s), indexed s + J - 1
    f2: np.ndarray  # with its trailing zero row
    tail2: np.ndarray  # tail2[r] = P(leg-2 margin row >= r)


def _weighted(weights: np.ndarray, per_s: np.ndarray | float, total: float) -> float:
    """``sum_s weights[s] * per_s[s]``, where ``per_s`` may be one number for every s."""
    if isinstance(per_s, float):
        return per_s * total
    return float(weights @ per_s)


def _two_legs(leg1: np.ndarray, leg2: np.ndarray, extra: np.ndarray | None, rules: TieRules, q: float) -> _TwoLegResult:
    """Exact route splits for both sides; ``q`` = P(A wins the decider)."""
    lay = _layout(leg1.shape, leg2.shape)
    n_j, n_l = leg1.shape[1], leg2.shape[1]
    f1 = np.bincount(lay.flat1, weights=leg1.ravel(), minlength=lay.size1).reshape(-1, n_j)
    f2 = np.bincount(lay.flat2, weights=leg2.ravel(), minlength=lay.size2).reshape(-1, n_l)
    level = (f1.T @ f2[lay.partner_pad]).ravel()  # [j, l] = P(level after 90, B has j away goals, A has l)
    tail2 = np.cumsum(f2.sum(axis=1)[::-1])[::-1]
    a_regulation = float(f1.sum(axis=1) @ tail2[lay.ahead_index])
    p_level = float(level.sum())
    b_regulation = max(0.0, 1.0 - a_regulation - p_level)

    if rules.away_goals:
        a_away = float(level @ lay.a_more_away)
        b_away = float(level @ lay.b_more_away)
        beyond_90 = level * lay.equal_away
    else:
        a_away = b_away = 0.0
        beyond_90 = level
    weights = np.bincount(lay.s_code, weights=beyond_90, minlength=len(lay.s_values))
    out = _level_outcomes(lay.s_values, rules, extra)
    p_beyond = float(weights.sum())
    p_decider = _weighted(weights, out.to_decider, p_beyond)
    a_et_away = _weighted(weights, out.a_away, p_beyond)
    b_et_away = _weighted(weights, out.b_away, p_beyond)
    split_a = RouteSplit(a_regulation, a_away, p_beyond * out.a_goals, a_et_away, q * p_decider)
    split_b = RouteSplit(b_regulation, b_away, p_beyond * out.b_goals, b_et_away, (1.0 - q) * p_decider)
    when_level = out.a_goals + out.a_away + q * out.to_decider
    if isinstance(when_level, float):
        when_level = np.full(len(lay.s_values), when_level)
    if rules.away_goals:  # only s = 0 reaches extra time; s > 0 is A's, s < 0 is B's
        when_level = lay.s_positive + lay.s_zero * when_level
    p_extra_time = p_beyond if rules.has_extra_time else 0.0
    return _TwoLegResult(split_a, split_b, p_extra_time, p_decider, when_level, f2, tail2)


def _given_first_leg(shape1: tuple[int, int], result: _TwoLegResult, n_k: int) -> np.ndarray:
    """P(A through | first-leg score i-j) for every cell of the first-leg grid."""
    i1, j1 = np.indices(shape1)
    pad_row = result.f2.shape[0] - 1
    partner = n_k - 1 - (i1 - j1)  # f2 row whose margin levels the tie
    ahead = result.tail2[np.clip(partner, -1, pad_row - 1) + 1]
    rows = result.f2[np.where((partner >= 0) & (partner < pad_row), partner, pad_row)]  # [i, j, l]
    s_index = np.arange(result.f2.shape[1])[None, None, :] - j1[..., None] + (shape1[1] - 1)
    return ahead + (rows * result.when_level[s_index]).sum(axis=2)


def _second_leg_table(first_leg: tuple[int, int], leg2_shape: tuple[int, int], when_level: np.ndarray) -> np.ndarray:
    """P(A through | final second-leg score) given the first-leg score (B's away goals = b1,
    so ``when_level`` is indexed by A's away goals directly)."""
    a1, b1 = first_leg
    b_home, a_away = np.indices(leg2_shape)
    margin = (a1 - b1) + (a_away - b_home)
    return np.where(margin > 0, 1.0, np.where(margin < 0, 0.0, when_level[a_away]))


def _extra_grid(
    extra_time: ScoreGrid | None, base: ScoreGrid, rules: TieRules, base_share_of_90: float = 1.0
) -> np.ndarray | None:
    """The extra-time grid: the caller's, or ``base``'s expected goals scaled to the ET length."""
    if not rules.has_extra_time:
        return None
    if extra_time is not None:
        return extra_time.probs
    if base_share_of_90 <= 0:
        raise ValueError("pass an extra_time grid: no time is left in the match to scale goal rates from")
    fraction = rules.extra_time_minutes / 90.0 / base_share_of_90
    home, away = _expected_goals(base.probs)
    return _poisson_matrix(home * fraction, away * fraction)


def _check_legs(rules: TieRules, legs: int) -> None:
    if rules.legs != legs:
        kind = "two-legged" if legs == 2 else "single-match"
        raise ValueError(f"{kind} forecast asked with rules for {rules.legs} leg(s): {rules.describe()}")


def _forecast_two_legs(
    leg1: np.ndarray,
    leg2: np.ndarray,
    extra: np.ndarray | None,
    *,
    rules: TieRules,
    shootout: ShootoutModel | None,
    teams: tuple[str, str],
    on_unmodelled: OnUnmodelled,
    stage: Stage,
    first_leg: tuple[int, int] | None,
    minute: float | None = None,
    score_now: tuple[int, int] | None = None,
) -> TieForecast:
    # A is the away side in the second leg, where any shoot-out is taken.
    q, modelled = _decider_share(rules, shootout or ShootoutModel(), a_hosts=False)
    result = _two_legs(leg1, leg2, extra, rules, q)
    _refuse_if_reached(rules, result.p_decider, on_unmodelled)
    if first_leg is None:
        next_match, next_probs = "first_leg", leg1

        def table() -> np.ndarray:
            return _given_first_leg(leg1.shape, result, leg2.shape[0])
    else:
        next_match, next_probs = "second_leg", leg2
        known = first_leg

        def table() -> np.ndarray:
            return _second_leg_table(known, leg2.shape, result.when_level[leg1.shape[1] - 1 - known[1] :])

    return TieForecast(
        team_a=teams[0],
        team_b=teams[1],
        rules=rules,
        stage=stage,
        split_a=result.split_a,
        split_b=result.split_b,
        p_extra_time=result.p_extra_time,
        p_decider=result.p_decider,
        decider_modelled=modelled,
        next_match=next_match,
        next_match_probs=next_probs,
        first_leg=first_leg,
        minute=minute,
        score_now=score_now,
        _p_a_table=table,
        _leg1=leg1,
        _leg2=leg2,
    )


def forecast_tie(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    *,
    rules: TieRules,
    extra_time: ScoreGrid | None = None,
    shootout: ShootoutModel | None = None,
    teams: tuple[str, str] = ("A", "B"),
    on_unmodelled: OnUnmodelled = "raise",
) -> TieForecast:
    """Before the first leg. ``leg1`` has A at home; ``leg2`` and ``extra_time`` have B at home.

    ``teams`` names (A, B). ``extra_time`` defaults to ``leg2``'s expected goals scaled to
    ``rules.extra_time_minutes``; ``shootout`` to the evidence-based even shoot-out.
    """
    _check_legs(rules, 2)
    extra = _extra_grid(extra_time, leg2, rules)
    return _forecast_two_legs(
        leg1.probs,
        leg2.probs,
        extra,
        rules=rules,
        shootout=shootout,
        teams=teams,
        on_unmodelled=on_unmodelled,
        stage="before_first_leg",
        first_leg=None,
    )


def forecast_second_leg(
    first_leg: tuple[int, int],
    leg2: ScoreGrid,
    *,
    rules: TieRules,
    extra_time: ScoreGrid | None = None,
    shootout: ShootoutModel | None = None,
    teams: tuple[str, str] = ("A", "B"),
    on_unmodelled: OnUnmodelled = "raise",
) -> TieForecast:
    """Between the legs. ``first_leg`` = (A goals, B goals) at A's ground; ``leg2`` has B at home."""
    _check_legs(rules, 2)
    score = _check_score(first_leg, "first_leg")
    extra = _extra_grid(extra_time, leg2, rules)
    return _forecast_two_legs(
        _point(*score),
        leg2.probs,
        extra,
        rules=rules,
        shootout=shootout,
        teams=teams,
        on_unmodelled=on_unmodelled,
        stage="between_legs",
        first_leg=score,
    )


def forecast_live(
    first_leg: tuple[int, int],
    second_leg_score: tuple[int, int],
    remaining: ScoreGrid,
    *,
    minute: float,
    rules: TieRules,
    extra_time: ScoreGrid | None = None,
    shootout: ShootoutModel | None = None,
    teams: tuple[str, str] = ("A", "B"),
    on_unmodelled: OnUnmodelled = "raise",
) -> TieForecast:
    """During the second leg at ``minute`` (0-90), ``second_leg_score`` = (B goals, A goals).

    ``remaining[k, l]`` = P(B scores k more, A scores l more) before the 90 minutes are up,
    from any in-play model or :func:`remaining_grid`. Without ``extra_time``, extra time is
    scaled from ``remaining``'s goals per minute left, which needs ``minute < 90``.
    """
    _check_legs(rules, 2)
    if not 0.0 <= minute <= 90.0:
        raise ValueError(f"minute must be within [0, 90], got {minute}")
    score = _check_score(first_leg, "first_leg")
    now = _check_score(second_leg_score, "second_leg_score")
    extra = _extra_grid(extra_time, remaining, rules, base_share_of_90=(90.0 - minute) / 90.0)
    return _forecast_two_legs(
        _point(*score),
        shift_scores(remaining.probs, *now),
        extra,
        rules=rules,
        shootout=shootout,
        teams=teams,
        on_unmodelled=on_unmodelled,
        stage="live_second_leg",
        first_leg=score,
        minute=minute,
        score_now=now,
    )


def forecast_single_match(
    grid: ScoreGrid,
    *,
    rules: TieRules,
    extra_time: ScoreGrid | None = None,
    shootout: ShootoutModel | None = None,
    teams: tuple[str, str] = ("A", "B"),
    score_now: tuple[int, int] | None = None,
    minute: float | None = None,
    on_unmodelled: OnUnmodelled = "raise",
) -> TieForecast:
    """A one-match tie (a final, a cup tie). A is the home or first-named side, on the rows of
    ``grid`` and ``extra_time``.

    Live: pass ``score_now`` = (A goals, B goals) and ``minute``; ``grid`` is then the goals
    still to come, and extra time is scaled per minute left unless ``extra_time`` is given.
    """
    _check_legs(rules, 1)
    probs = grid.probs
    share_left = 1.0
    stage: Stage = "single_match"
    now = None
    if score_now is not None:
        if minute is None or not 0.0 <= minute <= 90.0:
            raise ValueError(f"a live single match needs minute within [0, 90], got {minute}")
        now = _check_score(score_now, "score_now")
        probs = shift_scores(probs, *now)
        stage = "live_single_match"
        share_left = (90.0 - minute) / 90.0
    extra = _extra_grid(extra_time, grid, rules, base_share_of_90=share_left)
    q, modelled = _decider_share(rules, shootout or ShootoutModel(), a_hosts=True)
    a_win = float(np.tril(probs, -1).sum())
    draw = float(np.trace(probs))
    b_win = max(0.0, 1.0 - a_win - draw)
    if extra is not None:  # A is on the rows of a single match's extra-time grid
        a_et, b_et, to_decider = float(np.tril(extra, -1).sum()), float(np.triu(extra, 1).sum()), float(np.trace(extra))
    else:
        a_et, b_et, to_decider = 0.0, 0.0, 1.0
    p_decider = draw * to_decider
    _refuse_if_reached(rules, p_decider, on_unmodelled)
    level_p_a = a_et + q * to_decider

    def table() -> np.ndarray:
        home, away = np.indices(probs.shape)
        return np.where(home > away, 1.0, np.where(home < away, 0.0, level_p_a))

    return TieForecast(
        team_a=teams[0],
        team_b=teams[1],
        rules=rules,
        stage=stage,
        split_a=RouteSplit(a_win, 0.0, draw * a_et, 0.0, q * p_decider),
        split_b=RouteSplit(b_win, 0.0, draw * b_et, 0.0, (1.0 - q) * p_decider),
        p_extra_time=draw if rules.has_extra_time else 0.0,
        p_decider=p_decider,
        decider_modelled=modelled,
        next_match="match",
        next_match_probs=probs,
        minute=minute,
        score_now=now,
        _p_a_table=table,
    )


def forecast_live_from_rates(
    rates: tuple[float, float],
    score_now: tuple[int, int],
    *,
    minute: str | float | MatchClock,
    rules: TieRules,
    first_leg: tuple[int, int] | None = None,
    red_cards: tuple[int, int] = (0, 0),
    model: InplayModel | None = None,
    shootout: ShootoutModel | None = None,
    teams: tuple[str, str] = ("A", "B"),
    on_unmodelled: OnUnmodelled = "raise",
    remaining: ScoreGrid | None = None,
) -> TieForecast:
    """Live, from the pre-match expected goals of the match being played, through the in-play model.

    ``rates``, ``score_now`` and ``red_cards`` are written as the match is (home side first):
    for the second leg of two (``first_leg`` = (A goals, B goals) at A's ground required) that is
    (B, A); for a single match (A, B). ``minute`` is a clock such as ``60``, ``"45+2"`` or
    ``"HT"``. The remaining-time grid and the extra-time grid come from ``model`` (default: the
    packaged fit), with the side that must score attacking as the *tie* stands (aggregate, and
    away goals where the rules count them), not as the match score stands. ``remaining``: that
    remaining-time grid when the caller already has it (``model.remaining`` with this lead rule).
    """
    model = model or InplayModel()
    clock = MatchClock.parse(minute)
    now = _check_score(score_now, "score_now")
    home_rate, away_rate = rates
    if rules.legs == 2:
        if first_leg is None:
            raise ValueError("a live second leg needs the first-leg score (A goals, B goals)")
        leg1 = _check_score(first_leg, "first_leg")
        lead = second_leg_lead(leg1, now, away_goals=rules.away_goals)
    else:
        leg1 = None
        lead = match_lead(now)
    if remaining is None:
        remaining = model.remaining(home_rate, away_rate, minute=clock, score=now, red_cards=red_cards, lead=lead)
    extra = None
    if rules.has_extra_time:
        extra = model.extra_time(
            home_rate,
            away_rate,
            red_cards=red_cards,
            away_goals=rules.legs == 2 and rules.away_goals_in_extra_time,
            minutes=rules.extra_time_minutes,
        )
    if leg1 is not None:
        return forecast_live(
            leg1,
            now,
            remaining,
            minute=clock.regular_minute,
            rules=rules,
            extra_time=extra,
            shootout=shootout,
            teams=teams,
            on_unmodelled=on_unmodelled,
        )
    return forecast_single_match(
        remaining,
        rules=rules,
        extra_time=extra,
        shootout=shootout,
        teams=teams,
        score_now=now,
        minute=clock.regular_minute,
        on_unmodelled=on_unmodelled,
    )

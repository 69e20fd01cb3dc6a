"""A live answer read off tables built per match: every state's numbers at once, from the goals-to-come surface.

A :class:`~remontada.inplay.surface.FinalsSurface` holds the goals still to come from every score (up to
:data:`~remontada.inplay.surface.SCORES` a side) at every step boundary. Everything a live answer reports that
is read off that distribution is built here for *all* those states at once (:meth:`StateTables.build`,
vectorised numpy, in the thread that built the surface):

* the grid of goals to come itself, as :meth:`~remontada.inplay.model.InplayModel.remaining` truncates it
  (the same numbers: :func:`~remontada.grid.ScoreGrid.from_matrix` on each state's slice);
* what is linear in it: the match's result after 90 minutes (1X2), the expected goals to come and, in a
  second leg, every route of the tie (through on aggregate, on away goals, in extra time, on penalties, per
  side; P(extra time), P(the decider)), as one weighted sum per state whose weights are the tie engine's own
  answer for each final score of the leg (:func:`~remontada.ties.engine.forecast_live_from_rates` with the
  goals to come certain);
* the picks: the most likely goals to come, the aggregate's and the leg's most likely final scores, what
  each side needs (the leg's scores by probability times P(through | score)), argsorted for every state.

An answer is then index lookups and dict assembly (:meth:`StateTables.forecast`, :meth:`StateTables.summary`).
The sums add the same terms as the exact path in another order: numbers agree to about 1e-16
(``tests/test_inplay_tables.py`` compares whole answers to 1e-12); the picks are the same cells in the same
order (ties broken by position, as the engine's stable sorts break them). A state the tables do not hold
(a second leg's state with fewer than :data:`TOP` possible final scores, where the aggregate's list would
show impossible ones in an order only the exact path knows) answers ``None``: the caller takes the surface's
grid and the engine (:meth:`StateTables.held`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from remontada.grid import ScoreGrid, _truncate
from remontada.inplay.model import InplayModel, MatchClock
from remontada.inplay.surface import FinalsSurface
from remontada.kernels import shift_scores
from remontada.rules import TieRules
from remontada.ties.engine import RouteSplit, TieForecast, _point, forecast_live_from_rates

#: The most likely goals to come, aggregate scores and final scores of the leg an answer lists.
TOP = 10
#: Scores listed under what each side needs.
NEEDS = 5
#: The tie's numbers per state, in this order (A: the side away in the leg, B: its host).
SPLITS = ("a_regulation", "a_away_goals", "a_extra_time", "a_extra_time_away_goals", "a_decider",
          "b_away_goals", "b_extra_time", "b_extra_time_away_goals", "b_decider", "p_extra_time", "p_decider",
          "p_level")  # fmt: skip


@dataclass(frozen=True, eq=False)
class TieTables:
    """A second leg's numbers per state (``[k, i, j]``: boundary ``k``, leg standing ``i``-``j``, host first).

    ``splits[k, i, j, :]``: the :data:`SPLITS`; ``p_a[x, y]``: P(A through | the leg ends ``x``-``y``);
    ``outcome[x][y]``: how that final score settles the tie; ``aggregate``/``scenarios``/``needs_a``/
    ``needs_b``: the listed cells as flat indices into the surface's grid of goals to come (``aggregate``
    into its transpose), ``-1`` past the end of a list.
    """

    first_leg: tuple[int, int]
    rules: TieRules
    decider_modelled: bool
    splits: np.ndarray
    p_a: np.ndarray
    outcome: list[list[str]]
    #: ``p_a`` as Python floats and the final scores written out (``"x-y"``), read per answer.
    p_a_floats: list[list[float]]
    written: list[list[str]]
    aggregate: np.ndarray
    scenarios: np.ndarray
    needs_a: np.ndarray
    needs_b: np.ndarray


@dataclass(frozen=True, eq=False)
class StateTables:
    """The numbers of a live answer for every state of a :class:`FinalsSurface` (``[k, i, j]`` as there).

    ``shapes[k, i, j]``: the shape of the state's (truncated) grid of goals to come, ``grids[k, i, j]`` that
    grid zero-padded to the surface's; ``result``: P(home win, draw, away win) after 90 minutes;
    ``expected``: the expected goals to come (home, away); ``order``: the most likely goals to come (flat
    indices, ``-1`` past the end); ``held``: the states answered from the tables; ``tie``: a second leg's.
    """

    finals: FinalsSurface
    shapes: np.ndarray
    grids: np.ndarray
    result: np.ndarray
    expected: np.ndarray
    order: np.ndarray
    held: np.ndarray
    tie: TieTables | None

    @classmethod
    def build(
        cls,
        finals: FinalsSurface,
        *,
        model: InplayModel | None = None,
        rates: tuple[float, float] | None = None,
        red_cards: tuple[int, int] = (0, 0),
        first_leg: tuple[int, int] | None = None,
        rules: TieRules | None = None,
    ) -> StateTables:
        """The tables of ``finals``: a league match's (no ``rules``), or a second leg's (``first_leg`` as
        written at A's ground, ``rules`` of two legs, and the ``model``, ``rates`` and ``red_cards`` the
        surface was built with, for extra time)."""
        table = finals.table
        n_k, states = table.shape[0], table.shape[1]
        n_rows, n_cols = table.shape[-2:]
        shapes = np.zeros((n_k, states, states, 2), dtype=np.int64)
        grids = np.zeros_like(table)
        for index in np.ndindex(n_k, states, states):
            # each state's grid as ScoreGrid.from_matrix makes it (the exact path's numbers, bit for bit)
            grid = np.maximum(_truncate(np.asarray(table[index], dtype=float), finals.tail), 0.0)
            shapes[index] = grid.shape
            grids[index][: grid.shape[0], : grid.shape[1]] = grid
        rows_valid = np.arange(n_rows)[:, None] < shapes[..., 0, None, None]  # (k, i, j, row, 1)
        valid = rows_valid & (np.arange(n_cols)[None, :] < shapes[..., 1, None, None])  # (k, i, j, row, col)
        home_more, away_more = np.arange(n_rows), np.arange(n_cols)
        expected = np.stack([grids.sum(axis=-1) @ home_more, grids.sum(axis=-2) @ away_more], axis=-1)
        result = np.empty((n_k, states, states, 3))
        for i in range(states):
            for j in range(states):
                margin = (i + home_more)[:, None] - (j + away_more)[None, :]
                masks = np.stack([margin > 0, margin == 0, margin < 0], axis=-1).astype(float)
                result[:, i, j] = np.einsum("krc,rcq->kq", grids[:, i, j], masks)
        order = _top(np.where(valid, -grids, np.inf), valid.sum(axis=(-2, -1)), TOP)
        positive = ((grids > 0) & valid).sum(axis=(-2, -1))
        tie = None
        held = np.ones((n_k, states, states), dtype=bool)
        if rules is not None:
            if first_leg is None or model is None or rates is None or rules.legs != 2:
                raise ValueError("a second leg's tables need its first leg, two-legged rules, the model and rates")
            tie = _tie_tables(grids, valid, positive, model=model, rates=rates, red_cards=red_cards,
                              first_leg=first_leg, rules=rules)  # fmt: skip
            held = positive >= TOP  # else the aggregate's list would show impossible scores (the exact path's)
        return cls(finals, shapes, grids, result, expected, order, held, tie)

    def state(self, minute: str | float | MatchClock, score: tuple[int, int]) -> tuple[int, int, int] | None:
        """``(k, i, j)`` of the state at ``minute`` with ``score`` when the tables answer it, else ``None``."""
        i, j = score
        states = self.grids.shape[1]
        if not (0 <= i < states and 0 <= j < states):
            return None
        k = self.finals.boundary(MatchClock.parse(minute))
        if k is None or not self.held[k, i, j]:
            return None
        return k, i, j

    def remaining(self, at: tuple[int, int, int]) -> ScoreGrid:
        """The goals to come at state ``at`` (what :meth:`FinalsSurface.remaining` gives)."""
        rows, cols = self.shapes[at]
        return ScoreGrid(self.grids[at][:rows, :cols])

    def forecast_parts(
        self, at: tuple[int, int, int], *, teams: tuple[str, str], minute: float
    ) -> tuple[ScoreGrid, ScoreGrid, TieForecast | None]:
        """The goals to come, the final score and (a second leg) the tie at state ``at``, as objects: what
        :func:`~remontada.inplay.live.live_forecast` holds (``teams``: (A, B); ``minute``: regular minutes)."""
        remaining = self.remaining(at)
        _, i, j = at
        leg = shift_scores(remaining.probs, i, j)
        final = ScoreGrid(leg)
        if self.tie is None:
            return remaining, final, None
        tie = self.tie
        s = self.splits(at)
        p_a = tie.p_a

        def table() -> np.ndarray:
            return p_a[: leg.shape[0], : leg.shape[1]].copy()

        forecast = TieForecast(
            team_a=teams[0], team_b=teams[1], rules=tie.rules, stage="live_second_leg", split_a=s[0], split_b=s[1],
            p_extra_time=s[2], p_decider=s[3], decider_modelled=tie.decider_modelled, next_match="second_leg",
            next_match_probs=leg, first_leg=tie.first_leg, minute=minute, score_now=(i, j), _p_a_table=table,
            _leg1=_point(*tie.first_leg), _leg2=leg,
        )  # fmt: skip
        return remaining, final, forecast

    def splits(self, at: tuple[int, int, int]) -> tuple[RouteSplit, RouteSplit, float, float]:
        """A's and B's routes, P(extra time) and P(the decider) at state ``at`` (a second leg)."""
        assert self.tie is not None
        (a_reg, a_away, a_et, a_et_away, a_dec, b_away, b_et, b_et_away, b_dec, p_et, p_dec,
         p_level) = self.tie.splits[at].tolist()  # fmt: skip
        b_reg = max(0.0, 1.0 - a_reg - p_level)  # as the engine: what is neither A's on aggregate nor level
        return (RouteSplit(a_reg, a_away, a_et, a_et_away, a_dec), RouteSplit(b_reg, b_away, b_et, b_et_away, b_dec),
                p_et, p_dec)  # fmt: skip

    def summary(self, at: tuple[int, int, int]) -> dict[str, Any]:
        """The parts of :meth:`LiveForecast.to_dict` read off the goals to come at ``at``: ``result``,
        ``expected_goals_to_come``, ``goals_to_come``."""
        home_win, draw, away_win = self.result[at].tolist()
        home_more, away_more = self.expected[at].tolist()
        cols = self.grids.shape[-1]
        flat = self.grids[at].ravel()
        listed = [f for f in self.order[at].tolist() if f >= 0]
        probabilities = flat[listed].tolist()
        return {
            "result": {"home_win": home_win, "draw": draw, "away_win": away_win},
            "expected_goals_to_come": {"home": home_more, "away": away_more},
            "goals_to_come": [{"home_more": f // cols, "away_more": f % cols, "probability": p}
                              for f, p in zip(listed, probabilities, strict=True)],
        }

    def tie_dict(self, at: tuple[int, int, int], *, teams: tuple[str, str], minute: float) -> dict[str, Any]:
        """:meth:`TieForecast.to_dict` at state ``at`` (``teams``: (A, B); ``minute``: regular minutes)."""
        assert self.tie is not None
        tie = self.tie
        _, i, j = at
        a1, b1 = tie.first_leg
        split_a, split_b, p_et, p_dec = self.splits(at)
        n_rows, n_cols = self.grids.shape[-2:]
        flat = self.grids[at].ravel()
        team_a, team_b = teams
        written, p_a, outcome = tie.written, tie.p_a_floats, tie.outcome

        def scenarios(picked: np.ndarray) -> list[dict[str, Any]]:
            listed = [f for f in picked.tolist() if f >= 0]
            out = []
            for f, p in zip(listed, flat[listed].tolist(), strict=True):
                x, y = i + f // n_cols, j + f % n_cols
                out.append({"match": "second_leg", "score": written[x][y], "probability": p,
                            "p_a_through": p_a[x][y], "outcome": outcome[x][y]})  # fmt: skip
            return out

        aggregate = [f for f in tie.aggregate[at].tolist() if f >= 0]
        cells = [(f % n_rows) * n_cols + f // n_rows for f in aggregate]  # (away more, home more) -> flat
        return {
            "team_a": team_a,
            "team_b": team_b,
            "stage": "live_second_leg",
            "rules": tie.rules.describe(),
            "first_leg": f"{a1}-{b1}",
            "minute": minute,
            "score_now": f"{i}-{j}",
            "p_through": {team_a: split_a.total, team_b: split_b.total},
            "routes": {team_a: split_a.to_dict(), team_b: split_b.to_dict()},
            "p_extra_time": p_et,
            "p_decider": p_dec,
            "decider": tie.rules.decider,
            "decider_modelled": tie.decider_modelled,
            "aggregate": [{"score": f"{a1 + j + f // n_rows}-{b1 + i + f % n_rows}", "probability": p}
                          for f, p in zip(aggregate, flat[cells].tolist(), strict=True)],
            "scenarios": scenarios(tie.scenarios[at]),
            "needs": {team_a: scenarios(tie.needs_a[at]), team_b: scenarios(tie.needs_b[at])},
        }


def _top(keys: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` flat indices of each state's ``keys`` (``(..., rows, cols)``) in ascending stable order,
    ``-1`` past each state's ``counts`` (how many it lists)."""
    flat = keys.reshape(*keys.shape[:-2], -1)
    order = np.argsort(flat, axis=-1, kind="stable")[..., :n]
    return np.where(np.arange(order.shape[-1]) < np.minimum(counts, n)[..., None], order, -1)


def _tie_tables(
    grids: np.ndarray,
    valid: np.ndarray,
    positive: np.ndarray,
    *,
    model: InplayModel,
    rates: tuple[float, float],
    red_cards: tuple[int, int],
    first_leg: tuple[int, int],
    rules: TieRules,
) -> TieTables:
    """The tie's numbers for every state: each final score of the leg weighted by the engine's own answer for
    that final score (the goals to come certain), and the picks argsorted per state."""
    n_k, states = grids.shape[:2]
    n_rows, n_cols = grids.shape[-2:]
    finals_x, finals_y = states + n_rows, states + n_cols  # every final score of the leg a state can reach
    weights = np.zeros((finals_x, finals_y, len(SPLITS)))
    p_a = np.zeros((finals_x, finals_y))
    outcome = [["" for _ in range(finals_y)] for _ in range(finals_x)]
    certain = ScoreGrid(np.ones((1, 1)))
    clock = MatchClock.parse(0)
    modelled = True
    for x in range(finals_x):
        for y in range(finals_y):
            tie = forecast_live_from_rates(rates, (x, y), minute=clock, rules=rules, first_leg=first_leg,
                                           red_cards=red_cards, model=model, teams=("A", "B"),
                                           on_unmodelled="even", remaining=certain)  # fmt: skip
            a, b = tie.split_a, tie.split_b
            p_level = 1.0 - a.regulation - b.regulation  # 0 or 1: the leg ending x-y levels the tie or not
            weights[x, y] = (a.regulation, a.away_goals, a.extra_time, a.extra_time_away_goals, a.decider,
                             b.away_goals, b.extra_time, b.extra_time_away_goals, b.decider, tie.p_extra_time,
                             tie.p_decider, p_level)  # fmt: skip
            p_a[x, y] = tie.next_match_p_a[x, y]
            outcome[x][y] = tie._outcome(x, y)
            modelled = tie.decider_modelled
    splits = np.empty((n_k, states, states, len(SPLITS)))
    aggregate = np.empty((n_k, states, states, TOP), dtype=np.int64)
    scenarios = np.empty_like(aggregate)
    needs_a = np.empty((n_k, states, states, NEEDS), dtype=np.int64)
    needs_b = np.empty_like(needs_a)
    for i in range(states):
        for j in range(states):
            block, inside = grids[:, i, j], valid[:, i, j]
            splits[:, i, j] = np.einsum("krc,rcq->kq", block, weights[i : i + n_rows, j : j + n_cols])
            # the leg's final scores by probability (the engine's stable descending sort): the goals to come's
            scenarios[:, i, j] = _top(np.where(inside, -block, np.inf), positive[:, i, j], TOP)
            # the aggregate (A's goals, B's) is the leg's grid transposed and shifted: its order is the transpose's
            aggregate[:, i, j] = _top(np.where(inside, -block, np.inf).transpose(0, 2, 1), positive[:, i, j], TOP)
            p_cells = p_a[i : i + n_rows, j : j + n_cols]
            for p_team, out in ((p_cells, needs_a), (1.0 - p_cells, needs_b)):
                ranking = np.where(p_team > 1e-12, block * p_team, -1.0)
                listed = ((ranking > 0) & inside).sum(axis=(-2, -1))
                out[:, i, j] = _top(np.where(inside, -ranking, np.inf), listed, NEEDS)
    written = [[f"{x}-{y}" for y in range(finals_y)] for x in range(finals_x)]
    return TieTables(first_leg, rules, modelled, splits, p_a, outcome, p_a.tolist(), written, aggregate, scenarios,
                     needs_a, needs_b)  # fmt: skip

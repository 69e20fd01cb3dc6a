"""Score grids for every meeting a simulation can produce, built once before it runs.

In a bracket the later rounds' pairings are themselves simulated, so any two clubs of the
field may meet, at either ground or at a neutral venue. :class:`PairGrids` holds, for a
field of ``n`` clubs, the 90-minute grids of every ordered pair at the first club's ground
and at a neutral venue, and the extra-time grids of the same meetings, each behind a
:class:`~remontada.simulate.sampling.ScoreSampler`. Pair ``(i, j)`` is grid ``i * n + j``.

Extra time follows :mod:`remontada.ties.engine`: independent Poisson goals with the 90-minute
expected goals scaled to the extra-time length. Grids come from any fitted model with the
goal models' ``predict_many(home, away, neutral, competition=...)``; strengths are fixed for
the whole simulation (see :mod:`remontada.simulate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from remontada.grid import poisson_grids
from remontada.simulate.sampling import ScoreSampler

#: Where a simulated match is played: at the home side's ground or on neutral ground.
Ground = Literal["home", "neutral"]


def expected_goals(grids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (home, away) goals of each grid of an ``(n, H, A)`` stack."""
    rows, cols = grids.shape[1:]
    return grids.sum(axis=2) @ np.arange(rows), grids.sum(axis=1) @ np.arange(cols)


def extra_time_grids(grids: np.ndarray, minutes: float) -> np.ndarray:
    """Extra-time grids: independent Poisson goals with ``minutes / 90`` of each grid's expected goals."""
    if minutes <= 0:
        raise ValueError(f"extra time needs a positive length in minutes, got {minutes}")
    home, away = expected_goals(grids)
    return poisson_grids(home * minutes / 90.0, away * minutes / 90.0)


@dataclass(eq=False)
class PairGrids:
    """Grids of every ordered pair of ``teams`` at home and at a neutral venue (samplers built on first use).

    ``home_grids`` and ``neutral_grids`` are ``(n * n, H, A)`` stacks indexed ``i * n + j``
    (team ``i`` at home, or named first at a neutral venue); the diagonal (a club against
    itself) holds a certain 0-0 so that indexing stays simple; it is never drawn.
    """

    teams: tuple[str, ...]
    home_grids: np.ndarray
    neutral_grids: np.ndarray
    _samplers: dict[tuple[str, float], ScoreSampler] = field(default_factory=dict, init=False, repr=False)
    _aggregate_offset: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.teams)
        for name in ("home_grids", "neutral_grids"):
            grids = getattr(self, name)
            if grids.ndim != 3 or grids.shape[0] != n * n:
                raise ValueError(f"{name} must hold {n * n} grids for {n} teams, got shape {grids.shape}")
        if len(set(self.teams)) != n:
            raise ValueError("teams must be distinct")

    @property
    def n_teams(self) -> int:
        return len(self.teams)

    def index(self, team: str) -> int:
        try:
            return self.teams.index(team)
        except ValueError:
            raise KeyError(f"{team!r} is not in this field of {self.n_teams} clubs") from None

    def pair(self, home: np.ndarray | int, away: np.ndarray | int) -> np.ndarray:
        """Grid index of each (home, away) pair of team indices."""
        return np.asarray(home, dtype=np.intp) * self.n_teams + np.asarray(away, dtype=np.intp)

    def grids(self, venue: Ground) -> np.ndarray:
        return self.home_grids if venue == "home" else self.neutral_grids

    def sampler(self, venue: Ground, extra_minutes: float = 0.0) -> ScoreSampler:
        """The 90-minute sampler (``extra_minutes = 0``) or the extra-time sampler of a venue."""
        key = (venue, float(extra_minutes))
        if key not in self._samplers:
            grids = self.grids(venue)
            if extra_minutes:
                grids = extra_time_grids(grids, extra_minutes)
            self._samplers[key] = ScoreSampler(grids)
        return self._samplers[key]

    def aggregate_sampler(self) -> tuple[ScoreSampler, int]:
        """Sampler of A's aggregate lead after two 90-minute legs, A hosting the first: for pair
        ``a * n + b`` its cell ``c`` (decoded by ``home_of``) is a lead of ``c - offset`` goals.

        A two-legged tie without away goals is settled after 180 minutes by this lead alone, so
        one draw from its exact law (the convolution of the two legs' goal differences) replaces
        two scoreline draws.
        """
        key = ("aggregate", 0.0)
        if key not in self._samplers:
            laws, offset = two_leg_leads(self.home_grids, self.n_teams)
            self._samplers[key] = ScoreSampler(laws[:, :, None])
            self._aggregate_offset = offset
        return self._samplers[key], self._aggregate_offset

    def subset(self, members: Sequence[int]) -> PairGrids:
        """The grids of the meetings among ``members`` (team indices), as a field of their own."""
        idx = np.asarray(members, dtype=np.intp)
        pair = (idx[:, None] * self.n_teams + idx[None, :]).ravel()
        return PairGrids(tuple(self.teams[i] for i in idx), self.home_grids[pair], self.neutral_grids[pair])

    def probabilities(self, home: int, away: int, venue: Ground = "home") -> np.ndarray:
        return self.grids(venue)[home * self.n_teams + away]

    @classmethod
    def from_model(
        cls,
        model: Any,
        teams: Sequence[str],
        *,
        competition: str | None = None,
        venues: Sequence[Ground] = ("home", "neutral"),
    ) -> PairGrids:
        """Ask a fitted model for every ordered pair of ``teams`` (club ids), in one batch per venue."""
        ids = tuple(teams)
        n = len(ids)
        if n < 2:
            raise ValueError("a simulation needs at least two clubs")
        home, away = np.divmod(np.arange(n * n), n)
        off = home != away
        stacks: dict[str, np.ndarray] = {}
        for venue in ("home", "neutral"):
            if venue not in venues:
                stacks[venue] = _point_mass(n * n)
                continue
            names = np.asarray(ids, dtype=object)
            kwargs: dict[str, Any] = {} if competition is None else {"competition": competition}
            grids = np.asarray(
                model.predict_many(
                    names[home[off]], names[away[off]], np.full(off.sum(), venue == "neutral"), **kwargs
                ),
                dtype=float,
            )
            full = np.zeros((n * n, *grids.shape[1:]))
            full[off] = grids
            full[~off, 0, 0] = 1.0
            stacks[venue] = full
        return cls(ids, stacks["home"], stacks["neutral"])

    @classmethod
    def from_rates(
        cls,
        teams: Sequence[str],
        home_rates: np.ndarray,
        away_rates: np.ndarray,
        *,
        neutral_rates: Any = None,
        rho: float = 0.0,
    ) -> PairGrids:
        """Grids from ``(n, n)`` matrices of expected goals (``[i, j]``: i at home v j); for tests and what-ifs.

        ``neutral_rates`` is a pair of matrices for neutral venues (default: the home ones).
        """
        n = len(teams)
        home_rates = np.asarray(home_rates, dtype=float)
        away_rates = np.asarray(away_rates, dtype=float)
        if home_rates.shape != (n, n) or away_rates.shape != (n, n):
            raise ValueError(f"rate matrices must be ({n}, {n})")
        neutral_home, neutral_away = neutral_rates if neutral_rates is not None else (home_rates, away_rates)
        home = poisson_grids(home_rates.ravel(), away_rates.ravel(), rho=rho)
        neutral = poisson_grids(np.asarray(neutral_home).ravel(), np.asarray(neutral_away).ravel(), rho=rho)
        return cls(tuple(teams), home, neutral)


def goal_difference_laws(grids: np.ndarray) -> tuple[np.ndarray, int]:
    """``[g, d + offset]`` = P(home minus away goals = d) for each grid of an ``(n, H, A)`` stack."""
    _, rows, cols = grids.shape
    index = (np.arange(rows)[:, None] - np.arange(cols)[None, :] + cols - 1).ravel()
    one_hot = np.zeros((rows * cols, rows + cols - 1))
    one_hot[np.arange(rows * cols), index] = 1.0
    return grids.reshape(len(grids), -1) @ one_hot, cols - 1


def two_leg_leads(home_grids: np.ndarray, n_teams: int) -> tuple[np.ndarray, int]:
    """``[a * n + b, m + offset]`` = P(A leads by m goals after two 90-minute legs), A at home
    in the first leg (grid ``a * n + b``) and away in the second (grid ``b * n + a``)."""
    laws, offset = goal_difference_laws(home_grids)
    pair = np.arange(len(home_grids))
    second = laws[(pair % n_teams) * n_teams + pair // n_teams][:, ::-1]  # A's lead away: minus the home lead
    second_offset = laws.shape[1] - 1 - offset
    width = laws.shape[1]
    total = np.zeros((len(laws), 2 * width - 1))
    for shift in range(width):  # exact convolution: a few dozen vector operations, no FFT round-off
        total[:, shift : shift + width] += laws * second[:, shift : shift + 1]
    return total, offset + second_offset


def _point_mass(n: int) -> np.ndarray:
    grids = np.zeros((n, 1, 1))
    grids[:, 0, 0] = 1.0
    return grids

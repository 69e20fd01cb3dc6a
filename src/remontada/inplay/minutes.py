"""The in-play model estimated minute by minute from club matches with every goal's and card's minute.

With the minute of every goal and red card known, the state of a match (score, red cards) is
known at every minute, and the likelihood of the goals is exactly that of a Poisson regression:
each side's goals in each minute cell are Poisson with mean

    rate / 90 * exp(time effect of the cell + lead effect + red-card effects)

where ``rate`` is the side's pre-match expected goals per 90 minutes from the odds. A cell is one
minute of play (minutes 1-45 and 46-90), or a half's whole added time (its exposure is one unit:
its coefficient is the end-of-half rate times the effective minutes of added time). The state is
the one at the start of the cell (a goal or card of minute 42 changes the state from minute 43).

:func:`cell_table` turns :class:`~remontada.inplay.data.EventTimes` into cells aggregated over
matches (identical covariates: summed goals and exposure, which leaves the maximum-likelihood
estimate unchanged); :func:`fit_variant` fits one design (:data:`VARIANTS`); :func:`compare`
scores the designs on held-out seasons by their Poisson log-likelihood; :func:`params_from_fit`
turns the chosen design into :class:`~remontada.inplay.model.InplayParams`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from remontada.inplay.data import FIRST_ADDED_CELL, N_CELLS, SECOND_ADDED_CELL, EventTimes
from remontada.inplay.fit import Estimate
from remontada.inplay.model import LEADS, InplayParams

_NON_ZERO = tuple(lead for lead in LEADS if lead != 0)
#: First cell of the "closing" period tested by the ``closing`` variant (minute 76).
CLOSING_CELL = 76


@dataclass(frozen=True, eq=False)
class CellTable:
    """Goals and exposure of each side in each minute cell and state, summed over matches.

    Per row: ``side`` (0 home, 1 away), ``cell`` (0..91), ``lead`` (the side's own lead clipped
    to -2..2), ``own_reds``/``opp_reds`` (0, 1, 2 or more red cards shown to the side / to its
    opponent), ``own_early``/``opp_early`` (the side's / opponent's first red card came in the
    first half), ``favourite`` (the side's pre-match rate is the higher), ``competition`` (index
    into ``competitions``), ``season`` (start year), ``goals`` and ``exposure`` (sum of ``rate / 90``).
    """

    side: np.ndarray
    cell: np.ndarray
    lead: np.ndarray
    own_reds: np.ndarray
    opp_reds: np.ndarray
    own_early: np.ndarray
    opp_early: np.ndarray
    favourite: np.ndarray
    competition: np.ndarray
    season: np.ndarray
    goals: np.ndarray
    exposure: np.ndarray
    competitions: tuple[str, ...]
    n_matches: int

    def __len__(self) -> int:
        return len(self.goals)


def _state(data: EventTimes, red: bool, home: bool) -> np.ndarray:
    """``(matches, 92)`` count of the side's goals (``red=False``) or red cards before each cell."""
    counts = np.zeros((len(data), N_CELLS + 1))
    pick = (data.event_red == red) & (data.event_home == home)
    np.add.at(counts, (data.event_match[pick], data.event_cell[pick] + 1), 1.0)
    return np.cumsum(counts, axis=1)[:, :N_CELLS]


def _goals_in(data: EventTimes, home: bool) -> np.ndarray:
    counts = np.zeros((len(data), N_CELLS))
    pick = ~data.event_red & (data.event_home == home)
    np.add.at(counts, (data.event_match[pick], data.event_cell[pick]), 1.0)
    return counts


def cell_table(data: EventTimes, competitions: tuple[str, ...] | None = None) -> CellTable:
    """Aggregate ``data`` into a :class:`CellTable` (every covariate any variant uses)."""
    competitions = competitions or tuple(sorted({str(c) for c in data.competition}))
    comp_index = {c: i for i, c in enumerate(competitions)}
    comp = np.array([comp_index.get(str(c), len(competitions)) for c in data.competition], dtype=np.int64)
    home_score, away_score = _state(data, False, True), _state(data, False, False)
    home_reds, away_reds = _state(data, True, True), _state(data, True, False)
    # first red card of each side shown in the first half (cells 0..45)?
    early_home = home_reds[:, FIRST_ADDED_CELL + 1] > 0
    early_away = away_reds[:, FIRST_ADDED_CELL + 1] > 0
    lead = (home_score - away_score).astype(np.int64)
    first_season = int(data.season_start.min()) if len(data) else 0
    n_seasons = int(data.season_start.max()) - first_season + 1 if len(data) else 1
    season = (data.season_start - first_season)[:, None]
    cells = np.broadcast_to(np.arange(N_CELLS), lead.shape)
    keys, goals, exposure = [], [], []
    for side, (own_goals, rate, own_lead, own_r, opp_r, own_e, opp_e, fav) in enumerate(
        (
            (_goals_in(data, True), data.home_rate, lead, home_reds, away_reds, early_home, early_away,
             data.home_rate > data.away_rate),
            (_goals_in(data, False), data.away_rate, -lead, away_reds, home_reds, early_away, early_home,
             data.away_rate > data.home_rate),
        )
    ):  # fmt: skip
        o_r = np.minimum(own_r, 2).astype(np.int64)
        p_r = np.minimum(opp_r, 2).astype(np.int64)
        key = (
            ((((np.clip(own_lead, -2, 2) + 2) * 3 + o_r) * 3 + p_r) * 2 + (own_e[:, None] & (o_r > 0))) * 2
            + (opp_e[:, None] & (p_r > 0))
        )
        key = (key * 2 + fav[:, None]) * (len(competitions) + 1) + comp[:, None]
        key = ((key * n_seasons + season) * N_CELLS + cells) * 2 + side
        keys.append(key.ravel())
        goals.append(own_goals.ravel())
        exposure.append(np.broadcast_to((rate / 90.0)[:, None], lead.shape).ravel())
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    summed_goals = np.bincount(inverse, weights=np.concatenate(goals))
    summed_exposure = np.bincount(inverse, weights=np.concatenate(exposure))
    side = unique % 2
    rest = unique // 2
    cell = rest % N_CELLS
    rest //= N_CELLS
    season_of = rest % n_seasons + first_season
    rest //= n_seasons
    competition = rest % (len(competitions) + 1)
    rest //= len(competitions) + 1
    favourite = rest % 2
    rest //= 2
    opp_early = rest % 2
    rest //= 2
    own_early = rest % 2
    rest //= 2
    opp_reds = rest % 3
    rest //= 3
    own_reds = rest % 3
    lead_value = rest // 3 - 2
    return CellTable(
        side, cell, lead_value, own_reds, opp_reds, own_early.astype(bool), opp_early.astype(bool),
        favourite.astype(bool), competition, season_of, summed_goals, summed_exposure, competitions, len(data),
    )  # fmt: skip


# ---- designs -----------------------------------------------------------------------------------------

Design = Callable[[CellTable], tuple[np.ndarray, list[str]]]


def _time_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    cell = t.cell
    first = cell < FIRST_ADDED_CELL
    second = (cell > FIRST_ADDED_CELL) & (cell < SECOND_ADDED_CELL)
    minute = np.where(first, cell + 1, cell)
    columns = [
        first.astype(float),
        second.astype(float),
        np.where(first, (minute - 0.5) / 45.0, 0.0),
        np.where(second, (minute - 45.5) / 45.0, 0.0),
        (cell == FIRST_ADDED_CELL).astype(float),
        (cell == SECOND_ADDED_CELL).astype(float),
    ]
    names = [
        "first_half_level", "second_half_level", "first_half_slope", "second_half_slope",
        "first_half_added_cell", "second_half_added_cell",
    ]  # fmt: skip
    return columns, names


def _lead_columns(t: CellTable, by_side: bool, mask: np.ndarray | None = None, tag: str = "") -> tuple[
    list[np.ndarray], list[str]
]:
    late = t.cell > FIRST_ADDED_CELL
    columns, names = [], []
    sides = (("home", t.side == 0), ("away", t.side == 1)) if by_side else (("both", np.ones(len(t), bool)),)
    for side_name, side_mask in sides:
        for period, period_mask in (("lead", ~late), ("lead_late", late)):
            for lead in _NON_ZERO:
                on = side_mask & period_mask & (t.lead == lead)
                if mask is not None:
                    on &= mask
                columns.append(on.astype(float))
                names.append(f"{side_name}_{period}{tag}_{lead:+d}")
    return columns, names


def _red_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    return [t.own_reds.astype(float), t.opp_reds.astype(float)], ["red_own", "red_opponent"]


def _design(*parts: tuple[list[np.ndarray], list[str]]) -> tuple[np.ndarray, list[str]]:
    columns = [c for part in parts for c in part[0]]
    names = [n for part in parts for n in part[1]]
    return np.column_stack(columns), names


def _base(t: CellTable) -> tuple[np.ndarray, list[str]]:
    return _design(_time_columns(t), _lead_columns(t, True), _red_columns(t))


def _shared(t: CellTable) -> tuple[np.ndarray, list[str]]:
    return _design(_time_columns(t), _lead_columns(t, False), _red_columns(t))


def _favourite(t: CellTable) -> tuple[np.ndarray, list[str]]:
    return _design(_time_columns(t), _lead_columns(t, True), _lead_columns(t, False, t.favourite, "_fav"),
                   _red_columns(t))  # fmt: skip


def _league(t: CellTable) -> tuple[np.ndarray, list[str]]:
    extra = [(t.competition == i).astype(float) for i in range(1, len(t.competitions))]
    names = [f"league_{c}" for c in t.competitions[1:]]
    return _design(_time_columns(t), _lead_columns(t, True), _red_columns(t), (extra, names))


def _home_time(t: CellTable) -> tuple[np.ndarray, list[str]]:
    columns, names = _time_columns(t)
    away = (t.side == 1).astype(float)
    extra = [c * away for c in columns[2:4]]
    return _design((columns, names), (extra, ["away_first_half_slope", "away_second_half_slope"]),
                   _lead_columns(t, True), _red_columns(t))  # fmt: skip


def _second_red(t: CellTable) -> tuple[np.ndarray, list[str]]:
    extra = [(t.own_reds >= 2).astype(float), (t.opp_reds >= 2).astype(float)]
    return _design(_time_columns(t), _lead_columns(t, True), _red_columns(t),
                   (extra, ["red_own_second", "red_opponent_second"]))  # fmt: skip


def _red_timing(t: CellTable) -> tuple[np.ndarray, list[str]]:
    extra = [t.own_early.astype(float), t.opp_early.astype(float)]
    return _design(_time_columns(t), _lead_columns(t, True), _red_columns(t),
                   (extra, ["red_own_early", "red_opponent_early"]))  # fmt: skip


def _closing_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    columns, names = [], []
    closing = t.cell >= CLOSING_CELL
    for side_name, side_mask in (("home", t.side == 0), ("away", t.side == 1)):
        for lead in _NON_ZERO:
            columns.append((side_mask & closing & (t.lead == lead)).astype(float))
            names.append(f"{side_name}_lead_closing_{lead:+d}")
    return columns, names


#: Season the added-time trend is centred on (its added minutes are those of this season).
TREND_SEASON = 2019


def _added_trend_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    years = (t.season - TREND_SEASON).astype(float)
    return (
        [years * (t.cell == FIRST_ADDED_CELL), years * (t.cell == SECOND_ADDED_CELL)],
        ["first_half_added_trend", "second_half_added_trend"],
    )


def _added_trend(t: CellTable) -> tuple[np.ndarray, list[str]]:
    return _design(_time_columns(t), _added_trend_columns(t), _lead_columns(t, False), _red_columns(t))


def _closing(t: CellTable) -> tuple[np.ndarray, list[str]]:
    return _design(_time_columns(t), _lead_columns(t, True), _closing_columns(t), _red_columns(t))


#: The designs compared on held-out seasons; ``base`` is what :class:`InplayParams` expresses.
VARIANTS: dict[str, tuple[Design, str]] = {
    "base": (_base, "time profile, lead effects by side and half, red cards (own, opponent)"),
    "shared": (_shared, "lead effects the same for home and away sides"),
    "favourite": (_favourite, "+ lead effects of the pre-match favourite"),
    "league": (_league, "+ a scoring level per league"),
    "home_time": (_home_time, "+ the away side's own slope through each half"),
    "second_red": (_second_red, "+ a second red card of a side weighs differently"),
    "red_timing": (_red_timing, "+ a first-half red card weighs differently from a late one"),
    "closing": (_closing, "+ lead effects of their own from minute 76"),
    "added_trend": (_added_trend, "shared + added time growing (log-linearly) season by season"),
}


# ---- fitting ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CellFit:
    """One fitted design: coefficients (log rate multipliers), their covariance and names."""

    variant: str
    names: list[str]
    beta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_matches: int
    n_goals: int

    def value(self, name: str) -> float:
        return float(self.beta[self.names.index(name)])

    def se(self, name: str) -> float:
        index = self.names.index(name)
        return float(math.sqrt(max(self.covariance[index, index], 0.0)))

    def estimates(self, evidence: str) -> tuple[Estimate, ...]:
        return tuple(
            Estimate(n, float(b), self.se(n), evidence) for n, b in zip(self.names, self.beta, strict=True)
        )


def _poisson_fit(design: np.ndarray, goals: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson for ``goals ~ Poisson(exposure * exp(design @ beta))``; ``(beta, covariance)``."""
    used = exposure > 0
    x, y, e = design[used], goals[used], exposure[used]
    beta = np.zeros(x.shape[1])
    start = math.log(max(y.sum(), 1e-9) / e.sum())
    beta = np.linalg.lstsq(x, np.full(len(y), start), rcond=None)[0]
    for _ in range(60):
        mean = e * np.exp(np.clip(x @ beta, -30, 30))
        information = x.T @ (x * mean[:, None])
        step = np.linalg.solve(information + 1e-9 * np.eye(len(beta)), x.T @ (y - mean))
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    mean = e * np.exp(x @ beta)
    return beta, np.linalg.inv(x.T @ (x * mean[:, None]))


def log_likelihood(design: np.ndarray, beta: np.ndarray, table: CellTable) -> float:
    """Poisson log-likelihood of the table's goals (without the ``log(goals!)`` constant)."""
    used = table.exposure > 0
    mean = table.exposure[used] * np.exp(design[used] @ beta)
    return float((table.goals[used] * np.log(mean) - mean).sum())


def fit_variant(table: CellTable, variant: str = "base") -> CellFit:
    """Fit the design ``variant`` (a :data:`VARIANTS` key) to ``table``."""
    build, _ = VARIANTS[variant]
    design, names = build(table)
    beta, covariance = _poisson_fit(design, table.goals, table.exposure)
    return CellFit(variant, names, beta, covariance, log_likelihood(design, beta, table), table.n_matches,
                   int(table.goals.sum()))  # fmt: skip


def held_out_log_likelihood(fit: CellFit, table: CellTable) -> float:
    """Log-likelihood of ``table`` (held-out cells) under ``fit``'s coefficients."""
    design, names = VARIANTS[fit.variant][0](table)
    if names != fit.names:  # a league absent from the training seasons
        raise ValueError(f"held-out design of {fit.variant} has other columns than its fit")
    return log_likelihood(design, fit.beta, table)


def compare(train: EventTimes, test: EventTimes, variants: list[str] | None = None,
            progress: Callable[[str], None] | None = None) -> list[dict[str, object]]:  # fmt: skip
    """Fit every variant on ``train``; score each on ``test`` against ``base``.

    Returns one row per variant: parameters, training and held-out log-likelihood, and the
    held-out gain over ``base`` per 1,000 matches (positive: the extra effects predict better).
    """
    competitions = tuple(sorted({str(c) for c in train.competition}))
    train_table, test_table = cell_table(train, competitions), cell_table(test, competitions)
    rows = []
    base_ll = None
    for name in variants or list(VARIANTS):
        fit = fit_variant(train_table, name)
        held = held_out_log_likelihood(fit, test_table)
        if name == "base":
            base_ll = held
        rows.append({"variant": name, "what": VARIANTS[name][1], "parameters": len(fit.names),
                     "train_log_lik": fit.log_likelihood, "held_out_log_lik": held})  # fmt: skip
        if progress:
            progress(name)
    for row in rows:
        gain = float(row["held_out_log_lik"]) - float(base_ll if base_ll is not None else 0.0)  # type: ignore[arg-type]
        row["held_out_gain_per_1000"] = 1000.0 * gain / max(len(test), 1)
    return rows


def params_from_fit(fit: CellFit, template: InplayParams) -> InplayParams:
    """The ``base`` design's coefficients as :class:`InplayParams` (``template`` gives what the
    events do not identify: extra time)."""
    if fit.variant not in ("base", "shared"):
        raise ValueError(f"only the base or shared design maps onto InplayParams, not {fit.variant!r}")

    def leads(prefix: str) -> tuple[float, ...]:
        values = [fit.value(f"{prefix}_{lead:+d}") if lead else 0.0 for lead in LEADS]
        return tuple(values)

    side = ("home", "away") if fit.variant == "base" else ("both", "both")
    level1, slope1 = fit.value("first_half_level"), fit.value("first_half_slope")
    level2, slope2 = fit.value("second_half_level"), fit.value("second_half_slope")
    return replace(
        template,
        first_half_level=level1,
        first_half_slope=slope1,
        second_half_level=level2,
        second_half_slope=slope2,
        first_half_added=min(30.0, math.exp(fit.value("first_half_added_cell") - level1 - slope1)),
        second_half_added=min(30.0, math.exp(fit.value("second_half_added_cell") - level2 - slope2)),
        home_lead=leads(f"{side[0]}_lead"),
        away_lead=leads(f"{side[1]}_lead"),
        home_lead_late=leads(f"{side[0]}_lead_late"),
        away_lead_late=leads(f"{side[1]}_lead_late"),
        red_own=fit.value("red_own"),
        red_opponent=fit.value("red_opponent"),
    )

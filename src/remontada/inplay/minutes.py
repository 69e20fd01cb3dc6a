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
from remontada.inplay.model import LEADS, LULL_MINUTES, MOMENTUM_MINUTES, InplayParams

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


def cell_table(
    data: EventTimes, competitions: tuple[str, ...] | None = None, multiplier: np.ndarray | None = None
) -> CellTable:
    """Aggregate ``data`` into a :class:`CellTable` (every covariate any variant uses).

    ``multiplier`` (``(2, matches, 92)``: home side, away side) scales each side's exposure in each
    match and cell before the cells are summed: a known rate multiplier (an offset), such as the
    frailty updates of :mod:`remontada.inplay.frailty`.
    """
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
        side_exposure = np.broadcast_to((rate / 90.0)[:, None], lead.shape)
        if multiplier is not None:
            side_exposure = side_exposure * multiplier[side]
        exposure.append(side_exposure.ravel())
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    summed_goals = np.bincount(inverse, weights=np.concatenate(goals))
    summed_exposure = np.bincount(inverse, weights=np.concatenate(exposure))
    side_of = unique % 2
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
        side_of, cell, lead_value, own_reds, opp_reds, own_early.astype(bool), opp_early.astype(bool),
        favourite.astype(bool), competition, season_of, summed_goals, summed_exposure, competitions, len(data),
    )  # fmt: skip


def table_rows(table: CellTable, mask: np.ndarray, weights: np.ndarray | None = None) -> CellTable:
    """The rows of ``table`` where ``mask`` holds; ``weights`` (per row) scale their goals and
    exposure: a weighted likelihood (each match counted ``weight`` times), as a time decay uses."""
    keep = np.asarray(mask, dtype=bool)
    w = np.ones(int(keep.sum())) if weights is None else np.asarray(weights, dtype=float)[keep]
    arrays = {name: getattr(table, name)[keep] for name in ("side", "cell", "lead", "own_reds", "opp_reds",
                                                            "own_early", "opp_early", "favourite", "competition",
                                                            "season")}  # fmt: skip
    return CellTable(**arrays, goals=table.goals[keep] * w, exposure=table.exposure[keep] * w,
                     competitions=table.competitions, n_matches=table.n_matches)  # fmt: skip


# ---- designs -----------------------------------------------------------------------------------------

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


#: Season the added-time trend is centred on (its added minutes are those of this season).
TREND_SEASON = 2019


def _added_trend_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    years = (t.season - TREND_SEASON).astype(float)
    return (
        [years * (t.cell == FIRST_ADDED_CELL), years * (t.cell == SECOND_ADDED_CELL)],
        ["first_half_added_trend", "second_half_added_trend"],
    )


def _slope_trend_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    """The second half's slope changing by season (the added-time cell counts as the half's end)."""
    years = (t.season - TREND_SEASON).astype(float)
    second = (t.cell > FIRST_ADDED_CELL) & (t.cell < SECOND_ADDED_CELL)
    position = np.where(second, (t.cell - 45.5) / 45.0, np.where(t.cell == SECOND_ADDED_CELL, 1.0, 0.0))
    return [years * position], ["second_half_slope_trend"]


def _leading_trend_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    """The effect of being ahead from the second half on, changing by season."""
    years = (t.season - TREND_SEASON).astype(float)
    return [years * ((t.cell > FIRST_ADDED_CELL) & (t.lead > 0))], ["leading_trend"]


#: First season of five substitutions (2020-21): the ``era_*`` designs mark it and every later one.
FIVE_SUBS_FROM = 2020


def _era_trailing_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    """The side one goal behind from half-time on, in seasons with five substitutions."""
    on = (t.season >= FIVE_SUBS_FROM) & (t.cell > FIRST_ADDED_CELL) & (t.lead == -1)
    return [on.astype(float)], ["era_trailing_late"]


def _era_second_half_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    """Every side's scoring from half-time on, in seasons with five substitutions."""
    return [((t.season >= FIVE_SUBS_FROM) & (t.cell > FIRST_ADDED_CELL)).astype(float)], ["era_second_half"]


def _favourite_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    return _lead_columns(t, False, t.favourite, "_fav")


def _league_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    extra = [(t.competition == i).astype(float) for i in range(1, len(t.competitions))]
    return extra, [f"league_{c}" for c in t.competitions[1:]]


def _away_slope_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    columns, _ = _time_columns(t)
    away = (t.side == 1).astype(float)
    return [c * away for c in columns[2:4]], ["away_first_half_slope", "away_second_half_slope"]


def _second_red_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    names = ["red_own_second", "red_opponent_second"]
    return [(t.own_reds >= 2).astype(float), (t.opp_reds >= 2).astype(float)], names


def _red_timing_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    return [t.own_early.astype(float), t.opp_early.astype(float)], ["red_own_early", "red_opponent_early"]


def _closing_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    closing = t.cell >= CLOSING_CELL
    columns = [(closing & (t.lead == lead)).astype(float) for lead in _NON_ZERO]
    return columns, [f"both_lead_closing_{lead:+d}" for lead in _NON_ZERO]


def _added_lead_columns(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    added = t.cell == SECOND_ADDED_CELL
    columns = [(added & (t.lead == lead)).astype(float) for lead in _NON_ZERO]
    return columns, [f"both_lead_added_{lead:+d}" for lead in _NON_ZERO]


def _shared_leads(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    return _lead_columns(t, False)


def _leads_by_side(t: CellTable) -> tuple[list[np.ndarray], list[str]]:
    return _lead_columns(t, True)


_PIECES: dict[str, Callable[[CellTable], tuple[list[np.ndarray], list[str]]]] = {
    "time": _time_columns,
    "trend": _added_trend_columns,
    "slope_trend": _slope_trend_columns,
    "leading_trend": _leading_trend_columns,
    "leads": _shared_leads,
    "leads_by_side": _leads_by_side,
    "reds": _red_columns,
    "favourite": _favourite_columns,
    "league": _league_columns,
    "away_slope": _away_slope_columns,
    "second_red": _second_red_columns,
    "red_timing": _red_timing_columns,
    "closing": _closing_columns,
    "added_leads": _added_lead_columns,
    "era_trailing": _era_trailing_columns,
    "era_second_half": _era_second_half_columns,
}

#: The design the packaged parameters come from, and the alternatives scored against it on
#: held-out seasons: (pieces, what it tests). Only ``chosen``, ``no_added_leads``, ``no_trend``
#: and ``by_side`` map onto :class:`InplayParams`; the others say whether an effect the model
#: lacks would help.
CHOSEN = ("time", "trend", "leads", "reds", "added_leads", "leading_trend")
VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "chosen": (CHOSEN, "time profile with added time growing by season, lead effects by half and in the second "
                       "half's added time, a side ahead scoring less each season from half-time on, red cards"),
    "previous": (("time", "trend", "leads", "reds"), "the design shipped before (no added-time lead effects, no "
                                                       "leading trend)"),
    "no_leading_trend": (("time", "trend", "leads", "reds", "added_leads"), "the same lead effects every season"),
    "no_added_leads": (("time", "trend", "leads", "reds", "leading_trend"),
                       "the second half's lead effects in its added time too"),
    "no_trend": (("time", "leads", "reds", "added_leads", "leading_trend"), "the same added time every season"),
    "by_side": (("time", "trend", "leads_by_side", "reds", "added_leads", "leading_trend"),
                "lead effects of their own for home and away sides"),
    "slope_trend": ((*CHOSEN, "slope_trend"), "+ the second half's slope changing by season"),
    "favourite": ((*CHOSEN, "favourite"), "+ lead effects of their own for the pre-match favourite"),
    "league": ((*CHOSEN, "league"), "+ a scoring level per league"),
    "away_slope": ((*CHOSEN, "away_slope"), "+ the away side's own slope through each half"),
    "second_red": ((*CHOSEN, "second_red"), "+ a side's second red card weighs differently"),
    "red_timing": ((*CHOSEN, "red_timing"), "+ a first-half red card weighs differently from a later one"),
    "closing": ((*CHOSEN, "closing"), "+ lead effects of their own from minute 76"),
}


#: Designs only a walk-forward check can score (:mod:`remontada.inplay.walkforward`): an era of
#: five substitutions needs a fitted season in it (2020-21) before the one it forecasts.
ERA_VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "era_trailing": ((*CHOSEN, "era_trailing"), "+ the side one goal behind scoring differently from half-time on "
                                                "since five substitutions (2020-21)"),
    "era_second_half": ((*CHOSEN, "era_second_half"), "+ a second-half scoring level of its own since five "
                                                      "substitutions (2020-21)"),
}


def design(table: CellTable, variant: str) -> tuple[np.ndarray, list[str]]:
    """Design matrix and column names of ``variant`` (a :data:`VARIANTS` or :data:`ERA_VARIANTS` key)."""
    pieces = VARIANTS[variant][0] if variant in VARIANTS else ERA_VARIANTS[variant][0]
    return _design(*(_PIECES[name](table) for name in pieces))


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


def fit_variant(table: CellTable, variant: str = "chosen") -> CellFit:
    """Fit the design ``variant`` (a :data:`VARIANTS` key) to ``table``."""
    matrix, names = design(table, variant)
    beta, covariance = _poisson_fit(matrix, table.goals, table.exposure)
    return CellFit(variant, names, beta, covariance, log_likelihood(matrix, beta, table), table.n_matches,
                   int(table.goals.sum()))  # fmt: skip


def held_out_log_likelihood(fit: CellFit, table: CellTable) -> float:
    """Log-likelihood of ``table`` (held-out cells) under ``fit``'s coefficients."""
    matrix, names = design(table, fit.variant)
    if names != fit.names:  # a league absent from the training seasons
        raise ValueError(f"held-out design of {fit.variant} has other columns than its fit")
    return log_likelihood(matrix, fit.beta, table)


def compare(
    train: CellTable,
    test: CellTable,
    n_test: int,
    variants: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, object]], dict[str, CellFit]]:
    """Fit every variant on ``train``; score each on ``test`` (``n_test`` matches) against ``chosen``.

    Returns one row per variant (parameters, training and held-out log-likelihood, and the
    held-out gain over ``chosen`` per 1,000 matches: positive when the variant predicts better)
    and the fits by name. Both tables must be built with the same ``competitions``.
    """
    rows, fits = [], {}
    for name in variants or list(VARIANTS):
        fit = fits[name] = fit_variant(train, name)
        rows.append({
            "variant": name, "what": VARIANTS[name][1], "parameters": len(fit.names),
            "train_log_lik": fit.log_likelihood, "held_out_log_lik": held_out_log_likelihood(fit, test),
        })  # fmt: skip
        if progress:
            progress(name)
    reference = next((float(r["held_out_log_lik"]) for r in rows if r["variant"] == "chosen"), 0.0)  # type: ignore[arg-type]
    for row in rows:
        row["held_out_gain_per_1000"] = 1000.0 * (float(row["held_out_log_lik"]) - reference) / max(n_test, 1)  # type: ignore[arg-type]
    return rows, fits


#: The designs :func:`params_from_fit` turns into :class:`InplayParams`.
MAPPED = ("chosen", "previous", "no_leading_trend", "no_added_leads", "no_trend", "by_side", "slope_trend")


def params_from_fit(fit: CellFit, template: InplayParams) -> InplayParams:
    """A fit of ``chosen`` or of :data:`MAPPED` designs as :class:`InplayParams`.

    The added minutes are those of :data:`TREND_SEASON` (``added_season``); ``template`` gives
    what league events do not identify (the extra-time level, carried so that extra time keeps
    its rate in goals per minute: it is stated relative to the end of the second half).
    """
    if fit.variant not in MAPPED:
        raise ValueError(f"only {', '.join(MAPPED)} map onto InplayParams, not {fit.variant!r}")

    def leads(prefix: str) -> tuple[float, ...]:
        return tuple(fit.value(f"{prefix}_{lead:+d}") if lead else 0.0 for lead in LEADS)

    side = ("home", "away") if fit.variant == "by_side" else ("both", "both")
    trend = fit.variant != "no_trend"
    added = "both_lead_added_-1" in fit.names
    added_leads = (
        tuple(a + b for a, b in zip(leads("both_lead_added"), leads(f"{side[0]}_lead_late"), strict=True)),
        tuple(a + b for a, b in zip(leads("both_lead_added"), leads(f"{side[1]}_lead_late"), strict=True)),
    ) if added else (None, None)
    level1, slope1 = fit.value("first_half_level"), fit.value("first_half_slope")
    level2, slope2 = fit.value("second_half_level"), fit.value("second_half_slope")
    end_before = template.second_half_level + template.second_half_slope
    return replace(
        template,
        first_half_level=level1,
        first_half_slope=slope1,
        second_half_level=level2,
        second_half_slope=slope2,
        first_half_added=min(30.0, math.exp(fit.value("first_half_added_cell") - level1 - slope1)),
        second_half_added=min(30.0, math.exp(fit.value("second_half_added_cell") - level2 - slope2)),
        extra_time_level=template.extra_time_level + end_before - (level2 + slope2),
        home_lead=leads(f"{side[0]}_lead"),
        away_lead=leads(f"{side[1]}_lead"),
        home_lead_late=leads(f"{side[0]}_lead_late"),
        away_lead_late=leads(f"{side[1]}_lead_late"),
        home_lead_added=added_leads[0],
        away_lead_added=added_leads[1],
        red_own=fit.value("red_own"),
        red_opponent=fit.value("red_opponent"),
        second_half_slope_trend=fit.value("second_half_slope_trend") if "second_half_slope_trend" in fit.names else 0.0,
        leading_trend=fit.value("leading_trend") if "leading_trend" in fit.names else 0.0,
        first_half_added_trend=fit.value("first_half_added_trend") if trend else 0.0,
        second_half_added_trend=fit.value("second_half_added_trend") if trend else 0.0,
        added_season=float(TREND_SEASON) if trend or {"second_half_slope_trend", "leading_trend"} & set(fit.names)
        else 0.0,
    )


# ---- the whole refit ------------------------------------------------------------------------------

#: First season whose files write added time as ``45+2``/``90+3``: before 2008-09 almost no goal
#: has a ``+`` minute (added-time goals are written as minute 45 or 90), which would fold added
#: time into the last minute of each half.
FIRST_SEASON = 2009
#: First held-out season (2020-21): the fit learns from 2009-10 .. 2019-20.
HOLDOUT_FROM = 2020


@dataclass(frozen=True, eq=False)
class EventFit:
    """The refit: ``params`` (added time of the season starting in ``added_season``, the latest of
    the evidence: the trend carries it there from :data:`TREND_SEASON`), every coefficient of the
    chosen design with its standard error (``fit``), and the held-out comparison of designs."""

    params: InplayParams
    fit: CellFit
    comparison: list[dict[str, object]]
    train_seasons: tuple[int, int]
    n_train: int
    n_test: int
    added_season: int
    history: HistoryFit | None = None

    def estimates(self) -> tuple[Estimate, ...]:
        first, last = self.train_seasons
        evidence = (f"goal and red-card minutes, {self.n_train} league matches {first}-{(first + 1) % 100:02d}.."
                    f"{last}-{(last + 1) % 100:02d}, odds-implied pre-match rates")  # fmt: skip
        history = () if self.history is None else tuple(
            Estimate(n, float(b), self.history.se(n), evidence + ", on the chosen design's rates")
            for n, b in zip(self.history.names, self.history.beta, strict=True)
        )
        return self.fit.estimates(evidence) + history

    def notes(self) -> dict[str, str]:
        """Per parameter name: the estimate with its standard error (for the CSV's note column)."""
        notes = {}
        for e in self.estimates():
            for name in _param_names(e.name):
                added = "the second half's effect and " if "_lead_added_" in name else ""
                notes[name] = f"{added}{e.value:+.4f} se {e.se:.4f}"
                if ("_lead_late_" in name or "_lead_added_" in name) and name.endswith(("+1", "+2")):
                    notes[name] += f" in {TREND_SEASON}-{(TREND_SEASON + 1) % 100:02d}, moved by leading_trend"
        for half in ("first_half", "second_half"):
            cell = next(e for e in self.estimates() if e.name == f"{half}_added_cell")
            trend = next(e for e in self.estimates() if e.name == f"{half}_added_trend")
            season = f"{self.added_season}-{(self.added_season + 1) % 100:02d}"
            notes[f"{half}_added"] = (
                f"minutes of {season}: {TREND_SEASON}-{(TREND_SEASON + 1) % 100:02d}'s from its cell "
                f"{cell.value:+.4f} se {cell.se:.4f}, moved by the trend {trend.value:+.4f} a season"
            )
        notes["extra_time_level"] = "not in league matches: carried over (same extra-time goals per minute)"
        if self.history is not None:
            for name in self.history.names:
                notes[name] = f"{self.history.value(name):+.4f} se {self.history.se(name):.4f}, until the next goal"
        return notes


def _param_names(name: str) -> list[str]:
    if name.startswith("both_lead"):
        rest = name[len("both_"):]
        return [f"home_{rest}", f"away_{rest}"]
    return [name]


def fit_events(
    data: EventTimes,
    template: InplayParams,
    *,
    first_season: int = FIRST_SEASON,
    holdout_from: int | None = HOLDOUT_FROM,
    progress: Callable[[str], None] | None = None,
) -> EventFit:
    """Fit the chosen design on seasons ``first_season`` .. ``holdout_from - 1`` and score every
    design of :data:`VARIANTS` on the seasons from ``holdout_from`` (``None``: fit every season,
    score nothing: what ships)."""
    if holdout_from is None:
        holdout_from = int(data.season_start.max()) + 1 if len(data) else first_season + 1
    train = data.select((data.season_start >= first_season) & (data.season_start < holdout_from))
    test = data.select(data.season_start >= holdout_from)
    if not len(train):
        raise ValueError(f"no matches with events in seasons {first_season}..{holdout_from - 1}")
    competitions = tuple(sorted({str(c) for c in train.competition}))
    train_table = cell_table(train, competitions)
    if len(test):
        comparison, fits = compare(train_table, cell_table(test, competitions), len(test), progress=progress)
        fit = fits["chosen"]
    else:
        comparison, fit = [], fit_variant(train_table, "chosen")
    seasons = sorted({int(s) for s in train.season_start})
    latest = int(data.season_start.max())
    base = params_from_fit(fit, template)
    # the history effects, on the chosen design's rates
    history_rows, history_fits = compare_history(history_table(train, base),
                                                 history_table(test, base) if len(test) else None)  # fmt: skip
    if progress:
        progress("history")
    comparison = [*comparison, *history_rows] if len(test) else []
    history = history_fits[HISTORY_CHOSEN]
    # stated for the latest season of the evidence, the one callers without a date get
    params = with_history(base, history).for_season(latest)
    source = (
        f"fitted by remontada.inplay.minutes: goal and red-card minutes of {len(train)} league matches "
        f"{seasons[0]}-{(seasons[0] + 1) % 100:02d}..{seasons[-1]}-{(seasons[-1] + 1) % 100:02d} "
        "(schochastics/football-data events), odds-implied pre-match rates; added time grows by season, "
        "a side ahead scores less each season from half-time on; the state a forecast starts from, when its last "
        "goal is known, scores at rates of its own until the next goal (both sides less for 3 minutes after a goal)"
    )
    return EventFit(replace(params, source=source), fit, comparison, (seasons[0], seasons[-1]), len(train), len(test),
                    latest, history)  # fmt: skip


# ---- what the match so far adds: the lull after a goal -------------------------------------------

#: Designs of the history effects (:class:`InplayParams`' ``settled_lead``, ``lull``, ``momentum``,
#: ``deficit_age``), fitted with the chosen design's rates as offset: (effects, what it tests).
#: ``settled``: one adjustment per half and lead (the level score included) in every design.
HISTORY_VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "settled": ((), "no history effect (the adjustments alone)"),
    "lull": (("lull",), "both sides score less for 3 minutes after a goal (chosen)"),
    "lull_momentum": (("lull", "momentum"), "+ the side that scored the last goal scores more for 4-20 minutes "
                                            "after it, the other less"),
    "lull_age": (("lull", "deficit_age"), "+ a side one goal down for over 20 minutes scores more"),
    "lull_momentum_age": (("lull", "momentum", "deficit_age"), "+ both"),
}
HISTORY_CHOSEN = "lull"
#: Cells since the last goal: 0 none yet, 1 the lull (1-3 cells), 2 the momentum window (4-20), 3 later.
_SINCE_EDGES = (int(LULL_MINUTES), int(MOMENTUM_MINUTES))


def goal_history(data: EventTimes) -> tuple[np.ndarray, np.ndarray]:
    """``(since, scored_last)``, each ``(matches, 92)``: cells since the last goal before each cell
    (0: no goal yet) and who scored it (+1 home, -1 away, 0 none; the away side when both scored in
    one cell)."""
    home, away = _goals_in(data, True), _goals_in(data, False)
    n = len(data)
    since = np.zeros((n, N_CELLS), dtype=np.int64)
    last = np.zeros((n, N_CELLS), dtype=np.int64)
    s, scorer = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for cell in range(N_CELLS):
        since[:, cell], last[:, cell] = s, scorer
        scored = (home[:, cell] + away[:, cell]) > 0
        s = np.where(scored, 1, np.where(s > 0, s + 1, 0))
        scorer = np.where(away[:, cell] > 0, -1, np.where(home[:, cell] > 0, 1, scorer))
    return since, last


def path_means(data: EventTimes, params: InplayParams) -> np.ndarray:
    """``(2, matches, 92)`` expected goals of the home and away side in each cell, in the state the
    match was in (score and red cards before the cell), under ``params`` (the added time and
    trends of each match's season)."""
    home_score, away_score = _state(data, False, True), _state(data, False, False)
    home_reds, away_reds = _state(data, True, True), _state(data, True, False)
    lead = np.clip(home_score - away_score, -2, 2).astype(np.int64) + 2
    cells = np.arange(N_CELLS)
    first, second = cells < FIRST_ADDED_CELL, (cells > FIRST_ADDED_CELL) & (cells < SECOND_ADDED_CELL)
    minute = np.where(first, cells + 1, cells)
    period = np.where(cells <= FIRST_ADDED_CELL, 0, np.where(cells < SECOND_ADDED_CELL, 1, 2))
    out = np.zeros((2, len(data), N_CELLS))
    for season in np.unique(data.season_start):
        p = params.for_season(int(season))
        time = np.where(first, p.first_half_level + p.first_half_slope * (minute - 0.5) / 45.0,
                        p.second_half_level + p.second_half_slope * (minute - 45.5) / 45.0)  # fmt: skip
        time[FIRST_ADDED_CELL] = p.first_half_level + p.first_half_slope + math.log(max(p.first_half_added, 1e-9))
        time[SECOND_ADDED_CELL] = p.second_half_level + p.second_half_slope + math.log(max(p.second_half_added, 1e-9))
        time = np.where(first | second | (cells == FIRST_ADDED_CELL) | (cells == SECOND_ADDED_CELL), time, 0.0)
        mine = data.season_start == season
        for side, (rate, own, opp, effects) in enumerate((
            (data.home_rate, lead, (home_reds, away_reds), (p.home_lead, p.home_lead_late, p.home_lead_added)),
            (data.away_rate, 4 - lead, (away_reds, home_reds), (p.away_lead, p.away_lead_late, p.away_lead_added)),
        )):  # fmt: skip
            table = np.array(effects)
            log_mean = (time[None, :] + table[period[None, :], own[mine]]
                        + p.red_own * opp[0][mine] + p.red_opponent * opp[1][mine])  # fmt: skip
            out[side, mine] = rate[mine, None] / 90.0 * np.exp(log_mean)
    return out


@dataclass(frozen=True, eq=False)
class HistoryTable:
    """Goals and expected goals (under the chosen fit) summed by half, the side's own lead, cells
    since the last goal (0 none, 1 within the lull, 2 the momentum window, 3 later) and who scored it
    (+1 the side, -1 its opponent, 0 none)."""

    period: np.ndarray
    lead: np.ndarray
    since: np.ndarray
    scored_last: np.ndarray
    goals: np.ndarray
    expected: np.ndarray
    n_matches: int


def history_table(data: EventTimes, params: InplayParams) -> HistoryTable:
    """Aggregate ``data`` by the history covariates, with ``params``' expected goals as offset."""
    expected = path_means(data, params)
    goals = np.stack([_goals_in(data, True), _goals_in(data, False)])
    since, last = goal_history(data)
    lead = np.clip(_state(data, False, True) - _state(data, False, False), -2, 2).astype(np.int64)
    bucket = np.where(since == 0, 0, np.where(since <= _SINCE_EDGES[0], 1, np.where(since <= _SINCE_EDGES[1], 2, 3)))
    period = np.broadcast_to((np.arange(N_CELLS) > FIRST_ADDED_CELL).astype(np.int64), lead.shape)
    keys = [(((period * 5 + (sign * lead + 2)) * 4 + bucket) * 3 + (sign * last + 1)).ravel() for sign in (1, -1)]
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    summed_goals = np.bincount(inverse, weights=goals.reshape(-1))
    summed_expected = np.bincount(inverse, weights=expected.reshape(-1))
    return HistoryTable(unique // 60, (unique // 12) % 5 - 2, (unique // 3) % 4, unique % 3 - 1, summed_goals,
                        summed_expected, len(data))  # fmt: skip


def _history_design(t: HistoryTable, variant: str) -> tuple[np.ndarray, list[str]]:
    columns, names = [], []
    for period, label in ((0, "settled_lead"), (1, "settled_lead_late")):
        for lead in LEADS:
            columns.append(((t.period == period) & (t.lead == lead)).astype(float))
            names.append(f"{label}_{lead:+d}".replace("+0", "0"))
    effects = HISTORY_VARIANTS[variant][0]
    if "lull" in effects:
        columns.append(((t.since == 1) & (t.scored_last != 0)).astype(float))
        names.append("lull")
    if "momentum" in effects:
        columns.append(np.where(t.since == 2, t.scored_last, 0).astype(float))
        names.append("momentum")
    if "deficit_age" in effects:
        columns.append(((t.since == 3) & (t.lead == -1)).astype(float))
        names.append("deficit_age")
    return np.column_stack(columns), names


@dataclass(frozen=True, eq=False)
class HistoryFit:
    """The history effects of one design (log rate multipliers on the chosen fit's rates)."""

    variant: str
    names: list[str]
    beta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float

    def value(self, name: str) -> float:
        return float(self.beta[self.names.index(name)]) if name in self.names else 0.0

    def se(self, name: str) -> float:
        index = self.names.index(name)
        return float(math.sqrt(max(self.covariance[index, index], 0.0)))


def fit_history(table: HistoryTable, variant: str = HISTORY_CHOSEN) -> HistoryFit:
    """Fit the history design ``variant`` (a :data:`HISTORY_VARIANTS` key) to ``table``."""
    matrix, names = _history_design(table, variant)
    beta, covariance = _poisson_fit(matrix, table.goals, table.expected)
    used = table.expected > 0
    mean = table.expected[used] * np.exp(matrix[used] @ beta)
    return HistoryFit(variant, names, beta, covariance, float((table.goals[used] * np.log(mean) - mean).sum()))


def history_log_likelihood(fit: HistoryFit, table: HistoryTable) -> float:
    """Log-likelihood of ``table`` (held out) under ``fit``."""
    matrix, _ = _history_design(table, fit.variant)
    used = table.expected > 0
    mean = table.expected[used] * np.exp(matrix[used] @ fit.beta)
    return float((table.goals[used] * np.log(mean) - mean).sum())


def compare_history(
    train: HistoryTable, test: HistoryTable | None
) -> tuple[list[dict[str, object]], dict[str, HistoryFit]]:
    """Every history design fitted on ``train`` and scored on ``test`` against ``settled`` (no
    history effect): held-out log-likelihood gain per 1,000 matches."""
    rows, fits = [], {}
    for name, (effects, what) in HISTORY_VARIANTS.items():
        fit = fits[name] = fit_history(train, name)
        held = history_log_likelihood(fit, test) if test is not None and test.n_matches else float("nan")
        rows.append({"variant": f"history:{name}", "what": what, "parameters": len(effects),
                     "train_log_lik": fit.log_likelihood, "held_out_log_lik": held})  # fmt: skip
    reference = rows[0]
    for row in rows:
        row["train_gain"] = float(row["train_log_lik"]) - float(reference["train_log_lik"])  # type: ignore[arg-type]
        gain = float(row["held_out_log_lik"]) - float(reference["held_out_log_lik"])  # type: ignore[arg-type]
        row["held_out_gain_per_1000"] = 1000.0 * gain / max(test.n_matches if test is not None else 0, 1)
    return rows, fits


def with_history(params: InplayParams, fit: HistoryFit) -> InplayParams:
    """``params`` with the history effects of ``fit``."""
    return replace(
        params,
        settled_lead=tuple(fit.value(f"settled_lead_{lead:+d}".replace("+0", "0")) for lead in LEADS),
        settled_lead_late=tuple(fit.value(f"settled_lead_late_{lead:+d}".replace("+0", "0")) for lead in LEADS),
        lull=fit.value("lull"),
        momentum=fit.value("momentum"),
        deficit_age=fit.value("deficit_age"),
    )

"""The answer to "can they come back?" for one tie: model forecast, history, and what each side needs.

:func:`forecast_state` turns a :class:`~remontada.ties.state.TieState` into a
:class:`~remontada.ties.engine.TieForecast` with grids from a :class:`~remontada.forecast.Forecaster`
fitted on the club matches played before the state's ``as_of`` date. :func:`answer_tie` adds
the historical base rate for the position (first-leg margin and venue, from UEFA ties that
ended before ``as_of``) with the comebacks behind it, and the record of how the tie really
ended when the store has it (shown, never used). :func:`plot_next_match` draws the next
match's score grid coloured by who goes through.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from remontada.competitions import display_name, eras_label
from remontada.forecast import Forecaster
from remontada.rules import round_name
from remontada.store.reader import Store
from remontada.ties.base_rates import BaseRateBaseline
from remontada.ties.engine import TieForecast, forecast_second_leg, forecast_single_match, forecast_tie
from remontada.ties.history import Tie, base_rate, shared_ties
from remontada.ties.second_leg import SecondLegAdjustment
from remontada.ties.second_leg import packaged as packaged_second_leg
from remontada.ties.state import TieState, record_of

#: Ties the historical base rates are counted over: every UEFA club competition in the store.
UEFA_CLUB_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc")
#: First-leg margins of this many goals or more are pooled in the base rate (few ties have them).
POOLED_FROM = 4


@dataclass(frozen=True, slots=True)
class FitInfo:
    """The model behind a forecast: its name, the day it was fitted as of (nothing played on or
    after it was seen), how many club matches it learnt from and the latest of them."""

    model: str
    description: str
    as_of: dt.date
    matches: int
    latest_match: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "description": self.description,
            "as_of": self.as_of.isoformat(),
            "matches": self.matches,
            "latest_match": self.latest_match.isoformat() if self.latest_match else None,
        }


#: Comebacks an answer lists per position and group (main draw, qualifying rounds), latest first; the
#: rest are a page of ``history`` away (``HistoricalRate.to_dict``'s ``more``).
COMEBACKS_LISTED = 20


@dataclass(frozen=True, slots=True)
class HistoricalRate:
    """``k`` of ``n`` earlier sides in a position went through: ``p = k / n`` in [0, 1] with its
    95% Wilson interval ``[low, high]``; ``comebacks`` are the ``k`` ties, oldest first.

    ``deficit`` (goals behind after the first leg), ``first_leg_at`` (``None``: anywhere) and
    ``or_more`` name the position as :func:`remontada.history` asks it (``None`` when the rate is
    not a first-leg position, e.g. before the first leg).
    """

    label: str
    n: int
    k: int
    p: float
    low: float
    high: float
    comebacks: tuple[Tie, ...] = field(default=(), repr=False)
    deficit: int | None = None
    first_leg_at: str | None = None
    or_more: bool = False

    def to_dict(
        self,
        with_ties: bool = True,
        *,
        listed: int = COMEBACKS_LISTED,
        competitions: Sequence[str] = (),
        before: dt.date | None = None,
    ) -> dict[str, Any]:
        """JSON-able. With ``with_ties``: ``comebacks`` lists the latest ``listed`` of the main draw, then the
        latest ``listed`` of the qualifying rounds (each latest first); ``comebacks_total`` counts each group;
        ``more`` is the query of :func:`remontada.history` (and ``/api/history``, paged with ``group``,
        ``offset`` and ``limit``) listing them all: ``competition`` (``competitions`` joined by commas),
        ``deficit``, ``first_leg_at``, ``or_more``, ``before`` (ISO)."""
        out: dict[str, Any] = {
            "label": self.label,
            "n": self.n,
            "k": self.k,
            "p": self.p,
            "low": self.low,
            "high": self.high,
        }
        if with_ties:
            main, qualifying, n_main, n_qualifying = _comeback_lines(self.comebacks, listed)
            out["comebacks"] = [{**line, "legs": list(line["legs"])} for line in (*main, *qualifying)]
            out["comebacks_total"] = {"main_draw": n_main, "qualifying": n_qualifying}
            out["more"] = None
            if self.deficit is not None:
                out["more"] = {
                    "competition": ",".join(competitions) or None,
                    "deficit": self.deficit,
                    "first_leg_at": self.first_leg_at,
                    "or_more": self.or_more,
                    "before": before.isoformat() if before else None,
                }
        return out


#: The comebacks of a tuple of ties (by ``id``, with the tuple itself) in the main draw and in qualifying
#: rounds, each latest first, and the lines written of them so far: base rates are kept per question, so
#: the same tuple comes back with every answer about the same position.
_LINES: OrderedDict[int, tuple[tuple[Tie, ...], tuple[list[Tie], list[Tie]], tuple[list[Any], list[Any]]]] = (
    OrderedDict()
)
_LINES_LOCK = threading.Lock()
LINES_SIZE = 256


def comeback_line(t: Tie) -> dict[str, Any]:
    """One tie as a line of a list of comebacks: when it ended (ISO), its description, who went through,
    its competition, season and round, its legs and how it ended."""
    return {
        "date": t.date.isoformat() if t.date else None,
        "tie": t.describe(),
        "winner": t.name(t.winner),
        "qualifying": t.qualifying,
        "competition": t.competition,
        "competition_name": t.competition_name,
        "season": t.season,
        "round_name": round_name(t.round),
        "legs": tuple(t.leg_text(leg) for leg in (t.leg1, t.leg2, *t.replays) if leg is not None),
        "outcome": t.outcome_text(),
    }


def latest_first(ties: Sequence[Tie]) -> list[Tie]:
    """``ties`` by the day they ended, latest first (ties without a date last, in their order)."""
    return sorted(ties, key=lambda t: t.date or dt.date.min, reverse=True)


def _comeback_lines(ties: tuple[Tie, ...], listed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """The lines (:func:`comeback_line`) of the latest ``listed`` of ``ties`` in the main draw and in qualifying
    rounds (each latest first), and how many there are in each; lines are written once per tuple, as far as
    they are asked for (callers copy them: :meth:`HistoricalRate.to_dict`)."""
    with _LINES_LOCK:
        kept = _LINES.get(id(ties))
        if kept is not None and kept[0] is ties:
            _LINES.move_to_end(id(ties))
        else:
            ordered = latest_first(ties)
            groups = ([t for t in ordered if not t.qualifying], [t for t in ordered if t.qualifying])
            kept = _LINES[id(ties)] = (ties, groups, ([], []))
            while len(_LINES) > LINES_SIZE:
                _LINES.popitem(last=False)
        _, groups, written = kept
        for group, lines in zip(groups, written, strict=True):
            lines.extend(comeback_line(t) for t in group[len(lines) : listed])
        return written[0][:listed], written[1][:listed], len(groups[0]), len(groups[1])


@dataclass(frozen=True, slots=True)
class TieHistory:
    """History for the side the question is about (``side``, a club id): the rate for its exact
    position and, between the legs, the same margin at any venue. Counted over ``competitions``,
    ties that ended before ``before`` (ISO date)."""

    side: str
    side_name: str
    before: dt.date
    competitions: tuple[str, ...]
    rates: tuple[HistoricalRate, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "side_name": self.side_name,
            "before": self.before.isoformat(),
            "competitions": list(self.competitions),
            "competition_names": [display_name(c) for c in self.competitions],
            "competition_eras": [eras_label(c, last=self.before) for c in self.competitions],
            "rates": [r.to_dict(competitions=self.competitions, before=self.before) for r in self.rates],
        }


@dataclass(frozen=True, eq=False)
class TieAnswer:
    """The answer to "who goes through?" for one knockout tie (what ``remontada tie`` prints).

    ``rates`` are the expected goals per 90 minutes (home, away) of each match the forecast
    priced (``first_leg``, ``second_leg`` or ``match``); ``warnings`` say what limits the answer
    (e.g. the store's data ends before the forecast date, ``data_cutoff``).

    >>> ans = rm.answer_tie("Liverpool", "Atalanta", competition="Europa League", season="2023-24")  # doctest: +SKIP
    >>> round(ans.p_through("Liverpool"), 3)                                                          # doctest: +SKIP
    0.085
    """

    state: TieState
    forecast: TieForecast
    fit: FitInfo
    rates: dict[str, tuple[float, float]]
    history: TieHistory | None
    record: str | None
    warnings: tuple[str, ...] = ()
    data_cutoff: dt.date | None = None

    @property
    def focus(self) -> str:
        """The side the question is about: behind after the first leg, else the outsider."""
        if self.history is not None:
            return self.history.side_name
        return self.forecast.team_a if self.forecast.p_a <= 0.5 else self.forecast.team_b

    @property
    def teams(self) -> tuple[str, str]:
        """The two clubs by name: (the first leg's host, the second leg's host)."""
        return self.state.name_a, self.state.name_b

    def club(self, club: str) -> str:
        """The name of ``club`` (a name or id of either side, accents, case and legal forms ignored)."""
        from remontada.errors import UnknownClub
        from remontada.ingest.names import normalise

        sides = ((self.state.team_a, self.state.name_a), (self.state.team_b, self.state.name_b))
        for cid, name in sides:
            if club in (cid, name):
                return name
        wanted = normalise(club)
        hits = [name for cid, name in sides if wanted and wanted in (normalise(name), normalise(cid))]
        if len(hits) == 1:
            return hits[0]
        raise UnknownClub(club, [name for _, name in sides], field="club")

    def p_through(self, club: str) -> float:
        """P(``club`` goes through), in [0, 1]; ``club`` is either side's name or id."""
        return self.forecast.p_through(self.club(club))

    def next_match_result(self) -> dict[str, Any]:
        """The next match after 90 minutes: its sides (home first) and win/draw/win in [0, 1]."""
        probs = self.forecast.next_match_probs
        home_win = float(np.tril(probs, -1).sum())
        draw = float(np.trace(probs))
        if self.forecast.next_match == "second_leg":
            home, away = self.state.name_b, self.state.name_a
        else:
            home, away = self.state.name_a, self.state.name_b
        return {
            "match": self.forecast.next_match,
            "home": home,
            "away": away,
            "home_win": home_win,
            "draw": draw,
            "away_win": max(0.0, 1.0 - home_win - draw),
        }

    def to_dict(self, n_scenarios: int = 6) -> dict[str, Any]:
        """JSON-able: the tie, the forecast (``n_scenarios`` likeliest next-match scores), the model,
        expected goals, the next match's 1X2, history, warnings and the stored record."""
        return {
            "tie": self.state.to_dict(),
            "p_through": {self.state.name_a: self.forecast.p_a, self.state.name_b: self.forecast.p_b},
            "forecast": self.forecast.to_dict(n_scenarios),
            "model": self.fit.to_dict(),
            "expected_goals": {k: {"home": v[0], "away": v[1]} for k, v in self.rates.items()},
            "next_match": self.next_match_result(),
            "history": self.history.to_dict() if self.history is not None else None,
            "record": self.record,
            "record_note": "how the tie really ended, from the store; not used by the forecast",
            "warnings": list(self.warnings),
            "data_cutoff": self.data_cutoff.isoformat() if self.data_cutoff else None,
        }


# ---- the forecast --------------------------------------------------------------------------------
def forecast_state(
    forecaster: Forecaster, state: TieState, *, second_leg: SecondLegAdjustment | None = None
) -> tuple[TieForecast, dict[str, tuple[float, float]]]:
    """The exact tie forecast for ``state`` from ``forecaster`` fitted as of ``state.as_of``.

    Between the legs the second leg's expected goals are adjusted for the first-leg score by
    ``second_leg`` (default: the packaged fit, :mod:`remontada.ties.second_leg`); ``rates`` then
    reports the adjusted second-leg rates.

    Raises ``ValueError`` when the tie was over before ``as_of`` and ``KeyError`` when the model
    cannot rate a club (no club match in its history window).
    """
    phase = state.phase
    if phase == "over":
        raise ValueError(
            f"the tie was over before {state.as_of.isoformat()}; ask as of a date on or before its last match"
        )
    day, comp = state.as_of, state.competition
    teams = (state.name_a, state.name_b)
    leg1_neutral = bool(state.leg1 is not None and state.leg1.neutral)
    leg2_neutral = bool(state.leg2 is not None and state.leg2.neutral)
    rates: dict[str, tuple[float, float]] = {}
    if phase == "single_match":
        neutral = state.rules.neutral_venue or leg1_neutral
        grid = forecaster.grid(state.team_a, state.team_b, day, neutral=neutral, competition=comp)
        rates["match"] = forecaster.rates(state.team_a, state.team_b, day, neutral=neutral, competition=comp)
        return forecast_single_match(grid, rules=state.rules, teams=teams, on_unmodelled="even"), rates
    leg2 = forecaster.grid(state.team_b, state.team_a, day, neutral=leg2_neutral, competition=comp)
    rates["second_leg"] = forecaster.rates(state.team_b, state.team_a, day, neutral=leg2_neutral, competition=comp)
    if phase == "between_legs":
        assert state.first_leg is not None
        adjustment = second_leg if second_leg is not None else _packaged_second_leg()
        host, visitor = adjustment.factors(state.first_leg, leg2.expected_goals())
        leg2 = adjustment.apply(leg2, state.first_leg)
        rates["second_leg"] = (rates["second_leg"][0] * host, rates["second_leg"][1] * visitor)
        forecast = forecast_second_leg(state.first_leg, leg2, rules=state.rules, teams=teams, on_unmodelled="even")
        return forecast, rates
    leg1 = forecaster.grid(state.team_a, state.team_b, day, neutral=leg1_neutral, competition=comp)
    rates = {
        "first_leg": forecaster.rates(state.team_a, state.team_b, day, neutral=leg1_neutral, competition=comp),
        **rates,
    }
    return forecast_tie(leg1, leg2, rules=state.rules, teams=teams, on_unmodelled="even"), rates


def fit_info(forecaster: Forecaster, as_of: dt.date) -> FitInfo:
    """What the model fitted as of ``as_of`` learnt from."""
    count, last = forecaster.seen(np.datetime64(as_of.isoformat(), "D"))
    latest = last.astype(object) if last is not None else None
    return FitInfo(forecaster.spec.name, forecaster.spec.description, as_of, count, latest)


@lru_cache(maxsize=1)
def _packaged_second_leg() -> SecondLegAdjustment:
    """The packaged second-leg fit, read once per process (it ships with the package)."""
    return packaged_second_leg()


# ---- history ---------------------------------------------------------------------------------------
def _position_label(deficit: int, venue: str | None, or_more: bool) -> str:
    plus = "+" if or_more else ""
    if deficit > 0:
        text = f"lost the first leg by {deficit}{plus} goal{'s' if deficit > 1 or or_more else ''}"
    elif deficit < 0:
        text = f"won the first leg by {-deficit}{plus} goal{'s' if deficit < -1 or or_more else ''}"
    else:
        text = "drew the first leg"
    where = {"home": " at home", "away": " away", "neutral": " at a neutral ground"}.get(venue or "", " anywhere")
    return "sides that " + text + where


def tie_history(
    state: TieState, ties: Sequence[Tie], competitions: Sequence[str] = UEFA_CLUB_COMPETITIONS
) -> TieHistory | None:
    """The base rate for the position of ``state`` from ``ties`` that ended before ``state.as_of``.

    Between the legs the side viewed is the one behind after the first leg (after a draw: the
    side at home in the second leg); the rates are its exact margin and first-leg venue, and the
    same margin anywhere (margins of 4 or more pooled). Before the first leg: the share of ties
    won by the side at home in the second leg. ``None`` for a single match.
    """
    if state.rules.legs != 2 or state.phase == "over":
        return None
    before = state.as_of
    if state.phase == "before_first_leg":
        rate = BaseRateBaseline(ties).second_leg_host(before)
        label = "sides at home in the second leg"
        host = HistoricalRate(label, rate.n, rate.k, rate.raw, rate.low, rate.high)
        return TieHistory(state.team_b, state.name_b, before, tuple(competitions), (host,))
    assert state.first_leg is not None
    margin = state.first_leg[0] - state.first_leg[1]  # A's goals minus B's
    side = state.team_a if margin < 0 else state.team_b
    deficit = -margin if side == state.team_a else margin
    neutral = state.leg1 is not None and state.leg1.neutral
    venue = "neutral" if neutral else ("home" if side == state.team_a else "away")
    or_more = abs(deficit) >= POOLED_FROM
    cells: list[tuple[str | None, str]] = [(venue, _position_label(deficit, venue, or_more))]
    if deficit != 0:  # history counts a draw "anywhere" from the first-leg host only: not this side's view
        cells.append((None, _position_label(deficit, None, or_more)))
    rates = []
    for where, label in cells:
        counted = base_rate(ties, deficit, where, or_more=or_more, before=before)  # type: ignore[arg-type]
        counted_rate = HistoricalRate(
            label, counted.n, counted.k, counted.p, counted.low, counted.high, counted.comebacks,
            deficit=deficit, first_leg_at=where, or_more=or_more,
        )  # fmt: skip
        rates.append(counted_rate)
    return TieHistory(side, state.name(side), before, tuple(competitions), tuple(rates))


def answer_tie(
    store: Store,
    state: TieState,
    *,
    model: str | None = None,
    forecaster: Forecaster | None = None,
    history_ties: Sequence[Tie] | None = None,
    competitions: Sequence[str] = UEFA_CLUB_COMPETITIONS,
) -> TieAnswer:
    """The full answer for ``state``: forecast (``model``, default the forecast module's default,
    or a ready ``forecaster``), fit summary, base rate from ``history_ties`` (default: every tie
    of ``competitions`` rebuilt from the store) and the stored record of the tie."""
    if forecaster is None:
        forecaster = Forecaster(store, model) if model is not None else Forecaster(store)
    forecast, rates = forecast_state(forecaster, state)
    ties = history_ties if history_ties is not None else shared_ties(store, competitions)
    return TieAnswer(
        state=state,
        forecast=forecast,
        fit=fit_info(forecaster, state.as_of),
        rates=rates,
        history=tie_history(state, ties, competitions),
        record=record_of(state),
    )


# ---- picture ---------------------------------------------------------------------------------------
def plot_next_match(forecast: TieForecast, path: str | Path, *, max_goals: int = 6, title: str | None = None) -> Path:
    """A PNG of the next match's score grid: each cell's probability, coloured by P(A through | score).

    Rows are the next match's home goals, columns its away goals, up to ``max_goals`` (the last
    row and column gather that many or more).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure

    probs, p_a = forecast.next_match_probs, forecast.next_match_p_a
    size = max_goals + 1
    shown = np.zeros((size, size))
    weighted = np.zeros((size, size))
    rows = np.minimum(np.arange(probs.shape[0]), max_goals)
    cols = np.minimum(np.arange(probs.shape[1]), max_goals)
    np.add.at(shown, (rows[:, None], cols[None, :]), probs)
    np.add.at(weighted, (rows[:, None], cols[None, :]), probs * p_a)
    with np.errstate(invalid="ignore", divide="ignore"):
        chance_a = np.where(shown > 0, weighted / shown, np.nan)
    if forecast.next_match == "second_leg":
        home, away = forecast.team_b, forecast.team_a
    else:
        home, away = forecast.team_a, forecast.team_b
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    cmap = LinearSegmentedColormap.from_list("through", ["#c0392b", "#f4f4f4", "#2471a3"])
    image = ax.imshow(chance_a, cmap=cmap, vmin=0.0, vmax=1.0, origin="upper")
    for i in range(size):
        for j in range(size):
            ax.text(j, i, f"{100 * shown[i, j]:.1f}", ha="center", va="center", fontsize=8)
    labels = [str(g) for g in range(max_goals)] + [f"{max_goals}+"]
    ax.set_xticks(range(size), labels)
    ax.set_yticks(range(size), labels)
    ax.set_xlabel(f"{away} goals")
    ax.set_ylabel(f"{home} goals")
    match = forecast.next_match.replace("_", " ")
    ax.set_title(title or f"{home} v {away}, {match}: chance of each score (%)")
    fig.colorbar(image, ax=ax, label=f"P({forecast.team_a} through | score)")
    target = Path(path)
    fig.savefig(target, dpi=120)
    return target

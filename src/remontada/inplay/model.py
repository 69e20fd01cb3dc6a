"""In-play goals: what the time left in a match holds, given the minute, the score and red cards.

Each side scores as a Poisson process whose rate changes through the match and with the state
of play. At clock position ``t`` in period ``p`` (first half, second half, extra time) the
home side's rate in goals per minute is ::

    home_rate / 90 * exp(level[p] + slope[p] * (t - start[p]) / 45
                         + home_lead[p][clip(lead, -2, 2)]
                         + red_own * home_reds + red_opponent * away_reds)

and the away side's the same with its own lead (``-lead``), its ``away_lead`` effects and the
red cards swapped. The lead effects of the first half (``home_lead``) and of the rest of the
match (``home_lead_late``: second half and extra time) differ: a deficit weighs more as time
runs out; the second half's added time has lead effects of its own (``home_lead_added``: a
one-goal match is more open there, both sides scoring more than at a level score).
``home_rate``/``away_rate`` are the pre-match expected goals per 90 minutes of any ScoreGrid
model, so team strength carries through; the parameters (:class:`InplayParams`, fitted by
:mod:`remontada.inplay.minutes`, shipped in ``data/inplay.csv``) say how time, the state of
play and red cards bend it. Added time is played at the rate of the end of its half, for
``first_half_added``/``second_half_added`` minutes.

"Lead" is whatever the side must protect or overturn: the match score in a league match, the
aggregate (with away goals where the rules count them) in the second leg of a tie. The caller
says how it is computed from the goals still to come with a :data:`LeadRule` such as
:func:`match_lead` or :func:`second_leg_lead`.

The future is computed on the grid of goals still to come ``(i, j)`` by a forward Kolmogorov
(Markov chain) recursion in steps of at most one minute. In a step each side scores 0, 1 or 2
goals with Poisson chances at the rates of the cell it starts from (three or more in one minute
count as two: the mean is off by under 0.01%); the home side's goals are applied first and the
away side's rates are read at the cell they lead to. The grid is cut where the chance of more
goals is below ``tail``; its last row and column absorb. The same steps run backwards
(:meth:`GoalChain.backward`) give the chance of any final event from every cell at every
minute in one pass, which the comeback curves use (:mod:`remontada.inplay.comeback`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import special

from remontada.grid import ScoreGrid
from remontada.kernels import shift_scores
from remontada.sources.records import SourceError

#: Leads the state effects are estimated for; larger leads count as +/-2.
LEADS: tuple[int, ...] = (-2, -1, 0, 1, 2)

_LEAD_FIELDS = ("home_lead", "away_lead", "home_lead_late", "away_lead_late", "home_lead_added", "away_lead_added")
_SETTLED_FIELDS = ("settled_lead", "settled_lead_late")
_OPTIONAL_FIELDS = frozenset(
    {"first_half_added_trend", "second_half_added_trend", "second_half_slope_trend", "leading_trend", "added_season",
     "lull", "momentum", "deficit_age"}
)
#: Minutes after a goal in which both sides score ``lull`` times less (celebration, restart), and
#: the end of the ``momentum`` window after it (minutes since the goal).
LULL_MINUTES = 3.0
MOMENTUM_MINUTES = 20.0

#: The home side's lead given the goals still to come: ``lead(home_more, away_more) -> int array``.
LeadRule = Callable[[np.ndarray, np.ndarray], np.ndarray]

DEFAULT_TAIL = 1e-9

#: The highest pre-match scoring rate accepted, goals per 90 minutes. The grid of goals to come
#: grows with the rate (about 40 x 40 cells at 10); rates far outside football would need gigabytes.
MAX_RATE = 10.0


# ---- parameters ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InplayParams:
    """The fitted shape of scoring through a match; every effect is a log rate multiplier.

    ``first_half_level``/``second_half_level``: log multiplier of ``rate / 90`` at the start of
    each half; ``first_half_slope``/``second_half_slope``: change of the log rate from the start
    to the end of the half's 45 minutes. ``first_half_added``/``second_half_added``: minutes of
    added time, played at the end-of-half rate. ``extra_time_level``: log multiplier of extra
    time's rate relative to the end of the second half. ``home_lead``/``away_lead``: one effect
    per lead in :data:`LEADS` (-2 or less ... +2 or more; the entry for 0 is 0) in the first
    half; ``home_lead_late``/``away_lead_late`` the same from the second half on (default: the
    first half's); ``home_lead_added``/``away_lead_added`` the same in the second half's added
    time (default: the second half's).
    ``red_own``/``red_opponent``: effect of each red card shown to the side itself / to its
    opponent. ``first_half_added_trend``/``second_half_added_trend``: change of the log added
    time per season (added time has grown season after season); the added minutes are those of
    the season starting in ``added_season`` (0: no trend), and :meth:`for_season` moves them to
    another season. ``second_half_slope_trend``: change of ``second_half_slope`` per season (the
    second half's scoring has risen less towards its end season after season); ``for_season``
    moves the slope with the added time (and ``extra_time_level`` the other way, so that extra
    time keeps its goals per minute). ``leading_trend``: change per season of the log effect of
    being ahead (lead +1 and +2) from the second half on; ``for_season`` moves those effects too.
    ``settled_lead``/``settled_lead_late`` (one per lead -2..2, the level score included),
    ``lull``, ``momentum`` and ``deficit_age`` say how the state a forecast starts from differs
    from the average of that state when the match so far is known (:class:`GoalHistory`): the
    lead effects above average over every minute spent in a state, the first minutes after a goal
    included, in which both sides score less (``lull``, for :data:`LULL_MINUTES`). Until the next
    goal the sides score at ``exp(settled_lead[lead])`` (first half; ``settled_lead_late`` after)
    times the state's average rate, times ``exp(lull)`` within :data:`LULL_MINUTES` of the last
    goal, ``exp(+/-momentum)`` (the side that scored it / the other) up to
    :data:`MOMENTUM_MINUTES`, and ``exp(deficit_age)`` for a side one goal down for longer. All
    zero: the history changes nothing. Goals still to come are followed by the average rates.
    ``source`` says where the numbers came from.
    """

    first_half_level: float = 0.0
    first_half_slope: float = 0.0
    second_half_level: float = 0.0
    second_half_slope: float = 0.0
    first_half_added: float = 0.0
    second_half_added: float = 0.0
    extra_time_level: float = 0.0
    home_lead: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0)
    away_lead: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0)
    home_lead_late: tuple[float, ...] | None = None
    away_lead_late: tuple[float, ...] | None = None
    home_lead_added: tuple[float, ...] | None = None
    away_lead_added: tuple[float, ...] | None = None
    red_own: float = 0.0
    red_opponent: float = 0.0
    first_half_added_trend: float = 0.0
    second_half_added_trend: float = 0.0
    second_half_slope_trend: float = 0.0
    leading_trend: float = 0.0
    added_season: float = 0.0
    settled_lead: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0)
    settled_lead_late: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0)
    lull: float = 0.0
    momentum: float = 0.0
    deficit_age: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        for late, early in (
            ("home_lead_late", "home_lead"),
            ("away_lead_late", "away_lead"),
            ("home_lead_added", "home_lead_late"),
            ("away_lead_added", "away_lead_late"),
        ):
            if getattr(self, late) is None:
                object.__setattr__(self, late, getattr(self, early))
        for name in _LEAD_FIELDS:
            values = tuple(float(v) for v in getattr(self, name))
            if len(values) != len(LEADS):
                raise ValueError(f"{name} needs {len(LEADS)} effects (leads {LEADS}), got {len(values)}")
            if values[LEADS.index(0)] != 0.0:
                raise ValueError(f"{name} effect at lead 0 is the reference and must be 0, got {values[2]}")
            object.__setattr__(self, name, values)
        for name in _SETTLED_FIELDS:
            values = tuple(float(v) for v in getattr(self, name))
            if len(values) != len(LEADS):
                raise ValueError(f"{name} needs {len(LEADS)} effects (leads {LEADS}), got {len(values)}")
            object.__setattr__(self, name, values)
        for name in ("first_half_added", "second_half_added"):
            if not 0.0 <= getattr(self, name) <= 30.0:
                raise ValueError(f"{name} must be within 0..30 minutes, got {getattr(self, name)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{f.name} must be finite, got {value}")

    def for_season(self, season_start: int) -> InplayParams:
        """These parameters with the added time (and second-half slope) of the season starting in
        ``season_start`` (2023 for 2023-24), by the fitted trends; unchanged without a trend. Added
        time stays within 0..30."""
        if not self.added_season or season_start == self.added_season:
            return self
        years = season_start - self.added_season
        ahead = self.leading_trend * years

        def moved(effects: tuple[float, ...] | None) -> tuple[float, ...]:
            return tuple(v + ahead if lead > 0 else v for lead, v in zip(LEADS, effects or (), strict=True))

        return replace(
            self,
            home_lead_late=moved(self.home_lead_late),
            away_lead_late=moved(self.away_lead_late),
            home_lead_added=moved(self.home_lead_added),
            away_lead_added=moved(self.away_lead_added),
            first_half_added=min(30.0, self.first_half_added * math.exp(self.first_half_added_trend * years)),
            second_half_added=min(30.0, self.second_half_added * math.exp(self.second_half_added_trend * years)),
            second_half_slope=self.second_half_slope + self.second_half_slope_trend * years,
            extra_time_level=self.extra_time_level - self.second_half_slope_trend * years,
            added_season=float(season_start),
        )

    @classmethod
    def flat(cls) -> InplayParams:
        """No time, state or red-card effects and no added time: the 90 minutes are a homogeneous
        Poisson process, so the remaining goals are the pre-match rates scaled by the time left."""
        return cls(source="flat: constant rates, no state or red-card effects")

    @classmethod
    def packaged(cls) -> InplayParams:
        """The parameters shipped with remontada (``remontada/data/inplay.csv``)."""
        return _packaged_params("inplay.csv")

    @classmethod
    def previous(cls) -> InplayParams:
        """The fit shipped before the packaged one (``remontada/data/inplay_previous.csv``: the
        same rates without the history effects: the match so far changes nothing), kept for
        comparison."""
        return _packaged_params("inplay_previous.csv")

    # ---- rows ------------------------------------------------------------------------------
    def to_rows(self) -> list[tuple[str, float]]:
        """``(name, value)`` pairs; lead effects are named ``home_lead_-2`` ... ``away_lead_+2``."""
        rows: list[tuple[str, float]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "source":
                continue
            if isinstance(value, tuple):
                rows += [(f"{f.name}_{lead:+d}".replace("+0", "0"), v) for lead, v in zip(LEADS, value, strict=True)]
            else:
                rows.append((f.name, float(value)))
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, float]], source: str = "") -> InplayParams:
        values = dict(rows)
        kwargs: dict[str, object] = {"source": source}
        for f in fields(cls):
            if f.name == "source":
                continue
            if f.name in _LEAD_FIELDS or f.name in _SETTLED_FIELDS:
                keys = [f"{f.name}_{lead:+d}".replace("+0", "0") for lead in LEADS]
                missing = [k for k in keys if k not in values]
                if f.name.endswith(("_late", "_added")) and len(missing) == len(keys):
                    continue  # tables without late (added-time) effects use the first (second) half's
                if f.name in _SETTLED_FIELDS and len(missing) == len(keys):
                    continue  # tables written before the history effects have none
                if missing:
                    raise KeyError(f"missing parameters: {', '.join(missing)}")
                kwargs[f.name] = tuple(values.pop(k) for k in keys)
            elif f.name in values:
                kwargs[f.name] = values.pop(f.name)
            elif f.name in _OPTIONAL_FIELDS:
                continue  # tables written before the added-time trend have none
            else:
                raise KeyError(f"missing parameter: {f.name}")
        if values:
            raise KeyError(f"unknown parameters: {', '.join(sorted(values))}")
        return cls(**kwargs)  # type: ignore[arg-type]

    def write_csv(self, path: str | Path, notes: dict[str, str] | None = None) -> Path:
        """Write ``name,value,note`` rows (``#`` lines carry ``source``)."""
        path = Path(path)
        notes = notes or {}
        with path.open("w", encoding="utf-8", newline="") as handle:
            for line in self.source.splitlines() or [""]:
                handle.write(f"# {line}\n" if line else "")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["name", "value", "note"])
            for name, value in self.to_rows():
                writer.writerow([name, f"{value:.6f}", notes.get(name, "")])
        return path

    @classmethod
    def read_csv(cls, path: str | Path) -> InplayParams:
        path = Path(path)
        return parse_params(path.read_text(encoding="utf-8").splitlines(), str(path))


def parse_params(lines: list[str], location: str) -> InplayParams:
    """Read a ``name,value,note`` parameter table; bad rows raise :class:`SourceError`."""
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    body = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")]
    if not body:
        raise SourceError(location, None, "empty in-play parameter table")
    header_line, header = body[0]
    if [c.strip() for c in next(csv.reader([header]))][:2] != ["name", "value"]:
        raise SourceError(location, header_line, f"expected a 'name,value,note' header, got {header!r}")
    rows = []
    for line_no, line in body[1:]:
        cells = next(csv.reader([line]))
        try:
            rows.append((cells[0].strip(), float(cells[1])))
        except (IndexError, ValueError):
            raise SourceError(location, line_no, f"expected 'name,value[,note]', got {line!r}") from None
    try:
        return InplayParams.from_rows(rows, source="\n".join(comments))
    except (KeyError, ValueError) as exc:
        raise SourceError(location, None, str(exc).strip("'\"")) from exc


@lru_cache(maxsize=2)
def _packaged_params(name: str) -> InplayParams:
    text = resources.files("remontada").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return parse_params(text.splitlines(), f"remontada/data/{name}")


def season_start(date: dt.date) -> int:
    """Start year of the European season ``date`` falls in: July to June (2024-04-18 -> 2023)."""
    return date.year if date.month >= 7 else date.year - 1


# ---- the clock ---------------------------------------------------------------------------------

_CLOCK = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:\+\s*(\d+(?:\.\d+)?))?\s*'?\s*$")


@dataclass(frozen=True, slots=True)
class MatchClock:
    """A moment of a match: ``minute`` of regular time played (0-90), ``added`` minutes of added
    time played after minute 45 or 90, and ``half_time`` (the first half is over)."""

    minute: float = 0.0
    added: float = 0.0
    half_time: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.minute <= 90.0:
            raise ValueError(f"minute must be within 0..90, got {self.minute}")
        if self.added < 0 or (self.added and self.minute not in (45.0, 90.0)):
            raise ValueError(f"added time only follows minute 45 or 90, got {self.minute}+{self.added}")

    @classmethod
    def parse(cls, value: str | float | MatchClock) -> MatchClock:
        """``60``, ``"60"``, ``"45+2"``, ``"90+4"``, ``"HT"`` (half-time) or ``"KO"`` (kick-off)."""
        if isinstance(value, MatchClock):
            return value
        if isinstance(value, int | float):
            return cls(float(value))
        text = value.strip().upper()
        if text in ("HT", "HALF-TIME", "HALFTIME"):
            return cls(45.0, half_time=True)
        if text in ("KO", "KICK-OFF", "KICKOFF"):
            return cls(0.0)
        match = _CLOCK.match(text)
        if not match:
            raise ValueError(f"cannot read the minute {value!r}; use e.g. 60, 45+2, 90+3 or HT")
        return cls(float(match.group(1)), float(match.group(2) or 0.0))

    @property
    def regular_minute(self) -> float:
        """The minute as the tie engine counts it (0-90; added time counts as 45 or 90)."""
        return self.minute

    def __str__(self) -> str:
        if self.half_time:
            return "HT"
        minute = f"{self.minute:g}"
        return f"{minute}+{self.added:g}" if self.added else minute


# ---- steps -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Steps:
    """The match cut into steps of at most a minute on an extended clock that includes added time.

    ``log_rate[k]`` is the period's time effect in step ``k``; ``duration[k]`` its length in
    minutes; ``start[k]`` its position; ``clock[k]`` the regular minute shown at its end.
    """

    start: np.ndarray
    duration: np.ndarray
    log_rate: np.ndarray
    clock: np.ndarray
    period: np.ndarray  # lead effects that apply: 0 first half, 1 second half and extra time, 2 its added time

    @property
    def end(self) -> float:
        return float(self.start[-1] + self.duration[-1])


def _half(level: float, slope: float, first_minute: float, added: float) -> tuple[np.ndarray, ...]:
    mids = np.arange(45) + 0.5
    n_added = math.ceil(added - 1e-9)
    duration = np.concatenate([np.ones(45), np.full(n_added, added / n_added if n_added else 0.0)])
    log_rate = np.concatenate([level + slope * mids / 45.0, np.full(n_added, level + slope)])
    clock = np.concatenate([first_minute + np.arange(1, 46), np.full(n_added, first_minute + 45.0)])
    return duration, log_rate, clock


@lru_cache(maxsize=64)
def _regular_steps(params: InplayParams) -> _Steps:
    d1, r1, c1 = _half(params.first_half_level, params.first_half_slope, 0.0, params.first_half_added)
    d2, r2, c2 = _half(params.second_half_level, params.second_half_slope, 45.0, params.second_half_added)
    duration = np.concatenate([d1, d2])
    start = np.concatenate([[0.0], np.cumsum(duration)[:-1]])
    period = np.concatenate([np.zeros(len(d1), dtype=np.intp), np.ones(45, dtype=np.intp), np.full(len(d2) - 45, 2)])
    return _Steps(start, duration, np.concatenate([r1, r2]), np.concatenate([c1, c2]), period)


@lru_cache(maxsize=64)
def _extra_steps(params: InplayParams, minutes: int) -> _Steps:
    level = params.second_half_level + params.second_half_slope + params.extra_time_level
    duration = np.ones(minutes)
    clock = 90.0 + np.arange(1, minutes + 1)
    period = np.ones(minutes, dtype=np.intp)
    return _Steps(np.arange(minutes, dtype=float), duration, np.full(minutes, level), clock, period)


def clock_position(params: InplayParams, clock: MatchClock) -> float:
    """Where ``clock`` falls on the extended clock of ``params`` (minutes, added time included)."""
    first_added = params.first_half_added
    if clock.half_time:
        return 45.0 + first_added
    if clock.minute < 45.0 or (clock.minute == 45.0 and not clock.added):
        return clock.minute
    if clock.minute == 45.0:
        return 45.0 + min(clock.added, first_added)
    position = clock.minute + first_added
    if clock.minute == 90.0:
        position += min(clock.added, params.second_half_added)
    return position


def goal_position(params: InplayParams, clock: MatchClock) -> float:
    """Where the minute of a goal ends on the extended clock of ``params``: a goal of minute 42
    at 42; one in the first half's added time at the end of it (as the event lists count it: the
    minutes after such a goal are those of the second half)."""
    if clock.minute == 45.0 and (clock.added or clock.half_time):
        return 45.0 + params.first_half_added
    return clock_position(params, clock)


def _order(clock: MatchClock) -> tuple[float, float]:
    """``(minute, added)`` of ``clock`` for ordering moments (half-time after all first-half added time)."""
    return (clock.minute, math.inf if clock.half_time else clock.added)


@dataclass(frozen=True, slots=True)
class GoalHistory:
    """What a forecast knows of the match before now: the minute of its last goal (``None``: no
    goal yet) and whether the home side scored it."""

    last_goal: MatchClock | None = None
    home: bool = True

    @classmethod
    def after(cls, minute: str | float | MatchClock, *, home: bool) -> GoalHistory:
        """The last goal came at ``minute`` (``"45+2"``, ``67``), scored by the home side or not."""
        return cls(MatchClock.parse(minute), home)

    @property
    def scored_last(self) -> int:
        """+1: the home side scored the last goal, -1: the away side, 0: no goal yet."""
        return 0 if self.last_goal is None else (1 if self.home else -1)


def history_effects(
    params: InplayParams, period: np.ndarray, lead: np.ndarray, elapsed: np.ndarray, scored_last: np.ndarray
) -> np.ndarray:
    """Log multiplier of a side's average rate in the state a forecast starts from (see
    :class:`InplayParams`: ``settled_lead``, ``lull``, ``momentum``, ``deficit_age``).

    ``period`` (steps,): 0 first half, 1 later; ``lead`` (batch,): the side's own lead;
    ``elapsed`` (batch, steps): minutes from the end of the last goal's minute to the start of
    each step (any value when there was none); ``scored_last`` (batch,): +1 the side scored the
    last goal, -1 its opponent, 0 no goal yet. Returns (batch, steps).
    """
    lead = np.asarray(lead, dtype=np.int64)
    scored_last = np.asarray(scored_last, dtype=np.int64)[:, None]
    settled = np.array([params.settled_lead, params.settled_lead_late])
    out = settled[np.minimum(period, 1)[None, :], (np.clip(lead, -2, 2) + 2)[:, None]]
    goal = scored_last != 0
    out = out + params.lull * (goal & (elapsed < LULL_MINUTES))
    out = out + params.momentum * scored_last * ((elapsed >= LULL_MINUTES) & (elapsed < MOMENTUM_MINUTES))
    return out + params.deficit_age * (goal & (lead[:, None] == -1) & (elapsed >= MOMENTUM_MINUTES))


# ---- lead rules --------------------------------------------------------------------------------


def match_lead(score: tuple[int, int]) -> LeadRule:
    """Lead of the home side in a match standing at ``score`` (home, away)."""
    home, away = score

    def lead(more_home: np.ndarray, more_away: np.ndarray) -> np.ndarray:
        return (home + more_home) - (away + more_away)

    return lead


def second_leg_lead(first_leg: tuple[int, int], score_now: tuple[int, int], *, away_goals: bool) -> LeadRule:
    """Lead on aggregate of the *home* side of a second leg.

    ``first_leg`` = (A goals, B goals) with A at home; ``score_now`` = (B goals, A goals) in the
    second leg, where B is at home. With ``away_goals``, a level aggregate counts as a one-goal
    lead for the side ahead on away goals (the other must score to survive).
    """
    a1, b1 = first_leg
    b2, a2 = score_now

    def lead(more_b: np.ndarray, more_a: np.ndarray) -> np.ndarray:
        diff = (b1 + b2 + more_b) - (a1 + a2 + more_a)
        if not away_goals:
            return diff
        return np.where(diff == 0, np.sign(b1 - (a2 + more_a)), diff)

    return lead


def extra_time_lead(*, away_goals_in_extra_time: bool) -> LeadRule:
    """Lead of the home side in extra time of a tie level after 90 minutes (home side = second-leg host).

    With ``away_goals_in_extra_time`` the visitors' extra-time goals count double when the
    aggregate stays level, so a level extra time in which they scored is a lead for them.
    """

    def lead(more_home: np.ndarray, more_away: np.ndarray) -> np.ndarray:
        diff = more_home - more_away
        if not away_goals_in_extra_time:
            return diff
        return np.where((diff == 0) & (more_away > 0), -1, diff)

    return lead


# ---- the chain ---------------------------------------------------------------------------------


def _move(probs: np.ndarray, zero: np.ndarray, one: np.ndarray, two: np.ndarray, axis: int) -> np.ndarray:
    """Move mass 0, 1 or 2 cells along ``axis`` (-2: home goals, -1: away goals) of ``probs``."""
    out = probs * zero
    if axis == -2:
        out[..., 1:, :] += (probs * one)[..., :-1, :]
        out[..., 2:, :] += (probs * two)[..., :-2, :]
    else:
        out[..., :, 1:] += (probs * one)[..., :, :-1]
        out[..., :, 2:] += (probs * two)[..., :, :-2]
    return out


def advance(
    probs: np.ndarray, home: tuple[np.ndarray, np.ndarray, np.ndarray], away: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> np.ndarray:
    """One step forward on the last two axes (home goals, away goals) of ``probs``.

    ``home``/``away`` are per-cell chances that the side scores 0, 1 or 2 goals in the step
    (see :func:`goal_chances`). The home side's goals are applied first; the away side's
    chances are then read at the cell the home side's goals led to.
    """
    return _move(_move(probs, *home, axis=-2), *away, axis=-1)


def poisson_step(expected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chances of 0, 1 and 2-or-more goals (Poisson) in a step with ``expected`` goals, elementwise."""
    zero = np.exp(-expected)
    one = expected * zero
    return zero, one, np.maximum(-np.expm1(-expected) - one, 0.0)


def goal_chances(expected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chances of 0, 1 and 2-or-more goals (Poisson) in a step with ``expected`` goals.

    Each is returned three times side by side along the last axis, as ``[normal, next-to-last,
    last]`` blocks: a cell next to the grid's last row (or column) counts two goals as one, since
    the last stands for "that many or more", and the last absorbs (no goals are added there).
    """
    zero, one, two = poisson_step(expected)
    none, full = np.zeros_like(zero), np.ones_like(zero)
    return (
        np.concatenate([zero, zero, full], axis=-1),
        np.concatenate([one, one + two, none], axis=-1),
        np.concatenate([two, none, none], axis=-1),
    )


def _with_origin(
    chances: tuple[np.ndarray, np.ndarray, np.ndarray], origin: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`goal_chances` tables with one more column: the cell a chain starts in (``origin``:
    its chances, of which the first block counts, the cell being inside the grid)."""
    zero, one, two = (np.concatenate([table, own[:, :1]], axis=1) for table, own in zip(chances, origin, strict=True))
    return zero, one, two


@lru_cache(maxsize=256)
def _edges(shape: tuple[int, ...], axis: int) -> np.ndarray:
    """``5 * edge`` per cell: edge 0 inside the grid, 1 next to its last row/column along ``axis``, 2 on it."""
    n = shape[axis]
    position = np.indices(shape)[axis]
    edges = len(LEADS) * np.where(position == n - 1, 2, np.where(position == n - 2, 1, 0))
    edges.setflags(write=False)
    return edges


def cell_categories(lead_index: np.ndarray, axis: int) -> np.ndarray:
    """Column of :func:`goal_chances`' blocks for each cell: ``lead_index + 5 * edge`` where edge
    is 0 inside the grid, 1 next to its last row (``axis=-2``) or column (``axis=-1``), 2 on it."""
    return lead_index + _edges(lead_index.shape, axis)


@lru_cache(maxsize=256)
def _goal_indices(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    more_home, more_away = np.indices(shape)
    more_home.setflags(write=False)
    more_away.setflags(write=False)
    return more_home, more_away


def _upper_goals(mean: float, tail: float) -> int:
    """Smallest n with P(Poisson(mean) > n) < tail."""
    counts = np.arange(int(mean + 12.0 * math.sqrt(mean) + 25.0))
    return int(np.argmax(special.pdtrc(counts, mean) < tail))


@dataclass(frozen=True, eq=False)
class GoalChain:
    """The goals still to come as a Markov chain on the grid ``(home goals, away goals)`` from now.

    ``home[m]``/``away[m]`` (m = 0, 1, 2) are ``(steps, rows * cols)`` arrays over the flattened
    grid: the chance that the side scores m goals in the step from each cell (see
    :func:`goal_chances`). ``clock`` has one entry per step boundary: the regular minute (0-90,
    or 90-120 in extra time) at the start and after each step; it stays at 45 or 90 through
    added time.
    """

    home: tuple[np.ndarray, np.ndarray, np.ndarray]
    away: tuple[np.ndarray, np.ndarray, np.ndarray]
    clock: np.ndarray
    shape: tuple[int, int]

    @property
    def n_steps(self) -> int:
        return self.home[0].shape[0]

    def forward(self, start: np.ndarray | None = None) -> np.ndarray:
        """P(home scores i more, away j more by the end), from ``start`` (default: no goal yet)."""
        rows, cols = self.shape
        if start is None:
            probs = np.zeros(rows * cols)
            probs[0] = 1.0
        else:
            probs = np.array(start, dtype=float).reshape(-1)
        # on the flattened grid a home goal moves a cell by ``cols``, an away goal by one; the
        # absorbing last column has no away goals, so nothing wraps into the next row
        h0, h1, h2 = self.home[0], self.home[1][:, :-cols], self.home[2][:, : -2 * cols]
        a0, a1, a2 = self.away[0], self.away[1][:, :-1], self.away[2][:, :-2]
        size, two_rows = rows * cols, 2 * cols
        moved, scratch = np.empty(size), np.empty(size)
        # views into the buffers, made once: each step is then eight in-place ufunc calls
        moved_one, moved_two, probs_one, probs_two = moved[cols:], moved[two_rows:], probs[1:], probs[2:]
        scratch_row, scratch_two_rows = scratch[: size - cols], scratch[: size - two_rows]
        scratch_one, scratch_two = scratch[: size - 1], scratch[: size - 2]
        from_row, from_two_rows = probs[: size - cols], probs[: size - two_rows]
        moved_left_one, moved_left_two = moved[: size - 1], moved[: size - 2]
        for k in range(self.n_steps):
            np.multiply(probs, h0[k], out=moved)
            np.multiply(from_row, h1[k], out=scratch_row)
            moved_one += scratch_row
            np.multiply(from_two_rows, h2[k], out=scratch_two_rows)
            moved_two += scratch_two_rows
            np.multiply(moved, a0[k], out=probs)
            np.multiply(moved_left_one, a1[k], out=scratch_one)
            probs_one += scratch_one
            np.multiply(moved_left_two, a2[k], out=scratch_two)
            probs_two += scratch_two
        return probs.reshape(rows, cols)

    def backward(self, terminal: np.ndarray) -> np.ndarray:
        """``values[k, ..., i, j]`` = E[terminal(final cell) | in cell (i, j) at step boundary k].

        ``terminal[..., i, j]`` is the value of ending with i more home and j more away goals
        (leading axes: several terminal values at once); the result has ``n_steps + 1``
        boundaries (the last is ``terminal`` itself). A chain whose ``home``/``away`` tables are
        ``(steps, *chains, 1, rows * cols)`` (:func:`stack_chains`) runs many chains at once.
        """
        rows, cols = self.shape
        terminal = np.asarray(terminal, dtype=float)
        batch = np.broadcast_shapes(terminal.shape[:-2], self.home[0].shape[1:-1])
        values = np.empty((self.n_steps + 1, *batch, rows * cols))
        values[-1] = terminal.reshape(*terminal.shape[:-2], rows * cols)
        v = values[-1]
        h0, h1, h2 = self.home[0], self.home[1][..., :-cols], self.home[2][..., : -2 * cols]
        a0, a1, a2 = self.away[0], self.away[1][..., :-1], self.away[2][..., :-2]
        two_rows = 2 * cols
        for k in range(self.n_steps - 1, -1, -1):
            after_home = v * a0[k]  # value once the home side's goals of the step are in
            after_home[..., :-1] += a1[k] * v[..., 1:]
            after_home[..., :-2] += a2[k] * v[..., 2:]
            v = after_home * h0[k]
            v[..., :-cols] += h1[k] * after_home[..., cols:]
            v[..., :-two_rows] += h2[k] * after_home[..., two_rows:]
            values[k] = v
        return values.reshape(self.n_steps + 1, *batch, rows, cols)


def stack_chains(chains: list[GoalChain]) -> GoalChain:
    """Chains of one shape and length as one chain whose tables have a chain axis (for
    :meth:`GoalChain.backward` on many chains at once; values come back ``(k, chain, ..., i, j)``)."""
    first = chains[0]
    if any(c.shape != first.shape or c.n_steps != first.n_steps for c in chains):
        raise ValueError("stacked chains need one grid shape and one number of steps")

    def stack(tables: list[np.ndarray]) -> np.ndarray:
        return np.stack(tables, axis=1)[:, :, None, :]

    home = tuple(stack([c.home[m] for c in chains]) for m in range(3))
    away = tuple(stack([c.away[m] for c in chains]) for m in range(3))
    return GoalChain(home, away, first.clock, first.shape)  # type: ignore[arg-type]


class InplayModel:
    """Remaining-time goal distributions from pre-match rates, the clock, the score and red cards.

    ``params``: fitted :class:`InplayParams` (default: the packaged fit; ``InplayParams.flat()``
    for the constant-rate baseline). ``tail``: probability mass below which the grid of goals
    still to come is cut.
    """

    def __init__(self, params: InplayParams | None = None, *, tail: float = DEFAULT_TAIL) -> None:
        self.params = params if params is not None else InplayParams.packaged()
        self.tail = tail
        self._extra_cache: dict[tuple[object, ...], ScoreGrid] = {}
        # one model serves every thread of a server: the cache's eviction must not race a lookup
        self._extra_lock = threading.Lock()

    def for_date(self, date: dt.date) -> InplayModel:
        """This model with the added time of the season ``date`` falls in (July starts a season)."""
        params = self.params.for_season(season_start(date))
        return self if params is self.params else InplayModel(params, tail=self.tail)

    # ---- building blocks -------------------------------------------------------------------
    def _effects(self, red_cards: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """``(3, 5)`` rate multipliers of each side by period (first half, second half and extra
        time, second-half added time) and own lead (-2..2), red cards included."""
        p = self.params
        home_reds, away_reds = red_cards
        home_red = p.red_own * home_reds + p.red_opponent * away_reds
        away_red = p.red_own * away_reds + p.red_opponent * home_reds
        home = np.exp(np.array([p.home_lead, p.home_lead_late, p.home_lead_added]) + home_red)
        away = np.exp(np.array([p.away_lead, p.away_lead_late, p.away_lead_added]) + away_red)
        return home, away

    def _chain(
        self,
        steps: _Steps,
        first: int,
        first_duration: float,
        home_rate: float,
        away_rate: float,
        red_cards: tuple[int, int],
        lead: LeadRule,
        shape: tuple[int, int] | None,
        start_clock: float,
        history: tuple[float, int] | None = None,
    ) -> GoalChain:
        for name, rate in (("home_rate", home_rate), ("away_rate", away_rate)):
            if not math.isfinite(rate) or not 0 <= rate <= MAX_RATE:
                raise ValueError(f"{name} must be 0 to {MAX_RATE:g} goals per 90 minutes, got {rate:g}")
        if min(red_cards) < 0 or max(red_cards) > 4:
            raise ValueError(f"red cards must be 0..4 per side, got {red_cards}")
        duration = steps.duration[first:].copy()
        if len(duration):
            duration[0] = first_duration
        time_weight = np.exp(steps.log_rate[first:]) * duration / 90.0  # expected goals per unit rate
        home_effect, away_effect = self._effects(red_cards)
        period = steps.period[first:]
        if shape is None:
            # an upper bound of each side's expected goals to come: its highest lead effect in each step
            reach_h = float(time_weight @ home_effect.max(axis=1)[period])
            reach_a = float(time_weight @ away_effect.max(axis=1)[period])
            shape = (_upper_goals(home_rate * reach_h, self.tail) + 3, _upper_goals(away_rate * reach_a, self.tail) + 3)
        if min(shape) < 3:
            raise ValueError(f"the grid of goals to come needs at least 3 x 3 cells, got {shape}")
        more_home, more_away = _goal_indices(shape)
        lead_index = np.clip(np.asarray(lead(more_home, more_away), dtype=np.int64), -2, 2) + 2
        home = goal_chances(home_rate * time_weight[:, None] * home_effect[period])
        away = goal_chances(away_rate * time_weight[:, None] * away_effect[period])
        home_cells = cell_categories(lead_index, axis=-2).ravel()
        away_cells = cell_categories(len(LEADS) - 1 - lead_index, axis=-1).ravel()
        if history is not None and len(duration):
            # the cell the chain starts in (no goal yet) has rates of its own: the match so far is known
            goal_at, scored_last = history
            step_start = steps.start[first:] + steps.duration[first:] - duration
            elapsed = (step_start - goal_at)[None, :]
            origin = int(lead_index[0, 0]) - 2
            sides = ((home, home_rate, home_effect, origin, scored_last), (away, away_rate, away_effect, -origin,
                                                                          -scored_last))  # fmt: skip
            tables = []
            for chances, rate, effect, own_lead, last in sides:
                log_more = history_effects(self.params, period, np.array([own_lead]), elapsed, np.array([last]))[0]
                expected = rate * time_weight * effect[period, own_lead + 2] * np.exp(log_more)
                tables.append(_with_origin(chances, goal_chances(expected[:, None])))
            home, away = tables
            home_cells, away_cells = home_cells.copy(), away_cells.copy()
            home_cells[0] = away_cells[0] = 3 * len(LEADS)
        clock = np.concatenate([[start_clock], steps.clock[first:]])
        return GoalChain(
            (home[0][:, home_cells], home[1][:, home_cells], home[2][:, home_cells]),
            (away[0][:, away_cells], away[1][:, away_cells], away[2][:, away_cells]),
            clock,
            shape,
        )

    def chain(
        self,
        home_rate: float,
        away_rate: float,
        *,
        minute: str | float | MatchClock = 0.0,
        score: tuple[int, int] = (0, 0),
        red_cards: tuple[int, int] = (0, 0),
        lead: LeadRule | None = None,
        shape: tuple[int, int] | None = None,
        history: GoalHistory | None = None,
    ) -> GoalChain:
        """The chain of the regular time left after ``minute`` (added time included).

        ``home_rate``/``away_rate``: pre-match expected goals per 90 minutes. ``lead`` defaults
        to the match score ``score`` (home, away). ``shape`` fixes the grid (rows, cols).
        ``history``: the last goal so far (:class:`GoalHistory`), when known: until the next
        goal the sides score at the rates of :class:`InplayParams`' history effects; ``None``
        (unknown): at the state's average rates.
        """
        clock = MatchClock.parse(minute)
        steps = _regular_steps(self.params)
        position = clock_position(self.params, clock)
        first = int(np.searchsorted(steps.start + steps.duration, position, side="right"))
        first = min(first, len(steps.start))
        first_duration = float(steps.start[first] + steps.duration[first] - position) if first < len(steps.start) else 0
        return self._chain(
            steps,
            first,
            first_duration,
            home_rate,
            away_rate,
            red_cards,
            lead or match_lead(score),
            shape,
            clock.minute,
            self._history(history, clock, position, score),
        )

    def _history(
        self, history: GoalHistory | None, clock: MatchClock, position: float, score: tuple[int, int]
    ) -> tuple[float, int] | None:
        """``(end of the last goal's minute on the extended clock, scored_last)`` of ``history``."""
        if history is None:
            return None
        if history.last_goal is None:
            if sum(score):
                raise ValueError(f"the score is {score[0]}-{score[1]}: a goal history needs the last goal's minute")
            return (-math.inf, 0)
        if not sum(score):
            raise ValueError("a goal history with a last goal needs a score with a goal")
        goal = history.last_goal
        if _order(goal) > _order(clock):
            raise ValueError(f"the last goal ({goal}) cannot come after the minute {clock}")
        # a goal in the first half's added time counts from its end, which the clock may not have reached
        return (min(goal_position(self.params, goal), position), history.scored_last)

    def extra_time_chain(
        self,
        home_rate: float,
        away_rate: float,
        *,
        red_cards: tuple[int, int] = (0, 0),
        lead: LeadRule | None = None,
        minutes: int = 30,
        shape: tuple[int, int] | None = None,
    ) -> GoalChain:
        """The chain of ``minutes`` of extra time from a level score (``lead`` defaults to the
        extra-time score)."""
        if minutes <= 0:
            raise ValueError(f"extra time must last a positive number of minutes, got {minutes}")
        steps = _extra_steps(self.params, int(minutes))
        return self._chain(steps, 0, 1.0, home_rate, away_rate, red_cards, lead or match_lead((0, 0)), shape, 90.0)

    # ---- answers -----------------------------------------------------------------------------
    def remaining(
        self,
        home_rate: float,
        away_rate: float,
        *,
        minute: str | float | MatchClock = 0.0,
        score: tuple[int, int] = (0, 0),
        red_cards: tuple[int, int] = (0, 0),
        lead: LeadRule | None = None,
        history: GoalHistory | None = None,
    ) -> ScoreGrid:
        """P(home scores i more, away j more) in the regular time left after ``minute``.

        ``home_rate``/``away_rate`` are the pre-match expected goals per 90 minutes; ``score``
        and ``red_cards`` are (home, away) so far. Pass ``lead`` when the stakes are not the
        match score (e.g. :func:`second_leg_lead`), ``history`` when the last goal's minute is
        known (:class:`GoalHistory`).
        """
        chain = self.chain(
            home_rate, away_rate, minute=minute, score=score, red_cards=red_cards, lead=lead, history=history
        )
        return ScoreGrid.from_matrix(chain.forward(), self.tail)

    def final_score(
        self,
        home_rate: float,
        away_rate: float,
        *,
        minute: str | float | MatchClock = 0.0,
        score: tuple[int, int] = (0, 0),
        red_cards: tuple[int, int] = (0, 0),
        lead: LeadRule | None = None,
        history: GoalHistory | None = None,
    ) -> ScoreGrid:
        """The 90-minute final score: :meth:`remaining` shifted by ``score``."""
        remaining = self.remaining(
            home_rate, away_rate, minute=minute, score=score, red_cards=red_cards, lead=lead, history=history
        ).probs
        return ScoreGrid(shift_scores(remaining, *score))

    def extra_time(
        self,
        home_rate: float,
        away_rate: float,
        *,
        red_cards: tuple[int, int] = (0, 0),
        away_goals: bool = False,
        minutes: int = 30,
        lead: LeadRule | None = None,
    ) -> ScoreGrid:
        """P(home scores i, away j) in ``minutes`` of extra time that starts level.

        ``away_goals``: the visitors' extra-time goals count double if the aggregate stays level
        (:func:`extra_time_lead`); ``lead`` overrides the lead rule. Grids built without
        ``lead`` are kept (a match's extra time does not change with the minute or the score).
        """
        key = (float(home_rate), float(away_rate), tuple(red_cards), bool(away_goals), int(minutes))
        if lead is None:
            with self._extra_lock:
                cached = self._extra_cache.get(key)
            if cached is not None:
                return cached
        rule = lead or extra_time_lead(away_goals_in_extra_time=away_goals)
        chain = self.extra_time_chain(home_rate, away_rate, red_cards=red_cards, lead=rule, minutes=minutes)
        grid = ScoreGrid.from_matrix(chain.forward(), self.tail)
        if lead is None:
            with self._extra_lock:
                if len(self._extra_cache) >= 256:
                    self._extra_cache.pop(next(iter(self._extra_cache)))
                self._extra_cache[key] = grid
        return grid


# ---- many chains at once (estimation, validation) ----------------------------------------------


def regular_steps(params: InplayParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(start, duration, log_rate)`` of the steps of regular time (added time included) on the
    extended clock; the first half's steps are those with ``start < 45 + first_half_added``."""
    steps = _regular_steps(params)
    return steps.start, steps.duration, steps.log_rate


def extra_time_steps(params: InplayParams, minutes: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(start, duration, log_rate)`` of the steps of ``minutes`` of extra time."""
    steps = _extra_steps(params, int(minutes))
    return steps.start, steps.duration, steps.log_rate


def forward_many(
    start: np.ndarray,
    home_expected: np.ndarray,
    away_expected: np.ndarray,
    lead_index: np.ndarray,
    after_step: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Run many chains forward at once.

    ``start`` is ``(*batch, rows, cols)``; ``home_expected``/``away_expected`` are
    ``(steps, *batch, 5)``: each side's expected goals in the step for each of its leads -2..2
    (time, rates and red cards folded in); ``lead_index`` (broadcastable to ``start``) is the
    home side's clipped lead + 2 in each cell. ``after_step(k, probs)`` may change the
    ``(*batch, rows * cols)`` probabilities after step ``k`` (e.g. red cards being shown).
    """
    *batch, rows, cols = start.shape
    size = rows * cols
    probs = np.array(start, dtype=float).reshape(-1, size)
    n_batch = len(probs)
    lead = np.broadcast_to(lead_index, start.shape).reshape(-1, rows, cols)
    width = 3 * len(LEADS)  # columns of goal_chances' tables
    offset = np.arange(n_batch)[:, None] * width
    home_cells = cell_categories(lead, axis=-2).reshape(-1, size) + offset
    away_cells = cell_categories(len(LEADS) - 1 - lead, axis=-1).reshape(-1, size) + offset
    n_steps = home_expected.shape[0]
    home_tables = goal_chances(home_expected.reshape(n_steps, n_batch, len(LEADS)))
    away_tables = goal_chances(away_expected.reshape(n_steps, n_batch, len(LEADS)))
    two_rows = 2 * cols
    for k in range(n_steps):
        h0, h1, h2 = (np.take(t[k], home_cells) for t in home_tables)
        a0, a1, a2 = (np.take(t[k], away_cells) for t in away_tables)
        moved = probs * h0
        moved[:, cols:] += probs[:, :-cols] * h1[:, :-cols]
        moved[:, two_rows:] += probs[:, :-two_rows] * h2[:, :-two_rows]
        probs = moved * a0
        probs[:, 1:] += moved[:, :-1] * a1[:, :-1]
        probs[:, 2:] += moved[:, :-2] * a2[:, :-2]
        if after_step is not None:
            probs = after_step(k, probs.reshape(*batch, size)).reshape(-1, size)
    return probs.reshape(*batch, rows, cols)

"""The in-play model checked the way it is used: walk-forward, each season forecast by a fit on earlier ones.

The shipped parameters are fitted on every complete season; a user forecasts a season the fit has
not seen. :func:`season_fit` fits a design on seasons ``first_season .. season - 1`` (expanding
window) and scores it on ``season`` (the Poisson log-likelihood of its minute cells, the held-out
rule of :func:`remontada.inplay.minutes.compare`); :func:`walk_forward` does it for every held-out
season. Designs (:data:`WALK_DESIGNS`): the chosen one, the same with a time decay (a season
``k`` seasons before the forecast one weighs ``exp(-decay * k)`` in the likelihood), and an era of
five substitutions (:data:`~remontada.inplay.minutes.ERA_VARIANTS`, fittable from 2021-22 on).

Fits are cached as JSON files (parameters at full precision) under the user cache directory
(``inplay-walk/``), keyed by a fingerprint of the matches and events, the design, the season, the
template and :data:`VERSION`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from remontada.inplay.data import EventTimes
from remontada.inplay.minutes import (
    FIRST_SEASON,
    HISTORY_CHOSEN,
    MAPPED,
    CellFit,
    CellTable,
    HistoryTable,
    cell_table,
    fit_history,
    fit_variant,
    held_out_log_likelihood,
    history_table,
    params_from_fit,
    table_rows,
    with_history,
)
from remontada.inplay.model import LEADS, InplayParams

#: Bump when a fit's recipe changes (cached fits of another version are not read).
VERSION = 1


@dataclass(frozen=True)
class WalkDesign:
    """A design scored walk-forward: the cell design (``variant``), a time ``decay`` per season
    (0: every season weighs the same), its extra parameters over the chosen design and what it tests."""

    variant: str
    decay: float
    extra: int
    what: str


WALK_DESIGNS: dict[str, WalkDesign] = {
    "chosen": WalkDesign("chosen", 0.0, 0, "the shipped design, every fitted season weighing the same"),
    "no leading trend": WalkDesign("no_leading_trend", 0.0, -1, "the same lead effects every season"),
    "no added leads": WalkDesign("no_added_leads", 0.0, -4, "the second half's lead effects in its added time too"),
    "previous": WalkDesign("previous", 0.0, -5, "the design shipped before (no added-time lead effects, no leading "
                                                "trend)"),
    "decay 0.05": WalkDesign("chosen", 0.05, 1, "a season k seasons back weighs exp(-0.05 k)"),
    "decay 0.1": WalkDesign("chosen", 0.1, 1, "a season k seasons back weighs exp(-0.1 k)"),
    "decay 0.2": WalkDesign("chosen", 0.2, 1, "a season k seasons back weighs exp(-0.2 k)"),
    "decay 0.4": WalkDesign("chosen", 0.4, 1, "a season k seasons back weighs exp(-0.4 k)"),
    "era trailing": WalkDesign("era_trailing", 0.0, 1, "the side one behind from half-time on, its own effect "
                                                       "since five substitutions (2020-21)"),
    "era second half": WalkDesign("era_second_half", 0.0, 1, "the second half's level of its own since five "
                                                             "substitutions (2020-21)"),
}
#: The design the shipped parameters and the walk-forward check use.
CHOSEN_DESIGN = "chosen"


def fingerprint(data: EventTimes) -> str:
    """A short hash of the matches, their pre-match rates and their events (the cache key's data part)."""
    digest = hashlib.sha256()
    for name in ("match_id", "season_start", "home_rate", "away_rate", "home_goals", "away_goals",
                 "event_match", "event_home", "event_red", "event_cell"):  # fmt: skip
        digest.update(np.ascontiguousarray(getattr(data, name)).tobytes())
    digest.update("|".join(str(c) for c in data.competition).encode())
    return digest.hexdigest()[:20]


def default_cache_dir() -> Path:
    """``<user cache dir>/inplay-walk``: where walk-forward fits are kept."""
    from remontada.paths import user_cache_dir

    return user_cache_dir() / "inplay-walk"


@dataclass(frozen=True, eq=False)
class SeasonFit:
    """A design fitted on seasons ``first_season .. season - 1``: its parameters (stated for
    ``season``), the held-out log-likelihood of ``season``'s minute cells and its matches."""

    design: str
    season: int
    params: InplayParams
    held_out_log_lik: float
    n_matches: int
    n_train: int


def _weights(table: CellTable, season: int, decay: float) -> np.ndarray:
    return np.exp(-decay * (season - 1 - table.season).astype(float))


def _history(train: EventTimes, base: InplayParams, season: int, decay: float) -> HistoryTable:
    """The history table of ``train`` (weighted by season when ``decay``)."""
    if not decay:
        return history_table(train, base)
    parts = []
    for s in np.unique(train.season_start):
        part = history_table(train.select(train.season_start == s), base)
        w = math.exp(-decay * (season - 1 - int(s)))
        parts.append(replace(part, goals=part.goals * w, expected=part.expected * w))

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return HistoryTable(joined("period"), joined("lead"), joined("since"), joined("scored_last"), joined("goals"),
                        joined("expected"), len(train))  # fmt: skip


def _as_params(fit: CellFit, template: InplayParams) -> InplayParams:
    """A fit of a chosen-based design as parameters (an era effect folded into the lead tables:
    every season it forecasts is in the era)."""
    era = {n: fit.value(n) for n in fit.names if n.startswith("era_")}
    keep = [k for k, n in enumerate(fit.names) if not n.startswith("era_")]
    variant = fit.variant if fit.variant in MAPPED else "chosen"
    chosen = CellFit(variant, [fit.names[k] for k in keep], fit.beta[keep], fit.covariance[np.ix_(keep, keep)],
                     fit.log_likelihood, fit.n_matches, fit.n_goals)  # fmt: skip
    params = params_from_fit(chosen, template)
    if "era_trailing_late" in era:
        def behind(effects: tuple[float, ...] | None) -> tuple[float, ...]:
            return tuple(v + era["era_trailing_late"] if lead == -1 else v
                         for lead, v in zip(LEADS, effects or (), strict=True))  # fmt: skip

        params = replace(params, home_lead_late=behind(params.home_lead_late),
                         away_lead_late=behind(params.away_lead_late),
                         home_lead_added=behind(params.home_lead_added),
                         away_lead_added=behind(params.away_lead_added))  # fmt: skip
    if "era_second_half" in era:
        params = replace(params, second_half_level=params.second_half_level + era["era_second_half"],
                         extra_time_level=params.extra_time_level - era["era_second_half"])  # fmt: skip
    return params


def fit_design(
    data: EventTimes,
    table: CellTable,
    season: int,
    design: str,
    template: InplayParams,
    first_season: int = FIRST_SEASON,
) -> SeasonFit:
    """Fit ``design`` on seasons ``first_season .. season - 1`` of ``data`` (``table``: its cells,
    every season) and score it on ``season``'s cells; parameters with the lull fitted on the same
    seasons, stated for ``season``."""
    spec = WALK_DESIGNS[design]
    in_train = (table.season >= first_season) & (table.season < season)
    train_matches = data.select((data.season_start >= first_season) & (data.season_start < season))
    if not len(train_matches):
        raise ValueError(f"no matches with events in seasons {first_season}..{season - 1}")
    train = replace(table_rows(table, in_train, _weights(table, season, spec.decay)), n_matches=len(train_matches))
    test_n = int((data.season_start == season).sum())
    test = replace(table_rows(table, table.season == season), n_matches=test_n)
    fit = fit_variant(train, spec.variant)
    held = held_out_log_likelihood(fit, test) if test_n else float("nan")
    base = _as_params(fit, template)
    history = fit_history(_history(train_matches, base, season, spec.decay), HISTORY_CHOSEN)
    first, last = first_season, season - 1
    source = (f"walk-forward fit ({design}) on seasons {first}-{(first + 1) % 100:02d}..{last}-{(last + 1) % 100:02d}"
              f" ({len(train_matches)} league matches), stated for {season}-{(season + 1) % 100:02d}")  # fmt: skip
    params = replace(with_history(base, history).for_season(season), source=source)
    return SeasonFit(design, season, params, held, test_n, len(train_matches))


def _cache_path(cache: Path, key: str) -> Path:
    return cache / f"{key}.json"


def _key(data_key: str, design: str, season: int, first_season: int, template: InplayParams) -> str:
    spec = WALK_DESIGNS[design]
    text = json.dumps([VERSION, data_key, spec.variant, spec.decay, season, first_season, template.to_rows()])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _read_cached(path: Path, design: str, season: int) -> SeasonFit | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        params = InplayParams.from_rows([(str(n), float(v)) for n, v in info["params"]], source=str(info["source"]))
        return SeasonFit(design, season, params, float(info["held_out_log_lik"]), int(info["n_matches"]),
                         int(info["n_train"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no fit cached (or a damaged file): refit


def _write_cached(path: Path, fit: SeasonFit) -> None:
    info = {"params": fit.params.to_rows(), "source": fit.params.source, "held_out_log_lik": fit.held_out_log_lik,
            "n_matches": fit.n_matches, "n_train": fit.n_train}  # fmt: skip
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(info), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs a refit next time


@dataclass(frozen=True, eq=False)
class WalkForward:
    """Walk-forward fits: ``fits[design][season]``, and per design its held-out log-likelihood
    gain over the chosen design per 1,000 matches (on the seasons both could be fitted for)."""

    seasons: tuple[int, ...]
    fits: dict[str, dict[int, SeasonFit]]

    def params(self, design: str = CHOSEN_DESIGN) -> dict[int, InplayParams]:
        return {s: f.params for s, f in self.fits[design].items()}

    def comparison(self) -> list[dict[str, object]]:
        """One row per design: parameters over the chosen design, seasons scored, held-out
        log-likelihood gain over the chosen design per 1,000 matches of those seasons."""
        rows: list[dict[str, object]] = []
        chosen = self.fits.get(CHOSEN_DESIGN, {})
        for design, by_season in self.fits.items():
            seasons = [s for s, f in by_season.items() if s in chosen and math.isfinite(f.held_out_log_lik)]
            matches = sum(by_season[s].n_matches for s in seasons)
            gain = sum(by_season[s].held_out_log_lik - chosen[s].held_out_log_lik for s in seasons)
            rows.append({
                "design": design, "what": WALK_DESIGNS[design].what, "extra_parameters": WALK_DESIGNS[design].extra,
                "seasons": f"{min(seasons)}..{max(seasons)}" if seasons else "", "matches": matches,
                "held_out_gain_per_1000": 1000.0 * gain / max(matches, 1),
            })  # fmt: skip
        return rows


def era_identified(design: str, season: int, first_season: int = FIRST_SEASON) -> bool:
    """Whether ``design`` can be fitted for ``season`` (an era design needs a fitted season in the era)."""
    from remontada.inplay.minutes import FIVE_SUBS_FROM

    return not WALK_DESIGNS[design].variant.startswith("era_") or season - 1 >= max(FIVE_SUBS_FROM, first_season)


def walk_forward(
    data: EventTimes,
    template: InplayParams,
    seasons: list[int],
    designs: tuple[str, ...] = (CHOSEN_DESIGN,),
    *,
    first_season: int = FIRST_SEASON,
    cache: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WalkForward:
    """Fit every design in ``designs`` for every season in ``seasons`` on the seasons before it
    (from ``first_season``); cached fits under ``cache`` (default :func:`default_cache_dir`;
    pass a path that cannot be created to keep nothing) are read instead of refitted.
    ``progress`` is called with (fits done, fits to do)."""
    cache = default_cache_dir() if cache is None else cache
    data_key = fingerprint(data)
    jobs = [(d, s) for d in designs for s in seasons if era_identified(d, s, first_season)]
    fits: dict[str, dict[int, SeasonFit]] = {d: {} for d in designs}
    table: CellTable | None = None
    for done, (design, season) in enumerate(jobs, start=1):
        path = _cache_path(cache, _key(data_key, design, season, first_season, template))
        fit = _read_cached(path, design, season)
        if fit is None:
            if table is None:
                table = cell_table(data.select(data.season_start >= first_season))
            fit = fit_design(data, table, season, design, template, first_season)
            _write_cached(path, fit)
        fits[design][season] = fit
        if progress:
            progress(done, len(jobs))
    return WalkForward(tuple(seasons), fits)

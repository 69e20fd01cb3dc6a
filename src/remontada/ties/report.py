"""The tie-calibration report (``docs/tie-calibration.md``) as Markdown tables from a :class:`TieBacktest`.

Only tables: the numbers a run measured, laid out the same way every time. The prose that reads
them is written by hand around the generated block.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from remontada.evaluation.reliability_target import ReliabilityChance, reliability_target_chance
from remontada.ties.backtest import (
    BASE_RATE,
    HELD_OUT_FROM,
    HORIZON_LABELS,
    MARKET,
    SHIPPED_DESIGN,
    VALIDATION_FOLDS,
    TieBacktest,
    by_strength_gap,
    choose_recalibration,
    held_out_label,
    recalibrated_name,
    recalibration_validation,
    second_leg_by_era,
    second_leg_validation,
)
from remontada.ties.second_leg import MAX_LEAD


def _pct(x: float | None) -> str:
    return "" if x is None or x != x else f"{100 * x:.1f}%"


def _num(x: float | int | None) -> float:
    return float("nan") if x is None else float(x)


def _scores(frame: pd.DataFrame, *, market: bool) -> list[str]:
    head = "| horizon | forecaster | ties | Brier | log loss | Brier − base rate (± 1.96 se) |"
    rule = "|---|---|---:|---:|---:|---:|"
    if market:
        head += " Brier − market (± 1.96 se) |"
        rule += "---:|"
    lines = [head, rule]
    for row in frame.to_dict(orient="records"):
        base = "" if row["forecaster"] == BASE_RATE else f"{row['brier_minus_base']:+.4f} ± {1.96 * row['se']:.4f}"
        line = (
            f"| {HORIZON_LABELS[row['horizon']]} | {row['forecaster']} | {row['n']} | {row['brier']:.4f} | "
            f"{row['log_loss']:.4f} | {base} |"
        )
        if market:
            diff = row.get("brier_minus_market")
            line += "" if row["forecaster"] == MARKET or diff is None or diff != diff else (
                f" {diff:+.4f} ± {1.96 * row['se_market']:.4f} |"
            )
            if row["forecaster"] == MARKET:
                line += " |"
        lines.append(line)
    return lines


def _split(frame: pd.DataFrame, by: str) -> list[str]:
    names = list(dict.fromkeys(frame["forecaster"]))
    lines = [f"| {by} | horizon | ties | " + " | ".join(names) + " |", "|---|---|---:|" + "---:|" * len(names)]
    for (key, horizon), group in frame.groupby([by, "horizon"], sort=False):
        if int(group["n"].iloc[0]) == 0:
            continue
        brier = dict(zip(group["forecaster"], group["brier"], strict=True))
        cells = [f"{brier[n]:.4f}" if n in brier else "" for n in names]
        lines.append(f"| {key} | {HORIZON_LABELS[horizon]} | {int(group['n'].iloc[0])} | " + " | ".join(cells) + " |")
    return lines


def _reliability(result: TieBacktest, horizon: str, name: str, mask: np.ndarray | None, bins: int) -> list[str]:
    lines = ["| forecast bin | ties | mean forecast | observed | 95% interval | gap |", "|---|" + "---:|" * 5]
    for r in result.calibration(horizon, name, bins, mask=mask).to_records():
        if not r["count"]:
            continue
        gap = _num(r["observed"]) - _num(r["mean_forecast"])
        flag = " *" if _num(r["count"]) >= 30 and abs(gap) > 0.05 else ""
        lines.append(
            f"| {r['bin_low']:.1f}-{r['bin_high']:.1f} | {r['count']} | {_pct(r['mean_forecast'])} | "
            f"{_pct(r['observed'])} | {_pct(r['lower'])}-{_pct(r['upper'])} | {100 * gap:+.1f}{flag} |"
        )
    return lines


def _by_lead(result: TieBacktest) -> list[str]:
    """Between the legs, per first-leg lead of the second-leg host: mean forecasts against the observed rate."""
    from remontada.ties.second_leg import lead_of

    between = result.forecasts.get("between_legs", {})
    names = [n for n in between if n != BASE_RATE]
    lead = np.array([lead_of((t.leg1.home_goals, t.leg1.away_goals)) for t in result.ties])  # type: ignore[union-attr,arg-type]
    held = result.keys("held_out")
    lines = [
        "| ties | host's first-leg lead | ties | observed | " + " | ".join(names) + " |",
        "|---|---:|---:|---:|" + "---:|" * len(names),
    ]
    for label in sorted(set(held.tolist())):
        for k in range(-MAX_LEAD, MAX_LEAD + 1):
            mask = (held == label) & (lead == k)
            if not mask.any():
                continue
            cells = []
            for name in names:
                p = between[name][mask]
                ok = np.isfinite(p)
                observed = result.outcome[mask][ok].mean() if ok.any() else float("nan")
                cells.append(f"{_pct(p[ok].mean())} (obs. {_pct(observed)}, {int(ok.sum())})" if ok.any() else "")
            lead_label = f"{k:+d}" if abs(k) < MAX_LEAD else f"{k:+d} or more"
            lines.append(
                f"| {label} | {lead_label} | {int(mask.sum())} | {_pct(result.outcome[mask].mean())} | "
                + " | ".join(cells) + " |"
            )
    return lines


def held_out_chance(result: TieBacktest, name: str, bins: int = 10, draws: int = 10_000) -> ReliabilityChance:
    """Between the legs, on the held-out ties ``name`` forecasts: how often a perfectly calibrated
    forecaster with ``name``'s forecasts meets the reliability bar (seeded simulation,
    :func:`remontada.evaluation.reliability_target.reliability_target_chance`), with the observed worst gap."""
    held = result.keys("held_out") == held_out_label(HELD_OUT_FROM)
    p = result.forecasts["between_legs"][name]
    return reliability_target_chance(p[held], result.outcome[held], bins, draws=draws)


def _held_out_parts(result: TieBacktest, bins: int) -> list[str]:
    """Between the legs, the held-out ties in parts (by period and competition): per model forecaster
    the Brier score, the worst reliability gap (bins of 30+ ties) and where it falls among a perfectly
    calibrated forecaster's; then the level and one-up hosts per part. Descriptive: nothing is fitted."""
    from remontada.rules import season_start_year
    from remontada.ties.second_leg import lead_of

    held = result.keys("held_out") == held_out_label(HELD_OUT_FROM)
    years = np.array([season_start_year(t.season) for t in result.ties])
    comps = result.keys("competition")
    parts = {
        f"all held out ({HELD_OUT_FROM} on)": held,
        "without the Conference League": held & (comps != "uefa.ecl"),
        f"{HELD_OUT_FROM}..2020-21 (away goals)": held & (years <= 2020),
        "2021-22 on (no away goals)": held & (years >= 2021),
        "2021-22 on, without the Conference League": held & (years >= 2021) & (comps != "uefa.ecl"),
        "Conference League (2021-22 on)": held & (comps == "uefa.ecl"),
    }
    parts = {k: v for k, v in parts.items() if v.any()}
    between = result.forecasts["between_legs"]
    names = [n for n in between if n not in (BASE_RATE, MARKET)]
    out = [
        f"### The held-out ties in parts, between the legs ({', '.join(names)})",
        "",
        "Worst gap: the largest |observed − mean forecast| among reliability bins of 30+ ties; *calibrated*: how"
        " often a perfectly calibrated forecaster with the same forecasts meets the 5-point bar, and how often"
        " its worst gap is at least the observed one (10,000 seeded draws).",
        "",
        "| part | forecaster | ties | Brier | worst gap | bins of 30+ | calibrated: bar met "
        "| calibrated: worst gap ≥ observed |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, mask in parts.items():
        for name in names:
            p = between[name]
            keep = mask & np.isfinite(p)
            y = result.outcome[keep]
            chance = reliability_target_chance(p[keep], y, bins)
            out.append(
                f"| {label} | {name} | {int(keep.sum())} | {float(((p[keep] - y) ** 2).mean()):.4f} | "
                f"{100 * chance.observed_worst:.1f} | {chance.bins_checked} | {_pct(chance.chance)} | "
                f"{_pct(chance.p_value)} |"
            )
    lead = np.array([lead_of((t.leg1.home_goals, t.leg1.away_goals)) for t in result.ties])  # type: ignore[union-attr,arg-type]
    out += [
        "",
        "Hosts level or one up after the first leg, held out: observed rate against mean forecast (ties).",
        "",
        "| part | lead | ties | observed | " + " | ".join(names) + " |",
        "|---|---:|---:|---:|" + "---:|" * len(names),
    ]
    for label, mask in parts.items():
        for k in (0, 1):
            m = mask & (lead == k)
            if not m.any():
                continue
            cells = [_pct(float(np.nanmean(between[n][m]))) for n in names]
            out.append(f"| {label} | {k:+d} | {int(m.sum())} | {_pct(float(result.outcome[m].mean()))} | "
                       + " | ".join(cells) + " |")  # fmt: skip
    out.append("")
    return out


def target_check(result: TieBacktest, name: str, bins: int = 10) -> dict[str, float | int | bool]:
    """The issue's bar on the held-out ties between the legs: every reliability bin with 30+ ties
    within 5 points of the observed rate, and Brier within 0.005 of the market's on the same ties;
    ``calibrated_chance``: how often a perfectly calibrated forecaster with these forecasts meets the
    reliability bar (:func:`held_out_chance`)."""
    held = result.keys("held_out") == held_out_label(HELD_OUT_FROM)
    records = result.calibration("between_legs", name, bins, mask=held).to_records()
    big = [r for r in records if _num(r["count"]) >= 30]
    worst = max((abs(_num(r["observed"]) - _num(r["mean_forecast"])) for r in big), default=0.0)
    p = result.forecasts["between_legs"][name]
    market = result.forecasts["between_legs"].get(MARKET)
    out: dict[str, float | int | bool] = {"held_out_ties": int(held.sum()), "bins_30": len(big), "worst_gap": worst}
    out["bins_ok"] = worst <= 0.05
    out["calibrated_chance"] = held_out_chance(result, name, bins).chance
    if market is not None:
        both = held & np.isfinite(market) & np.isfinite(p)
        y = result.outcome[both]
        out["market_ties"] = int(both.sum())
        out["brier"] = float(((p[both] - y) ** 2).mean()) if both.any() else float("nan")
        out["market_brier"] = float(((market[both] - y) ** 2).mean()) if both.any() else float("nan")
        out["brier_gap"] = out["brier"] - out["market_brier"]
        out["brier_ok"] = out["brier_gap"] <= 0.005
    return out


def markdown(result: TieBacktest, *, bins: int = 10) -> str:
    """Every table of the report for ``result``."""
    out: list[str] = []
    comps = Counter(t.competition for t in result.ties)
    stages = Counter(t.stage or "?" for t in result.ties)
    eras = Counter(result.keys("era").tolist())
    out += [
        f"**Ties forecast: {len(result.ties):,}** ({', '.join(f'{c} {n:,}' for c, n in sorted(comps.items()))}; "
        f"{', '.join(f'{s} {n:,}' for s, n in sorted(stages.items()))}); by era: "
        f"{', '.join(f'{e} {n:,}' for e, n in sorted(eras.items()))}. Model fits: {result.fits:,} "
        f"({result.seconds:.0f} s). Left out: {len(result.skipped):,} (reasons in the command's output).",
        "",
    ]
    priced = result.odds.get("market_priced", {})
    if priced:
        out += [
            f"Market forecasts: {priced.get('before_tie', 0):,} ties before the tie (first leg priced), "
            f"{priced.get('between_legs', 0):,} between the legs (second leg priced); quotes used: "
            f"{result.odds.get('market_books')}; margin removed with Shin's method; home factor for the "
            f"second leg before the tie {result.odds.get('market_home_factor', float('nan')):.3f} "
            f"(from {result.odds.get('market_home_pairs', 0):,} group-stage pairs before {HELD_OUT_FROM}).",
            "",
        ]
    out += ["### Every tie: model and base rate", "", *_scores(result.summary(), market=False), ""]
    if priced:
        out += [
            "### The ties the market prices: model, market and base rate on the same ties",
            "",
            *_scores(result.summary(with_market=True), market=True),
            "",
        ]
    out += ["### By competition (Brier; every tie)", "", *_split(result.summary("competition"), "competition"), ""]
    out += ["### By era (Brier; every tie)", "", *_split(result.summary("era"), "era"), ""]
    if priced:
        out += [
            "### By era, on the ties the market prices (Brier)",
            "",
            *_split(result.summary("era", with_market=True), "era"),
            "",
            "### By competition, on the ties the market prices (Brier)",
            "",
            *_split(result.summary("competition", with_market=True), "competition"),
            "",
        ]
    if result.forecasts.get("between_legs"):
        out += [
            "### Between the legs, by the second-leg host's first-leg lead",
            "",
            "Mean forecast of each forecaster (observed rate on the ties it prices, ties):",
            "",
            *_by_lead(result),
            "",
        ]
    held = result.keys("held_out") == held_out_label(HELD_OUT_FROM)
    out += [
        f"### Held out ({HELD_OUT_FROM} on, {int(held.sum())} ties): model, market and base rate",
        "",
        *_scores(result.summary(mask=held), market=False),
        "",
    ]
    if priced:
        out += ["On the held-out ties the market prices:", "", *_scores(result.summary(with_market=True, mask=held),
                                                                        market=True), ""]  # fmt: skip
    between = result.forecasts.get("between_legs", {})
    if between and held.any():
        out += _held_out_parts(result, bins)
    for name in between:
        out += [
            f"### Reliability between the legs, held out ({HELD_OUT_FROM} on): {name}",
            "",
            "(`*`: a bin of 30+ ties more than 5 points from the observed rate)",
            "",
            *_reliability(result, "between_legs", name, held, bins),
            "",
            f"Perfect calibration as yardstick: {held_out_chance(result, name, bins).sentence()}.",
            "",
        ]
    for horizon, per_name in result.forecasts.items():
        for name in per_name:
            if name == BASE_RATE:
                continue
            out += [
                f"### Reliability {HORIZON_LABELS[horizon]}, every tie: {name}",
                "",
                *_reliability(result, horizon, name, None, bins),
                "",
            ]
    if result.adjustment is not None:
        a = result.adjustment
        out += [
            "### The second-leg adjustment (maximum likelihood, ties before 2016-17)",
            "",
            f"{a.note}. Lead = the second-leg host's first-leg margin (±{MAX_LEAD} pools larger ones).",
            "",
            "| lead | second legs | host goals / model expected | host ×| visitor goals / model expected | visitor × |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for k in range(2 * MAX_LEAD + 1):
            ties = a.ties[k] if a.ties else 0
            host = f"{a.host_goals[k]:.0f} / {a.host_expected[k]:.1f}" if a.host_goals else ""
            visitor = f"{a.visitor_goals[k]:.0f} / {a.visitor_expected[k]:.1f}" if a.visitor_goals else ""
            out.append(
                f"| {k - MAX_LEAD:+d} | {ties} | {host} | {np.exp(a.host[k]):.3f} | {visitor} | "
                f"{np.exp(a.visitor[k]):.3f} |"
            )
        out.append("")
        if a.uses_gap:
            out += [
                f"Factors at the mean strength gap {a.gap_center:.3f} (log of the model's host / visitor expected "
                f"goals); per unit of gap above it the host's log factor changes by {a.host_gap:+.4f} and the "
                f"visitor's by {a.visitor_gap:+.4f}.",
                "",
            ]
    if result.leg2_grids and any(g is not None for g in result.leg2_grids):
        out += _second_leg_evidence(result)
        if recalibrated_name(result.model) in result.forecasts.get("between_legs", {}):
            out += _recalibration_evidence(result)
    return "\n".join(out)


def _second_leg_evidence(result: TieBacktest) -> list[str]:
    """The tables behind the choice of the second-leg design, all on ties before the held-out seasons."""
    out = ["### Second-leg factors by era (raw goals / model expected, ties before 2016-17)", ""]
    eras = second_leg_by_era(result)
    out += [
        "| lead | " + " | ".join(f"host {label}" for label, _ in eras) + " | "
        + " | ".join(f"visitor {label}" for label, _ in eras) + " |",
        "|---:|" + "---:|" * (2 * len(eras)),
    ]  # fmt: skip
    for k in range(2 * MAX_LEAD + 1):
        host = [f"{np.exp(a.host[k]):.3f} ({a.ties[k]})" if a.ties and a.ties[k] else "" for _, a in eras]
        visitor = [f"{np.exp(a.visitor[k]):.3f}" if a.ties and a.ties[k] else "" for _, a in eras]
        out.append(f"| {k - MAX_LEAD:+d} | " + " | ".join(host) + " | " + " | ".join(visitor) + " |")
    pooled = []
    for label, a in eras:
        if a.host_goals and sum(a.host_expected) > 0 and sum(a.visitor_expected) > 0:
            h = sum(a.host_goals) / sum(a.host_expected)
            v = sum(a.visitor_goals) / sum(a.visitor_expected)
            pooled.append(f"{label}: host x{h:.3f}, visitor x{v:.3f} ({sum(a.ties):,} second legs)")
    out += ["", "All leads pooled: " + ("; ".join(pooled) or "no second legs") + ".", ""]
    gap = by_strength_gap(result)
    if len(gap):
        out += [
            "### Between the legs before 2016-17, by the model's strength gap (octiles)",
            "",
            "Gap = log(host's / visitor's expected goals of the model's second-leg grid). A model whose"
            " strength scale is too spread would see strong hosts score less than expected and their"
            " forecasts run above the observed rate.",
            "",
            "| gap | mean gap | ties | host goals / expected | visitor goals / expected | model | + adjustment |"
            " observed |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in gap.to_dict(orient="records"):
            out.append(
                f"| {r['gap_low']:.2f}..{r['gap_high']:.2f} | {r['mean_gap']:.2f} | {r['ties']} | "
                f"{r['host_ratio']:.3f} | {r['visitor_ratio']:.3f} | {_pct(r['model'])} | {_pct(r['adjusted'])} | "
                f"{_pct(r['observed'])} |"
            )
        out.append("")
    folds = ", ".join(f"fit before {b}, validate {f}..{t}" for b, f, t in VALIDATION_FOLDS)
    out += [
        "### Choosing the second-leg design: validation inside the fitted period",
        "",
        f"Each design fitted on the second legs before a fold and scored between the legs on the fold ({folds});"
        f" no held-out tie is used. Shipped: *{SHIPPED_DESIGN}* (lowest mean validation log loss).",
        "",
        "| fit | validate | design | ties | log loss | Brier | log loss − first design (± 1.96 se) "
        "| worst gap (30+ bins) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    validation = second_leg_validation(result)
    if validation.empty:
        return [*out[:-4], "No ties in the validation folds.", ""]
    for r in validation.to_dict(orient="records"):
        diff = "" if r["log_loss_minus_first"] == 0 else f"{r['log_loss_minus_first']:+.5f} ± {1.96 * r['se']:.5f}"
        out.append(
            f"| {r['fit']} | {r['validate']} | {r['design']} | {r['ties']} | {r['log_loss']:.5f} | {r['brier']:.5f} | "
            f"{diff} | {100 * r['worst_gap']:.1f} |"
        )
    out.append("")
    return out


def _recalibration_evidence(result: TieBacktest) -> list[str]:
    """The table behind the choice of the per-competition recalibration: validation folds only."""
    validation = recalibration_validation(result)
    if validation.empty:
        return []
    grouping, strength = choose_recalibration(validation)
    folds = ", ".join(f"{f}..{t}" for _, f, t in VALIDATION_FOLDS)
    out = [
        "### Choosing the per-competition recalibration: validation inside the fitted period",
        "",
        f"Log loss between the legs (nats) on the validation folds ({folds}), the shipped second-leg design fitted"
        " before each fold; the recalibration learns walk-forward from the competition's ties decided before the"
        " Monday of the second leg's week. *history*: every earlier tie of the competition; *new*: its ties"
        " before the fold hidden (a competition that starts with the fold, as the Conference League did in"
        " 2021-22). Prior strength inf = the identity (no recalibration). Rule: lowest log loss averaged over"
        f" both folds and both settings. Chosen: **{grouping}, prior strength {strength:g}**.",
        "",
        "| grouping | prior strength | history: fold A / fold B | new: fold A / fold B | mean |"
        " history − identity (± 1.96 se, A / B) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (group, prior), rows in validation.groupby(["grouping", "prior_strength"], sort=False):
        hist = rows[rows["setting"] == "history"]
        new = rows[rows["setting"] == "new"]
        diffs = " / ".join(f"{r.minus_identity:+.5f} ± {1.96 * r.se:.5f}" for r in hist.itertuples())
        out.append(
            f"| {group} | {prior:g} | {' / '.join(f'{x:.5f}' for x in hist['log_loss'])} | "
            f"{' / '.join(f'{x:.5f}' for x in new['log_loss'])} | {rows['log_loss'].mean():.6f} | {diffs} |"
        )
    out.append("")
    return out

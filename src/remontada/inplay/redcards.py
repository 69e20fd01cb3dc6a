"""Red-card effects fitted minute by minute, beside the published ones.

Published estimates (rate multipliers after a sending-off):

* Ridder, Cramer & Hopstaken (1994), "Down to Ten: Estimating the Effect of a Red Card in
  Soccer", JASA 89: 340 Dutch professional matches of 1991-92. The scoring intensity of the side
  still with eleven players rises by 88% (x1.88); that of the side down to ten does not change
  significantly.
* Vecer, Kopriva & Ichiba (2009), "Estimating the Effect of the Red Card in Soccer", JQAS 5(1):
  from betting odds of the 2006 World Cup and Euro 2008. The penalised side's intensity drops
  significantly; the opponent's rises slightly. (Their abstract gives directions, which is what
  is compared here.)
"""

from __future__ import annotations

import math

from remontada.inplay.minutes import CellFit

PUBLISHED: tuple[dict[str, object], ...] = (
    {"study": "Ridder, Cramer & Hopstaken 1994 (340 Dutch league matches 1991-92)", "effect": "red_opponent",
     "multiplier": 1.88, "says": "the side with 11 players scores 88% more"},
    {"study": "Ridder, Cramer & Hopstaken 1994 (340 Dutch league matches 1991-92)", "effect": "red_own",
     "multiplier": 1.0, "says": "the side with 10 players: no significant change"},
    {"study": "Vecer, Kopriva & Ichiba 2009 (betting odds, World Cup 2006 and Euro 2008)", "effect": "red_own",
     "multiplier": None, "says": "the penalised side's rate drops significantly"},
    {"study": "Vecer, Kopriva & Ichiba 2009 (betting odds, World Cup 2006 and Euro 2008)", "effect": "red_opponent",
     "multiplier": None, "says": "the opponent's rate rises slightly"},
)  # fmt: skip

_WHAT = {
    "red_own": "a side's own rate after its red card",
    "red_opponent": "the opponent's rate after a side's red card",
    "red_own_second": "extra for a side's second red card (own rate)",
    "red_opponent_second": "extra for a side's second red card (opponent's rate)",
    "red_own_early": "extra when the card came in the first half (own rate)",
    "red_opponent_early": "extra when the card came in the first half (opponent's rate)",
}


def red_card_rows(fits: dict[str, CellFit]) -> list[dict[str, object]]:
    """Each red-card coefficient of the ``chosen``, ``second_red`` and ``red_timing`` fits: log
    effect, standard error, rate multiplier with its 95% interval, and what it means."""
    rows = []
    for variant, names in (
        ("chosen", ("red_own", "red_opponent")),
        ("second_red", ("red_own_second", "red_opponent_second")),
        ("red_timing", ("red_own_early", "red_opponent_early")),
    ):
        fit = fits.get(variant)
        if fit is None:
            continue
        for name in names:
            value, se = fit.value(name), fit.se(name)
            rows.append({
                "effect": name, "what": _WHAT[name], "log": value, "se": se, "multiplier": math.exp(value),
                "low": math.exp(value - 1.96 * se), "high": math.exp(value + 1.96 * se), "design": variant,
            })  # fmt: skip
    return rows


def published_comparison(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each published estimate beside ours: whether it lies inside our 95% interval (when a
    number was published) or agrees in direction."""
    ours = {str(r["effect"]): r for r in rows}
    out = []
    for entry in PUBLISHED:
        mine = ours.get(str(entry["effect"]))
        if mine is None:
            continue
        published = entry["multiplier"]
        low, high, value = float(mine["low"]), float(mine["high"]), float(mine["multiplier"])  # type: ignore[arg-type]
        if published is None:
            verdict = "same direction" if (value < 1.0) == (entry["effect"] == "red_own") else "opposite direction"
        else:
            inside = low <= float(published) <= high  # type: ignore[arg-type]
            verdict = "inside our 95% interval" if inside else ("above" if float(published) > high else "below")  # type: ignore[arg-type]
            verdict += " our 95% interval" if not inside else ""
        out.append({**entry, "ours": value, "ours_low": low, "ours_high": high, "verdict": verdict})
    return out

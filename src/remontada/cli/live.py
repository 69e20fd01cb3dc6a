"""In-play commands: ``live`` (a match or tie in progress) and ``inplay fit`` / ``inplay check``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from remontada.cli.common import JsonOpt, StoreOpt, console, fail, frame_table, open_store, print_json


def _pair(text: str | None, what: str) -> tuple[int, int] | None:
    if text is None:
        return None
    from remontada.inplay.live import parse_score

    try:
        return parse_score(text)
    except ValueError:
        fail(f"{what} is written like 0-1, got {text!r}")


def _rates(text: str) -> tuple[float, float]:
    try:
        home, away = (float(x) for x in text.replace(";", ",").split(","))
    except ValueError:
        fail(f"--rates is two expected-goal numbers like 1.37,1.81, got {text!r}")
    return home, away


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _remaining_table(grid: Any, home: str, away: str, size: int = 5) -> Table:
    table = Table(title=f"goals still to come (rows {home}, columns {away}), %")
    table.add_column("")
    for j in range(size):
        table.add_column(f"{j}+" if j == size - 1 else str(j), justify="right")
    probs = grid.probs
    for i in range(size):
        row = []
        for j in range(size):
            block = probs[i:, j:] if (i == size - 1 and j == size - 1) else None
            if block is not None:
                value = block.sum()
            elif i == size - 1:
                value = probs[i:, j].sum() if j < probs.shape[1] else 0.0
            elif j == size - 1:
                value = probs[i, j:].sum() if i < probs.shape[0] else 0.0
            else:
                value = probs[i, j] if i < probs.shape[0] and j < probs.shape[1] else 0.0
            row.append(f"{100 * value:.1f}")
        table.add_row(f"{i}+" if i == size - 1 else str(i), *row)
    return table


# ---- live ------------------------------------------------------------------------------------------
def live(
    home: Annotated[str, typer.Argument(help="Home side of the match being played, e.g. Atalanta.")],
    away: Annotated[str, typer.Argument(help="Away side, e.g. Liverpool.")],
    minute: Annotated[str, typer.Option(help="Minute: 60, 45+2, HT, 90+3.")] = "0",
    score: Annotated[str, typer.Option(help="Score now, home-away, e.g. 0-1.")] = "0-0",
    red_cards: Annotated[str, typer.Option("--red-cards", help="Red cards so far, home-away.")] = "0-0",
    date: Annotated[str | None, typer.Option(help="Match date (ISO); default: their latest stored meeting.")] = None,
    first_leg: Annotated[
        str | None, typer.Option("--first-leg", help="First-leg score as written there (away side here first).")
    ] = None,
    competition: Annotated[str | None, typer.Option(help="Competition name or id.")] = None,
    model: Annotated[str, typer.Option(help="Pre-match model (see `remontada` forecast models).")] = "dixon-coles",
    rates: Annotated[
        str | None, typer.Option(help="Pre-match expected goals home,away (skips the model), e.g. 1.37,1.81.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Side whose comeback curve to show (default: the underdog).")] = None,
    every: Annotated[int, typer.Option(help="Minutes between rows of the comeback curve.")] = 5,
    plot: Annotated[Path | None, typer.Option(help="Write the comeback curve as a PNG here.")] = None,
    params: Annotated[Path | None, typer.Option(help="In-play parameters CSV (default: the packaged fit).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What happens in the time left: win/draw/loss, the goals to come and, in a tie, who goes through."""
    from remontada.forecast import Forecaster
    from remontada.inplay.comeback import LiveSecondLeg
    from remontada.inplay.live import find_live_match, live_forecast
    from remontada.inplay.model import InplayModel, InplayParams, MatchClock
    from remontada.store.reader import AmbiguousTeam, TeamNotFound

    score_now = _pair(score, "--score")
    reds = _pair(red_cards, "--red-cards")
    assert score_now is not None and reds is not None
    try:
        clock = MatchClock.parse(minute)
        inplay = InplayModel(InplayParams.read_csv(params) if params else None)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    with open_store(store) as st:
        try:
            match = find_live_match(st, home, away, date=date, competition=competition, first_leg=first_leg)
        except (TeamNotFound, AmbiguousTeam) as exc:
            fail(str(exc))
        except (LookupError, ValueError) as exc:
            fail(str(exc))
        if rates is not None:
            pre = _rates(rates)
            source = "given"
        else:
            try:
                pre = Forecaster(st, model).rates(
                    match.home_id, match.away_id, match.date, neutral=match.neutral, competition=match.competition
                )
            except (LookupError, KeyError, ValueError) as exc:
                fail(f"no pre-match rates from {model}: {exc}; pass --rates home,away")
            source = f"{model}, fitted on matches before {match.date.isoformat()}"
    forecast = live_forecast(match, pre, minute=clock, score=score_now, red_cards=reds, model=inplay)
    curve = None
    if match.first_leg is not None and match.rules is not None:
        tie = LiveSecondLeg(match.first_leg, pre, match.rules, teams=(match.away, match.home), red_cards=reds)
        assert forecast.tie is not None
        focus = team or (match.away if forecast.tie.p_a <= 0.5 else match.home)
        try:
            curve = tie.comeback_curve(focus, minute=clock, score=score_now, model=inplay)
        except KeyError as exc:
            fail(str(exc))
        if plot is not None:
            curve.plot(plot)
    if as_json:
        out = forecast.to_dict()
        out["pre_match_rates"]["source"] = source
        if curve is not None:
            out["comeback_curve"] = {"team": curve.team, "rows": curve.to_frame()}
        print_json(out)
        return
    _print_live(forecast, source, curve, every)
    if plot is not None and curve is not None:
        console.print(f"comeback curve written to {plot}")


def _print_live(forecast: Any, source: str, curve: Any, every: int) -> None:
    import pandas as pd

    from remontada.inplay.comeback import curve_rows

    match = forecast.match
    console.print(f"[bold]{match.describe()}[/bold]")
    for note in match.notes:
        console.print(f"  [dim]{note}[/dim]")
    home_rate, away_rate = forecast.rates
    console.print(f"pre-match expected goals ({source}): {match.home} {home_rate:.2f}, {match.away} {away_rate:.2f}")
    console.print(
        f"minute {forecast.minute}, score {forecast.score[0]}-{forecast.score[1]}, "
        f"red cards {forecast.red_cards[0]}-{forecast.red_cards[1]}"
    )
    result = Table(title="the match after 90 minutes")
    for col in (f"{match.home} win", "draw", f"{match.away} win"):
        result.add_column(col, justify="right")
    result.add_row(_pct(forecast.final.home_win), _pct(forecast.final.draw), _pct(forecast.final.away_win))
    console.print(result)
    more_home, more_away = forecast.remaining.expected_goals()
    console.print(f"expected goals still to come: {match.home} {more_home:.2f}, {match.away} {more_away:.2f}")
    console.print(_remaining_table(forecast.remaining, match.home, match.away))
    tie = forecast.tie
    if tie is None:
        return
    through = Table(title="the tie")
    for col in ("side", "through", "in 90 minutes", "in extra time", "on the decider"):
        through.add_column(col, justify="right" if col != "side" else "left")
    for side in (tie.team_a, tie.team_b):
        split = tie.split(side)
        through.add_row(side, _pct(split.total), _pct(split.after_90), _pct(split.in_extra_time), _pct(split.decider))
    console.print(through)
    if curve is not None:
        rows = pd.DataFrame(curve_rows(curve, every))
        for col in ("if_unchanged", "if_next_goal_at", "if_next_goal_by"):
            rows[col] = rows[col].map(_pct)
        rows = rows.drop(columns=["p_next_goal_by"]).rename(
            columns={
                "if_unchanged": f"if it stays {curve.score[0]}-{curve.score[1]}",
                "if_next_goal_at": f"{curve.team} score next at that minute",
                "if_next_goal_by": f"{curve.team} score next by then",
            }
        )
        console.print(frame_table(rows, f"the comeback curve: P({curve.team} through)"))
    needs = tie.needs(curve.team if curve is not None else tie.team_a, 6)
    if needs:
        table = Table(title=f"what {curve.team if curve is not None else tie.team_a} need: final scores of this match")
        for col in ("final score", "probability", "then through", "decided by"):
            table.add_column(col, justify="right")
        how = {
            "a": f"{tie.team_a} on aggregate",
            "b": f"{tie.team_b} on aggregate",
            "a_away_goals": f"{tie.team_a} on away goals",
            "b_away_goals": f"{tie.team_b} on away goals",
            "extra_time": "extra time",
        }
        for s in needs:
            p_team = s.p_a_through if (curve is None or curve.team == tie.team_a) else 1.0 - s.p_a_through
            score = f"{match.home} {s.home_goals}-{s.away_goals} {match.away}"
            table.add_row(score, _pct(s.probability), _pct(p_team), how.get(s.outcome, s.outcome))
        console.print(table)


# ---- inplay fit / check -----------------------------------------------------------------------------
inplay_app = typer.Typer(no_args_is_help=True, help="Estimate and check the in-play model.")


@inplay_app.command("fit")
def inplay_fit(
    out: Annotated[Path, typer.Option(help="Where to write the parameter CSV.")] = Path("inplay.csv"),
    holdout_from: Annotated[int, typer.Option(help="Leave out league seasons starting in or after this year.")] = 2022,
    profile_since: Annotated[int, typer.Option(help="First year of goal-minute evidence.")] = 2010,
    standard_errors: Annotated[bool, typer.Option(help="Compute standard errors (slower).")] = True,
    red_timing: Annotated[
        float | None, typer.Option(help="Shape s of the red-card timing density exp(s t/T) (default 1.3).")
    ] = None,
    fit_red_timing: Annotated[bool, typer.Option(help="Fit the red-card timing instead of fixing it.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-estimate the in-play parameters from the store (takes a while: chains over every half)."""
    import pandas as pd

    from remontada.inplay.fit import RED_TIMING, fit_from_store

    with open_store(store) as st:
        fitter = fit_from_store(
            st,
            holdout_from=holdout_from,
            profile_since=profile_since,
            standard_errors=standard_errors,
            red_timing=None if fit_red_timing else (RED_TIMING if red_timing is None else red_timing),
            verbose=not as_json,
        )
    fitter.params_.write_csv(out, fitter.notes())
    rows = [
        {"effect": e.name, "log": e.value, "se": e.se, "multiplier": e.multiplier, "evidence": e.evidence}
        for e in fitter.estimates_
    ]
    if as_json:
        print_json({"params": dict(fitter.params_.to_rows()), "estimates": rows, "out": str(out)})
        return
    console.print(frame_table(pd.DataFrame(rows).round(4), "in-play effects (log rate multipliers)"))
    console.print(f"parameters written to {out}")


@inplay_app.command("check")
def inplay_check(
    from_season: Annotated[int, typer.Option(help="First held-out season (start year).")] = 2022,
    params: Annotated[Path | None, typer.Option(help="Parameters CSV (default: the packaged fit).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a reliability diagram PNG here.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Second halves of held-out seasons forecast from half-time: scores, situations, calibration."""
    import pandas as pd

    from remontada.evaluation.scoring import plot_calibration
    from remontada.inplay.model import InplayParams
    from remontada.inplay.validate import held_out, validate

    fitted = InplayParams.read_csv(params) if params else InplayParams.packaged()
    with open_store(store) as st:
        data = held_out(st, from_season=from_season)
    if not len(data):
        fail(f"no league matches with odds and half-time scores from {from_season} on")
    report = validate(data, {"inplay": fitted, "flat": InplayParams.flat()})
    scores, situations, trailing = report.scores(), report.situations(), report.trailing_by_one()
    reliability = {name: report.reliability(name) for name in report.result}
    if plot is not None:
        plot_calibration(reliability, plot, title=f"full-time result given half-time, seasons {from_season}-")
    if as_json:
        print_json(
            {
                "scores": scores,
                "situations": situations,
                "trailing_by_one": trailing,
                "reliability": {name: table.to_records() for name, table in reliability.items()},
            }
        )
        return
    console.print(frame_table(scores.round(5), f"second halves of {len(data)} held-out matches"))

    def trio(row: Any, column: str) -> str:
        return " | ".join(f"{100 * row[key]:.1f}" for key in (column, f"inplay:{column}", f"flat:{column}"))

    table = Table(title="full-time result by half-time situation, % (observed | in-play model | flat)")
    for col in ("half-time", "matches", "home win", "draw", "away win"):
        table.add_column(col, justify="right")
    for _, row in situations.iterrows():
        table.add_row(
            row["half_time"], str(row["matches"]), trio(row, "home_win"), trio(row, "draw"), trio(row, "away_win")
        )
    console.print(table)
    table = Table(title="one goal behind at half-time, % (observed | in-play model | flat)")
    for col in ("side behind", "matches", "avoided defeat", "won"):
        table.add_column(col, justify="right")
    for _, row in trailing.iterrows():
        table.add_row(row["trailing"], str(row["matches"]), trio(row, "avoided_defeat"), trio(row, "won"))
    console.print(table)
    for name, calibration in reliability.items():
        frame = pd.DataFrame(calibration.to_records()).round(3)
        title = f"reliability of every full-time probability: {name} (ECE {calibration.calibration_error():.4f})"
        console.print(frame_table(frame, title))
    if plot is not None:
        console.print(f"reliability diagram written to {plot}")


def register(app: typer.Typer) -> None:
    app.command("live")(live)
    app.add_typer(inplay_app, name="inplay")


__all__ = ["inplay_app", "live", "register"]

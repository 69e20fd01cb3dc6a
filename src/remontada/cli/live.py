"""In-play commands: ``live`` (a match or tie in progress) and ``inplay fit`` / ``inplay check``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import remontada as rm
from remontada.cli.common import (
    JsonOpt,
    StoreOpt,
    cell_text,
    console,
    frame_table,
    guarded,
    print_json,
    progress_bar,
    records_table,
)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _remaining_table(grid: Any, home: str, away: str, size: int = 5) -> Table:
    table = Table(title=cell_text(f"goals still to come (rows {home}, columns {away}), %"))
    table.add_column("")
    for j in range(size):
        table.add_column(f"{j}+" if j == size - 1 else str(j), justify="right")
    probs = grid.probs
    for i in range(size):
        row = []
        for j in range(size):
            rows = slice(i, None) if i == size - 1 else slice(i, i + 1)
            cols = slice(j, None) if j == size - 1 else slice(j, j + 1)
            row.append(f"{100 * probs[rows, cols].sum():.1f}")
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
    competition: Annotated[str | None, typer.Option(help="Competition name, id or abbreviation.")] = None,
    model: Annotated[str, typer.Option(help="Pre-match model (see `remontada` forecast models).")] = "dixon-coles",
    rates: Annotated[
        str | None, typer.Option(help="Pre-match expected goals home,away (skips the model), e.g. 1.37,1.81.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Side whose comeback curve to show (default: the underdog).")] = None,
    every: Annotated[int, typer.Option(min=1, help="Minutes between rows of the comeback curve.")] = 5,
    plot: Annotated[Path | None, typer.Option(help="Write the comeback curve as a PNG here.")] = None,
    params: Annotated[Path | None, typer.Option(help="In-play parameters CSV (default: the packaged fit).")] = None,
    last_goal: Annotated[
        str | None, typer.Option("--last-goal", help="Minute and side of the last goal, e.g. '7 away' or 'none'.")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What happens in the time left: win/draw/loss, the goals to come and, in a tie, who goes through."""
    answer = rm.live(home, away, date=date, minute=minute, score=score, red_cards=red_cards, competition=competition,
                     first_leg=first_leg, model=model, rates=rates, team=team, params=params,
                     store=store, last_goal=last_goal)  # fmt: skip
    if plot is not None and answer.curve is not None:
        answer.curve.plot(plot)
    if as_json:
        print_json(answer.to_dict())
        return
    _print_live(answer, every)
    if plot is not None and answer.curve is not None:
        console.print(f"comeback curve written to {plot}")


def _print_live(answer: Any, every: int) -> None:
    from remontada.inplay.comeback import curve_rows

    forecast, curve = answer.forecast, answer.curve
    match = forecast.match
    console.print(f"[bold]{cell_text(match.describe())}[/bold]")
    for note in match.notes:
        console.print(f"  [dim]{cell_text(note)}[/dim]")
    for warning in answer.warnings:
        console.print(f"[yellow]warning:[/yellow] {cell_text(warning)}")
    home_rate, away_rate = forecast.rates
    console.print(
        f"pre-match expected goals ({answer.rates_source}): {match.home} {home_rate:.2f}, {match.away} {away_rate:.2f}"
    )
    pre = answer.pre_match
    if pre is not None:
        text = (
            f"pre-match model after 90 minutes: {match.home} win {_pct(pre['home_win'])}, draw {_pct(pre['draw'])}, "
            f"{match.away} win {_pct(pre['away_win'])}"
        )
        if pre["p_through"]:
            text += "; through " + ", ".join(f"{k} {_pct(v)}" for k, v in pre["p_through"].items())
        console.print(cell_text(text))
    console.print(
        f"minute {forecast.minute}, score {match.home} {forecast.score[0]}-{forecast.score[1]} {match.away}, "
        f"red cards {forecast.red_cards[0]}-{forecast.red_cards[1]}"
    )
    if forecast.history is not None:
        goal = forecast.history.last_goal
        told = "no goal yet" if goal is None else (
            f"{goal}' by {match.home if forecast.history.home else match.away}"
        )
        console.print(cell_text(f"last goal: {told} (the state scores at rates of its own until the next goal)"))
    result = Table(title="the match after 90 minutes (in-play model)")
    for col in (f"{match.home} win", "draw", f"{match.away} win"):
        result.add_column(cell_text(col), justify="right")
    result.add_row(_pct(forecast.final.home_win), _pct(forecast.final.draw), _pct(forecast.final.away_win))
    console.print(result)
    for note in answer.notes:
        console.print(f"[dim]why the numbers differ: {cell_text(note)}[/dim]")
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
        through.add_row(
            cell_text(side), _pct(split.total), _pct(split.after_90), _pct(split.in_extra_time), _pct(split.decider)
        )
    console.print(through)
    if curve is not None:
        rows = []
        for row in curve_rows(curve, every):
            rows.append({
                "minute": row["minute"],
                f"if it stays {curve.score[0]}-{curve.score[1]}": _pct(row["if_unchanged"]),
                f"{curve.team} score next at that minute": _pct(row["if_next_goal_at"]),
                f"{curve.team} score next by then": _pct(row["if_next_goal_by"]),
            })  # fmt: skip
        console.print(records_table(rows, cell_text(f"the comeback curve: P({curve.team} through)")))
    focus = curve.team if curve is not None else tie.team_a
    needs = tie.needs(focus, 6)
    if needs:
        table = Table(title=cell_text(f"what {focus} need: final scores of this match"))
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
            p_team = s.p_a_through if focus == tie.team_a else 1.0 - s.p_a_through
            final = f"{match.home} {s.home_goals}-{s.away_goals} {match.away}"
            table.add_row(cell_text(final), _pct(s.probability), _pct(p_team), cell_text(how.get(s.outcome, s.outcome)))
        console.print(table)


# ---- inplay fit / check -----------------------------------------------------------------------------
inplay_app = typer.Typer(no_args_is_help=True, help="Estimate and check the in-play model.")


def inplay_fit(
    out: Annotated[Path, typer.Option(help="Where to write the parameter CSV.")] = Path("inplay.csv"),
    first_season: Annotated[int, typer.Option(help="First season (start year) to learn from.")] = 2009,
    holdout_from: Annotated[
        int | None,
        typer.Option(help="Hold out seasons starting in or after this year (designs are scored on them); "
                          "default: fit every season (what ships)."),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    frailty: Annotated[
        bool, typer.Option(help="Also score gamma frailties (goals so far as evidence of a match's level).")
    ] = False,
    walk_forward_from: Annotated[
        int | None,
        typer.Option(help="Also score the designs walk-forward: each season from this one on by fits on the "
                          "seasons before it (cached)."),
    ] = None,
) -> None:
    """Re-estimate the in-play parameters minute by minute from club matches with event lists."""
    from remontada.inplay.minutes import VARIANTS
    from remontada.inplay.walkforward import WALK_DESIGNS

    progress = progress_bar(as_json, 22)
    with progress:
        steps = (len(VARIANTS) + 1 if holdout_from is not None else 0) + (8 if frailty else 0)
        steps += 5 * len(WALK_DESIGNS) if walk_forward_from is not None else 0
        task = progress.add_task("fitting designs", total=max(steps, 1), note="")
        fit = rm.fit_inplay(first_season=first_season, holdout_from=holdout_from, store=store, frailty=frailty,
                            walk_forward_from=walk_forward_from,
                            progress=lambda name: progress.update(task, advance=1, note=name))  # fmt: skip
        progress.update(task, completed=max(steps, 1))
    fit.write_csv(out)
    if as_json:
        print_json({**fit.to_dict(), "out": str(out)})
        return
    rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k != "evidence"}
            for r in fit.estimates]  # fmt: skip
    console.print(records_table(rows, f"in-play effects (log rate multipliers): {fit.estimates[0]['evidence']}"))
    if fit.comparison:
        comparison = [{"design": r["variant"], "what": r["what"], "parameters": r["parameters"],
                       "held-out gain": round(float(r["held_out_gain_per_1000"]), 2)}
                      for r in fit.comparison]  # fmt: skip
        console.print(records_table(comparison, "designs on held-out seasons (gain: log-likelihood per 1,000 matches)"))
    if fit.walk_forward:
        rows = [{"design": r["design"], "what": r["what"], "extra parameters": r["extra_parameters"],
                 "seasons": r["seasons"], "matches": r["matches"],
                 "held-out gain": round(float(r["held_out_gain_per_1000"]), 2)} for r in fit.walk_forward]  # fmt: skip
        console.print(records_table(rows, "designs walk-forward, against the chosen one (log-likelihood per 1,000 "
                                          "matches of the seasons both forecast)"))  # fmt: skip
    if fit.frailty:
        rows = [{"frailty": r["kind"], "alpha": r["alpha"], "training gain": round(r["train_gain"], 1),
                 "held-out gain": round(r["held_out_gain_per_1000"], 2)} for r in fit.frailty]  # fmt: skip
        console.print(records_table(rows, "gamma frailty against none (log-likelihood; held out per 1,000 matches)"))
    console.print(f"parameters written to {out}")


def inplay_check(
    from_season: Annotated[int, typer.Option(help="First held-out season (start year).")] = 2020,
    params: Annotated[Path | None, typer.Option(help="Parameters CSV (default: the packaged fit).")] = None,
    current: Annotated[
        Path | None, typer.Option(help="Parameters to compare with (default: the fit shipped before this one).")
    ] = None,
    min_matches: Annotated[int, typer.Option(help="Show a score when at least this many matches reach it.")] = 300,
    fixed_split: Annotated[
        bool, typer.Option(help="One fit on the seasons before --from-season forecasts them all (not walk-forward).")
    ] = False,
    plot: Annotated[Path | None, typer.Option(help="Write a reliability diagram PNG here.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Held-out club matches at 15', 30', HT, 60', 75', 85': log loss, ECE, calibration by score.

    Walk-forward by default: each season from --from-season on is forecast by a fit on the seasons
    before it only (the fits are cached in the user cache directory)."""
    progress = progress_bar(as_json, 22)
    tasks: dict[str, Any] = {}

    def step(model: str, done: int, total: int) -> None:
        if model not in tasks:
            title = "walk-forward fits" if model == "refits" else f"forecasting: {model}"
            tasks[model] = progress.add_task(title, total=total, note="")
        progress.update(tasks[model], completed=done, note="seasons" if model == "refits" else "chains")

    with progress:
        check = rm.check_inplay(from_season=from_season, params=params, current=current, min_matches=min_matches,
                                fixed_split=fixed_split, progress=step, store=store)  # fmt: skip
    if plot is not None:
        from remontada.evaluation.scoring import plot_calibration

        how = {"walk-forward": "walk-forward", "fixed-split": "fixed split"}.get(check.mode, "given parameters")
        plot_calibration(check.reliability, plot,
                         title=f"final result from 15'..85', club matches {check.from_season}- ({how})")  # fmt: skip
    if as_json:
        print_json(check.to_dict())
        return
    _print_check(check)
    if plot is not None:
        console.print(f"reliability diagram written to {plot}")


def _print_check(check: Any) -> None:
    models = list(check.models)
    for name, source in check.models.items():
        console.print(f"[bold]{name}[/bold]: {cell_text(source)}")
    scores = check.scores
    table = Table(title=f"final result from each checkpoint, {check.matches} held-out matches "
                        f"(seasons {check.from_season}-, {check.mode}): log loss | ECE")  # fmt: skip
    table.add_column("checkpoint")
    for name in models:
        table.add_column(name, justify="right")
    for checkpoint in dict.fromkeys(scores["checkpoint"]):
        rows = scores[scores["checkpoint"] == checkpoint].set_index("model")
        table.add_row(checkpoint, *(f"{rows.loc[m, 'log_loss']:.4f} | {rows.loc[m, 'ece']:.4f}" for m in models))
    table.add_row("all (ECE)", *(f"{check.ece[m]:.4f}" for m in models))
    console.print(table)

    def trio(row: Any, column: str) -> str:
        return " | ".join(f"{100 * row[key]:.1f}" for key in (column, *(f"{m}:{column}" for m in models)))

    table = Table(title=f"final result by score at each checkpoint, % (observed [95%] | {' | '.join(models)})")
    for col in ("at", "score", "matches", "home win", "draw", "away win"):
        table.add_column(col, justify="right")
    for _, row in check.by_score.iterrows():
        cells = [f"[{100 * row[f'{c}_low']:.0f}-{100 * row[f'{c}_high']:.0f}] " + trio(row, c)
                 for c in ("home_win", "draw", "away_win")]  # fmt: skip
        table.add_row(row["checkpoint"], row["score"], str(row["matches"]), *cells)
    console.print(table)
    table = Table(title=f"one goal behind: avoided defeat, % (observed [95%] | {' | '.join(models)})")
    for col in ("at", "side behind", "matches", "avoided defeat", "inside the interval"):
        table.add_column(col, justify="right")
    for _, row in check.trailing_by_one.iterrows():
        inside = ", ".join(m for m in models if row[f"{m}:inside"]) or "none"
        observed = f"[{100 * row['low']:.1f}-{100 * row['high']:.1f}] " + trio(row, "avoided_defeat")
        table.add_row(row["checkpoint"], row["trailing"], str(row["matches"]), observed, inside)
    console.print(table)
    if check.by_season is not None and len(check.by_season):
        table = Table(title="one goal behind, every checkpoint pooled, by season: avoided defeat, % "
                            f"(observed | {' | '.join(models)}; gap: observed - {models[0]}, points)")  # fmt: skip
        for col in ("season", "matches", "one behind", "avoided defeat", "gap"):
            table.add_column(col, justify="right")
        for _, row in check.by_season.iterrows():
            season = int(row["season"])
            table.add_row(f"{season}-{(season + 1) % 100:02d}", str(int(row["matches"])), str(int(row["one_behind"])),
                          trio(row, "avoided_defeat"), f"{row[f'{models[0]}:gap']:+.1f}")  # fmt: skip
        console.print(table)
    if check.red_cards:
        rows = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in check.red_cards]
        console.print(records_table(rows, f"red-card effects (seasons before {check.from_season}), rate multipliers"))
        rows = [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()} for r in check.published]
        console.print(records_table(rows, "published red-card effects beside ours"))


def inplay_events(
    show: Annotated[int, typer.Option(help="List this many of the unaligned and unused lists (0: counts only).")] = 10,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The minute-by-minute event lists: counts, and those that did not align or are not used."""
    lists = rm.event_lists(store=store)
    if as_json:
        print_json(lists.to_dict())
        return
    console.print(
        f"{lists.lists:,} event lists ({lists.events:,} events): {lists.complete:,} complete, "
        f"{lists.aligned:,} on a match another source reports, {lists.lists - lists.aligned:,} not"
    )
    for title, frame, columns in (
        ("not aligned with another source", lists.unaligned, ["file", "line", "date", "home", "away"]),
        ("not used", lists.problems, ["file", "line", "problem"]),
    ):
        if len(frame) and show:
            rows = frame.head(show).assign(file=frame["url"].head(show).str.rsplit("/", n=1).str[-1])
            console.print(frame_table(rows, f"{title}: {len(frame):,} (first {min(show, len(frame))})", columns))


inplay_app.command("fit")(guarded(inplay_fit))
inplay_app.command("events")(guarded(inplay_events))
inplay_app.command("check")(guarded(inplay_check))


def register(app: typer.Typer) -> None:
    app.command("live")(guarded(live))
    app.add_typer(inplay_app, name="inplay")


__all__ = ["inplay_app", "live", "register"]

"""Model commands: ``predict`` (one match as a full scoreline distribution), ``ratings`` and ``backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import remontada as rm
from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, frame_table, guarded, print_json, records_table

#: The models ``--model`` accepts (remontada._api.common.MODEL_NAMES; not imported here to keep start-up light).
_MODELS = "dixon-coles, poisson, bivariate, elo"
ModelOpt = Annotated[str, typer.Option("--model", help=f"One of: {_MODELS}.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="ISO date: the model knows only matches before it.")]


def register(app: typer.Typer) -> None:
    """Add the model commands to ``app``."""
    app.command()(guarded(predict))
    app.command()(guarded(ratings))
    app.command()(guarded(backtest))


def predict(
    home: Annotated[str, typer.Argument(help="Home club, e.g. Atalanta.")],
    away: Annotated[str, typer.Argument(help="Away club, e.g. Liverpool.")],
    date: DateOpt = None,
    model: ModelOpt = "dixon-coles",
    neutral: Annotated[
        bool | None, typer.Option("--neutral/--no-neutral", help="Neutral venue (default: the stored fixture's).")
    ] = None,
    competition: Annotated[
        str | None, typer.Option(help="Competition (sets home advantage; default: the stored fixture's).")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a scoreline heatmap PNG here.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Forecast one match: 1X2, expected goals, most likely scores, over/under 2.5, BTTS."""
    forecast = rm.predict(home, away, date=date, competition=competition, neutral=neutral, model=model, store=store)
    if plot is not None:
        from remontada.plots import scoreline_heatmap

        scoreline_heatmap(forecast.grid, forecast.home, forecast.away, plot)
    summary = forecast.to_dict()
    if as_json:
        if plot is not None:
            summary["plot"] = str(plot)
        print_json(summary)
        return
    where = " (neutral)" if forecast.neutral else ""
    comp = f", {forecast.competition}" if forecast.competition else ""
    title = f"{forecast.home} v {forecast.away}{where}{comp}  ·  {forecast.model} as of {forecast.as_of}"
    table = Table(title=cell_text(title))
    table.add_column("market")
    table.add_column("probability / value", justify="right")
    rows = [
        (f"{forecast.home} win", f"{summary['home_win']:.1%}"), ("draw", f"{summary['draw']:.1%}"),
        (f"{forecast.away} win", f"{summary['away_win']:.1%}"),
        ("expected goals", f"{summary['expected_goals']['home']:.2f} - {summary['expected_goals']['away']:.2f}"),
        ("over 2.5 goals", f"{summary['over_2_5']:.1%}"), ("both teams score", f"{summary['btts_yes']:.1%}"),
    ]  # fmt: skip
    for score in summary["top_scores"]:
        rows.append((f"{forecast.home} {score['home']}-{score['away']} {forecast.away}", f"{score['p']:.1%}"))
    for label, value in rows:
        table.add_row(cell_text(label), value)
    console.print(table)
    if forecast.competition_source == "stored fixture":
        note = f"competition {forecast.competition} from the stored fixture (it sets the home advantage)"
        console.print(f"[dim]{cell_text(note)}[/dim]")
    for warning in forecast.warnings:
        console.print(f"[yellow]warning:[/yellow] {cell_text(warning)}")
    if plot is not None:
        console.print(f"heatmap: {plot}")


def ratings(
    competition: Annotated[
        str | None, typer.Option(help="Only clubs that played it in the year before --date.")
    ] = None,
    date: DateOpt = None,
    top: Annotated[int, typer.Option(min=1, help="How many clubs to show.")] = 20,
    model: ModelOpt = "dixon-coles",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Team strengths on one scale across every league and UEFA competition."""
    table = rm.ratings(date=date, competition=competition, top=top, model=model, store=store)
    if as_json:
        print_json(table.to_dict())
        return
    shown = []
    for row in table.rows:
        out: dict[str, Any] = {"rank": row["rank"], "club": row["club"]}
        if "league" in row:
            out["league"] = row.get("league_name") or row["league"]
        for col in ("overall", "attack", "defence", "elo"):
            if col in row:
                out[col] = f"{row[col]:.0f}" if col == "elo" else f"{row[col]:+.2f}"
        shown.append(out)
    console.print(records_table(shown, f"ratings as of {table.as_of} ({table.model})"))
    for warning in table.warnings:
        console.print(f"[yellow]warning:[/yellow] {cell_text(warning)}")


def backtest(
    competition: Annotated[
        str,
        typer.Option(
            help='League to forecast, e.g. "Premier League"; or "Champions League", "Europa League" or both '
            "comma-separated (UEFA matches against Pinnacle)."
        ),
    ] = "Premier League",
    seasons: Annotated[
        str | None,
        typer.Option(help="Reported seasons, FIRST..LAST (default 2016-17..2022-23; UEFA 2016-17..2019-20)."),
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Write the calibration diagram PNG here.")] = None,
    penaltyblog: Annotated[bool, typer.Option(help="Include penaltyblog's Dixon-Coles (slow: one fit a week).")] = True,
    step_days: Annotated[int, typer.Option(min=1, help="Refit every N days.")] = 7,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk-forward RPS, log loss and Brier of every model, the closing odds and penaltyblog, same matches.

    On UEFA matches: the joint Dixon-Coles, Elo and climatology against Pinnacle, by competition, stage
    and whether the two clubs play in the same league.
    """
    result = rm.backtest(competition, seasons=seasons, penaltyblog=penaltyblog, step_days=step_days,
                         progress=not as_json, store=store)  # fmt: skip
    seasons = result.seasons
    if plot is not None:
        n = int(result.summary["matches"].iloc[0])
        result.plot_calibration(plot, title=f"{result.competition} {seasons}\ncalibration, {n} matches")
    if as_json:
        out = result.to_dict()
        if plot is not None:
            out["plot"] = str(plot)
        print_json(out)
        return
    console.print(frame_table(_scores_text(result.summary), f"{competition} {seasons}, walk-forward (lower is better)"))
    for name, frame in result.partial_coverage.items():
        console.print(frame_table(_scores_text(frame), f"on the {frame['matches'].iloc[0]} matches {name} priced"))
    for by, frame in result.breakdowns.items():
        console.print(frame_table(_scores_text(frame), f"by {by}; *_vs_pinnacle: paired mean difference, ± 95%"))
    for note in result.notes:
        console.print(f"note: {note}")
    if plot is not None:
        console.print(f"calibration diagram: {plot}")


def _scores_text(frame: Any) -> Any:
    shown = frame.copy()
    for col in ("rps", "log_loss", "brier"):
        shown[col] = shown[col].map("{:.4f}".format)
    if "seconds" in shown:
        shown["seconds"] = shown["seconds"].map("{:.0f}".format)
    for score in ("rps", "log_loss"):
        col = f"{score}_vs_pinnacle"
        if col in shown:
            shown[col] = [f"{d:+.4f} ± {h:.4f}" for d, h in zip(frame[col], frame[f"{col}_ci"], strict=True)]
            shown = shown.drop(columns=f"{col}_ci")
    return shown

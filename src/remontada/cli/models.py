"""Model commands: ``predict`` (one match as a full scoreline distribution) and ``ratings``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from remontada.cli.common import JsonOpt, StoreOpt, console, fail, frame_table, open_store, print_json

if TYPE_CHECKING:
    import pandas as pd

    from remontada.store.reader import Store

#: The keys of :data:`remontada.forecast.MODELS` and its default, written out so that building the
#: command line (``remontada --help``) does not import the models (a test keeps them equal).
MODEL_NAMES = ("dixon-coles", "poisson", "bivariate", "elo")
DEFAULT_MODEL = "dixon-coles"

ModelOpt = Annotated[str, typer.Option("--model", help=f"One of: {', '.join(MODEL_NAMES)}.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="ISO date: the model knows only matches before it.")]


def register(app: typer.Typer) -> None:
    """Add the model commands to ``app``."""
    app.command()(predict)
    app.command()(ratings)
    app.command()(backtest)


def _as_of(date: str | None) -> dt.date:
    if date is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        return fail(f"--date must be an ISO date like 2024-04-18, got {date!r}")


def _club(store: Store, name: str) -> str:
    from remontada.store.reader import AmbiguousTeam, TeamNotFound

    try:
        return store.resolve_club(name)
    except (TeamNotFound, AmbiguousTeam) as exc:
        return fail(str(exc))


def predict(
    home: Annotated[str, typer.Argument(help="Home club, e.g. Atalanta.")],
    away: Annotated[str, typer.Argument(help="Away club, e.g. Liverpool.")],
    date: DateOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    neutral: Annotated[bool, typer.Option(help="Neutral venue (no home advantage).")] = False,
    competition: Annotated[str | None, typer.Option(help="Competition (sets home advantage).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a scoreline heatmap PNG here.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Forecast one match: 1X2, expected goals, most likely scores, over/under 2.5, BTTS."""
    from remontada.forecast import Forecaster

    day = _as_of(date)
    with open_store(store) as st:
        home_id, away_id = _club(st, home), _club(st, away)
        comp = st.competition(competition).id if competition else None
        forecaster = Forecaster(st, model)
        try:
            grid = forecaster.grid(home_id, away_id, day, neutral=neutral, competition=comp)
        except (KeyError, LookupError) as exc:
            fail(str(exc).strip("'\""))
        names = st.club_name(home_id), st.club_name(away_id)
    summary = grid.to_dict(top=5)
    if plot is not None:
        from remontada.plots import scoreline_heatmap

        scoreline_heatmap(grid, *names, plot)
    if as_json:
        print_json(
            {
                "home": names[0],
                "away": names[1],
                "home_id": home_id,
                "away_id": away_id,
                "as_of": day.isoformat(),
                "model": model,
                "neutral": neutral,
                **summary,
                "plot": str(plot) if plot else None,
            }
        )
        return
    table = Table(title=f"{names[0]} v {names[1]}{' (neutral)' if neutral else ''}  ·  {model} as of {day}")
    table.add_column("market")
    table.add_column("probability / value", justify="right")
    rows = [
        (f"{names[0]} win", f"{summary['home_win']:.1%}"), ("draw", f"{summary['draw']:.1%}"),
        (f"{names[1]} win", f"{summary['away_win']:.1%}"),
        ("expected goals", f"{summary['expected_goals']['home']:.2f} - {summary['expected_goals']['away']:.2f}"),
        ("over 2.5 goals", f"{summary['over_2_5']:.1%}"), ("both teams score", f"{summary['btts_yes']:.1%}"),
    ]  # fmt: skip
    for score in summary["top_scores"]:
        rows.append((f"score {score['home']}-{score['away']}", f"{score['p']:.1%}"))
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    if plot is not None:
        console.print(f"heatmap: {plot}")


def ratings(
    competition: Annotated[
        str | None, typer.Option(help="Only clubs that played it in the year before --date.")
    ] = None,
    date: DateOpt = None,
    top: Annotated[int, typer.Option(help="How many clubs to show.")] = 20,
    model: ModelOpt = DEFAULT_MODEL,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Team strengths on one scale across every league and UEFA competition."""
    import numpy as np

    from remontada.forecast import Forecaster
    from remontada.store.catalogue import clubs_playing

    day = _as_of(date)
    with open_store(store) as st:
        fitted = Forecaster(st, model).fitted(day)
        frame = _ratings_frame(fitted)
        if competition:
            comp = st.competition(competition).id
            since = (np.datetime64(day) - np.timedelta64(365, "D")).astype(str)
            frame = frame[frame["club_id"].isin(clubs_playing(st, comp, since, day))]
        frame = frame.head(top).copy()
        frame.insert(0, "rank", range(1, len(frame) + 1))
        frame.insert(2, "club", [st.club_name(c) for c in frame["club_id"]])
    if as_json:
        print_json({"as_of": day.isoformat(), "model": model, "ratings": frame})
        return
    shown = frame.drop(columns=["club_id"])
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            pattern = "{:.0f}" if col == "elo" else "{:+.2f}"
            shown[col] = shown[col].map(pattern.format)
    console.print(frame_table(shown, f"ratings as of {day} ({model})"))


def _ratings_frame(fitted: Any) -> pd.DataFrame:
    """One row per club, strongest first: goal models give attack/defence/overall, Elo its points."""
    import pandas as pd

    if hasattr(fitted, "ratings") and not hasattr(fitted, "rating"):
        r = fitted.ratings()
        return pd.DataFrame({
            "club_id": r.team, "league": r.group, "overall": r.overall, "attack": r.attack, "defence": r.defence,
        })  # fmt: skip
    points = fitted.ratings()
    frame = pd.DataFrame({"club_id": list(points), "elo": list(points.values())})
    return frame.sort_values("elo", ascending=False, kind="stable").reset_index(drop=True)


def backtest(
    competition: Annotated[str, typer.Option(help='League to forecast, e.g. "Premier League".')] = "Premier League",
    seasons: Annotated[str, typer.Option(help="Reported seasons, FIRST..LAST.")] = "2016-17..2022-23",
    plot: Annotated[Path | None, typer.Option(help="Write the calibration diagram PNG here.")] = None,
    penaltyblog: Annotated[bool, typer.Option(help="Include penaltyblog's Dixon-Coles (slow: one fit a week).")] = True,
    step_days: Annotated[int, typer.Option(help="Refit every N days.")] = 7,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk-forward RPS, log loss and Brier of every model, the closing odds and penaltyblog, same matches."""
    import numpy as np

    from remontada.evaluation import suite as backtest_suite

    with open_store(store) as st:
        try:
            result = backtest_suite.run(
                st, competition, seasons, penaltyblog=penaltyblog, step_days=step_days, progress=not as_json
            )
        except LookupError as exc:
            fail(str(exc))
    main = result.summary()
    partial = {
        name: result.summary(names=[name, *main["forecaster"]])
        for name, p in result.probs.items()
        if name not in set(main["forecaster"]) and np.isfinite(p).all(axis=1).any()
    }
    if plot is not None:
        result.plot_calibration(plot, title=f"{competition} {seasons}: calibration ({len(result.outcome)} matches)")
    if as_json:
        print_json(
            {
                "competition": competition,
                "seasons": seasons,
                "summary": main,
                "partial_coverage": partial,
                "notes": result.notes,
                "plot": str(plot) if plot else None,
            }
        )
        return
    console.print(frame_table(_scores_text(main), f"{competition} {seasons}, walk-forward (lower is better)"))
    for name, frame in partial.items():
        console.print(frame_table(_scores_text(frame), f"on the {frame['matches'].iloc[0]} matches {name} priced"))
    for note in result.notes:
        console.print(f"note: {note}")
    if plot is not None:
        console.print(f"calibration diagram: {plot}")


def _scores_text(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    for col in ("rps", "log_loss", "brier"):
        shown[col] = shown[col].map("{:.4f}".format)
    shown["seconds"] = shown["seconds"].map("{:.0f}".format)
    return shown

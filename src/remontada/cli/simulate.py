"""``remontada simulate``: who wins it all, from any date of a season."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import remontada as rm
from remontada._api.simulate import MAX_DEDUCTION
from remontada.cli.common import JsonOpt, StoreOpt, console, err_console, fail, guarded, print_json

#: The default of ``--model`` (remontada.forecast.DEFAULT_MODEL, not imported here: the
#: forecasting stack loads scipy, which would slow every command's start-up).
_DEFAULT_MODEL = "dixon-coles"


def _percent(p: float) -> str:
    if p <= 0.0:
        return "-"
    if p < 0.001:
        return "<0.1%"
    if p > 0.999 and p < 1.0:
        return ">99.9%"
    return f"{100 * p:.1f}%"


def _deductions(values: list[str] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values or []:
        match = re.match(r"^\s*(.+?)\s*=\s*(\d+)\s*$", value)
        if match is None:
            return fail(f"--deduct takes CLUB=POINTS (e.g. 'Everton=6'), got {value!r}")
        club, digits = match.group(1), match.group(2).lstrip("0") or "0"
        if len(digits) > 4 or int(digits) > MAX_DEDUCTION:
            return fail(f"--deduct points are 0 to {MAX_DEDUCTION}, got {value!r}")
        points = int(digits)
        out[club] = out.get(club, 0) + points
    return out


def _knockout_table(result: Any, title: str) -> Table:
    frame = result.knockout_frame()
    labels = result.round_labels()
    table = Table(title=title)
    table.add_column("Club")
    for label in labels:
        table.add_column(label, justify="right")
    for row in frame.to_dict(orient="records"):
        table.add_row(escape(row["club"]), *(_percent(float(row[label])) for label in labels))
    return table


def _league_table(result: Any, title: str, extra: Any = None) -> Table:
    frame = result.table_frame()
    zones = [label for label, _, _ in result.zones()]
    table = Table(title=title)
    for name, justify in (
        ("#", "right"),
        ("Club", "left"),
        ("P", "right"),
        ("Pts", "right"),
        ("GD", "right"),
        ("xPts", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for zone in zones:
        table.add_column(zone, justify="right")
    extra_cols = [] if extra is None else [c for c in extra.columns if c not in ("club_id", "club")]
    for col in extra_cols:
        table.add_column(col, justify="right")
    lookup = None if extra is None else extra.set_index("club_id")
    for i, row in enumerate(frame.to_dict(orient="records"), start=1):
        cells = [
            str(i),
            escape(row["club"]),
            str(row["played"]),
            str(row["points"]),
            f"{row['goal_difference']:+d}",
            f"{row['expected_points']:.1f}",
        ]
        cells += [_percent(row[z]) for z in zones]
        if lookup is not None:
            cells += [_percent(float(lookup.loc[row["club_id"], c])) for c in extra_cols]
        table.add_row(*cells)
    return table


def _group_table(result: Any) -> Table:
    groups = result.group_frame()
    ko = result.knockout_frame().set_index("club_id")
    places = [c for c in groups.columns if c[0].isdigit()]
    rounds = result.round_labels()[1:]
    table = Table(title="Group stage and knockout")
    for name in ("Group", "Club", "P", "Pts", *places, *rounds):
        table.add_column(name, justify="left" if name in ("Group", "Club") else "right")
    for row in groups.to_dict(orient="records"):
        cells = [escape(row["group"]), escape(row["club"]), str(row["played"]), str(row["points"])]
        cells += [_percent(row[p]) for p in places]
        cells += [_percent(float(ko.loc[row["club_id"], r])) for r in rounds]
        table.add_row(*cells)
    return table


def _threshold_table(result: Any) -> Table:
    top8, top24 = result.thresholds(8).set_index("points"), result.thresholds(24).set_index("points")
    table = Table(title="League-phase thresholds: share of clubs on x points that finished ...")
    for name in ("Points", "top 8", "top 24", "clubs on x points"):
        table.add_column(name, justify="right")
    for points in sorted(set(top8.index) | set(top24.index)):
        p8, p24 = float(top8.loc[points, "p"]), float(top24.loc[points, "p"])
        if 0.0005 < p8 < 0.9995 or 0.0005 < p24 < 0.9995:
            table.add_row(str(points), _percent(p8), _percent(p24), f"{int(top8.loc[points, 'clubs']):,}")
    return table


def simulate(
    competition: Annotated[str, typer.Option(help="Competition name or id, e.g. 'Europa League' or eng.1.")],
    season: Annotated[str | None, typer.Option(help="Season, e.g. 2023-24 (default: the season of --date).")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Simulate from the morning of this ISO date (default: today)."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First knockout round to simulate, e.g. 'quarter-finals'.")
    ] = None,
    sims: Annotated[
        int, typer.Option(help="Number of simulations (at most 10 million).", min=1, max=10_000_000)
    ] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers.")] = 0,
    model: Annotated[
        str, typer.Option(help="Strength model: dixon-coles, poisson, bivariate or elo.")
    ] = _DEFAULT_MODEL,
    workers: Annotated[int, typer.Option(help="Local worker processes.", min=1)] = 1,
    dask: Annotated[
        str | None, typer.Option(help="Run on Dask: a scheduler address (tcp://host:8786) or 'local'.")
    ] = None,
    deduct: Annotated[
        list[str] | None, typer.Option("--deduct", help="Points deduction CLUB=POINTS (repeatable).")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", "--plot", help="Write the chart to this PNG file (none by default).")
    ] = None,
    no_chart: Annotated[
        bool, typer.Option("--no-chart", hidden=True, help="Kept for old scripts: no chart is the default.")
    ] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a competition to its end: each club's chance to reach each round, to win, or to
    finish in each place, as a table (and a PNG chart with --chart PATH)."""
    client = None
    try:
        if dask is not None:
            from remontada.simulate.distributed import connect

            client = connect(dask)
        with err_console.status("simulating...", spinner="dots") if not as_json else _nothing():
            result = rm.simulate(competition, season=season, date=date, start=start, sims=sims, seed=seed, model=model,
                                 workers=workers, client=client, deductions=_deductions(deduct),
                                 store=store)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    chart_path = None if no_chart else chart
    if chart_path is not None:
        from remontada.simulate.chart import save_chart

        save_chart(result, chart_path)
    if as_json:
        out = result.to_dict()
        if chart_path is not None:
            out["chart"] = str(chart_path)
        print_json(out)
        return
    state = result.state
    console.print(
        f"[bold]{escape(state.competition.name)} {state.season}[/bold] from {state.as_of}: "
        f"{result.n_sims:,} simulations, seed {result.seed}, model {result.model}, "
        f"{result.seconds:.1f} s ({result.engine})"
    )
    for note in state.notes:
        console.print(f"[dim]- {escape(note)}[/dim]")
    if state.kind == "knockout":
        console.print(_knockout_table(result, "Chance to reach each round"))
    elif state.kind == "group_stage":
        console.print(_group_table(result))
    elif state.kind == "league":
        console.print(_league_table(result, "Projected final table"))
    else:
        ko = result.knockout_frame()
        keep = ["club_id", "club", *result.round_labels()[1:]]
        console.print(_league_table(result, "League phase and knockout", ko[keep]))
        console.print(_threshold_table(result))
    if chart_path:
        console.print(f"chart: {chart_path}")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def register(app: typer.Typer) -> None:
    app.command()(guarded(simulate))

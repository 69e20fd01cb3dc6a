"""``remontada history``: two-legged ties rebuilt from the store, and how often deficits were overturned."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

import remontada as rm
from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, guarded, print_json


class FirstLegAt(StrEnum):
    home = "home"
    away = "away"
    neutral = "neutral"


def history(
    competition: Annotated[
        list[str] | None,
        typer.Option(
            "--competition", "-c", help="Competition id or name, repeatable (default: the UEFA club competitions)."
        ),
    ] = None,
    seasons: Annotated[
        str | None, typer.Option(help="Seasons by start year, e.g. 1955-56..2016-17, 2016-17 or 2000-01..")
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="knockout, qualifying, playoff or final (repeatable).")
    ] = None,
    deficit: Annotated[
        int | None, typer.Option(help="Goals the trailing side lost the first leg by; lists its comebacks.")
    ] = None,
    or_more: Annotated[bool, typer.Option("--or-more", help="Count deficits of at least --deficit.")] = False,
    first_leg_at: Annotated[
        FirstLegAt | None,
        typer.Option(help="Where the trailing side played the first leg (Liverpool 0-3 Atalanta: home)."),
    ] = None,
    max_deficit: Annotated[
        int, typer.Option(min=1, help="Table rows up to this deficit; the last counts this many or more.")
    ] = 4,
    before: Annotated[str | None, typer.Option(help="Only ties that ended before this ISO date.")] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--cross-check", help="Compare derived winners with the recorded ones (engsoccerdata, european-cups)."
        ),
    ] = False,
    incomplete: Annotated[
        bool, typer.Option("--incomplete", help="List ties with a missing leg or an unrecorded ending.")
    ] = False,
    level: Annotated[float, typer.Option(min=0.5, max=0.999, help="Confidence level of the Wilson interval.")] = 0.95,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How often a first-leg deficit was overturned, from every two-legged tie in the store.

    --deficit 3 --first-leg-at away lists Deportivo (2003-04), Roma (2017-18) and Liverpool (2018-19).
    """
    result = rm.history(
        competition=competition, deficit=deficit, first_leg_at=first_leg_at.value if first_leg_at else None,
        stage=stage, before=before, seasons=seasons, or_more=or_more, max_deficit=max_deficit, cross_check=check,
        incomplete=incomplete, level=level, store=store,
    )  # fmt: skip
    if as_json:
        print_json(result.to_dict())
        return
    _print(result)


def _pct(value: float) -> str:
    return "" if value != value else f"{100 * value:.1f}%"


def _print(result: Any) -> None:
    report = result.to_dict()
    f = report["filters"]
    seasons = f["seasons"] or "all seasons"
    stages = ", ".join(f["stages"]) if f["stages"] else "all stages"
    before = f", ended before {f['before']}" if f["before"] else ""
    console.print(
        f"[bold]{cell_text(', '.join(f['competition_eras']))}[/bold] · {seasons} · {stages}{before}: "
        f"{report['ties']:,} two-legged ties, {report['complete']:,} complete, {report['decided']:,} decided"
    )
    for comp, spans in report["coverage"].items():
        console.print(f"  {cell_text(comp)}: complete ties in {spans}")
    table = Table(title="Did the side behind after the first leg go through?")
    for column in ("deficit", "first leg at", "ties", "through", "rate", f"{round(100 * result.level)}% interval"):
        table.add_column(column, justify="right" if column not in ("first leg at",) else "left")
    for r in result.rates:
        label = f"{r.deficit}+" if r.or_more else str(r.deficit)
        interval = f"{_pct(r.low)} - {_pct(r.high)}" if r.n else ""
        table.add_row(label, r.first_leg_at or "anywhere", f"{r.n:,}", f"{r.k:,}", _pct(r.p), interval)
    console.print(table)
    if result.focus is not None:
        _print_comebacks(result)
    checked = result.cross_check
    if checked is not None:
        console.print(
            f"Tie winners recorded by the sources: {checked.agree:,} of {checked.compared:,} agree "
            f"({_pct(checked.agreement)}); {len(checked.underived)} recorded ties cannot be derived (missing legs)"
        )
        for tie in checked.disagreements:
            console.print(f"  [yellow]differs[/yellow] {cell_text(tie.describe())}; recorded: {tie.recorded_winner}")
    gaps = result.incomplete or []
    if gaps:
        gap_table = Table(title=f"{len(gaps)} ties without a derived winner")
        for column in ("season", "competition", "round", "legs", "why"):
            gap_table.add_column(column)
        for tie in gaps:
            legs = "; ".join(tie.leg_text(leg) for leg in (tie.leg1, tie.leg2, *tie.replays) if leg is not None)
            name, issue = cell_text(tie.competition_name), cell_text(tie.issue)
            gap_table.add_row(tie.season, name, cell_text(tie.round), cell_text(legs), issue)
        console.print(gap_table)


def _print_comebacks(result: Any) -> None:
    rate = result.focus
    console.print(f"[bold]{rate.k} of {rate.n} went through[/bold] ({rate.position})")
    ties = result.comebacks
    main = [t for t in ties if not t.qualifying]
    qualifying = [t for t in ties if t.qualifying]
    for chosen, title in ((main, "in the main draw"), (qualifying, "in qualifying rounds")):
        if not chosen:
            continue
        table = Table(title=f"{len(chosen)} {title}", show_lines=False)
        table.add_column("ended", no_wrap=True)
        table.add_column("tie")
        for tie in chosen:
            table.add_row(cell_text(tie.date.isoformat() if tie.date else ""), cell_text(tie.describe()))
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``history`` command to ``app``."""
    app.command()(guarded(history))

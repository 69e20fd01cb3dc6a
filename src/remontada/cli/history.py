"""``remontada history``: two-legged ties rebuilt from the store, and how often deficits were overturned."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, fail, open_store, print_json
from remontada.rules import season_label, season_start_year
from remontada.ties.history import (
    BaseRate,
    Tie,
    base_rate,
    cross_check,
    parse_seasons,
    rebuild_ties,
    select_ties,
)

#: Used when no --competition is given: the UEFA club competitions the store can hold.
DEFAULT_COMPETITIONS = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc", "uefa.fairs")
#: Stages of two-legged ties in the store.
STAGES = ("knockout", "qualifying", "playoff", "final")


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
        bool, typer.Option("--cross-check", help="Compare derived winners with the winners engsoccerdata records.")
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
    if deficit is not None and deficit < 0:
        fail("--deficit counts goals behind after the first leg: 0 or more")
    unknown = sorted(set(stage or ()) - set(STAGES))
    if unknown:
        fail(f"unknown stage {', '.join(unknown)}; use {', '.join(STAGES)}")
    try:
        span = parse_seasons(seasons)
    except ValueError as exc:
        fail(str(exc))
    with open_store(store) as st:
        try:
            ids = [st.competition(c).id for c in competition] if competition else list(DEFAULT_COMPETITIONS)
        except LookupError as exc:
            fail(str(exc))
        ties = rebuild_ties(st, ids)
    try:
        chosen = select_ties(ties, competitions=ids, seasons=span, stages=stage, before=before)
    except ValueError as exc:
        fail(str(exc))
    venue = first_leg_at.value if first_leg_at else None
    rates = _rates(chosen, deficit, or_more, venue, max_deficit, level)
    report: dict[str, Any] = {
        "filters": {
            "competitions": ids,
            "seasons": _span_text(span),
            "stages": stage,
            "before": before,
        },
        "ties": len(chosen),
        "complete": sum(t.complete for t in chosen),
        "decided": sum(t.decided for t in chosen),
        "coverage": coverage(chosen),
        "rates": [r.to_dict(with_ties=False) for r in rates],
    }
    focus = rates[-1] if deficit is not None else None
    if focus is not None:
        report["comebacks"] = [t.to_dict() for t in focus.comebacks]
    checked = cross_check(chosen) if check else None
    if checked is not None:
        report["cross_check"] = checked.to_dict()
    gaps = [t for t in chosen if not t.decided] if incomplete else []
    if incomplete:
        report["incomplete"] = [t.to_dict() for t in gaps]
    if as_json:
        print_json(report)
        return
    _print(report, rates, focus, checked, gaps, level)


def _rates(
    ties: list[Tie], deficit: int | None, or_more: bool, venue: str | None, max_deficit: int, level: float
) -> list[BaseRate]:
    """Rows of the table; with ``deficit`` the asked-for row comes last."""
    if deficit is not None:
        venues: list[Any] = [venue] if venue else ["home", "away", "neutral", None]
        rows = [base_rate(ties, deficit, v, or_more=or_more, level=level) for v in venues]
        return [r for r in rows if r.n or r.first_leg_at is None or r.first_leg_at == venue]
    rows = []
    for d in range(1, max_deficit + 1):
        for v in [venue] if venue else ["home", "away", None]:
            rows.append(base_rate(ties, d, v, or_more=d == max_deficit, level=level))
    rows.append(base_rate(ties, 1, venue, or_more=True, level=level))
    return rows


def coverage(ties: list[Tie]) -> dict[str, str]:
    """Seasons with at least one complete tie, per competition, as compact ranges."""
    years: dict[str, set[int]] = {}
    for tie in ties:
        if tie.complete:
            years.setdefault(tie.competition, set()).add(season_start_year(tie.season))
    return {comp: _ranges(sorted(ys)) for comp, ys in sorted(years.items())}


def _ranges(years: list[int]) -> str:
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(season_label(a) if a == b else f"{season_label(a)}..{season_label(b)}" for a, b in spans)


def _span_text(span: tuple[int, int] | None) -> str | None:
    """``(1992, 9999)`` -> ``"1992-93.."``; open ends stay open."""
    if span is None:
        return None
    first = season_label(span[0]) if span[0] > 0 else ""
    last = season_label(span[1]) if span[1] < 9999 else ""
    return first if span[0] == span[1] else f"{first}..{last}"


def _pct(value: float) -> str:
    return "" if value != value else f"{100 * value:.1f}%"


def _print(
    report: dict[str, Any],
    rates: list[BaseRate],
    focus: BaseRate | None,
    checked: Any,
    gaps: list[Tie],
    level: float,
) -> None:
    f = report["filters"]
    seasons = f["seasons"] or "all seasons"
    stages = ", ".join(f["stages"]) if f["stages"] else "all stages"
    before = f", ended before {f['before']}" if f["before"] else ""
    console.print(
        f"[bold]{', '.join(f['competitions'])}[/bold] · {seasons} · {stages}{before}: "
        f"{report['ties']:,} two-legged ties, {report['complete']:,} complete, {report['decided']:,} decided"
    )
    for comp, spans in report["coverage"].items():
        console.print(f"  {comp}: complete ties in {spans}")
    table = Table(title="Did the side behind after the first leg go through?")
    for column in ("deficit", "first leg at", "ties", "through", "rate", f"{round(100 * level)}% interval"):
        table.add_column(column, justify="right" if column not in ("first leg at",) else "left")
    for r in rates:
        label = f"{r.deficit}+" if r.or_more else str(r.deficit)
        interval = f"{_pct(r.low)} - {_pct(r.high)}" if r.n else ""
        table.add_row(label, r.first_leg_at or "anywhere", f"{r.n:,}", f"{r.k:,}", _pct(r.p), interval)
    console.print(table)
    if focus is not None:
        _print_comebacks(focus)
    if checked is not None:
        console.print(
            f"Tie winners recorded by engsoccerdata: {checked.agree:,} of {checked.compared:,} agree "
            f"({_pct(checked.agreement)}); {len(checked.underived)} recorded ties cannot be derived (missing legs)"
        )
        for tie in checked.disagreements:
            console.print(f"  [yellow]differs[/yellow] {cell_text(tie.describe())}; recorded: {tie.recorded_winner}")
    if gaps:
        gap_table = Table(title=f"{len(gaps)} ties without a derived winner")
        for column in ("season", "competition", "round", "legs", "why"):
            gap_table.add_column(column)
        for tie in gaps:
            legs = "; ".join(tie.leg_text(leg) for leg in (tie.leg1, tie.leg2, *tie.replays) if leg is not None)
            gap_table.add_row(tie.season, tie.competition, cell_text(tie.round), cell_text(legs), cell_text(tie.issue))
        console.print(gap_table)


def _print_comebacks(rate: BaseRate) -> None:
    console.print(f"[bold]{rate.k} of {rate.n} went through[/bold] ({rate.position})")
    if not rate.comebacks:
        return
    table = Table(show_lines=False)
    table.add_column("ended", no_wrap=True)
    table.add_column("tie")
    for tie in rate.comebacks:
        table.add_row(cell_text(tie.date.isoformat() if tie.date else ""), cell_text(tie.describe()))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``history`` command to ``app``."""
    app.command()(history)

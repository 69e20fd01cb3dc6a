"""Data commands: ``update``, ``status``, ``matches``, ``clubs``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import remontada as rm
from remontada.cli.common import (
    JsonOpt,
    StoreOpt,
    cell_text,
    console,
    err_console,
    fail,
    guarded,
    print_json,
    records_table,
    terminal_width,
)
from remontada.ingest.interrupt import InterruptedAfterCommit

#: Warnings ``update`` lists without ``--show-warnings``.
WARNINGS_SHOWN = 5


# ---- update --------------------------------------------------------------------------------------
def update(
    mirror: Annotated[
        str | None, typer.Option(help="Read sources from this mirror DIR or URL (env REMONTADA_MIRROR).")
    ] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Only this source (repeatable).")] = None,
    keep_going: Annotated[bool, typer.Option(help="Ingest the good files even if some fail.")] = False,
    force: Annotated[bool, typer.Option(help="Re-ingest files even when their checksum is unchanged.")] = False,
    accept_shrink: Annotated[
        bool, typer.Option(help="Let a file with fewer rows than its stored version replace it (rows are lost).")
    ] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another update to finish.")] = 600.0,
    show_warnings: Annotated[
        bool, typer.Option("--show-warnings", help="List every warning (file:line: message), not only the first.")
    ] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download the public sources and bring the store up to date (transactional, idempotent)."""
    progress = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json or not err_console.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def on_plan(plan: dict[str, int]) -> None:
        for key, n in plan.items():
            tasks[key] = progress.add_task(key, total=n, note="")

    def on_file(key: str, remote: Any, outcome: str) -> None:
        progress.update(tasks[key], advance=1, note=f"{outcome}: {remote.path}"[:60])

    def on_stage(text: str) -> None:
        tasks["_stage"] = progress.add_task(text, total=None, note="")

    with progress:
        result = rm.update(mirror=mirror, sources=source, keep_going=keep_going, force=force,
                           accept_shrink=accept_shrink, wait=wait, store=store,
                           on_plan=on_plan, on_file=on_file, on_stage=on_stage)  # fmt: skip
    report = result.report
    try:
        if as_json:
            print_json(result.to_dict())
        else:
            _print_update(report, show_warnings)
    except KeyboardInterrupt:
        if report.committed:  # Ctrl-C while the summary prints: the update is already in the store
            raise InterruptedAfterCommit() from None
        raise
    if report.errors:
        raise typer.Exit(1)


def _print_update(report: Any, show_warnings: bool) -> None:
    summary = Table(title=f"update of {report.store}", show_header=False)
    hint = " (listed below)" if show_warnings else " (--show-warnings lists them)" if report.warnings else ""
    for label, value in (
        ("sources", ", ".join(report.sources)),
        ("files", report.files),
        ("absent (404)", report.absent),
        ("unchanged", report.unchanged),
        ("ingested", report.ingested),
        ("warnings", f"{report.warnings:,}{hint}"),
        ("errors", len(report.errors)),
        ("committed", report.committed),
        ("seconds", report.seconds),
    ):
        summary.add_row(label, escape(str(value)))
    if report.rebuild:
        r = report.rebuild
        summary.add_row("matches", f"{r.matches:,} (from {r.raw_rows:,} source rows)")
        summary.add_row("clubs", f"{r.clubs:,}")
        summary.add_row("conflicts", f"{r.conflicts:,}")
        summary.add_row("unresolved names", f"{r.unresolved:,} (see `remontada clubs --unresolved`)")
    console.print(summary)
    messages = report.warning_messages
    if messages:
        shown = messages if show_warnings else messages[:WARNINGS_SHOWN]
        console.print(f"[yellow]{len(messages):,} warnings[/yellow] in the files parsed by this update:")
        for text in shown:
            console.print(f"  {escape(text)}", soft_wrap=True)
        if len(shown) < len(messages):
            console.print(f"  ... and {len(messages) - len(shown):,} more (--show-warnings lists them all)")
    for shrink in report.shrunk:
        verb = "replaced, rows lost" if shrink.accepted else "kept the stored version"
        err_console.print(f"[yellow]shrunk ({verb}):[/yellow] {escape(shrink.describe())}", soft_wrap=True)
    for err in report.errors[:50]:
        err_console.print(f"[red]error:[/red] {escape(err)}")
    if len(report.errors) > 50:
        err_console.print(f"... and {len(report.errors) - 50} more errors")
    if report.errors and not report.committed:
        err_console.print("[yellow]nothing was written: the store is unchanged[/yellow]")


# ---- status --------------------------------------------------------------------------------------
def status(
    competition: Annotated[str | None, typer.Option(help="Show this competition season by season.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Matches per competition and season, sources and last update."""
    info = rm.status(store, competition=competition)
    if as_json:
        print_json(info.to_dict())
        return
    console.print(f"store {escape(info.store)}", soft_wrap=True)
    console.print(f"last update {info.last_update}; latest played club match {info.data_cutoff}")
    console.print(
        f"{info.matches:,} matches, {info.clubs:,} clubs, {info.raw_rows:,} source rows, "
        f"{info.odds_quotes:,} odds quotes, {info.conflicts:,} source conflicts, "
        f"{info.unresolved_names:,} unresolved names"
    )
    sources = [
        {
            "source": s["source"],
            "files": f"{s['files']:,}",
            "matches": f"{s['match_rows'] or 0:,}",
            "other rows": f"{s['other_records'] or 0:,}",
            "MB": f"{(s['bytes'] or 0) / 1e6:.1f}",
            "ingested": str(s["last_ingested"] or "")[:10],
        }
        for s in info.sources
    ]
    right: dict[str, Any] = {"justify": "right", "no_wrap": True}
    options: dict[str, Any] = {
        "source": {"no_wrap": True}, "files": right, "matches": right, "other rows": right, "MB": right,
        "ingested": {"no_wrap": True},
    }  # fmt: skip
    console.print(records_table(sources, "sources", **options))
    if info.per_season is not None:
        console.print(records_table(info.per_season, f"{info.competition} by season", ["season", "matches", "played"]))
        return
    rows = [
        {
            "competition": c["name"],
            "id": c["competition_id"],
            "seasons": c["seasons"],
            "span": c["first"] if c["first"] == c["last"] else f"{c['first']}..{c['last']}",
            "matches": f"{c['matches']:,}",
        }
        for c in info.competitions
    ]
    console.print(
        records_table(rows, "competitions (use --competition for seasons)",
                      competition={"min_width": 12, "overflow": "fold"}, id={"max_width": 16, "overflow": "fold"},
                      seasons={"justify": "right", "no_wrap": True}, span={"no_wrap": True},
                      matches={"justify": "right", "no_wrap": True})
    )


# ---- matches -------------------------------------------------------------------------------------
def matches(
    team: Annotated[str, typer.Argument(help="Club name or id, e.g. Liverpool.")],
    season: Annotated[str | None, typer.Option(help="Season, e.g. 2023-24.")] = None,
    competition: Annotated[str | None, typer.Option(help="Competition name, id or abbreviation.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A club's matches, with scores from every source merged (scores home side first)."""
    found = rm.matches(team, season=season, competition=competition, store=store)
    if as_json:
        print_json(found.to_dict())
        return
    rows = [
        {
            "date": m["date"],
            "competition": m["competition"],
            "season": m["season"],
            "round": _round_text(m),
            "match": f"{m['home']} {_score_text(m)} {m['away']}",
        }
        for m in found.matches
    ]
    columns = ["date", "competition", "round", "match"]
    if season is None or terminal_width() >= 120:
        columns.insert(2, "season")
    console.print(
        records_table(rows, f"{found.club}: {len(rows)} matches", columns, date={"no_wrap": True, "min_width": 10},
                      season={"no_wrap": True}, match={"min_width": 20},
                      competition={"max_width": 16}, round={"max_width": 16})
    )


def _round_text(m: dict[str, Any]) -> str:
    text = m["round"] or m["stage"] or ""
    if m.get("leg") is not None:
        text += f", leg {int(m['leg'])}"
    return str(text)


def _score_text(m: dict[str, Any]) -> str:
    if m["home_goals"] is None:
        return f"v ({m['status']})" if m["status"] != "scheduled" else "v"
    text = f"{int(m['home_goals'])}-{int(m['away_goals'])}"
    if m["aet_home"] is not None:
        text += f" aet {int(m['aet_home'])}-{int(m['aet_away'])}"
    if m["pen_home"] is not None:
        text += f" pens {int(m['pen_home'])}-{int(m['pen_away'])}"
    return text


# ---- clubs ---------------------------------------------------------------------------------------
def clubs(
    query: Annotated[str | None, typer.Argument(help="Name to look up (accents and legal forms ignored).")] = None,
    unresolved: Annotated[bool, typer.Option("--unresolved", help="List names not matched with confidence.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many clubs.")] = 10,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Look up clubs and the names each source uses for them."""
    if not query and not unresolved:
        fail("give a QUERY or --unresolved")
    if unresolved:
        names = rm.unresolved_names(store)
        if as_json:
            print_json(names.to_dict())
        else:
            console.print(records_table(names.rows, f"{len(names.rows)} names not matched with confidence"))
        return
    found = rm.find_clubs(query or "", limit=limit, store=store)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    for c in found:
        names_text = escape(", ".join(sorted({f"{n['name']} [{n['source']}]" for n in c.names})))
        console.print(
            f"[bold]{cell_text(c.name)}[/bold] ({c.club_id}, {'national team' if c.national else c.country})"
            f" {c.matches:,} matches {c.first_date}..{c.last_date}\n  {names_text}"
        )


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    for command in (update, status, matches, clubs):
        app.command()(guarded(command))

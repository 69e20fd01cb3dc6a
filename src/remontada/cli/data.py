"""Data commands: ``update``, ``status``, ``matches``, ``clubs``."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from remontada.cli.common import (
    JsonOpt,
    StoreOpt,
    console,
    err_console,
    fail,
    frame_table,
    open_store,
    print_json,
    store_path,
    team_error,
)
from remontada.paths import mirror_from_env
from remontada.store.reader import AmbiguousTeam, TeamNotFound


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
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download the public sources and bring the store up to date (transactional, idempotent)."""
    from remontada.ingest.locking import StoreBusy
    from remontada.ingest.update import update as run_update

    if not math.isfinite(wait) or wait < 0:
        fail(f"--wait must be a number of seconds >= 0, not {wait:g}")
    path = store_path(store)
    mirror = mirror or mirror_from_env()
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

    try:
        with progress:
            report = run_update(
                path,
                mirror=mirror,
                source_keys=source,
                keep_going=keep_going,
                force=force,
                accept_shrink=accept_shrink,
                lock_timeout=wait,
                on_plan=on_plan,
                on_file=on_file,
                on_stage=on_stage,
            )
    except StoreBusy as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        print_json(report.to_dict())
    else:
        summary = Table(title=f"update of {report.store}", show_header=False)
        for label, value in (
            ("sources", ", ".join(report.sources)),
            ("files", report.files),
            ("absent (404)", report.absent),
            ("unchanged", report.unchanged),
            ("ingested", report.ingested),
            ("warnings", report.warnings),
            ("errors", len(report.errors)),
            ("committed", report.committed),
            ("seconds", report.seconds),
        ):
            summary.add_row(label, str(value))
        if report.rebuild:
            r = report.rebuild
            summary.add_row("matches", f"{r.matches:,} (from {r.raw_rows:,} source rows)")
            summary.add_row("clubs", f"{r.clubs:,}")
            summary.add_row("conflicts", f"{r.conflicts:,}")
            summary.add_row("unresolved names", f"{r.unresolved:,} (see `remontada clubs --unresolved`)")
        console.print(summary)
        for shrink in report.shrunk:
            verb = "replaced, rows lost" if shrink.accepted else "kept the stored version"
            err_console.print(f"[yellow]shrunk ({verb}):[/yellow] {escape(shrink.describe())}")
        for err in report.errors[:50]:
            err_console.print(f"[red]error:[/red] {escape(err)}")
        if len(report.errors) > 50:
            err_console.print(f"... and {len(report.errors) - 50} more errors")
        if report.errors and not report.committed:
            err_console.print("[yellow]nothing was written: the store is unchanged[/yellow]")
    if report.errors:
        raise typer.Exit(1)


# ---- status --------------------------------------------------------------------------------------
def status(
    competition: Annotated[str | None, typer.Option(help="Show this competition season by season.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Matches per competition and season, sources and last update."""
    with open_store(store) as st:
        info = st.status()
        if competition:
            try:
                comp = st.competition(competition)
            except LookupError as exc:
                fail(str(exc))
            info["per_season"] = info["per_season"][info["per_season"]["competition_id"] == comp.id]
    if as_json:
        print_json(info)
        return
    per = info["per_season"]
    console.print(f"store {info['store']}  last update {info['last_update']}")
    console.print(
        f"{info['matches']:,} matches, {info['clubs']:,} clubs, {info['raw_rows']:,} source rows, "
        f"{info['odds_quotes']:,} odds quotes, {info['conflicts']:,} source conflicts, "
        f"{info['unresolved_names']:,} unresolved names"
    )
    console.print(frame_table(info["sources"], "sources"))
    if competition:
        console.print(frame_table(per, f"{competition} by season", ["season", "matches", "played"]))
        return
    summary = (
        per.groupby(["competition_id", "name"], sort=True)
        .agg(seasons=("season", "nunique"), first=("season", "min"), last=("season", "max"), matches=("matches", "sum"))
        .reset_index()
    )
    console.print(frame_table(summary, "competitions (use --competition for seasons)"))


# ---- matches -------------------------------------------------------------------------------------
def matches(
    team: Annotated[str, typer.Argument(help="Club name or id, e.g. Liverpool.")],
    season: Annotated[str | None, typer.Option(help="Season, e.g. 2023-24.")] = None,
    competition: Annotated[str | None, typer.Option(help="Competition name or id.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A club's matches, with scores from every source merged."""
    with open_store(store) as st:
        try:
            frame = st.matches(team, season=season, competition=competition)
            club = st.club_name(st.resolve_club(team))
        except (TeamNotFound, AmbiguousTeam) as exc:
            team_error(exc)
        except LookupError as exc:
            fail(str(exc))
    if as_json:
        print_json({"club": club, "matches": frame})
        return
    frame = frame.assign(score=[_score_text(r) for r in frame.itertuples()])
    console.print(
        frame_table(
            frame,
            f"{club}: {len(frame)} matches",
            ["date", "competition", "season", "round", "leg", "home", "score", "away"],
        )
    )


def _score_text(row: Any) -> str:
    if pd.isna(row.home_goals):
        return row.status
    text = f"{int(row.home_goals)}-{int(row.away_goals)}"
    if not pd.isna(row.aet_home):
        text += f" aet {int(row.aet_home)}-{int(row.aet_away)}"
    if not pd.isna(row.pen_home):
        text += f" pens {int(row.pen_home)}-{int(row.pen_away)}"
    return text


# ---- clubs ---------------------------------------------------------------------------------------
def clubs(
    query: Annotated[str | None, typer.Argument(help="Name to look up (accents and legal forms ignored).")] = None,
    unresolved: Annotated[bool, typer.Option("--unresolved", help="List names not matched with confidence.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Look up clubs and the names each source uses for them."""
    if not query and not unresolved:
        fail("give a QUERY or --unresolved")
    with open_store(store) as st:
        if unresolved:
            frame = st.unresolved()
            if as_json:
                print_json(frame)
            else:
                console.print(frame_table(frame, f"{len(frame)} names not matched with confidence"))
            return
        found = st.find_clubs(query or "")
    if as_json:
        print_json([_club_dict(c) for c in found])
        return
    if not found:
        fail(f"no club matches {query!r}")
    for c in found:
        names = escape(", ".join(sorted({f"{n} [{s}]" for s, n, _ in c.names})))
        console.print(
            f"[bold]{c.name}[/bold] ({c.club_id}, {'national team' if c.national else c.country})"
            f" {c.matches:,} matches {c.first_date}..{c.last_date}\n  {names}"
        )


def _club_dict(c: Any) -> dict[str, Any]:
    return {k: getattr(c, k) for k in c.__slots__}


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    for command in (update, status, matches, clubs):
        app.command()(command)

"""``remontada read FILE|-``: read a news article and answer it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import remontada as rm
from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, fail, guarded, pct, print_json

_pct = pct


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@guarded
def read(
    source: Annotated[str, typer.Argument(help="The article: a text or HTML file, or - for standard input.")],
    date: Annotated[str | None, typer.Option(help="The article's date (ISO); wins over its dateline.")] = None,
    model: Annotated[str, typer.Option(help="Strength model: dixon-coles, poisson, bivariate or elo.")] = "dixon-coles",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read a football news article, find the tie it is about, answer it, and check its results.

    remontada read ../shared/examples/atalanta-liverpool-2024-04-17.txt
    """
    from remontada.news.text import MAX_BYTES, UnreadableArticle

    if source == "-":
        data: bytes = sys.stdin.buffer.read(MAX_BYTES * 30)
    else:
        path = Path(source)
        if not path.is_file():
            fail(f"no file at {source}")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES * 30)
        except OSError as exc:
            fail(f"cannot read {source}: {exc}")
    try:
        answer = rm.read_article(data, date=date, store=store, model=model)
    except UnreadableArticle as exc:
        if as_json:
            print_json(exc.to_dict())
        fail(f"{source}: {exc}")
    if as_json:
        print_json(answer.to_dict())
        return
    _print(answer)


def _print(answer: Any) -> None:
    from remontada.cli.tie import _print_answer

    facts = answer.facts()
    table = Table(title="what the article says")
    table.add_column("fact")
    table.add_column("value")
    table.add_column("from the sentence")
    clubs = []
    for c in facts["clubs"]:
        label = " / ".join(c["clubs"]) + (" (ambiguous)" if c["ambiguous"] else "")
        if label not in clubs:
            clubs.append(label)
    table.add_row("clubs", cell_text(", ".join(clubs)), "")
    for key, label in (("competition", "competition"), ("round", "round"), ("date", "date")):
        fact = facts[key]
        if fact is not None:
            value = fact.get("name") or fact["value"]
            table.add_row(label, cell_text(str(value)), cell_text(_short(fact["sentence"])))
    if facts["first_leg"] is not None:
        table.add_row(
            "first leg", cell_text(facts["first_leg"]["said"]), cell_text(_short(facts["first_leg"]["sentence"]))
        )
    if facts["next_leg_host"] is not None:
        host = facts["next_leg_host"]
        table.add_row("next leg at", cell_text(str(host["value"])), cell_text(_short(host["sentence"])))
    if facts["time_talk"] is not None:
        table.add_row("talks about time", cell_text(facts["time_talk"]["value"]),
                      cell_text(_short(facts["time_talk"]["sentence"])))  # fmt: skip
    console.print(table)
    for note in facts["notes"]:
        console.print(f"[dim]{cell_text(note)}[/dim]")
    loc, state = answer.located, answer.state
    if loc is not None and state is not None and loc.as_of is not None:
        console.print(
            f"[bold]the tie in the store:[/bold] as of {loc.as_of.isoformat()} ({cell_text(loc.date_source or '')})"
        )
    if answer.answer is not None:
        _print_answer(answer.answer, 6, 3)
    elif state is not None:
        for line in state.leg_lines():
            console.print(f"  {cell_text(line)}")
    if answer.curve is not None:
        curve = Table(title=f"comeback curve: {answer.curve['team']} through, by minute of the second leg")
        for column in ("minute", "if still 0-0", "if they score next then", "if they score next by then"):
            curve.add_column(column, justify="right")
        for row in answer.curve["rows"]:
            curve.add_row(str(row["minute"]), _pct(row["if_unchanged"]), _pct(row["if_next_goal_at"]),
                          _pct(row["if_next_goal_by"]))  # fmt: skip
        console.print(curve)
    if answer.match_forecast is not None:
        f = answer.match_forecast.to_dict()
        console.print(f"[bold]match forecast:[/bold] {cell_text(str({k: f[k] for k in list(f)[:6]}))}")
    if answer.claims:
        claims = Table(title="the article's results, checked against the store")
        for column in ("claim", "status", "stored match"):
            claims.add_column(column)
        for check in answer.claims:
            stored = "" if check.match is None else f"{check.match['text']} ({check.match['date']})"
            colour = {"confirmed": "green", "contradicted": "red"}.get(check.status, "yellow")
            claims.add_row(cell_text(check.said), f"[{colour}]{check.status}[/{colour}]", cell_text(stored))
        console.print(claims)
    for item in answer.cannot:
        console.print(f"[yellow]note:[/yellow] {cell_text(item)}")


def register(app: typer.Typer) -> None:
    """Add ``read`` to ``app``."""
    app.command("read")(read)

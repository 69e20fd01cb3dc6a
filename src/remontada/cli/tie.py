"""``remontada tie`` (who goes through, and how history saw it) and ``remontada backtest-ties``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, fail, open_store, print_json
from remontada.store.reader import AmbiguousTeam, TeamNotFound


class DeciderChoice(StrEnum):
    penalties = "penalties"
    coin_toss = "coin_toss"


def _pct(p: float | None) -> str:
    return "" if p is None or p != p else f"{100 * p:.1f}%"


def _score(text: str | None, what: str) -> tuple[int, int] | None:
    if text is None:
        return None
    from remontada.inplay.live import parse_score

    try:
        return parse_score(text)
    except ValueError:
        return fail(f"{what} is written like 0-3 (home side first), got {text!r}")


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return fail(f"{what} is an ISO date like 2024-04-18, got {text!r}")


# ---- tie ---------------------------------------------------------------------------------------------
def tie(
    team1: Annotated[str, typer.Argument(help="One club of the tie, e.g. Liverpool.")],
    team2: Annotated[str, typer.Argument(help="The other club, e.g. Atalanta (either order).")],
    competition: Annotated[
        str | None, typer.Option("--competition", "-c", help="Competition name or id, e.g. 'Europa League'.")
    ] = None,
    season: Annotated[str | None, typer.Option(help="Season, e.g. 2023-24 (default: their latest tie).")] = None,
    round_label: Annotated[str | None, typer.Option("--round", help="Round, e.g. QF, Quarterfinals.")] = None,
    date: Annotated[
        str | None,
        typer.Option(
            help="Forecast as of the morning of this ISO date (default: the second leg's once the first is "
            "played, else the first leg's). Also states a tie the store does not hold."
        ),
    ] = None,
    first_leg: Annotated[
        str | None, typer.Option("--first-leg", help="Hypothetical first-leg score, its home side first, e.g. 0-3.")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--first-leg-host", help="Hypothetical: this club hosts the first leg.")
    ] = None,
    away_goals: Annotated[
        bool | None,
        typer.Option("--away-goals/--no-away-goals", help="Hypothetical: apply (or drop) away goals, ET included."),
    ] = None,
    extra_time: Annotated[
        bool | None, typer.Option("--extra-time/--no-extra-time", help="Hypothetical: with or without extra time.")
    ] = None,
    decider: Annotated[DeciderChoice | None, typer.Option(help="Hypothetical: how a level tie is settled.")] = None,
    model: Annotated[str, typer.Option(help="Strength model: dixon-coles, poisson, bivariate or elo.")] = "dixon-coles",
    scores: Annotated[int, typer.Option(min=1, max=30, help="Rows of scores to show.")] = 6,
    comebacks: Annotated[int, typer.Option(min=0, help="Comebacks from the same position to list.")] = 8,
    plot: Annotated[
        Path | None, typer.Option(help="Write the next match's score grid, coloured by who goes through.")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who goes through a knockout tie: 90 minutes / extra time / penalties, the scores that decide it,
    and how often sides in the same position went through before.

    remontada tie Liverpool Atalanta --competition "Europa League" --season 2023-24
    """
    from remontada.forecast import MODELS, Forecaster
    from remontada.ties.answer import answer_tie, plot_next_match
    from remontada.ties.state import TieNotFound, find_tie, tie_state, unplayed_tie

    if model not in MODELS:
        fail(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    stated = _score(first_leg, "--first-leg")
    as_of = _date(date, "--date")
    changes: dict[str, Any] = {}
    if away_goals is not None:
        changes.update(away_goals=away_goals, away_goals_in_extra_time=away_goals)
    if extra_time is not None:
        changes["extra_time_minutes"] = 30 if extra_time else 0
    if decider is not None:
        changes["decider"] = decider.value
    with open_store(store) as st:
        try:
            try:
                stored = find_tie(st, team1, team2, competition=competition, season=season, round=round_label)
            except TieNotFound:
                if as_of is None or competition is None:
                    raise
                first, second = team1, team2
                if host is not None and st.resolve_club(host) == st.resolve_club(team2):
                    first, second = team2, team1
                stored = unplayed_tie(
                    st, first, second, competition=competition, date=as_of, season=season, round=round_label
                )
            host_id = st.resolve_club(host) if host is not None else None
            state = tie_state(stored, as_of=as_of, first_leg=stated, first_leg_host=host_id, rule_changes=changes)
            answer = answer_tie(st, state, forecaster=Forecaster(st, model))
        except (TeamNotFound, AmbiguousTeam, TieNotFound) as exc:
            fail(str(exc))
        except KeyError as exc:
            fail(f"the {model} model cannot rate a club of this tie as of {as_of or 'that date'}: {exc}")
        except (LookupError, ValueError) as exc:
            fail(str(exc))
    if plot is not None:
        plot_next_match(answer.forecast, plot)
    if as_json:
        out = answer.to_dict(n_scenarios=scores)
        out["plot"] = str(plot) if plot is not None else None
        print_json(out)
        return
    _print_answer(answer, scores, comebacks)
    if plot is not None:
        console.print(f"score grid written to {plot}")


def _decider_text(rules: Any) -> str:
    return {"penalties": "on penalties", "coin_toss": "on a coin toss", "replay": "in a replay (split 50/50)"}[
        rules.decider
    ]


def _print_answer(answer: Any, n_scores: int, n_comebacks: int) -> None:
    state, forecast, fit = answer.state, answer.forecast, answer.fit
    console.print(f"[bold]{cell_text(state.title())}[/bold]")
    for line in state.leg_lines():
        console.print(f"  {cell_text(line)}")
    no_away = state.rules.legs == 2 and not state.rules.away_goals
    console.print(f"  rules: {state.rules.describe()}{' (no away goals)' if no_away else ''}")
    for item in state.hypothetical:
        console.print(f"  [yellow]hypothetical:[/yellow] {cell_text(item)}")
    for note in state.notes:
        console.print(f"  [dim]{cell_text(note)}[/dim]")
    latest = fit.latest_match.isoformat() if fit.latest_match else "none"
    console.print(
        f"forecast as of the morning of {fit.as_of.isoformat()}: {fit.model} fitted on {fit.matches:,} club matches "
        f"played before that day (latest {latest})"
    )
    labels = {"first_leg": "first leg", "second_leg": "second leg", "match": "the match"}
    for key, (home, away) in answer.rates.items():
        home_name, away_name = (state.name_b, state.name_a) if key == "second_leg" else (state.name_a, state.name_b)
        console.print(f"expected goals, {labels[key]}: {home_name} {home:.2f}, {away_name} {away:.2f}")

    through = Table(title="who goes through")
    after_90 = "in 90 minutes" if state.rules.legs == 1 else "after the second leg's 90 minutes"
    columns = ["side", "through", after_90]
    if state.rules.has_extra_time:
        columns.append("in extra time")
    columns.append(_decider_text(state.rules))
    for column in columns:
        through.add_column(column, justify="left" if column == "side" else "right")
    for side in (forecast.team_a, forecast.team_b):
        split = forecast.split(side)
        row = [cell_text(side), _pct(split.total), _pct(split.after_90)]
        if state.rules.has_extra_time:
            row.append(_pct(split.in_extra_time))
        row.append(_pct(split.decider))
        through.add_row(*row)
    console.print(through)
    if state.rules.has_extra_time:
        console.print(
            f"extra time {_pct(forecast.p_extra_time)}, {state.rules.decider.replace('_', ' ')} "
            f"{_pct(forecast.p_decider)}"
        )
    if state.rules.legs == 2:
        agg = forecast.aggregate
        top = [divmod(int(i), agg.shape[1]) for i in agg.ravel().argsort()[::-1][:5]]
        text = ", ".join(f"{x}-{y} {_pct(float(agg[x, y]))}" for x, y in top)
        console.print(f"aggregate after 90 minutes of the second leg ({forecast.team_a}-{forecast.team_b}): {text}")
    _print_scores(answer, n_scores)
    _print_history(answer, n_comebacks)
    if answer.record is not None:
        console.print(
            f"[dim]what happened (from the store; not used by the forecast): {cell_text(answer.record)}[/dim]"
        )


def _print_scores(answer: Any, n_scores: int) -> None:
    forecast = answer.forecast
    match = {"first_leg": "first-leg", "second_leg": "second-leg", "match": "match"}[forecast.next_match]
    if forecast.next_match == "second_leg":
        home, away = forecast.team_b, forecast.team_a
    else:
        home, away = forecast.team_a, forecast.team_b
    focus = answer.focus
    needs = forecast.needs(focus, n_scores)
    if needs:
        table = Table(title=f"what {focus} need: {match} scores ({home} first) that carry their chance")
        for column in ("score", "probability", f"then {focus} through", "how"):
            table.add_column(column, justify="right")
        for s in needs:
            p_focus = s.p_a_through if focus == forecast.team_a else 1.0 - s.p_a_through
            table.add_row(f"{s.home_goals}-{s.away_goals}", _pct(s.probability), _pct(p_focus), _how(s, forecast))
        console.print(table)
    likely = Table(title=f"most likely {match} scores ({home} v {away})")
    for column in ("score", "probability", f"{forecast.team_a} through", "how"):
        likely.add_column(column, justify="right")
    for s in forecast.scenarios(n_scores):
        likely.add_row(f"{s.home_goals}-{s.away_goals}", _pct(s.probability), _pct(s.p_a_through), _how(s, forecast))
    console.print(likely)


def _how(scenario: Any, forecast: Any) -> str:
    return {
        "a": f"{forecast.team_a} through",
        "b": f"{forecast.team_b} through",
        "a_away_goals": f"{forecast.team_a} on away goals",
        "b_away_goals": f"{forecast.team_b} on away goals",
        "extra_time": "extra time",
        "penalties": "penalties",
        "coin_toss": "coin toss",
        "replay": "replay",
        "open": "second leg to play",
    }.get(scenario.outcome, scenario.outcome)


def _print_history(answer: Any, n_comebacks: int) -> None:
    history = answer.history
    if history is None:
        return
    console.print(
        f"[bold]history[/bold] ({', '.join(history.competitions)}; ties that ended before "
        f"{history.before.isoformat()}):"
    )
    for rate in history.rates:
        interval = f", 95% interval {_pct(rate.low)}-{_pct(rate.high)}" if rate.n else ""
        console.print(f"  {rate.label}: {rate.k} of {rate.n} went through ({_pct(rate.p)}{interval})")
    if n_comebacks == 0 or answer.state.phase != "between_legs":
        return
    exact = history.rates[0]
    pool = history.rates[-1]
    same = {_key(t) for t in exact.comebacks}
    listed = sorted(pool.comebacks, key=lambda t: t.date or dt.date.min, reverse=True)[:n_comebacks]
    if not listed:
        return
    table = Table(title=f"comebacks: {pool.label} and went through (latest first)")
    table.add_column("ended", no_wrap=True)
    table.add_column("tie")
    table.add_column("same venue", justify="center")
    for t in listed:
        table.add_row(t.date.isoformat() if t.date else "", cell_text(t.describe()), "yes" if _key(t) in same else "")
    console.print(table)


# ---- backtest-ties ---------------------------------------------------------------------------------
def backtest_ties(
    since: Annotated[str, typer.Option(help="First season of ties to forecast.")] = "2011-12",
    until: Annotated[str | None, typer.Option(help="Last season of ties to forecast.")] = None,
    competition: Annotated[
        list[str] | None,
        typer.Option("--competition", "-c", help="Competition to forecast, repeatable (default: CL, EL, ECL)."),
    ] = None,
    model: Annotated[str, typer.Option(help="Strength model: dixon-coles, poisson, bivariate or elo.")] = "dixon-coles",
    bins: Annotated[int, typer.Option(min=2, max=50, help="Bins of the reliability table.")] = 10,
    plot: Annotated[Path | None, typer.Option(help="Write the reliability diagram here (PNG).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write every tie's forecasts here (CSV).")] = None,
    cache: Annotated[bool, typer.Option(help="Keep the fitted models in the cache directory.")] = False,
    stage: Annotated[
        list[str] | None,
        typer.Option("--stage", help="Stage to forecast, repeatable: knockout, playoff, qualifying."),
    ] = None,
    weekly: Annotated[bool, typer.Option(help="Refit once a week (Mondays), not on every forecast date.")] = False,
    dask: Annotated[
        str | None, typer.Option(help="Run the refits on a Dask scheduler (tcp://host:8786) or 'local'.")
    ] = None,
    market: Annotated[bool, typer.Option(help="Add the market's forecast where the legs are priced.")] = True,
    fit_second_leg: Annotated[
        Path | None,
        typer.Option(help="Write the second-leg adjustment fitted on ties before 2016-17 here (CSV)."),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write every table of the report here (Markdown).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk-forward calibration of "goes through" on every two-legged UEFA knockout tie: the model
    before the tie and between the legs (also with the second-leg adjustment), against the base rate
    of the first-leg margin and venue and, where the legs are priced (2004-05..2019-20), the market."""
    from remontada.forecast import MODELS
    from remontada.ties.backtest import HORIZON_LABELS, SCOPE_NOTE, TARGET_STAGES, run_tie_backtest

    if model not in MODELS:
        fail(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    with open_store(store) as st:
        try:
            ids = [st.competition(c).id for c in competition] if competition else None
            kwargs: dict[str, Any] = {"competitions": ids, "history_competitions": ids} if ids else {}
            client = None
            if dask is not None:
                from remontada.simulate.distributed import connect

                client = connect(dask)
            try:
                result = run_tie_backtest(
                    st, model=model, since=since, until=until, cache_dir=True if cache else None,
                    progress=not as_json and console.is_terminal and client is None,
                    stages=tuple(stage) if stage else TARGET_STAGES, step_days=7 if weekly else 1,
                    client=client, market=market, **kwargs,
                )  # fmt: skip
            finally:
                if client is not None:
                    client.close()
        except (LookupError, ValueError) as exc:
            fail(str(exc))
    if fit_second_leg is not None and result.adjustment is not None:
        result.adjustment.save(fit_second_leg)
    if report is not None:
        from remontada.ties.report import markdown

        report.write_text(markdown(result, bins=bins), encoding="utf-8")
    if not len(result.ties):
        fail("no two-legged ties to forecast in that selection")
    if plot is not None:
        result.plot(plot, bins)
    if out is not None:
        result.per_tie().to_csv(out, index=False)
    if as_json:
        report = result.to_dict(bins)
        report["plot"] = str(plot) if plot is not None else None
        print_json(report)
        return
    summary = result.summary()
    console.print(
        f"[bold]{len(result.ties)} two-legged ties[/bold] forecast walk-forward ({result.fits} model fits, "
        f"{result.seconds:.0f} s); event: the side at home in the second leg goes through"
    )
    console.print(f"[dim]{SCOPE_NOTE}[/dim]")
    table = Table(title="Brier score and log loss (lower is better)")
    for column in ("horizon", "forecaster", "ties", "Brier", "log loss", "Brier - base rate (± 1.96 se)", "skill"):
        table.add_column(column, justify="left" if column in ("horizon", "forecaster") else "right")
    for row in summary.itertuples(index=False):
        diff = "" if row.forecaster == "base rate" else f"{row.brier_minus_base:+.4f} ± {1.96 * row.se:.4f}"
        skill = "" if row.forecaster == "base rate" else f"{100 * row.skill_vs_base:+.1f}%"
        table.add_row(HORIZON_LABELS[row.horizon], row.forecaster, f"{row.n}", f"{row.brier:.4f}",
                      f"{row.log_loss:.4f}", diff, skill)  # fmt: skip
    console.print(table)
    by_comp = result.summary("competition")
    comp_table = Table(title="by competition")
    for column in ("competition", "horizon", "forecaster", "ties", "Brier", "log loss"):
        comp_table.add_column(column, justify="left" if column in ("competition", "horizon", "forecaster") else "right")
    for row in by_comp.itertuples(index=False):
        comp_table.add_row(row.competition, HORIZON_LABELS[row.horizon], row.forecaster, f"{row.n}",
                           f"{row.brier:.4f}", f"{row.log_loss:.4f}")  # fmt: skip
    console.print(comp_table)
    with_market = result.summary(with_market=True)
    if len(with_market):
        market_table = Table(title="on the ties the market prices: model, market and base rate")
        for column in ("horizon", "forecaster", "ties", "Brier", "log loss", "Brier - market (± 1.96 se)"):
            market_table.add_column(column, justify="left" if column in ("horizon", "forecaster") else "right")
        for row in with_market.itertuples(index=False):
            diff = "" if row.forecaster == "market" else f"{row.brier_minus_market:+.4f} ± {1.96 * row.se_market:.4f}"
            market_table.add_row(HORIZON_LABELS[row.horizon], row.forecaster, f"{row.n}", f"{row.brier:.4f}",
                                 f"{row.log_loss:.4f}", diff)  # fmt: skip
        console.print(market_table)
    by_era = result.summary("era")
    era_table = Table(title="by era")
    for column in ("era", "horizon", "forecaster", "ties", "Brier", "log loss"):
        era_table.add_column(column, justify="left" if column in ("era", "horizon", "forecaster") else "right")
    for row in by_era.itertuples(index=False):
        era_table.add_row(row.era, HORIZON_LABELS[row.horizon], row.forecaster, f"{row.n}", f"{row.brier:.4f}",
                          f"{row.log_loss:.4f}")  # fmt: skip
    console.print(era_table)
    for horizon in result.forecasts:
        for name in result.forecasts[horizon]:
            records = result.calibration(horizon, name, bins).to_records()
            rel = Table(title=f"reliability, {HORIZON_LABELS[horizon]}: {name}")
            for column in ("forecast bin", "ties", "mean forecast", "observed", "95% interval"):
                rel.add_column(column, justify="right")
            for r in records:
                if not r["count"]:
                    continue
                rel.add_row(
                    f"{r['bin_low']:.1f}-{r['bin_high']:.1f}", str(r["count"]), _pct(r["mean_forecast"]),
                    _pct(r["observed"]), f"{_pct(r['lower'])}-{_pct(r['upper'])}",
                )  # fmt: skip
            console.print(rel)
    console.print(
        f"bookmaker prices: {result.odds['with_odds']} of {result.odds['matches']} matches priced; market forecasts "
        f"(Pinnacle else the bookmakers' average, Shin margin removal, Poisson goals fitted to the 1X2): "
        f"{result.odds.get('market_priced', {})}"
    )
    if fit_second_leg is not None:
        console.print(f"second-leg adjustment written to {fit_second_leg}")
    left_out = len(result.skipped)
    if left_out:
        console.print(f"{left_out} tie(s) left out:")
        for tie, reason in result.skipped:
            console.print(f"  [dim]{cell_text(tie.describe())}: {cell_text(reason)}[/dim]")
    if plot is not None:
        console.print(f"reliability diagram written to {plot}")
    if out is not None:
        console.print(f"per-tie forecasts written to {out}")


def _key(tie: Any) -> tuple[str, str, str, str]:
    return (tie.competition, tie.season, tie.team_a, tie.team_b)


def register(app: typer.Typer) -> None:
    """Add ``tie`` and ``backtest-ties`` to ``app``."""
    app.command("tie")(tie)
    app.command("backtest-ties")(backtest_ties)

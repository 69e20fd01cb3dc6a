"""``remontada tie`` (who goes through, and how history saw it) and ``remontada backtest-ties``.

Scores are always written home side first, with the clubs named beside them (``Atalanta 0-3
Liverpool``); aggregates are written the same way, first-leg host first.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import remontada as rm
from remontada.cli.common import JsonOpt, StoreOpt, cell_text, console, guarded, pct, print_json


class DeciderChoice(StrEnum):
    penalties = "penalties"
    coin_toss = "coin_toss"


_pct = pct


# ---- tie ---------------------------------------------------------------------------------------------
def tie(
    team1: Annotated[str, typer.Argument(help="One club of the tie, e.g. Liverpool.")],
    team2: Annotated[str, typer.Argument(help="The other club, e.g. Atalanta (either order).")],
    competition: Annotated[
        str | None, typer.Option("--competition", "-c", help="Competition name, id or abbreviation, e.g. UEL.")
    ] = None,
    season: Annotated[str | None, typer.Option(help="Season, e.g. 2023-24 (default: their latest tie).")] = None,
    round_label: Annotated[str | None, typer.Option("--round", help="Round, e.g. QF, Quarter-finals.")] = None,
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
    answer = rm.answer_tie(
        team1, team2, competition=competition, season=season, round=round_label, date=date, first_leg=first_leg,
        first_leg_host=host, away_goals=away_goals, extra_time=extra_time,
        decider=decider.value if decider is not None else None, model=model, store=store,
    )  # fmt: skip
    if plot is not None:
        from remontada.ties.answer import plot_next_match

        plot_next_match(answer.forecast, plot)
    if as_json:
        out = answer.to_dict(n_scenarios=scores)
        if plot is not None:
            out["plot"] = str(plot)
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
    for warning in answer.warnings:
        console.print(f"[yellow]warning:[/yellow] {cell_text(warning)}")
    latest = fit.latest_match.isoformat() if fit.latest_match else "none"
    console.print(
        f"forecast as of the morning of {fit.as_of.isoformat()}: {fit.model} fitted on {fit.matches:,} club matches "
        f"played before that day (latest {latest})"
    )
    labels = {"first_leg": "first leg", "second_leg": "second leg", "match": "the match"}
    for key, (home, away) in answer.rates.items():
        home_name, away_name = (state.name_b, state.name_a) if key == "second_leg" else (state.name_a, state.name_b)
        console.print(f"expected goals, {labels[key]}: {home_name} {home:.2f}, {away_name} {away:.2f}")
    nxt = answer.next_match_result()
    console.print(
        f"{labels[nxt['match']]} after 90 minutes: {nxt['home']} win {pct(nxt['home_win'])}, draw {pct(nxt['draw'])}, "
        f"{nxt['away']} win {pct(nxt['away_win'])}"
    )

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
        row = [cell_text(side), pct(split.total), pct(split.after_90)]
        if state.rules.has_extra_time:
            row.append(pct(split.in_extra_time))
        row.append(pct(split.decider))
        through.add_row(*row)
    console.print(through)
    if state.rules.has_extra_time:
        console.print(
            f"extra time {pct(forecast.p_extra_time)}, {state.rules.decider.replace('_', ' ')} "
            f"{pct(forecast.p_decider)}"
        )
    if state.rules.legs == 2:
        agg = forecast.aggregate
        top = [divmod(int(i), agg.shape[1]) for i in agg.ravel().argsort()[::-1][:3]]
        text = ", ".join(f"{forecast.team_a} {x}-{y} {forecast.team_b} {pct(float(agg[x, y]))}" for x, y in top)
        console.print(f"likeliest aggregates after the second leg's 90 minutes: {cell_text(text)}")
    _print_scores(answer, n_scores)
    _print_history(answer, n_comebacks)
    if answer.record is not None:
        console.print(
            f"[dim]what happened (from the store; not used by the forecast): {cell_text(answer.record)}[/dim]"
        )


def _score_text(home: str, home_goals: int, away_goals: int, away: str) -> str:
    """A score of the next match with its sides, home first: ``Atalanta 0-3 Liverpool``."""
    return f"{home} {home_goals}-{away_goals} {away}"


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
        table = Table(title=f"what {focus} need: {match} scores that carry their chance")
        table.add_column(f"{match} score", no_wrap=True)
        for column in ("probability", f"then {focus} through", "how"):
            table.add_column(column, justify="right")
        for s in needs:
            p_focus = s.p_a_through if focus == forecast.team_a else 1.0 - s.p_a_through
            score = _score_text(home, s.home_goals, s.away_goals, away)
            table.add_row(cell_text(score), pct(s.probability), pct(p_focus), cell_text(_how(s, forecast)))
        console.print(table)
    likely = Table(title=f"most likely {match} scores")
    likely.add_column(f"{match} score", no_wrap=True)
    for column in ("probability", f"{forecast.team_a} through", "how"):
        likely.add_column(column, justify="right")
    for s in forecast.scenarios(n_scores):
        score = _score_text(home, s.home_goals, s.away_goals, away)
        likely.add_row(cell_text(score), pct(s.probability), pct(s.p_a_through), cell_text(_how(s, forecast)))
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
    from remontada.competitions import eras_label

    names = ", ".join(eras_label(c, last=history.before) for c in history.competitions)
    console.print(f"[bold]history[/bold] ({names}; ties that ended before {history.before.isoformat()}):")
    for rate in history.rates:
        interval = f", 95% interval {pct(rate.low)}-{pct(rate.high)}" if rate.n else ""
        console.print(f"  {rate.label}: {rate.k} of {rate.n} went through ({pct(rate.p)}{interval})")
    if n_comebacks == 0 or answer.state.phase != "between_legs":
        return
    exact = history.rates[0]
    pool = history.rates[-1]
    same = {_key(t) for t in exact.comebacks}
    latest = sorted(pool.comebacks, key=lambda t: t.date or dt.date.min, reverse=True)
    main = [t for t in latest if not t.qualifying][:n_comebacks]
    qualifying = [t for t in latest if t.qualifying][:n_comebacks]
    for ties, title in (
        (main, f"comebacks in the main draw: {pool.label} and went through (latest first)"),
        (qualifying, f"comebacks in qualifying rounds: {pool.label} and went through (latest first)"),
    ):
        if not ties:
            continue
        table = Table(title=title)
        table.add_column("ended", no_wrap=True)
        table.add_column("tie")
        table.add_column("same venue", justify="center")
        for t in ties:
            same_venue = "yes" if _key(t) in same else ""
            table.add_row(t.date.isoformat() if t.date else "", cell_text(t.describe()), same_venue)
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
    fit_recalibration: Annotated[
        Path | None,
        typer.Option(help="Write the per-competition recalibration fitted on every tie forecast here (CSV)."),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write every table of the report here (Markdown).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk-forward calibration of "goes through" on every two-legged UEFA knockout tie: the model
    before the tie and between the legs (also with the second-leg adjustment), against the base rate
    of the first-leg margin and venue and, where the legs are priced (2004-05..2019-20), the market."""
    from remontada.ties.backtest import HELD_OUT_FROM, HORIZON_LABELS, SCOPE_NOTE, held_out_label

    answer = rm.backtest_ties(
        since=since, until=until, competition=competition, model=model, bins=bins, cache=cache,
        progress=not as_json and console.is_terminal, stages=stage, weekly=weekly, dask=dask, market=market,
        store=store,
    )  # fmt: skip
    result = answer.raw
    if fit_second_leg is not None and result.adjustment is not None:
        result.adjustment.save(fit_second_leg)
    if fit_recalibration is not None and result.adjustment is not None:
        from remontada.ties.backtest import fit_recalibration as fit_competition_recalibration

        fit_competition_recalibration(result).save(fit_recalibration)
    if report is not None:
        from remontada.ties.report import markdown

        report.write_text(markdown(result, bins=bins), encoding="utf-8")
    if plot is not None:
        result.plot(plot, bins)
    if out is not None:
        result.per_tie().to_csv(out, index=False)
    if as_json:
        data = answer.to_dict()
        if plot is not None:
            data["plot"] = str(plot)
        print_json(data)
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
    if "between_legs" in result.forecasts:
        from remontada.ties.report import held_out_chance

        held = result.keys("held_out") == held_out_label(HELD_OUT_FROM)
        if held.any():
            console.print(
                f"[bold]the reliability bar between the legs, held out ({HELD_OUT_FROM} on, {int(held.sum())} ties)"
                "[/bold]: every bin of 30+ ties within 5 points of the observed rate"
            )
            for name in result.forecasts["between_legs"]:
                chance = held_out_chance(result, name, bins)
                verdict = "met" if chance.observed_worst <= 0.05 else "missed"
                console.print(f"  {name}: worst gap {100 * chance.observed_worst:.1f} points ({verdict}); "
                              f"{cell_text(chance.sentence())}")  # fmt: skip
    console.print(
        f"bookmaker prices: {result.odds['with_odds']} of {result.odds['matches']} matches priced; market forecasts "
        f"(Pinnacle else the bookmakers' average, Shin margin removal, Poisson goals fitted to the 1X2): "
        f"{result.odds.get('market_priced', {})}"
    )
    if fit_second_leg is not None:
        console.print(f"second-leg adjustment written to {fit_second_leg}")
    if fit_recalibration is not None and result.adjustment is not None:
        console.print(f"per-competition recalibration written to {fit_recalibration}")
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
    app.command("tie")(guarded(tie))
    app.command("backtest-ties")(guarded(backtest_ties))

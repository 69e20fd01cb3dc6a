"""Goal-model fit speed and log-likelihood against penaltyblog, in one run.

Run from the project root::

    python benchmarks/fit.py                 # speed + likelihood vs penaltyblog (about a minute)
    python benchmarks/fit.py --holdout       # also: out-of-sample comparison of families and priors
    python benchmarks/fit.py --store PATH    # also: the all-Europe joint fit from a store (since 2019-07-01)

Data: the engsoccerdata copies in the offline mirror (``$REMONTADA_MIRROR`` or
``../shared/data/mirror``): the ten top divisions (Germany, Italy, Spain, France,
Netherlands, Scotland, Portugal, Belgium, Turkey, Greece), seasons 2019-20 .. 2023-24
(15,622 matches, 241 teams), and one league's 1,140 matches (Serie A 2021-22 .. 2023-24).

"Same objective" means: Dixon-Coles weighted log-likelihood with the same time weights
``exp(-0.0018 * days before the day after the last match)``, one home advantage, no prior.
penaltyblog's fitted parameters are evaluated in our objective and ours in penaltyblog's
loss function (after mapping the parametrisations: its ``attack`` = our ``mu + attack``,
its ``defence`` = minus our ``defence``, shifted to meet its mean-attack constraint).
Timings are medians over repeats; the machine is noisy, so only ratios in one run count.
The BLAS thread count matters for both optimisers' small dense algebra (scipy's SLSQP inside
penaltyblog in particular): run once as is and once with ``OPENBLAS_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from remontada.matchset import MatchSet
from remontada.models import BivariatePoisson, DixonColes, NegativeBinomial, Poisson
from remontada.models.families import DixonColesScores
from remontada.models.goals import GoalModel
from remontada.models.likelihood import GoalObjective, ParameterLayout
from remontada.models.weights import decay_weights

DECAY = 0.0018
TOP_DIVISIONS = {
    "germany": "ger.1", "italy": "ita.1", "spain": "esp.1", "france": "fra.1", "holland": "ned.1",
    "scotland": "sco.1", "portugal": "por.1", "belgium": "bel.1", "turkey": "tur.1", "greece": "gre.1",
}
SEASONS = ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24")


def mirror_root() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "mirror"
    return Path(os.environ.get("REMONTADA_MIRROR", default))


def load_engsoccerdata(files: dict[str, str], seasons: tuple[str, ...]) -> MatchSet:
    """Played matches of the given files' competitions and seasons, via the project's parser."""
    from remontada.sources.engsoccerdata import EngSoccerData

    source = EngSoccerData(base_url="mirror://", names=list(files))
    cols: dict[str, list[Any]] = {k: [] for k in ("date", "home", "away", "home_goals", "away_goals", "competition",
                                                  "season", "neutral")}
    for remote in source.files():
        path = mirror_root() / remote.mirror_path
        parsed = source.parse(path.read_bytes(), remote, str(path))
        wanted = files[remote.path.rsplit("/", 1)[-1].removesuffix(".csv")]
        for m in parsed.matches:
            if m.status != "played" or m.home_goals is None or m.season not in seasons:
                continue
            if wanted != "*" and m.competition != wanted:
                continue
            cols["date"].append(m.date)
            cols["home"].append(m.home.name)
            cols["away"].append(m.away.name)
            cols["home_goals"].append(m.home_goals)
            cols["away_goals"].append(m.away_goals)
            cols["competition"].append(m.competition)
            cols["season"].append(m.season)
            cols["neutral"].append(m.neutral)
    return MatchSet.from_columns(**cols)


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time in seconds over ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def our_dc_objective(matches: MatchSet, weights: np.ndarray, teams: np.ndarray) -> GoalObjective:
    """Our plain Dixon-Coles objective (one home advantage, no prior) on ``matches``."""
    home = np.searchsorted(teams, matches.home.astype(str))
    away = np.searchsorted(teams, matches.away.astype(str))
    layout = ParameterLayout(len(teams), 0, 0, True)
    family = DixonColesScores(matches.home_goals, matches.away_goals, weights)
    return GoalObjective(family, layout, home, away, np.ones(len(matches)), np.full(len(matches), -1))


def penaltyblog_vs_ours(matches: MatchSet, label: str, repeats_pb: int, repeats_ours: int) -> dict[str, float]:
    import penaltyblog as pb

    as_of = matches.date.max() + np.timedelta64(1, "D")
    weights = decay_weights(matches.date, as_of, DECAY)
    home, away = matches.home.astype(str), matches.away.astype(str)

    def fit_pb() -> Any:
        model = pb.models.DixonColesGoalModel(matches.home_goals, matches.away_goals, home, away, weights)
        model.fit()
        return model

    def fit_ours() -> GoalModel:
        return DixonColes(decay=DECAY, team_sd=None).fit(matches, as_of=as_of)

    # Interleave so drifts in machine load hit both.
    pb_times, our_times = [], []
    pb_model = ours = None
    per_round = max(1, repeats_ours // max(repeats_pb, 1))
    for _ in range(repeats_pb):
        t, pb_model = timed(fit_pb, 1)
        pb_times.append(t)
        for _ in range(per_round):
            t, ours = timed(fit_ours, 1)
            our_times.append(t)
    assert pb_model is not None and ours is not None
    t_pb, t_ours = statistics.median(pb_times), statistics.median(our_times)

    teams = ours.teams_
    assert np.array_equal(teams, np.asarray(pb_model.teams, dtype=str)), "team order differs"
    objective = our_dc_objective(matches, weights, teams)
    n = len(teams)
    params = pb_model._params
    theta_pb = np.concatenate([[0.0, params[-2]], params[:n], -params[n: 2 * n], [params[-1]]])
    ll_pb_in_ours = objective.log_likelihood(theta_pb)
    ll_ours_in_ours = objective.log_likelihood(ours.coef_)
    attack_pb = ours.attack_ + ours.intercept_
    shift = 1.0 - attack_pb.mean()  # penaltyblog's constraint: mean attack = 1
    ours_as_pb = np.concatenate([attack_pb + shift, -ours.defence_ - shift, [ours.home_advantage_, ours.rho_]])
    ll_ours_in_pb = -pb_model._loss_function(ours_as_pb)
    ll_pb_in_pb = -pb_model._loss_function(params)

    print(f"\n== {label}: {len(matches):,} matches, {n} teams, weights exp(-{DECAY} * days) ==")
    print(f"  penaltyblog DixonColesGoalModel: {t_pb * 1000:9.1f} ms  (median of {len(pb_times)})")
    print(f"  remontada DixonColes(team_sd=None): {t_ours * 1000:6.1f} ms  (median of {len(our_times)}; "
          f"{ours.n_iter_} iterations, {ours.n_evaluations_} evaluations, converged={ours.converged_})")
    print(f"  speed ratio penaltyblog / ours: {t_pb / t_ours:.1f}x")
    print("  log-likelihood         in our objective    in penaltyblog's loss")
    print(f"    penaltyblog params   {ll_pb_in_ours:18.4f}    {ll_pb_in_pb:18.4f}")
    print(f"    our params           {ll_ours_in_ours:18.4f}    {ll_ours_in_pb:18.4f}")
    print(f"    ours - penaltyblog   {ll_ours_in_ours - ll_pb_in_ours:18.4f}    {ll_ours_in_pb - ll_pb_in_pb:18.4f}")
    print(f"  home advantage exp(gamma): penaltyblog {np.exp(params[-2]):.4f}, ours {np.exp(ours.home_advantage_):.4f};"
          f" rho: penaltyblog {params[-1]:.4f}, ours {ours.rho_:.4f}")
    return {"ratio": t_pb / t_ours, "ll_gain": ll_ours_in_ours - ll_pb_in_ours}


def families_and_warm_start(matches: MatchSet, repeats: int) -> None:
    print(f"\n== every family on the same {len(matches):,} matches (decay {DECAY}) ==")
    print(f"  {'model':34s} {'ms':>8s} {'iter':>5s} {'log-lik':>13s}  extra")
    for cls in (Poisson, DixonColes, BivariatePoisson, NegativeBinomial):
        for team_sd in (None, 0.4):
            model = cls(decay=DECAY, team_sd=team_sd)
            t, fitted = timed(lambda m=model: m.fit(matches), repeats)
            name = f"{cls.__name__}(team_sd={team_sd})"
            extra = "" if cls is Poisson else f"{cls.family.extra_name}={fitted.extra_:.4f}"
            print(f"  {name:34s} {t * 1000:8.1f} {fitted.n_iter_:5d} {fitted.log_likelihood_:13.3f}  {extra}")

    # Walk-forward refits: one more week of results each time, cold versus warm start.
    last = matches.date.max()
    days = [last - np.timedelta64(7 * k, "D") for k in range(8, 0, -1)]
    for team_sd in (None, 0.4):
        cold_t, warm_t, cold_it, warm_it, gaps = [], [], [], [], []
        previous = DixonColes(decay=DECAY, team_sd=team_sd).fit(matches, as_of=days[0] - np.timedelta64(7, "D"))
        for day in days:
            start = time.perf_counter()
            cold = DixonColes(decay=DECAY, team_sd=team_sd).fit(matches, as_of=day)
            cold_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            warm = DixonColes(decay=DECAY, team_sd=team_sd).fit(matches, as_of=day, warm_start=previous)
            warm_t.append(time.perf_counter() - start)
            cold_it.append(cold.n_iter_)
            warm_it.append(warm.n_iter_)
            gaps.append(abs((warm.log_likelihood_ - warm.penalty_) - (cold.log_likelihood_ - cold.penalty_)))
            previous = warm
        print(f"  weekly refit DixonColes(team_sd={team_sd}): cold {statistics.median(cold_t) * 1000:.1f} ms "
              f"({statistics.median(cold_it):.0f} it), warm start {statistics.median(warm_t) * 1000:.1f} ms "
              f"({statistics.median(warm_it):.0f} it); largest |objective gap| warm v cold {max(gaps):.2e}")


def rps(probs: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Ranked probability score of [home, draw, away] forecasts; outcome 0 home, 1 draw, 2 away."""
    observed = np.zeros_like(probs)
    observed[np.arange(len(outcome)), outcome] = 1.0
    gap = np.cumsum(probs, axis=1)[:, :2] - np.cumsum(observed, axis=1)[:, :2]
    return 0.5 * (gap**2).sum(axis=1)


def holdout(matches: MatchSet) -> None:
    """Refit every 14 days through 2022-23 and 2023-24; score the next 14 days' matches."""
    start = np.datetime64("2022-08-01")
    end = matches.date.max() + np.timedelta64(1, "D")
    cuts = np.arange(start, end, np.timedelta64(14, "D"))
    configs: list[tuple[str, Callable[[], GoalModel]]] = [
        ("Poisson sd=None", lambda: Poisson(team_sd=None)),
        ("Poisson sd=0.4", lambda: Poisson(team_sd=0.4)),
        ("DixonColes sd=None", lambda: DixonColes(team_sd=None)),
        ("DixonColes sd=0.2", lambda: DixonColes(team_sd=0.2)),
        ("DixonColes sd=0.3", lambda: DixonColes(team_sd=0.3)),
        ("DixonColes sd=0.4", lambda: DixonColes(team_sd=0.4)),
        ("DixonColes sd=0.5", lambda: DixonColes(team_sd=0.5)),
        ("DixonColes sd=0.7", lambda: DixonColes(team_sd=0.7)),
        ("DixonColes sd=0.4 ha=competition", lambda: DixonColes(team_sd=0.4, home_advantage_by="competition")),
        ("DixonColes sd=0.4 decay=0.001", lambda: DixonColes(team_sd=0.4, decay=0.001)),
        ("DixonColes sd=0.4 decay=0.0025", lambda: DixonColes(team_sd=0.4, decay=0.0025)),
        ("BivariatePoisson sd=None", lambda: BivariatePoisson(team_sd=None)),
        ("BivariatePoisson sd=0.4", lambda: BivariatePoisson(team_sd=0.4)),
        ("NegativeBinomial sd=0.4", lambda: NegativeBinomial(team_sd=0.4)),
    ]
    results: dict[str, list[np.ndarray]] = {name: [] for name, _ in configs}
    outcome_all = []
    previous: dict[str, GoalModel] = {}
    for lo, hi in itertools.pairwise(cuts):
        test = matches.between(lo, hi)
        if not len(test):
            continue
        known = np.isin(test.home.astype(str), matches.before(lo).teams()) & np.isin(
            test.away.astype(str), matches.before(lo).teams())
        test = test.select(known)
        outcome_all.append(np.sign(test.away_goals - test.home_goals) + 1)
        for name, make in configs:
            model = make().fit(matches, as_of=lo, warm_start=previous.get(name))
            previous[name] = model
            ll = model.match_log_likelihood(test)
            probs = model.predict_many(test.home, test.away, test.neutral, competition=test.competition,
                                       outcomes=True)
            results[name].append(np.column_stack([ll, probs]))
    outcome = np.concatenate(outcome_all).astype(int)
    print(f"\n== out of sample: refit every 14 days, {len(outcome):,} matches of 2022-23 and 2023-24 ==")
    print(f"  {'model':36s} {'score log-lik/match':>20s} {'1X2 log loss':>13s} {'RPS':>8s}")
    for name, _ in configs:
        table = np.concatenate(results[name])
        ll, probs = table[:, 0], table[:, 1:]
        log_loss = -np.log(probs[np.arange(len(outcome)), outcome]).mean()
        print(f"  {name:36s} {ll.mean():20.5f} {log_loss:13.5f} {rps(probs, outcome).mean():8.5f}")


def big_fit(matches: MatchSet, label: str) -> None:
    """Time and memory of one joint fit with the shrinkage prior."""
    print(f"\n== joint fit: {label}: {len(matches):,} matches, {len(matches.teams()):,} teams, "
          f"{len(set(matches.competition))} competitions ==")
    for home_advantage_by in ("single", "scope"):
        model = DixonColes(team_sd=0.4, home_advantage_by=home_advantage_by)
        tracemalloc.start()
        start = time.perf_counter()
        model.fit(matches)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  DixonColes(team_sd=0.4, home_advantage_by={home_advantage_by!r}): {elapsed:.2f} s, "
              f"{model.n_iter_} iterations, peak traced memory {peak / 2**20:.1f} MiB, converged={model.converged_}, "
              f"home advantage {model.home_advantage_by_group_ or model.home_advantage_}")
    print(f"  peak RSS of this process so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    ratings = model.ratings()
    print("  top ten overall (goal difference per 90 minutes v an average team, neutral venue):")
    for i in range(min(10, len(ratings))):
        print(f"    {ratings.team[i]:30s} {ratings.group[i]:10s} {ratings.overall[i]:+.2f}")
    if model.league_attack_ is not None:
        strength = model.league_attack_ + model.league_defence_
        order = np.argsort(-strength)[:10]
        print("  strongest league means (attack + defence): "
              + ", ".join(f"{model.leagues_[i]} {strength[i]:+.2f}" for i in order))


def store_matches(path: str, since: str) -> MatchSet:
    """Every played club match in a remontada store (``Store.match_set``) from ``since`` on."""
    from remontada.store.reader import Store

    return Store(path, read_only=True).match_set(start=since)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="penaltyblog fits per size (ours: 10x as many)")
    parser.add_argument("--holdout", action="store_true", help="also compare families and priors out of sample")
    parser.add_argument("--store", help="path of a remontada store for the all-Europe joint fit")
    parser.add_argument("--since", default="2019-07-01", help="first match day of the store's joint fit")
    args = parser.parse_args(argv)

    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, {os.cpu_count()} cpus")
    start = time.perf_counter()
    top = load_engsoccerdata(dict.fromkeys(TOP_DIVISIONS, "*"), SEASONS)
    top = top.select(np.isin(top.competition, list(TOP_DIVISIONS.values())))
    print(f"loaded in {time.perf_counter() - start:.1f} s from {mirror_root()}/engsoccerdata/data-raw:")
    for comp in TOP_DIVISIONS.values():
        mask = top.competition == comp
        print(f"  {comp:6s} {mask.sum():5d} matches, {len(top.select(mask).teams()):3d} teams")
    print(f"  total  {len(top):5,d} matches, {len(top.teams())} teams, seasons {SEASONS[0]} .. {SEASONS[-1]}")
    serie_a = top.select((top.competition == "ita.1") & np.isin(top.season, SEASONS[-3:]))

    penaltyblog_vs_ours(top, "ten top divisions 2019-20 .. 2023-24", args.repeats, 10 * args.repeats)
    penaltyblog_vs_ours(serie_a, "Serie A 2021-22 .. 2023-24", 3 * args.repeats, 30 * args.repeats)
    families_and_warm_start(top, args.repeats)
    if args.holdout:
        holdout(top)

    if args.store:
        big_fit(store_matches(args.store, args.since), f"store {args.store}, matches since {args.since}")
    else:
        every_tier = load_engsoccerdata(
            {name: "*" for name in (*TOP_DIVISIONS, "england5")}, SEASONS)
        big_fit(every_tier, "every engsoccerdata league and tier 2019-24 (no cross-league matches; "
                            "pass --store for all of Europe with UEFA competitions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

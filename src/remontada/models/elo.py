"""Elo ratings for clubs, in the manner of ClubElo, with a fitted map from ratings to scorelines.

One rating pool holds every club of every competition in the :class:`MatchSet`: leagues of
one country connect through promotion and relegation, countries through European matches.
After each match the home side gains ``P = K * F * (R - E)`` points and the away side loses
them (zero sum), where ``R`` is 1, 0.5 or 0 for a home win, draw or loss,
``E = 1 / (1 + 10 ** (-dr / 400))`` the home side's expectation, ``dr`` the rating difference
plus the home advantage (none at neutral venues) and ``F = |goal difference| ** goal_diff_exponent``
for a win (1 for a draw); ClubElo uses a square root, the tuned default is linear with a
smaller ``K``. Ratings are carried across seasons; a club new to the pool starts at a low
quantile of the current ratings of its competition (a promoted club is usually among the
weakest), or, when the competition has no rated clubs yet, at ``initial`` minus
``tier_step`` per tier below the top. With ``evidence="shots_on_target"`` the margin is the
shots-on-target difference instead of the score (more evidence per match, less luck).

Ratings answer "who is stronger"; a scoreline distribution needs goals. :meth:`Elo.fit` also
fits a Poisson regression of each side's goals on the pre-match rating difference (with a
goal-rate level per competition and a Dixon-Coles ``rho``) on recent matches, so an Elo
forecast is a :class:`ScoreGrid` like every goal model's and is scored the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from remontada.competitions import CATALOGUE, competition_id
from remontada.errors import NotFitted, NotRated
from remontada.grid import ScoreGrid
from remontada.kernels import apply_dixon_coles, dixon_coles_tau, poisson_pmf
from remontada.matchset import MatchSet, to_day

_ELO_SCALE = 400.0
#: What decides the winner of a rating exchange: the score, or shots on target (football-data's
#: ``home_sot``/``away_sot`` extras; the score where they are missing).
EVIDENCE = ("goals", "shots_on_target")
_MAX_GOALS = 15


@dataclass(frozen=True, slots=True)
class GoalMap:
    """Expected goals as a function of the rating difference (fitted on past matches).

    ``log(home rate) = level + home_tilt / 2 + home_slope * x`` and
    ``log(away rate) = level - home_tilt / 2 - away_slope * x`` with ``x`` the rating difference
    (home minus away, home advantage included) in units of 400 Elo points; ``home_tilt`` is
    dropped at neutral venues. ``level`` is per competition (``levels``), ``default_level``
    for competitions not seen in the fit. Rates are goals per 90 minutes.
    """

    levels: dict[str, float]
    default_level: float
    home_tilt: float
    home_slope: float
    away_slope: float
    rho: float

    def rates(self, x: np.ndarray, competition: np.ndarray, neutral: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level = np.array([self.levels.get(str(c), self.default_level) for c in competition], dtype=float)
        tilt = np.where(np.asarray(neutral, dtype=bool), 0.0, self.home_tilt / 2)
        x = np.asarray(x, dtype=float)
        return np.exp(level + tilt + self.home_slope * x), np.exp(level - tilt - self.away_slope * x)


def score_grids(home_rate: np.ndarray, away_rate: np.ndarray, rho: float) -> np.ndarray:
    """Dixon-Coles Poisson score grids ``(n, 16, 16)`` for batches of rates, each summing to one.

    Scores above 15 goals a side are cut (mass below 1e-9 at realistic rates).
    """
    lh = np.asarray(home_rate, dtype=float)
    la = np.asarray(away_rate, dtype=float)
    goals = np.arange(_MAX_GOALS + 1)
    grid = poisson_pmf(goals[None, :, None], lh[:, None, None]) * poisson_pmf(goals[None, None, :], la[:, None, None])
    apply_dixon_coles(grid, lh, la, rho)
    np.clip(grid, 0.0, None, out=grid)
    return grid / grid.sum(axis=(1, 2), keepdims=True)


def outcome_probs(grids: np.ndarray) -> np.ndarray:
    """``[P(home win), P(draw), P(away win)]`` rows of a batch of score grids ``(n, G, G)``."""
    size = grids.shape[1]
    lower = np.tril(np.ones((size, grids.shape[2]), dtype=bool), -1)
    home_win = (grids * lower).sum(axis=(1, 2))
    draw = np.trace(grids, axis1=1, axis2=2)
    return np.column_stack([home_win, draw, 1.0 - home_win - draw])


class Elo:
    """ClubElo-style ratings in one pool across competitions, scored through a fitted goal map.

    Parameters
    ----------
    k:
        Points exchanged per unit of surprise. ClubElo uses 20 with ``goal_diff_exponent=0.5``;
        the defaults (13 with a linear margin) forecast best on 2011-12..2015-16 in the top five
        leagues (RPS 0.2012 against 0.2015). With ``evidence="shots_on_target"`` use
        ``k=16, goal_diff_exponent=0.5``.
    home_advantage:
        Home advantage in Elo points added to the home side's rating when computing
        expectations (not at neutral venues). With ``home_advantage_rate > 0`` this is the
        starting value of a per-competition home advantage that adapts to results.
    goal_diff_exponent:
        Winner's margin multiplier ``F = |goal difference| ** goal_diff_exponent``
        (0.5 is ClubElo's square root; 0 ignores margins).
    initial:
        Rating of a top-tier club when its competition has no rated clubs yet.
    tier_step:
        Rating points subtracted per tier below the top for such first clubs.
    newcomer_quantile:
        A club new to the pool starts at this quantile of the ratings of clubs that played in
        the same competition within the last ``newcomer_window_days`` days.
    home_advantage_rate:
        How fast a competition's home advantage follows the points its home sides win
        (0 keeps ``home_advantage`` fixed).
    season_regression:
        Fraction by which a club's rating moves towards its competition's mean at its first
        match of a new season (0 carries ratings over unchanged, as ClubElo does).
    map_window_days, map_half_life_days, map_ridge:
        The goal map is fitted on matches of the last ``map_window_days`` days, weighted
        ``0.5 ** (age / map_half_life_days)``, with a ridge penalty ``map_ridge`` pulling each
        competition's goal level towards the common level.
    evidence:
        ``"goals"`` (ClubElo) or ``"shots_on_target"``: the side with more shots on target
        "wins" the exchange, by that margin (the score decides where shots are unknown).
        Either way the goal map is fitted on real goals.
    """

    def __init__(
        self,
        *,
        k: float = 13.0,
        home_advantage: float = 70.0,
        goal_diff_exponent: float = 1.0,
        initial: float = 1500.0,
        tier_step: float = 200.0,
        newcomer_quantile: float = 0.15,
        newcomer_window_days: int = 400,
        home_advantage_rate: float = 0.0,
        season_regression: float = 0.0,
        map_window_days: int = 3 * 365,
        map_half_life_days: float = 365.0,
        map_ridge: float = 50.0,
        evidence: str = "goals",
    ) -> None:
        if evidence not in EVIDENCE:
            raise ValueError(f"evidence must be one of {EVIDENCE}, got {evidence!r}")
        self.k = k
        self.home_advantage = home_advantage
        self.goal_diff_exponent = goal_diff_exponent
        self.initial = initial
        self.tier_step = tier_step
        self.newcomer_quantile = newcomer_quantile
        self.newcomer_window_days = newcomer_window_days
        self.home_advantage_rate = home_advantage_rate
        self.season_regression = season_regression
        self.map_window_days = map_window_days
        self.map_half_life_days = map_half_life_days
        self.map_ridge = map_ridge
        self.evidence = evidence

    # ---- learning -------------------------------------------------------------------
    def fit(self, matches: MatchSet) -> Elo:
        """Rate every club from scratch on ``matches`` (in date order) and fit the goal map."""
        self.teams_: list[str] = []
        self.team_index_: dict[str, int] = {}
        self.competitions_: list[str] = []
        self.competition_index_: dict[str, int] = {}
        self._rating: list[float] = []
        self._last_day: list[int] = []  # days since epoch of each club's last match
        self._last_competition: list[int] = []
        self._last_season: list[str] = []
        self.home_advantage_by_competition_: dict[str, float] = {}
        self._log: dict[str, np.ndarray] = {key: np.zeros(0, dtype) for key, dtype in _LOG_COLUMNS.items()}
        self._map_start: dict[str, float] = {}
        self.n_matches_ = 0
        self.last_date_: np.datetime64 | None = None
        return self._process(matches)

    def partial_fit(self, matches: MatchSet) -> Elo:
        """Continue rating with matches played on or after the last date already processed.

        Equivalent to refitting on the concatenated history, at the cost of the new matches only.
        """
        if not hasattr(self, "teams_"):
            return self.fit(matches)
        if len(matches) and self.last_date_ is not None and matches.date.min() < self.last_date_:
            raise ValueError(
                f"partial_fit got matches from {matches.date.min()}, before the last processed day {self.last_date_}"
            )
        return self._process(matches)

    def _margins(self, matches: MatchSet) -> np.ndarray:
        """The home side's winning margin each update is based on: goals, or shots on target where known."""
        goals = (matches.home_goals - matches.away_goals).astype(float)
        if self.evidence == "goals":
            return goals
        home_sot, away_sot = matches.extras.get("home_sot"), matches.extras.get("away_sot")
        if home_sot is None or away_sot is None:
            return goals
        shots = np.asarray(home_sot, dtype=float) - np.asarray(away_sot, dtype=float)
        return np.where(np.isfinite(shots), shots, goals)

    def _team(self, name: str, competition: int, day: int) -> int:
        index = self.team_index_.get(name)
        if index is not None:
            return index
        index = len(self.teams_)
        self.teams_.append(name)
        self.team_index_[name] = index
        self._rating.append(self._newcomer_rating(competition, day))
        self._last_day.append(day)
        self._last_competition.append(competition)
        self._last_season.append("")
        return index

    def _newcomer_rating(self, competition: int, day: int) -> float:
        if self._rating:
            last_competition = np.asarray(self._last_competition)
            recent = np.asarray(self._last_day) >= day - self.newcomer_window_days
            peers = np.asarray(self._rating)[(last_competition == competition) & recent]
            if len(peers) >= 2:
                return float(np.quantile(peers, self.newcomer_quantile))
        tier = CATALOGUE.get(self.competitions_[competition])
        tier_number = tier.tier if tier is not None and tier.tier is not None else 1
        return self.initial - self.tier_step * (tier_number - 1)

    def _competition(self, name: str) -> int:
        index = self.competition_index_.get(name)
        if index is None:
            index = len(self.competitions_)
            self.competitions_.append(name)
            self.competition_index_[name] = index
            self.home_advantage_by_competition_[name] = self.home_advantage
        return index

    def _regress_to_season(self, team: int, competition: int, season: str) -> None:
        """Pull a club towards its competition's mean at its first match of a new season."""
        previous = self._last_season[team]
        self._last_season[team] = season
        if not self.season_regression or not previous or previous == season:
            return
        peers = np.asarray(self._last_competition) == competition
        mean = float(np.asarray(self._rating)[peers].mean())
        self._rating[team] += self.season_regression * (mean - self._rating[team])

    def _process(self, matches: MatchSet) -> Elo:
        if len(matches) and (np.diff(matches.date.astype("int64")) < 0).any():
            raise ValueError("Elo needs matches in date order (MatchSet.from_columns sorts them)")
        days = matches.date.astype("datetime64[D]").astype("int64").tolist()
        homes, aways = matches.home.tolist(), matches.away.tolist()
        home_goals, away_goals = matches.home_goals.tolist(), matches.away_goals.tolist()
        margins = self._margins(matches).tolist()
        neutrals, competitions = matches.neutral.tolist(), matches.competition.tolist()
        seasons = matches.season.tolist()
        rating, hfa_by_comp = self._rating, self.home_advantage_by_competition_
        k, exponent, hfa_rate = self.k, self.goal_diff_exponent, self.home_advantage_rate
        log: dict[str, list] = {key: [] for key in _LOG_COLUMNS}
        for day, home, away, hg, ag, margin, neutral, comp, season in zip(
            days, homes, aways, home_goals, away_goals, margins, neutrals, competitions, seasons, strict=True
        ):
            c = self._competition(comp)
            h = self._team(home, c, day)
            a = self._team(away, c, day)
            if self.season_regression:
                self._regress_to_season(h, c, season)
                self._regress_to_season(a, c, season)
            hfa = 0.0 if neutral else hfa_by_comp[comp]
            rh, ra = rating[h], rating[a]
            expected = 1.0 / (1.0 + 10.0 ** (-(rh - ra + hfa) / _ELO_SCALE))
            result = 1.0 if margin > 0 else (0.5 if margin == 0 else 0.0)
            factor = abs(margin) ** exponent if margin else 1.0
            change = k * factor * (result - expected)
            rating[h] = rh + change
            rating[a] = ra - change
            if hfa_rate and not neutral:
                hfa_by_comp[comp] += hfa_rate * change
            self._last_day[h] = self._last_day[a] = day
            self._last_competition[h] = self._last_competition[a] = c
            log["day"].append(day)
            log["home"].append(h)
            log["away"].append(a)
            log["x"].append((rh - ra + hfa) / _ELO_SCALE)
            log["home_before"].append(rh)
            log["away_before"].append(ra)
            log["change"].append(change)
            log["competition"].append(c)
            log["neutral"].append(bool(neutral))
            log["home_goals"].append(hg)
            log["away_goals"].append(ag)
        self._log = {
            key: np.concatenate([self._log[key], np.asarray(log[key], dtype=dtype)])
            for key, dtype in _LOG_COLUMNS.items()
        }
        self.n_matches_ += len(matches)
        if len(matches):
            self.last_date_ = matches.date[-1]
        self.goal_map_ = self._fit_goal_map()
        return self

    # ---- the goal map ---------------------------------------------------------------
    def _fit_goal_map(self) -> GoalMap:
        log = self._log
        if not len(log["day"]):
            return GoalMap({}, float(np.log(1.3)), 0.3, 0.8, 0.8, 0.0)
        day = log["day"]
        keep = day > day[-1] - self.map_window_days
        weight = 0.5 ** ((day[-1] - day[keep]) / self.map_half_life_days)
        x = log["x"][keep]
        used, comp = np.unique(log["competition"][keep], return_inverse=True)
        names = [self.competitions_[c] for c in used]
        home_flag = (~log["neutral"][keep]).astype(float)
        hg = log["home_goals"][keep].astype(float)
        ag = log["away_goals"][keep].astype(float)
        start = np.array([self._map_start.get(name, np.nan) for name in [*names, "~tilt", "~home", "~away"]])
        levels, tilt, home_slope, away_slope = _poisson_map(x, comp, home_flag, hg, ag, weight, self.map_ridge, start)
        self._map_start = dict(
            zip([*names, "~tilt", "~home", "~away"], [*levels, tilt, home_slope, away_slope], strict=True)
        )
        lh = np.exp(levels[comp] + home_flag * tilt / 2 + home_slope * x)
        la = np.exp(levels[comp] - home_flag * tilt / 2 - away_slope * x)
        rho = _fit_rho(lh, la, hg, ag, weight)
        default = float(np.average(levels[comp], weights=weight))
        return GoalMap(dict(zip(names, levels.tolist(), strict=True)), default, tilt, home_slope, away_slope, rho)

    # ---- answers --------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "goal_map_"):
            raise NotFitted("Elo is not fitted: call fit(matches) first")

    def rating(self, team: str, date: str | dt.date | np.datetime64 | None = None) -> float:
        """A club's rating (Elo points) before ``date`` (after every processed match when ``None``)."""
        self._check_fitted()
        index = self.team_index_.get(team)
        if index is None:
            raise NotRated(f"no rating for {team!r}: it played no match in the fitted data", club=str(team))
        if date is None:
            return float(self._rating[index])
        return float(self.ratings(date)[team])

    def ratings(self, date: str | dt.date | np.datetime64 | None = None) -> dict[str, float]:
        """Every rated club's rating (Elo points) before ``date``, strongest first.

        Clubs whose first match is on or after ``date`` are left out.
        """
        self._check_fitted()
        if date is None:
            current = np.asarray(self._rating)
            known = np.ones(len(current), dtype=bool)
        else:
            day = to_day(date).astype("int64")
            log = self._log
            n = int(np.searchsorted(log["day"], day, side="left"))
            home, away, change = log["home"][:n], log["away"][:n], log["change"][:n]
            after = np.concatenate([log["home_before"][:n] + change, log["away_before"][:n] - change])
            team = np.concatenate([home, away])
            order = np.concatenate([np.arange(n), np.arange(n)])
            current = np.full(len(self.teams_), np.nan)
            by_team = np.lexsort((order, team))
            sorted_team = team[by_team]
            is_last = np.append(sorted_team[1:] != sorted_team[:-1], True) if n else np.zeros(0, bool)
            current[sorted_team[is_last]] = after[by_team[is_last]]
            known = ~np.isnan(current)
        ranked = sorted((i for i in np.flatnonzero(known)), key=lambda i: -current[i])
        return {self.teams_[i]: float(current[i]) for i in ranked}

    def _pre_match(self, home: str, away: str, competition: str | None, day: int | None) -> tuple[float, float, str]:
        comp = competition_id(competition) if competition else None  # a name keys as its id, never as itself
        if comp is None:
            index = self.team_index_.get(home, self.team_index_.get(away))
            if index is None:
                raise NotRated(
                    f"neither {home!r} nor {away!r} is rated; pass competition= to rate newcomers", club=home
                )
            comp = self.competitions_[self._last_competition[index]]
        c = self.competition_index_.get(comp)
        ratings = self.ratings(np.datetime64(day, "D")) if day is not None else None
        out = []
        for team in (home, away):
            if ratings is not None and team in ratings:
                out.append(ratings[team])
            elif ratings is None and team in self.team_index_:
                out.append(self._rating[self.team_index_[team]])
            elif c is not None:
                out.append(self._newcomer_rating(c, day if day is not None else int(self._log["day"][-1])))
            else:
                raise NotRated(f"{team!r} is not rated and competition {comp!r} was not in the fitted data", club=team)
        return out[0], out[1], comp

    def rates(
        self,
        home: str,
        away: str,
        neutral: bool = False,
        date: str | dt.date | np.datetime64 | None = None,
        competition: str | None = None,
    ) -> tuple[float, float]:
        """Expected (home, away) goals per 90 minutes from the two ratings.

        ``competition`` sets the goal level and home advantage; by default the home club's
        latest competition. A club never seen starts as a newcomer to that competition.
        ``date`` uses the ratings before that day; the goal map and home advantage are the
        latest fit's, so for a clean historical forecast fit on the matches before ``date``.
        """
        self._check_fitted()
        day = None if date is None else int(to_day(date).astype("int64"))
        rh, ra, comp = self._pre_match(home, away, competition, day)
        hfa = 0.0 if neutral else self.home_advantage_by_competition_.get(comp, self.home_advantage)
        lh, la = self.goal_map_.rates(np.array([(rh - ra + hfa) / _ELO_SCALE]), np.array([comp]), np.array([neutral]))
        return float(lh[0]), float(la[0])

    def predict(
        self,
        home: str,
        away: str,
        neutral: bool = False,
        date: str | dt.date | np.datetime64 | None = None,
        competition: str | None = None,
    ) -> ScoreGrid:
        """The 90-minute scoreline distribution of ``home`` v ``away`` (see :meth:`rates`)."""
        lh, la = self.rates(home, away, neutral, date, competition)
        return ScoreGrid.from_rates(lh, la, rho=self.goal_map_.rho)

    def predict_many(
        self,
        home: Sequence[str] | np.ndarray,
        away: Sequence[str] | np.ndarray,
        neutral: Sequence[bool] | np.ndarray | None = None,
        *,
        competition: Sequence[str] | np.ndarray | str | None = None,
        outcomes: bool = False,
    ) -> np.ndarray:
        """Scoreline grids ``(n, 16, 16)`` from the current ratings, or ``[P(home), P(draw), P(away)]`` ``(n, 3)``.

        Same shape of call as the goal models' ``predict_many``. ``competition`` (one per
        fixture, or one for all) places newcomers and picks the goal level; by default each
        home club's latest competition. Grids stop at 15 goals a side and are renormalised.
        """
        self._check_fitted()
        n = len(home)
        neutral_arr = np.zeros(n, bool) if neutral is None else np.asarray(neutral, dtype=bool)
        if competition is None or isinstance(competition, str):
            comps: list[str | None] = [competition] * n
        else:
            comps = [str(c) for c in competition]
        x = np.empty(n)
        comp_out = np.empty(n, dtype=object)
        for i in range(n):
            rh, ra, comp = self._pre_match(str(home[i]), str(away[i]), comps[i], None)
            hfa = 0.0 if neutral_arr[i] else self.home_advantage_by_competition_.get(comp, self.home_advantage)
            x[i] = (rh - ra + hfa) / _ELO_SCALE
            comp_out[i] = comp
        lh, la = self.goal_map_.rates(x, comp_out, neutral_arr)
        grids = score_grids(lh, la, self.goal_map_.rho)
        return outcome_probs(grids) if outcomes else grids

    def match_log(self) -> dict[str, np.ndarray]:
        """Per processed match: ``date``, clubs, ratings before (Elo points) and ``change`` (the home side's gain)."""
        self._check_fitted()
        log = self._log
        return {
            "date": log["day"].astype("datetime64[D]"),
            "home": np.asarray(self.teams_, dtype=object)[log["home"]],
            "away": np.asarray(self.teams_, dtype=object)[log["away"]],
            "home_before": log["home_before"].copy(),
            "away_before": log["away_before"].copy(),
            "change": log["change"].copy(),
        }


#: What the pass over the matches remembers of each one (used by ratings(date) and the goal map).
_LOG_COLUMNS: dict[str, type] = {
    "day": np.int64,
    "home": np.int64,
    "away": np.int64,
    "x": float,
    "home_before": float,
    "away_before": float,
    "change": float,
    "competition": np.int64,
    "neutral": bool,
    "home_goals": np.int64,
    "away_goals": np.int64,
}


def _poisson_map(
    x: np.ndarray,
    comp: np.ndarray,
    home_flag: np.ndarray,
    home_goals: np.ndarray,
    away_goals: np.ndarray,
    weight: np.ndarray,
    ridge: float,
    start: np.ndarray,
) -> tuple[np.ndarray, float, float, float]:
    """Weighted Poisson regression of both sides' goals on the rating difference (Newton steps).

    ``log home rate = level[comp] + home_flag * tilt / 2 + home_slope * x`` and
    ``log away rate = level[comp] - home_flag * tilt / 2 - away_slope * x``; levels are
    ridge-pulled towards their weighted mean. The design is one-hot in the competition, so
    the Fisher information is assembled with ``bincount`` rather than a dense design matrix.
    ``start`` holds starting values (NaN where unknown); a weak prior pulls tilt and slopes
    towards (0, 0.6, 0.6) so a handful of matches gives a sane map. Returns (levels, tilt, home_slope, away_slope).
    """
    n_comp = int(comp.max()) + 1
    share = np.bincount(comp, weights=weight, minlength=n_comp) / weight.sum()
    centre = np.eye(n_comp) - share[None, :]
    penalty = ridge * centre.T @ centre
    mean_goals = max(float(np.average(home_goals + away_goals, weights=weight)) / 2, 1e-3)
    beta = np.where(np.isfinite(start), start, np.r_[np.full(n_comp, np.log(mean_goals)), 0.0, 0.8, 0.8])
    # A weak prior (worth ~10 matches) on tilt and slopes keeps tiny samples from diverging.
    prior_mean = np.array([0.0, 0.6, 0.6])
    prior_strength = 10.0
    half = home_flag / 2
    for _ in range(100):
        levels, tilt, bh, ba = beta[:n_comp], beta[n_comp], beta[n_comp + 1], beta[n_comp + 2]
        mu_h = np.exp(levels[comp] + half * tilt + bh * x)
        mu_a = np.exp(levels[comp] - half * tilt - ba * x)
        rh, ra = weight * (home_goals - mu_h), weight * (away_goals - mu_a)
        wh, wa = weight * mu_h, weight * mu_a
        grad = np.concatenate(
            [
                np.bincount(comp, weights=rh + ra, minlength=n_comp) - penalty @ levels,
                [(half * (rh - ra)).sum(), (x * rh).sum(), -(x * ra).sum()]
                - prior_strength * (beta[n_comp:] - prior_mean),
            ]
        )
        cross = np.column_stack(
            [
                np.bincount(comp, weights=half * (wh - wa), minlength=n_comp),
                np.bincount(comp, weights=wh * x, minlength=n_comp),
                np.bincount(comp, weights=-wa * x, minlength=n_comp),
            ]
        )
        tail = np.array(
            [
                [(half**2 * (wh + wa)).sum(), (half * wh * x).sum(), (half * wa * x).sum()],
                [(half * wh * x).sum(), (wh * x * x).sum(), 0.0],
                [(half * wa * x).sum(), 0.0, (wa * x * x).sum()],
            ]
        )
        hess = np.block(
            [
                [np.diag(np.bincount(comp, weights=wh + wa, minlength=n_comp)) + penalty, cross],
                [cross.T, tail + prior_strength * np.eye(3)],
            ]
        )
        step = np.linalg.solve(hess, grad)
        largest = np.abs(step).max()
        if largest > 1.0:
            step /= largest  # damp wild first steps on small samples
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    return beta[:n_comp], float(beta[n_comp]), float(beta[n_comp + 1]), float(beta[n_comp + 2])


def _fit_rho(lh: np.ndarray, la: np.ndarray, hg: np.ndarray, ag: np.ndarray, weight: np.ndarray) -> float:
    """Maximum-likelihood Dixon-Coles ``rho`` given each match's rates."""
    low = (hg <= 1) & (ag <= 1)
    lh, la, hg, ag, w = lh[low], la[low], hg[low], ag[low], weight[low]

    def loss(rho: float) -> float:
        tau = dixon_coles_tau(hg, ag, lh, la, rho)
        return float(-(w * np.log(np.clip(tau, 1e-12, None))).sum())

    upper = min(0.99, float(1.0 / (lh * la).max())) if len(lh) else 0.99
    lower = max(-0.99, float(-1.0 / max(lh.max(), la.max()))) if len(lh) else -0.99
    return float(optimize.minimize_scalar(loss, bounds=(lower, upper), method="bounded").x)

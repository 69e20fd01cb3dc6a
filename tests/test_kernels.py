"""The shared numeric kernels (remontada.kernels): each is right, each is the only copy, and the
numbers the models give did not move when the copies were merged."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import remontada
from remontada.grid import ScoreGrid, poisson_grids
from remontada.kernels import (
    apply_dixon_coles,
    dixon_coles_factors,
    dixon_coles_tau,
    poisson_pmf,
    poisson_upper,
    shift_scores,
)
from remontada.models import DixonColes
from remontada.models.elo import score_grids
from remontada.models.families import DixonColesScores
from remontada.ties.engine import remaining_grid
from tests.test_models_goals import read_football_data


@pytest.mark.parametrize("rate", [0.0, 0.37, 1.41, 6.5])
def test_poisson_pmf_is_the_textbook_formula(rate: float) -> None:
    counts = np.arange(15.0)
    expected = [math.exp(-rate) * rate**k / math.factorial(k) for k in range(15)]
    np.testing.assert_allclose(poisson_pmf(counts, rate), expected, rtol=1e-13, atol=1e-300)


def test_poisson_pmf_broadcasts_counts_against_rates() -> None:
    table = poisson_pmf(np.arange(4.0)[None, :], np.array([0.5, 2.0])[:, None])
    assert table.shape == (2, 4)
    np.testing.assert_allclose(table[1], poisson_pmf(np.arange(4.0), 2.0))


@pytest.mark.parametrize("rate", [0.2, 1.84, 4.0])
def test_poisson_upper_is_the_smallest_cut_leaving_less_than_tail(rate: float) -> None:
    n = poisson_upper(rate, 1e-9)
    above = lambda cut: 1.0 - sum(math.exp(-rate) * rate**k / math.factorial(k) for k in range(cut + 1))  # noqa: E731
    assert above(n) < 1e-9 <= above(n - 1) + 1e-15
    assert poisson_upper(0.0, 1e-9) == 0


def test_dixon_coles_factors_and_tau() -> None:
    lh, la, rho = 1.41, 1.84, -0.1
    assert dixon_coles_factors(lh, la, rho) == pytest.approx((1 + lh * la * 0.1, 1 - lh * 0.1, 1 - la * 0.1, 1.1))
    tau = dixon_coles_tau(np.array([0, 0, 1, 1, 2, 0]), np.array([0, 1, 0, 1, 0, 3]), lh, la, rho)
    np.testing.assert_allclose(tau, [*dixon_coles_factors(lh, la, rho), 1.0, 1.0])
    one_goal_grid = apply_dixon_coles(np.ones((1, 3)), lh, la, rho)  # no 1-0 or 1-1 cell: left out
    np.testing.assert_allclose(one_goal_grid, [[1 + lh * la * 0.1, 1 - lh * 0.1, 1.0]])


def test_shift_scores_puts_the_remaining_goals_after_the_score() -> None:
    remaining = ScoreGrid.from_rates(0.9, 1.2).probs
    final = shift_scores(remaining, 0, 1)
    assert final.shape == (remaining.shape[0], remaining.shape[1] + 1)
    assert final[:, 0].sum() == 0.0 and final[0, 1] == remaining[0, 0]
    with pytest.raises(ValueError, match="non-negative"):
        shift_scores(remaining, -1, 0)


def test_every_grid_builder_gives_the_same_dixon_coles_grid() -> None:
    """ScoreGrid, the batch builder, the tie engine, the model family and Elo agree cell by cell."""
    lh, la, rho = 1.41, 1.84, -0.08
    reference = ScoreGrid.from_rates(lh, la, rho=rho).probs[:6, :6]
    others = [
        poisson_grids([lh], [la], rho=rho)[0],
        remaining_grid(lh, la, 0.0, rho=rho).probs,
        DixonColesScores.score_matrix(np.log([lh]), np.log([la]), rho, 25)[0],
        score_grids(np.array([lh]), np.array([la]), rho)[0],
    ]
    for grid in others:
        np.testing.assert_allclose(grid[:6, :6], reference, rtol=1e-8)


def test_dixon_coles_fit_on_the_premier_league_gives_the_pinned_grid(mirror: Path) -> None:
    """Premier League 2023-24 (football-data.co.uk), Dixon-Coles without decay or prior, Liverpool
    v Arsenal: the values computed before the kernels were merged, to the last digits."""
    matches = read_football_data(mirror / "football-data.co.uk/mmz4281/2324/E0.csv", "eng.1")
    model = DixonColes(decay=0.0, team_sd=None).fit(matches)
    grid = model.predict("Liverpool", "Arsenal")
    assert model.rho_ == pytest.approx(-0.020066289192619952, rel=1e-9)
    assert grid.shape == (13, 14)
    assert grid.probs[0, 0] == pytest.approx(0.07845631638618174, rel=1e-9)
    assert grid.probs[1, 1] == pytest.approx(0.12748546850805723, rel=1e-9)
    assert grid.home_win == pytest.approx(0.307561209855549, rel=1e-9)
    assert grid.draw == pytest.approx(0.2677903618729243, rel=1e-9)


#: Signs of a private copy of a kernel: a hand-written pmf, the Dixon-Coles 1-1 factor, a padded shift.
_COPIES = re.compile(
    r"xlogy\(|poisson\.pmf\(|math\.exp\(-rate\)|1\.0 - rho\b|\[home:, away:\] =|\[score\[0\] :, score\[1\] :\] ="
)


def test_no_module_keeps_its_own_copy_of_a_kernel() -> None:
    package = Path(remontada.__file__).parent
    copies = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "kernels.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _COPIES.search(line)
    ]
    assert copies == []

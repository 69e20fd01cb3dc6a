"""Margin removal: round trips through each margin model, real Pinnacle prices, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from remontada.odds import METHODS, demargin, overround, remove_margin

TRUE = np.array([0.5, 0.3, 0.2])
CLOSING_1X2 = ("PSCH", "PSCD", "PSCA")


def e0_2324(mirror: Path) -> list[dict[str, str]]:
    path = mirror / "football-data.co.uk" / "mmz4281" / "2324" / "E0.csv"
    with path.open(newline="", encoding="latin-1") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def season(mirror: Path) -> list[dict[str, str]]:
    return e0_2324(mirror)


@pytest.fixture(scope="module")
def burnley_city(season: list[dict[str, str]]) -> np.ndarray:
    first = season[0]
    assert (first["HomeTeam"], first["AwayTeam"], first["Date"]) == ("Burnley", "Man City", "11/08/2023")
    return np.array([float(first[c]) for c in CLOSING_1X2])


def test_overround_of_a_five_percent_book() -> None:
    odds = 1.0 / (TRUE * 1.05)
    assert overround(odds) == pytest.approx(0.05)
    np.testing.assert_allclose(overround(np.vstack([odds, 1 / TRUE])), [0.05, 0.0], atol=1e-12)


def test_multiplicative_recovers_proportional_margin() -> None:
    np.testing.assert_allclose(remove_margin(1.0 / (TRUE * 1.05)), TRUE, atol=1e-12)


def test_additive_recovers_equal_margin() -> None:
    odds = 1.0 / (TRUE + 0.05 / 3)
    np.testing.assert_allclose(remove_margin(odds, "additive"), TRUE, atol=1e-12)


def test_power_recovers_probabilities_and_exponent() -> None:
    k = 1.08
    odds = 1.0 / TRUE ** (1.0 / k)  # bookmaker's implied probabilities p^(1/k)
    fit = demargin(odds, "power")
    np.testing.assert_allclose(fit.probs, TRUE, atol=1e-12)
    assert fit.parameter == pytest.approx(k, rel=1e-10)


def test_shin_recovers_probabilities_and_insider_share() -> None:
    # Shin's bookmaker prices outcome i at sqrt(z p_i + (1 - z) p_i^2) * sum_j sqrt(z p_j + (1 - z) p_j^2).
    z = 0.03
    root = np.sqrt(z * TRUE + (1 - z) * TRUE**2)
    odds = 1.0 / (root * root.sum())
    fit = demargin(odds, "shin")
    np.testing.assert_allclose(fit.probs, TRUE, atol=1e-12)
    assert fit.parameter == pytest.approx(z, rel=1e-9)
    assert fit.overround == pytest.approx(float((1 / odds).sum() - 1))


def test_odds_ratio_recovers_probabilities_and_ratio() -> None:
    c = 1.15
    implied = c * TRUE / (1 - TRUE + c * TRUE)
    fit = demargin(1.0 / implied, "odds_ratio")
    np.testing.assert_allclose(fit.probs, TRUE, atol=1e-12)
    assert fit.parameter == pytest.approx(c, rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_no_margin_leaves_fair_odds_alone(method: str) -> None:
    fit = demargin(1.0 / TRUE, method)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.probs, TRUE, atol=1e-12)
    neutral = {"power": 1.0, "shin": 0.0, "odds_ratio": 1.0}.get(method)
    if neutral is None:
        assert fit.parameter is None
    else:
        assert fit.parameter == pytest.approx(neutral, abs=1e-10)


def test_shin_at_zero_insider_share_is_multiplicative() -> None:
    # With z = 0, Shin's formula divides 1/o by sqrt(B); at B = 1 that is the multiplicative answer,
    # and for two equally priced outcomes every method must return one half each.
    for odds in ([2.0, 2.0], [1.91, 1.91], [3.2, 3.2, 3.2]):
        np.testing.assert_allclose(remove_margin(odds, "shin"), remove_margin(odds, "multiplicative"), atol=1e-12)


def test_burnley_man_city_closing_prices(burnley_city: np.ndarray) -> None:
    np.testing.assert_array_equal(burnley_city, [9.62, 5.81, 1.33])
    assert overround(burnley_city) == pytest.approx(1 / 9.62 + 1 / 5.81 + 1 / 1.33 - 1)
    mult = remove_margin(burnley_city)
    np.testing.assert_allclose(mult, [0.10112, 0.16744, 0.73144], atol=5e-6)
    for method in ("power", "shin", "odds_ratio"):
        probs = remove_margin(burnley_city, method)
        assert probs.sum() == pytest.approx(1.0, abs=1e-12)
        # favourite-longshot bias: these methods take more margin off the long shot (Burnley)
        # and hand it to the favourite (Man City) than proportional scaling does
        assert probs[0] < mult[0]
        assert probs[2] > mult[2]
    shin = demargin(burnley_city, "shin")
    assert 0.0 < shin.parameter < shin.overround  # type: ignore[operator]


def test_agrees_with_penaltyblog_on_real_prices(burnley_city: np.ndarray) -> None:
    implied = pytest.importorskip("penaltyblog.implied")
    for method in ("multiplicative", "additive", "power", "shin", "odds_ratio"):
        peer = implied.calculate_implied(list(burnley_city), method=method).probabilities
        np.testing.assert_allclose(remove_margin(burnley_city, method), peer, atol=1e-8)


def test_vectorised_rows_equal_one_market_at_a_time(season: list[dict[str, str]]) -> None:
    odds = np.array([[float(row[c]) for c in CLOSING_1X2] for row in season if row["PSCH"]])
    assert len(odds) > 350
    for method in METHODS:
        fit = demargin(odds, method)  # type: ignore[arg-type]
        np.testing.assert_allclose(fit.probs.sum(axis=1), 1.0, atol=1e-12)
        for k in (0, 57, len(odds) - 1):
            single = demargin(odds[k], method)  # type: ignore[arg-type]
            np.testing.assert_allclose(fit.probs[k], single.probs, atol=1e-12)
            if single.parameter is not None:
                assert fit.parameter[k] == pytest.approx(single.parameter, rel=1e-9)  # type: ignore[index]


def test_two_way_over_under_market(season: list[dict[str, str]]) -> None:
    first = season[0]
    odds = [float(first["PC>2.5"]), float(first["PC<2.5"])]
    for method in METHODS:
        probs = remove_margin(odds, method)  # type: ignore[arg-type]
        assert probs.sum() == pytest.approx(1.0)
        assert probs[0] > probs[1]  # over was the shorter price


def test_book_under_one_hundred_percent_is_handled() -> None:
    best_prices = np.array([2.1, 3.9, 4.2])  # e.g. maximum across bookmakers: booksum < 1
    assert overround(best_prices) < 0
    for method in ("multiplicative", "power", "shin", "odds_ratio"):
        fit = demargin(best_prices, method)  # type: ignore[arg-type]
        assert fit.probs.sum() == pytest.approx(1.0)
        assert (fit.probs > 1 / best_prices).all()  # probabilities are scaled up, not down
    assert demargin(best_prices, "shin").parameter < 0  # type: ignore[operator]
    assert demargin(best_prices, "power").parameter < 1  # type: ignore[operator]


def test_degenerate_odds_are_rejected_with_the_row() -> None:
    with pytest.raises(ValueError, match=r"row 1, outcome 2 .*> 1"):
        remove_margin([[2.0, 3.4, 3.9], [1.5, 4.0, 1.0]])
    with pytest.raises(ValueError, match="row 0 has a missing"):
        remove_margin([2.0, float("nan"), 3.0])
    with pytest.raises(ValueError, match=r"> 1"):
        remove_margin([2.0, -3.0, 3.0], "shin")
    with pytest.raises(ValueError, match=r"> 1"):
        remove_margin([2.0, float("inf"), 3.0])
    with pytest.raises(ValueError, match="k >= 2"):
        remove_margin([1.5])
    with pytest.raises(ValueError, match="unknown margin removal method"):
        remove_margin([2.0, 2.0], "logarithmic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative probability"):
        remove_margin([1.05, 8.0, 50.0], "additive")


def test_missing_rows_can_be_passed_through() -> None:
    odds = np.array([[9.62, 5.81, 1.33], [np.nan, 3.1, 2.2], [2.0, 3.4, 3.9]])
    fit = demargin(odds, "shin", allow_missing=True)
    assert np.isnan(fit.probs[1]).all() and np.isnan(fit.parameter[1])  # type: ignore[index]
    np.testing.assert_allclose(fit.probs[[0, 2]], remove_margin(odds[[0, 2]], "shin"), atol=1e-14)

"""Shoot-out evidence from the mirror, and the model it supports."""

from __future__ import annotations

from pathlib import Path

import pytest

import remontada.penalties as penalties
from remontada.penalties import Proportion, ShootoutEvidence, ShootoutModel, penalty_evidence

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "penalties"


@pytest.fixture(scope="module")
def evidence(mirror: Path) -> ShootoutEvidence:
    return penalty_evidence(mirror)


def test_international_shootouts_are_matched_to_their_results(evidence: ShootoutEvidence) -> None:
    # shootouts.csv lists 683 shoot-outs; one (2011-06-29 Saare County v Aland Islands) has no
    # row in results.csv, so 682 get a pre-match Elo favourite. 277 were at the host's ground.
    assert evidence.international_favourite.trials == 682
    assert evidence.international_host.trials == 277


def test_measured_counts_match_the_module_docstring(evidence: ShootoutEvidence) -> None:
    doc = penalties.__doc__ or ""
    for label, prop in evidence.rows():
        assert f"{prop.successes}/{prop.trials}" in doc, label
        low, high = prop.interval
        assert f"[{low:.3f}, {high:.3f}]" in doc, label


def test_club_shootouts_show_no_home_edge_so_the_model_is_even(evidence: ShootoutEvidence) -> None:
    club = evidence.club_host
    assert club.trials >= 200
    low, high = club.interval
    assert low < 0.5 < high
    assert ShootoutModel().p_host_wins == 0.5


def test_european_cup_count_includes_the_first_shootout(evidence: ShootoutEvidence) -> None:
    # 1970-71 R16 Everton beat Borussia Monchengladbach 4-3 at Goodison Park, the first
    # European Cup shoot-out; champs.csv lists 45 second-leg shoot-outs up to 2015-16.
    assert evidence.european_cup_host.trials == 45
    assert 0 < evidence.european_cup_host.successes < 45


def test_first_shooter_advantage_is_not_distinguishable_from_none(evidence: ShootoutEvidence) -> None:
    first = evidence.international_first_shooter
    assert first.trials == 260  # rows of shootouts.csv that name the first shooter
    low, high = first.interval
    assert low < 0.5 < high


def test_openfootball_parser_reads_both_layouts_and_skips_finals() -> None:
    # Fixture: Arsenal lost 3-5 and Rennes 4-5 at home, Steaua won 4-2 at home; Sevilla's
    # final win is at a neutral venue and must not count.
    result = penalties._openfootball_host(FIXTURES / "openfootball" / "champions-league", FIXTURES / "_history")
    assert result == Proportion(1, 3)


def test_model_gives_the_host_its_probability_and_neutral_venues_an_even_split() -> None:
    model = ShootoutModel(p_host_wins=0.6)
    assert model.p_win(at_home=True) == pytest.approx(0.6)
    assert model.p_win(at_home=False) == pytest.approx(0.4)
    assert model.p_win(at_home=True, neutral=True) == 0.5


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan")])
def test_model_refuses_probabilities_outside_zero_one(bad: float) -> None:
    with pytest.raises(ValueError):
        ShootoutModel(p_host_wins=bad)


def test_proportions_add_and_carry_wilson_intervals() -> None:
    total = Proportion(3, 10) + Proportion(2, 5)
    assert total == Proportion(5, 15)
    low, high = total.interval
    assert 0 < low < 1 / 3 < high < 1
    assert total.to_dict()["share"] == pytest.approx(1 / 3)

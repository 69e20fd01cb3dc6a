"""Clubs of leagues the data lack shrink to their country's European level (``unlisted_by_country``)."""

from __future__ import annotations

import numpy as np
import pytest

from remontada.models import DixonColes
from remontada.models.hierarchy import COUNTRY_PREFIX, country_groups

AS_OF = "2010-07-19"  # the morning of a week of Champions League and Europa League qualifiers
ROSENBORG, ZENIT = "rosenborg-bk-nor", "zenit-st-petersburg-rus"
SANTA_COLOMA, LIVERPOOL = "ue-santa-coloma-and", "liverpool-eng"


@pytest.fixture(scope="module")
def fits(full_store):  # type: ignore[no-untyped-def]
    """The default model's four-year window before 2010-07-19, fitted with and without country groups."""
    matches = full_store.match_set(start="2006-07-20", end=AS_OF)
    countries = full_store.club_countries()
    plain = DixonColes(home_advantage_by="scope").fit(matches, as_of=AS_OF)
    by_country = DixonColes(home_advantage_by="scope", unlisted_by_country=True).fit(
        matches, as_of=AS_OF, countries=countries
    )
    return plain, by_country


def group(model: DixonColes, team: str) -> str:
    return str(model.groups_[model.team_index_[team]])


def test_clubs_seen_only_in_uefa_competitions_are_grouped_by_country(fits) -> None:  # type: ignore[no-untyped-def]
    plain, by_country = fits
    # in 2010 the data hold no Norwegian, Russian or Andorran league: these clubs appear only in UEFA matches
    for team in (ROSENBORG, ZENIT, SANTA_COLOMA):
        assert group(plain, team).startswith("uefa.")
    assert group(by_country, ROSENBORG) == f"{COUNTRY_PREFIX}NOR"
    assert group(by_country, ZENIT) == f"{COUNTRY_PREFIX}RUS"
    assert group(by_country, SANTA_COLOMA) == f"{COUNTRY_PREFIX}AND"
    # a club of a league in the data keeps its league
    assert group(plain, LIVERPOOL) == group(by_country, LIVERPOOL) == "eng.1"


def test_the_country_level_separates_what_the_pooled_mean_lumps_together(fits) -> None:  # type: ignore[no-untyped-def]
    plain, by_country = fits
    level = {g: a + d for g, a, d in zip(by_country.leagues_, by_country.league_attack_, by_country.league_defence_,
                                          strict=True)}
    # Russian clubs' European results put their country far above Andorra's
    assert level[f"{COUNTRY_PREFIX}RUS"] - level[f"{COUNTRY_PREFIX}AND"] > 1.0
    # so a Russian club against an Andorran one is a wider mismatch than the pooled mean allowed
    def gap(model: DixonColes) -> float:
        home, away = model.rates(ZENIT, SANTA_COLOMA, competition="uefa.cl")
        return float(np.log(home / away))

    assert gap(by_country) > gap(plain)


def test_country_groups_leave_leagues_and_cups_alone() -> None:
    teams = np.array([LIVERPOOL, ROSENBORG, "some-cup-club-eng", "no-country-club"], dtype=object)
    groups = np.array(["eng.1", "uefa.cl", "eng.fa", "uefa.el"], dtype=object)
    out = country_groups(teams, groups, {LIVERPOOL: "ENG", ROSENBORG: "NOR", "some-cup-club-eng": "ENG"})
    assert out.tolist() == ["eng.1", f"{COUNTRY_PREFIX}NOR", "eng.fa", "uefa.el"]


def test_the_store_knows_club_countries(full_store) -> None:  # type: ignore[no-untyped-def]
    countries = full_store.club_countries()
    assert countries[ROSENBORG] == "NOR" and countries[LIVERPOOL] == "ENG"
    assert all(isinstance(c, str) and c for c in countries.values())

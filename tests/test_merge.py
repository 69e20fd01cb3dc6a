"""Rows of several sources become one match, with every disagreement kept."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from remontada.merge import CANONICAL_FIELDS, merge_rows


def frame(*rows: dict) -> pd.DataFrame:  # type: ignore[type-arg]
    out = pd.DataFrame(list(rows))
    for column in (*CANONICAL_FIELDS, "neutral", "status"):
        if column not in out:
            out[column] = None
    out["neutral"] = out["neutral"].fillna(False).astype(bool)
    out["status"] = out["status"].fillna("played")
    return out


def row(
    raw_id: int,
    source: str,
    url: str,
    date: dt.date | None,
    home: str,
    away: str,
    hg: int | None,
    ag: int | None,
    competition: str = "eng.1",
    season: str = "2023-24",
    **kw: object,
) -> dict:  # type: ignore[type-arg]
    return dict(
        raw_id=raw_id,
        source=source,
        url=url,
        competition=competition,
        season=season,
        date=date,
        home_id=home,
        away_id=away,
        home_goals=hg,
        away_goals=ag,
        **kw,
    )


def test_one_match_from_two_sources_is_stored_once_with_both_provenances() -> None:
    merged = merge_rows(
        frame(
            row(1, "football-data", "fd/E0", dt.date(2023, 8, 13), "chelsea", "liverpool", 1, 1, ht_home=1, ht_away=1),
            row(2, "openfootball", "of/pl", dt.date(2023, 8, 13), "chelsea", "liverpool", 1, 1, ht_home=1, ht_away=0),
        )
    )
    assert len(merged.matches) == 1
    assert sorted(merged.sources["source"]) == ["football-data", "openfootball"]
    # football-data wins the half-time score; the disagreement is kept, not hidden
    assert merged.matches["ht_away"].iloc[0] == 1
    (conflict,) = merged.conflicts.itertuples(index=False)
    assert conflict.field == "ht_away" and "openfootball=0" in conflict.values_by_source


def test_two_rows_of_one_file_are_never_merged() -> None:
    merged = merge_rows(
        frame(
            row(1, "engsoccerdata", "esd/facup", dt.date(1990, 1, 6), "a", "b", 1, 1),
            row(2, "engsoccerdata", "esd/facup", dt.date(1990, 1, 9), "a", "b", 2, 0),  # a replay days later
        )
    )
    assert len(merged.matches) == 2


def test_a_final_known_only_by_its_winner_joins_the_scored_final_whichever_side_is_named_first() -> None:
    merged = merge_rows(
        frame(
            row(
                1,
                "openfootball",
                "of/el",
                dt.date(2024, 5, 22),
                "atalanta",
                "leverkusen",
                3,
                0,
                competition="uefa.el",
                neutral=True,
            ),
            row(
                2,
                "uefa-finals",
                "finals.json",
                None,
                "leverkusen",
                "atalanta",
                None,
                None,
                competition="uefa.el",
                neutral=True,
            ),
        )
    )
    assert len(merged.matches) == 1
    final = merged.matches.iloc[0]
    assert (final["home_id"], final["home_goals"], final["away_goals"]) == ("atalanta", 3, 0)


def test_a_postponed_fixture_joins_the_match_played_later() -> None:
    merged = merge_rows(
        frame(
            row(1, "football-data", "fd/E0", dt.date(2023, 12, 7), "everton", "newcastle", 3, 0),
            row(
                2, "openfootball", "of/pl", dt.date(2023, 12, 2), "everton", "newcastle", None, None, status="postponed"
            ),
        )
    )
    assert len(merged.matches) == 1
    assert merged.matches["date"].iloc[0] == dt.date(2023, 12, 7)
    assert merged.matches["status"].iloc[0] == "played"
    assert "date" in set(merged.conflicts["field"])


def test_different_scores_of_two_meetings_stay_two_matches() -> None:
    merged = merge_rows(
        frame(
            row(1, "football-data", "fd/SC0", dt.date(2023, 9, 2), "celtic", "rangers", 1, 0, competition="sco.1"),
            row(2, "openfootball", "of/sco", dt.date(2024, 4, 7), "celtic", "rangers", 3, 3, competition="sco.1"),
        )
    )
    assert len(merged.matches) == 2

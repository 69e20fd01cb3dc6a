"""Rows of several sources become one match, with every disagreement kept."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from remontada.store.merge import CANONICAL_FIELDS, merge_relation, merge_rows


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
    assert merged.matches["date"].iloc[0].date() == dt.date(2023, 12, 7)
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


def test_merging_a_join_view_keeps_home_and_away_clubs_apart() -> None:
    # The store merges a view that joins raw rows to club ids. DuckDB 2.0.0 answers a UNION of such
    # a view's home and away columns with the away column twice; the merge must not be fooled.
    with duckdb.connect() as con:
        con.execute(
            """
            CREATE TABLE raw AS SELECT * FROM (VALUES
                (1, 'fd', 'fd/E0', 'Liverpool', 'Everton', 2, 0),
                (2, 'fd', 'fd/E0', 'Arsenal', 'Chelsea', 1, 1),
                (3, 'of', 'of/pl', 'Liverpool FC', 'Everton FC', 2, 0)
            ) t(raw_id, source, url, home_name, away_name, home_goals, away_goals)
            """
        )
        con.execute(
            """
            CREATE TABLE names AS SELECT * FROM (VALUES
                ('fd', 'Liverpool', 'liverpool'), ('fd', 'Everton', 'everton'), ('fd', 'Arsenal', 'arsenal'),
                ('fd', 'Chelsea', 'chelsea'), ('of', 'Liverpool FC', 'liverpool'), ('of', 'Everton FC', 'everton')
            ) t(source, name, club_id)
            """
        )
        given = {"competition": "'eng.1'", "season": "'2023-24'", "date": "DATE '2023-10-21'", "status": "'played'"}
        taken = {"home_id", "away_id", "home_goals", "away_goals"}
        fields = ", ".join(f"{given.get(c, 'NULL')} AS {c}" for c in CANONICAL_FIELDS if c not in taken)
        con.execute(
            f"""
            CREATE VIEW resolved AS
            SELECT r.raw_id, r.source, r.url, r.home_goals, r.away_goals, h.club_id AS home_id, a.club_id AS away_id,
                   {fields}, false AS neutral
            FROM raw r JOIN names h ON h.source = r.source AND h.name = r.home_name
            JOIN names a ON a.source = r.source AND a.name = r.away_name
            """
        )
        merge_relation(con, "resolved")
        pairs = sorted(con.execute("SELECT home_id, away_id, n_sources FROM _merged_matches").fetchall())
    assert pairs == [("arsenal", "chelsea", 1), ("liverpool", "everton", 2)]


def test_odds_rows_attach_without_making_a_match_or_supplying_a_field() -> None:
    final = dt.date(2005, 5, 25)
    merged = merge_rows(
        frame(
            # a results row that knows only the score after extra time, and OddsPortal's shoot-out-counting 3-4
            row(1, "european-cups", "ec/cl", final, "milan", "liverpool", None, None, competition="uefa.cl",
                season="2004-05", aet_home=3, aet_away=3),
            row(2, "oddsportal", "op/cl", final, "milan", "liverpool", 3, 4, competition="uefa.cl", season="2004-05"),
            # a match only OddsPortal has: no stored match
            row(3, "oddsportal", "op/cl", dt.date(2005, 5, 4), "psv", "milan", 3, 1, competition="uefa.cl",
                season="2004-05"),
        )
    )
    (match,) = merged.matches.to_dict(orient="records")
    assert (match["aet_home"], match["aet_away"]) == (3, 3)
    assert pd.isna(match["home_goals"]) and pd.isna(match["away_goals"])  # never OddsPortal's 3-4
    assert sorted(merged.sources["raw_id"]) == [1, 2]  # the odds row joins the match; the lone one joins nothing

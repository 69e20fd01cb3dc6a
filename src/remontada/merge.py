"""Merges the raw rows of several sources into one row per match.

Rows describe the same match when they share competition, home club and away club and their
dates are at most ``DATE_TOLERANCE_DAYS`` apart (sources disagree on the odd date: a late kick-off
written in another time zone, a rescheduled match), and come from different files. Failing that,
two files that each hold a single meeting of the two clubs in one competition and season, with
the same score, describe the same match even when their dates differ; the date disagreement is
reported. Each field of the merged row comes from the most trusted source that has it; every
disagreement between sources is kept in ``conflicts``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from remontada.schema import RESULT_COLUMNS, STAT_COLUMNS

DATE_TOLERANCE_DAYS = 3

#: Most trusted first, per field. football-data is the reference for domestic results and
#: statistics; openfootball for UEFA rounds and legs.
SOURCE_PRIORITY = ("football-data", "openfootball", "engsoccerdata", "footballcsv", "uefa-finals", "international")

#: Fields whose disagreement between sources is reported.
CHECKED_FIELDS = (
    "date",
    "home_goals",
    "away_goals",
    "ht_home",
    "ht_away",
    "aet_home",
    "aet_away",
    "pen_home",
    "pen_away",
)

CANONICAL_FIELDS = (
    "competition",
    "season",
    "date",
    "kickoff",
    "stage",
    "round",
    "leg",
    "home_id",
    "away_id",
    *RESULT_COLUMNS,
    "status",
    "referee",
    "tie_winner_id",
    *STAT_COLUMNS,
)


@dataclass(frozen=True, slots=True)
class Merged:
    matches: pd.DataFrame  # one row per match: match_id + CANONICAL_FIELDS + neutral + n_sources
    sources: pd.DataFrame  # match_id, raw_id, source
    conflicts: pd.DataFrame  # match_id, field, chosen, values_by_source


def _priority(source: pd.Series) -> np.ndarray:
    rank = {s: i for i, s in enumerate(SOURCE_PRIORITY)}
    return source.map(lambda s: rank.get(s, len(rank))).to_numpy()


def assign_clusters(rows: pd.DataFrame) -> np.ndarray:
    """Cluster id per raw row (rows must carry competition, season, home_id, away_id, date, url)."""
    n = len(rows)
    cluster = np.full(n, -1, dtype=np.int64)
    days = rows["date"].to_numpy(dtype="datetime64[D]")
    undated = np.isnat(days)
    day = np.where(undated, 0, days.astype("datetime64[D]").astype(np.int64)).tolist()
    home, away = rows["home_id"].to_numpy(), rows["away_id"].to_numpy()
    # at a neutral venue "home" is a label sources assign differently: cluster on the pair
    neutral = rows["neutral"].to_numpy(dtype=bool)
    first = np.where(neutral & (away < home), away, home)
    second = np.where(neutral & (away < home), home, away)
    frame = pd.DataFrame(
        {"c": rows["competition"].to_numpy(), "h": first, "a": second,
         "s": np.where(undated, rows["season"].to_numpy(), ""), "d": day, "u": rows["url"].to_numpy()}
    )  # fmt: skip
    order = frame.sort_values(["c", "h", "a", "s", "d", "u"], kind="stable").index.to_numpy()
    keys = list(zip(*(frame[c].tolist() for c in ("c", "h", "a", "s")), strict=True))
    urls = frame["u"].tolist()
    next_id = 0
    cur_key: tuple[object, ...] | None = None
    cur_start = 0
    cur_urls: set[str] = set()
    for pos in order.tolist():
        key = keys[pos]
        if key != cur_key or urls[pos] in cur_urls or day[pos] - cur_start > DATE_TOLERANCE_DAYS:
            cur_key, cur_start, cur_urls = key, day[pos], set()
            next_id += 1
        cluster[pos] = next_id - 1
        cur_urls.add(urls[pos])
    return _join_lone_meetings(rows, cluster)


def _join_lone_meetings(rows: pd.DataFrame, cluster: np.ndarray) -> np.ndarray:
    """Join single-file clusters that are each file's only meeting of two clubs in a season.

    The scores they know must agree; a row without a score (a postponed fixture's original
    date, a final known only by its winner) joins the one scored meeting of the same clubs.
    At a neutral venue the pair is taken in either order.
    """
    home, away = rows["home_id"].to_numpy(), rows["away_id"].to_numpy()
    neutral = rows["neutral"].to_numpy(dtype=bool)
    swap = neutral & (away < home)
    frame = pd.DataFrame(
        {
            "cluster": cluster, "url": rows["url"].to_numpy(), "competition": rows["competition"].to_numpy(),
            "season": rows["season"].to_numpy(), "first": np.where(swap, away, home),
            "second": np.where(swap, home, away),
            "score": (rows["home_goals"].astype("string") + "-" + rows["away_goals"].astype("string")).where(
                ~swap, rows["away_goals"].astype("string") + "-" + rows["home_goals"].astype("string")
            ),
        }
    )  # fmt: skip
    per_cluster = frame.groupby("cluster").agg(
        n_urls=("url", "nunique"), url=("url", "first"), competition=("competition", "first"),
        season=("season", "first"), first=("first", "first"), second=("second", "first"),
        score=("score", "first"),
    )  # fmt: skip
    lone = per_cluster[per_cluster["n_urls"] == 1].reset_index()
    groups = lone.groupby(["competition", "season", "first", "second"], sort=False)
    size = groups["url"].transform("size")
    eligible = (
        (size >= 2)
        & (groups["url"].transform("nunique") == size)
        & (groups["score"].transform("nunique") <= 1)  # NA scores are not counted
        & (groups["score"].transform("count") >= 1)
    )
    target = groups["cluster"].transform("min")
    remap = pd.Series(target[eligible].to_numpy(), index=lone.loc[eligible, "cluster"].to_numpy())
    if remap.empty:
        return cluster
    mapped = pd.Series(cluster).map(remap)
    return np.where(mapped.notna(), mapped.fillna(-1).astype(np.int64), cluster)


def match_ids(merged: pd.DataFrame) -> np.ndarray:
    """Stable 63-bit ids from competition, clubs and date (season when undated)."""
    keys = (
        merged["competition"].astype(str)
        + "|"
        + merged["home_id"].astype(str)
        + "|"
        + merged["away_id"].astype(str)
        + "|"
        + merged["date"].astype(str).where(merged["date"].notna(), "s" + merged["season"].astype(str))
    )
    ids = np.array(
        [int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big") >> 1 for k in keys],
        dtype=np.int64,
    )
    # identical keys (a pair meeting twice on one day in one competition) get distinct ids
    seen: dict[int, int] = {}
    for i, v in enumerate(ids):
        while int(v) in seen:
            v = np.int64((int(v) + 1) % (2**63))
        seen[int(v)] = i
        ids[i] = v
    return ids


def merge_rows(rows: pd.DataFrame) -> Merged:
    """Merge raw rows (with resolved ``home_id``/``away_id``/``tie_winner_id``) into matches."""
    if rows.empty:
        empty = pd.DataFrame(columns=["match_id", *CANONICAL_FIELDS, "neutral", "n_sources"])
        return Merged(
            empty,
            pd.DataFrame(columns=["match_id", "raw_id", "source"]),
            pd.DataFrame(columns=["match_id", "field", "chosen", "values_by_source"]),
        )
    rows = rows.reset_index(drop=True).copy()
    rows["cluster"] = assign_clusters(rows)
    rows["_priority"] = _priority(rows["source"])
    # played results outrank placeholders (a fixture list next to a result)
    rows["_unplayed"] = (rows["status"] != "played").astype(int)
    ordered = rows.sort_values(["cluster", "_unplayed", "_priority", "raw_id"], kind="stable")
    ordered = _orient_like_first(ordered)
    grouped = ordered.groupby("cluster", sort=True)
    merged = grouped[list(CANONICAL_FIELDS)].first()
    merged["neutral"] = grouped["neutral"].any()
    merged["n_sources"] = grouped["url"].nunique().astype(int)
    merged["match_id"] = match_ids(merged)
    cluster_to_match = merged["match_id"]
    sources = pd.DataFrame(
        {
            "match_id": rows["cluster"].map(cluster_to_match).to_numpy(),
            "raw_id": rows["raw_id"].to_numpy(),
            "source": rows["source"].to_numpy(),
        }
    )
    conflicts = _conflicts(ordered, merged)
    merged = merged.reset_index(drop=True)
    return Merged(merged[["match_id", *CANONICAL_FIELDS, "neutral", "n_sources"]], sources, conflicts)


#: Column pairs exchanged when a row is turned round (home <-> away).
SIDE_PAIRS = (
    ("home_id", "away_id"), ("home_goals", "away_goals"), ("ht_home", "ht_away"), ("aet_home", "aet_away"),
    ("pen_home", "pen_away"), ("home_red", "away_red"),
    *((f"home_{k}", f"away_{k}") for k in ("shots", "sot", "fouls", "corners", "yellow", "offsides", "woodwork")),
)  # fmt: skip


def _orient_like_first(ordered: pd.DataFrame) -> pd.DataFrame:
    """Turn round the rows of a cluster whose home side is the most trusted row's away side."""
    reference = ordered.groupby("cluster", sort=False)["home_id"].transform("first")
    flip = (ordered["home_id"] != reference).to_numpy()
    if not flip.any():
        return ordered
    ordered = ordered.copy()
    for a, b in SIDE_PAIRS:
        if a in ordered and b in ordered:
            left, right = ordered[a].copy(), ordered[b].copy()
            ordered.loc[flip, a] = right[flip]
            ordered.loc[flip, b] = left[flip]
    return ordered


def _conflicts(ordered: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    multi = merged.index[merged["n_sources"] > 1]
    sub = ordered[ordered["cluster"].isin(multi)]
    out = []
    for field in CHECKED_FIELDS:
        counts = sub.groupby("cluster")[field].nunique()
        clash = counts.index[counts > 1]
        if clash.empty:
            continue
        part = sub.loc[sub["cluster"].isin(clash) & sub[field].notna(), ["cluster", "source", field]]
        labels = (part["source"] + "=" + part[field].astype(str)).groupby(part["cluster"]).agg("; ".join)
        for cluster, values in labels.items():
            out.append((int(merged.at[cluster, "match_id"]), field, str(merged.at[cluster, field]), values))
    return pd.DataFrame(out, columns=["match_id", "field", "chosen", "values_by_source"])

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
    return source.map(rank).fillna(len(rank)).to_numpy(dtype=np.int64)


def assign_clusters(rows: pd.DataFrame) -> np.ndarray:
    """Cluster id per raw row (rows must carry competition, season, home_id, away_id, date, url)."""
    n = len(rows)
    cluster = np.full(n, -1, dtype=np.int64)
    days = rows["date"].to_numpy(dtype="datetime64[D]")
    undated = np.isnat(days)
    day = np.where(undated, 0, days.astype(np.int64))
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
    starts = _cluster_starts(
        [frame[c].to_numpy()[order] for c in ("c", "h", "a", "s")],
        frame["d"].to_numpy()[order],
        frame["u"].to_numpy()[order],
    )
    cluster[order] = np.cumsum(starts) - 1
    return _join_lone_meetings(rows, cluster)


def _cluster_starts(keys: list[np.ndarray], day: np.ndarray, url: np.ndarray) -> np.ndarray:
    """Where a new cluster begins along rows sorted by (key, day, url).

    A cluster is a run of rows of one key whose days lie within ``DATE_TOLERANCE_DAYS`` of the
    run's first day, with no file twice. Rows split wherever the key changes or consecutive days
    are more than the tolerance apart; a segment that spans at most the tolerance and repeats no
    file is one cluster, and only the few other segments are walked row by row.
    """
    n = len(day)
    new_segment = np.ones(n, dtype=bool)
    if n > 1:
        changed = np.diff(day) > DATE_TOLERANCE_DAYS
        for key in keys:
            changed |= key[1:] != key[:-1]
        new_segment[1:] = changed
    segment_first = np.flatnonzero(new_segment)
    segment = np.cumsum(new_segment) - 1
    too_long = day - day[segment_first][segment] > DATE_TOLERANCE_DAYS
    repeated = pd.DataFrame({"s": segment, "u": url}).duplicated().to_numpy()
    starts = new_segment.copy()
    bounds = np.append(segment_first, n)
    for seg in np.unique(segment[too_long | repeated]).tolist():
        begin, end = int(bounds[seg]), int(bounds[seg + 1])
        cur_start, cur_urls = day[begin], {url[begin]}
        for pos in range(begin + 1, end):
            if url[pos] in cur_urls or day[pos] - cur_start > DATE_TOLERANCE_DAYS:
                starts[pos] = True
                cur_start, cur_urls = day[pos], set()
            cur_urls.add(url[pos])
    return starts


def _join_lone_meetings(rows: pd.DataFrame, cluster: np.ndarray) -> np.ndarray:
    """Join single-file clusters that are each file's only meeting of two clubs in a season.

    The scores they know must agree; a row without a score (a postponed fixture's original
    date, a final known only by its winner) joins the one scored meeting of the same clubs.
    At a neutral venue the pair is taken in either order.
    """
    # a cluster never holds one file twice, so a single-file cluster is a single row
    single = np.flatnonzero(np.bincount(cluster)[cluster] == 1)
    rows = rows.iloc[single]
    home, away = rows["home_id"].to_numpy(), rows["away_id"].to_numpy()
    neutral = rows["neutral"].to_numpy(dtype=bool)
    swap = neutral & (away < home)
    home_goals, away_goals = rows["home_goals"].astype("string"), rows["away_goals"].astype("string")
    lone = pd.DataFrame(
        {
            "cluster": cluster[single], "url": rows["url"].to_numpy(), "competition": rows["competition"].to_numpy(),
            "season": rows["season"].to_numpy(), "first": np.where(swap, away, home),
            "second": np.where(swap, home, away),
            "score": (home_goals + "-" + away_goals).where(~swap, away_goals + "-" + home_goals),
        }
    )  # fmt: skip
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
    # identical keys (a pair meeting twice on one day in one competition) get distinct ids
    seen: set[int] = set()
    ids: list[int] = []
    for key in keys.tolist():
        value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1
        while value in seen:
            value = (value + 1) % (2**63)
        seen.add(value)
        ids.append(value)
    return np.array(ids, dtype=np.int64)


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

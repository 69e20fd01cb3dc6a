"""Scoring the reader on a corpus of articles with expected extractions (precision and recall per
field), and a naive peer to compare with: the first two clubs named, the first score, the first
competition. Used by the corpus test and ``benchmarks/news.py``; no model is fitted here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from remontada.news.claims import check_claims
from remontada.news.hosts import resolve_host
from remontada.news.locate import locate
from remontada.news.reader import article_day, read_facts
from remontada.store import news as store_news
from remontada.store.reader import Store

FIELDS = ("kind", "clubs", "tie", "competition", "round", "first_leg", "next_host", "date", "as_of", "claims")


def load_corpus(folder: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """``(name, text, expected)`` for each ``NAME.txt`` with a ``NAME.json`` beside it."""
    out = []
    for path in sorted(folder.glob("*.txt")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        out.append((path.stem, path.read_text(encoding="utf-8"), expected))
    return out


def predict_fields(store: Store, text: str) -> dict[str, Any]:
    """What the reader extracts and finds for ``text``, in the corpus's field format."""
    ex, index = read_facts(text, store=store)
    day = article_day(ex)
    loc = locate(store, ex, date=day)
    tie_clubs = loc.candidate.clubs if loc.candidate is not None else None
    kind = "none"
    if loc.candidate is not None:
        kind = "tie"
    elif day is not None and len(ex.club_ids()) >= 2:
        near = store_news.single_matches_among(store, ex.club_ids()[:6], start=day, end=day + dt.timedelta(days=10))
        kind = "match" if len(near) else "none"
    fl = ex.first_leg
    claims = check_claims(store, ex, as_of=loc.as_of or day, tie=loc.candidate, names=index.names)
    return {
        "kind": kind,
        "clubs": sorted(set(ex.club_ids())),
        "tie": sorted(tie_clubs) if tie_clubs and kind == "tie" else None,
        "competition": ex.competitions[0].value if ex.competitions else None,
        "round": ex.rounds[0].value if ex.rounds else None,
        "first_leg": {"club": fl.club, "for": fl.goals_for, "against": fl.goals_against} if fl else None,
        "next_host": resolve_host(ex.next_host, tie_clubs),
        "date": ex.date.value if ex.date is not None else None,
        "as_of": loc.as_of.isoformat() if loc.as_of is not None and kind == "tie" else None,
        "claims": sorted([c.claim.club, c.claim.goals_for, c.claim.goals_against, c.status] for c in claims),
    }


_SCORE = re.compile(r"\b(\d{1,2})-(\d{1,2})\b")


def naive_fields(store: Store, text: str) -> dict[str, Any]:
    """The naive peer: first two clubs named form the tie, first score is the first leg (first
    club's goals first), first competition named; no dates, hosts or claim checks."""
    from remontada.news.clubs import build_index, find_mentions
    from remontada.news.facts import find_competitions
    from remontada.news.text import clean

    cleaned = clean(text)
    mentions = [m for m in find_mentions(list(cleaned.sentences), build_index(store)) if not m.ambiguous]
    clubs = list(dict.fromkeys(m.clubs[0] for m in mentions))
    comps = [s for sent in cleaned.sentences for s in find_competitions(sent.index, sent.text)]
    score = _SCORE.search(cleaned.text)
    return {
        "kind": "tie" if len(clubs) >= 2 and score else "none",
        "clubs": sorted(clubs),
        "tie": sorted(clubs[:2]) if len(clubs) >= 2 else None,
        "competition": comps[0].value if comps else None,
        "round": None,
        "first_leg": {"club": clubs[0], "for": int(score.group(1)), "against": int(score.group(2))}
        if clubs and score
        else None,
        "next_host": None,
        "date": None,
        "as_of": None,
        "claims": [],
    }


def _items(field: str, value: Any) -> set[str]:
    if value is None:
        return set()
    if field in ("clubs", "claims"):
        return {json.dumps(v) for v in value}
    return {json.dumps(value, sort_keys=True)}


def score(predicted: list[dict[str, Any]], expected: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Precision and recall, in [0, 1], per field over the corpus (``None`` expected and
    predicted counts as nothing to find)."""
    out: dict[str, dict[str, float]] = {}
    for field in FIELDS:
        tp = fp = fn = 0
        for pred, exp in zip(predicted, expected, strict=True):
            p, e = _items(field, pred.get(field)), _items(field, exp.get(field))
            tp += len(p & e)
            fp += len(p - e)
            fn += len(e - p)
        out[field] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    return out


__all__ = ["FIELDS", "load_corpus", "naive_fields", "predict_fields", "score"]

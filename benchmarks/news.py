"""The news reader: precision and recall per field on the test corpus, against a naive peer, and
the time to read and answer the motivating article once the model for its date is fitted.

Run: ``python benchmarks/news.py [--store PATH] [--repeats 5]``

The corpus is ``tests/news_corpus`` (hand-written articles about real ties, each with its
expected extraction). The peer is the naive reading a regular expression gives: the first two
clubs named are the tie, the first score is the first leg, the first competition named is the
competition. Timing: best of ``--repeats`` runs of :func:`remontada.read_article` (text to
answer: extraction, tie, forecast, history, comeback curve, claims) after one warm-up run that
fits or loads the model; and the extraction alone per article of the corpus.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from remontada.news.claims import check_claims
from remontada.news.evaluate import FIELDS, load_corpus, naive_fields, predict_fields, score
from remontada.news.locate import locate
from remontada.news.reader import article_day, read_article, read_facts
from remontada.store.reader import Store
from timing import best_seconds_per_call

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT.parent / "shared" / "examples" / "atalanta-liverpool-2024-04-17.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=os.environ.get("REMONTADA_STORE", "/work/store/base.duckdb"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus(ROOT / "tests" / "news_corpus")
    expected = [e for _, _, e in corpus]
    article = (ARTICLE if ARTICLE.is_file() else Path("/work/shared/examples") / ARTICLE.name).read_text()
    with Store(args.store) as store:
        ours_all = [predict_fields(store, t) for _, t, _ in corpus]
        naive_all = [naive_fields(store, t) for _, t, _ in corpus]
        held = [i for i, (name, _, _) in enumerate(corpus) if "holdout" in name]
        groups = {
            "all": list(range(len(corpus))),
            "written before the rules were tuned, then tuned on": [i for i in range(len(corpus)) if i not in held],
            "held out (written after tuning, not tuned on)": held,
        }
        for label, rows in groups.items():
            ours = score([ours_all[i] for i in rows], [expected[i] for i in rows])
            naive = score([naive_all[i] for i in rows], [expected[i] for i in rows])
            print(f"\n{len(rows)} articles ({label})")
            print(f"{'field':<12} {'precision':>9} {'recall':>7} | {'naive P':>8} {'naive R':>8}")
            for field in FIELDS:
                o, n = ours[field], naive[field]
                print(f"{field:<12} {o['precision']:>9.3f} {o['recall']:>7.3f} | {n['precision']:>8.3f} "
                      f"{n['recall']:>8.3f}")  # fmt: skip
        extract_s = best_seconds_per_call(lambda: [predict_fields(store, t) for _, t, _ in corpus], 1, args.repeats)
        naive_s = best_seconds_per_call(lambda: [naive_fields(store, t) for _, t, _ in corpus], 1, args.repeats)
        print(f"extraction + tie + claims: {1000 * extract_s / len(corpus):.1f} ms per article "
              f"(naive peer {1000 * naive_s / len(corpus):.1f} ms, ratio {extract_s / naive_s:.1f}x)")  # fmt: skip
        start = time.perf_counter()
        read_article(article, store=store)
        first = time.perf_counter() - start
        full = best_seconds_per_call(lambda: read_article(article, store=store), 1, args.repeats)
        ex, _ = read_facts(article, store=store)
        reader = best_seconds_per_call(
            lambda: check_claims(store, ex, as_of=(loc := locate(store, ex, date=article_day(ex))).as_of,
                                 tie=loc.candidate, names={}),
            1, args.repeats,
        )  # fmt: skip
        facts_s = best_seconds_per_call(lambda: read_facts(article, store=store), 1, args.repeats)
        print(f"first read + answer in this process (fitted model loaded from its cache, ties rebuilt): {first:.2f} s")
        print(
            f"read + answer the motivating article (model fitted): {full:.2f} s (target < 1 s); of which "
            f"reading {facts_s:.2f} s, finding the tie and checking claims {reader:.2f} s, the rest "
            "`remontada.answer_tie` (forecast, history base rate) and the comeback curve"
        )


if __name__ == "__main__":
    main()

"""The news reader: bad input gets a clear message, the motivating article is read and answered,
and the corpus of hand-written articles is read at the precision and recall measured.

Store tests use the session store (``$REMONTADA_TEST_STORE`` to reuse a built one). The motivating
article is read from ``../shared/examples/`` (``$REMONTADA_TEST_EXAMPLES`` overrides).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from remontada.news.text import MAX_BYTES, UnreadableArticle, clean

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "news_corpus"


def examples_dir() -> Path:
    env = os.environ.get("REMONTADA_TEST_EXAMPLES")
    if env:
        return Path(env)
    beside = REPO_ROOT.parent / "shared" / "examples"
    return beside if beside.is_dir() else Path("/work/shared/examples")


ARTICLE = examples_dir() / "atalanta-liverpool-2024-04-17.txt"


# ---- bad input: a clear message each ---------------------------------------------------------------
def test_empty_text_is_refused_with_a_message() -> None:
    with pytest.raises(UnreadableArticle, match="empty"):
        clean("   \n\t ")


def test_binary_bytes_are_refused() -> None:
    with pytest.raises(UnreadableArticle, match="binary"):
        clean(bytes(range(256)) * 10)


def test_five_megabytes_of_text_are_refused_naming_the_limit() -> None:
    with pytest.raises(UnreadableArticle, match=f"{MAX_BYTES // 1000} kB"):
        clean("Liverpool lost 3-0 at home. " * 180_000)


def test_another_language_says_no_football_facts() -> None:
    spanish = (
        "El Liverpool perdió por tres goles en casa en la ida de los cuartos de final y viaja a Bérgamo "
        "con una montaña por escalar, según dijo su entrenador a los periodistas el miércoles."
    )
    with pytest.raises(UnreadableArticle, match="could not find football facts"):
        clean(spanish)


def test_html_page_is_read_without_its_tags() -> None:
    page = (
        "<html><head><title>Report</title><style>p {color: red}</style></head><body>"
        "<p>Liverpool suffered a 3-0 home loss to Atalanta in the first leg.</p>"
        "<script>var x = '<p>not text</p>';</script><div>They travel to Italy on Thursday.</div></body></html>"
    )
    text = clean(page)
    assert "<" not in text.text and "color" not in text.text and "not text" not in text.text
    assert [s.text for s in text.sentences][-2:] == [
        "Liverpool suffered a 3-0 home loss to Atalanta in the first leg.",
        "They travel to Italy on Thursday.",
    ]
    assert any("HTML" in note for note in text.notes)


def test_page_furniture_after_the_article_is_not_read() -> None:
    text = clean(ARTICLE.read_text(encoding="utf-8"))
    assert "Lewandowski" not in text.text and "Leicester seal" not in text.text
    assert "how much time is left" in text.text


def test_cli_bad_inputs_give_one_line_errors_and_no_traceback(tmp_path: Path, full_store_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "binary.bin": bytes(range(256)) * 4,
        "big.txt": b"Atalanta beat Liverpool 3-0. " * 180_000,
        "spanish.txt": "El Liverpool perdió en casa y viaja a Bérgamo con una montaña por escalar esta semana "
        "según dijo su entrenador a los periodistas.".encode(),
        "nothing.txt": b"The weather was fine on the day of the annual village fair and everyone had a good time.",
    }
    from typer.testing import CliRunner

    from remontada.cli import app

    runner = CliRunner()
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        run = runner.invoke(app, ["read", str(path), "--store", str(full_store_path)])
        assert run.exit_code == 1, (name, run.output, run.exception)
        text = " ".join(run.output.split())
        assert "Traceback" not in text and "error:" in text and name in text, (name, text)


# ---- the motivating article ----------------------------------------------------------------------
def test_motivating_article_is_read_and_answered(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.news import read_article

    answer = read_article(ARTICLE.read_text(encoding="utf-8"), store=full_store)
    out = answer.to_dict()
    tie = out["tie"]
    assert (tie["competition"], tie["season"], tie["round"]) == ("uefa.el", "2023-24", "Quarterfinals")
    assert tie["legs"][0] == "first leg 2024-04-11: Liverpool 0-3 Atalanta"
    assert (tie["next_leg_host"], tie["next_leg_date"], tie["as_of"]) == ("Atalanta", "2024-04-18", "2024-04-18")
    assert out["facts"]["date"]["value"] == "2024-04-17" and "April 17, 2024" in out["facts"]["date"]["sentence"]
    fl = out["facts"]["first_leg"]
    assert (fl["club"], fl["goals_for"], fl["goals_against"], fl["venue"]) == ("Liverpool", 0, 3, "home")
    assert "3-0 home loss" in fl["sentence"]
    p = answer.answer.p_through("Liverpool")
    assert 0.0 < p < 0.3
    rates = out["answer"]["history"]["rates"]
    assert rates[0]["n"] > 20 and rates[0]["label"].startswith("sides that lost the first leg by 3")
    curve = out["comeback_curve"]
    assert curve["team"] == "Liverpool"
    unchanged = [r["if_unchanged"] for r in curve["rows"]]
    # the curve starts where the in-play chain stands at kick-off (the refit on club events puts it
    # a few points above the pre-match tie answer ``p``: Liverpool, three down on aggregate, attack)
    import remontada as rm

    kick_off = rm.live("Atalanta", "Liverpool", date="2024-04-18", store=full_store).p_through("Liverpool")
    assert unchanged == sorted(unchanged, reverse=True) and unchanged[0] == pytest.approx(kick_off, abs=0.005)
    confirmed = {c["stored"]["text"] for c in out["claims"] if c["status"] == "confirmed"}
    assert {"Liverpool 0-3 Atalanta", "Liverpool 4-0 Barcelona", "Atalanta 0-5 Liverpool",
            "Liverpool 0-2 Atalanta"} <= confirmed  # fmt: skip
    assert not [c for c in out["claims"] if c["status"] != "confirmed"]
    json.dumps(out)  # JSON-able


def test_date_option_wins_over_the_dateline(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.news.reader import read_facts

    ex, _ = read_facts(ARTICLE.read_text(encoding="utf-8"), date="2024-04-12", store=full_store)
    assert ex.date is not None and ex.date.value == "2024-04-12" and ex.date.sentence == "given with --date"


def test_ambiguous_club_is_listed_with_candidates_not_guessed(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.news.reader import read_facts

    ex, index = read_facts("Sporting beat Arsenal 1-0 in the Europa League last week.", store=full_store)
    [sporting] = ex.ambiguous()
    names = {index.names[c] for c in sporting.clubs}
    assert {"Sporting CP", "Sporting Gijon"} <= names
    assert "sporting-cp-por" not in ex.club_ids()


# ---- the corpus ----------------------------------------------------------------------------------
#: Precision and recall per field measured on tests/news_corpus (34 articles: 26 the rules were tuned on,
#: 8 held out), rounded down; the test fails if a change reads the corpus worse.
MEASURED = {
    "kind": (1.0, 1.0),
    "clubs": (1.0, 1.0),
    "tie": (1.0, 1.0),
    "competition": (1.0, 0.96),
    "round": (0.96, 0.96),
    "first_leg": (0.92, 0.95),
    "next_host": (1.0, 0.9),
    "date": (1.0, 1.0),
    "as_of": (1.0, 1.0),
    "claims": (0.93, 0.96),
}


def test_corpus_has_at_least_25_articles_each_with_its_expected_extraction() -> None:
    texts = sorted(CORPUS.glob("*.txt"))
    assert len(texts) >= 25
    assert all(t.with_suffix(".json").is_file() for t in texts)


def test_corpus_precision_and_recall_per_field(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.news.evaluate import load_corpus, naive_fields, predict_fields, score

    corpus = load_corpus(CORPUS)
    expected = [exp for _, _, exp in corpus]
    result = score([predict_fields(full_store, text) for _, text, _ in corpus], expected)
    for field, (precision, recall) in MEASURED.items():
        assert result[field]["precision"] >= precision - 1e-9, (field, result[field])
        assert result[field]["recall"] >= recall - 1e-9, (field, result[field])
    naive = score([naive_fields(full_store, text) for _, text, _ in corpus], expected)
    assert result["first_leg"]["recall"] > naive["first_leg"]["recall"]
    assert result["tie"]["precision"] > naive["tie"]["precision"]


def test_a_wrong_score_is_contradicted_with_the_stored_score(full_store) -> None:  # type: ignore[no-untyped-def]
    """West Ham won the 2022-23 Conference League semi-final first leg 2-1, not 3-1."""
    from remontada.news.claims import check_claims
    from remontada.news.locate import locate
    from remontada.news.reader import article_day, read_facts

    text = (CORPUS / "15-ecl-westham-az-wrong-score.txt").read_text(encoding="utf-8")
    ex, index = read_facts(text, store=full_store)
    loc = locate(full_store, ex, date=article_day(ex))
    [check] = check_claims(full_store, ex, as_of=loc.as_of, tie=loc.candidate, names=index.names)
    assert check.status == "contradicted"
    assert check.match is not None and check.match["text"] == "West Ham United 2-1 AZ Alkmaar"


def test_weekdays_only_take_the_date_from_the_store(full_store) -> None:  # type: ignore[no-untyped-def]
    """No dateline: the stated first-leg score puts the article between the legs, so the answer
    speaks from the morning of the stored second leg (Barcelona v Inter, 28 April 2010)."""
    from remontada.news.locate import locate
    from remontada.news.reader import read_facts

    text = (CORPUS / "25-cl-2010-inter-barca-weekday.txt").read_text(encoding="utf-8")
    ex, _ = read_facts(text, store=full_store)
    assert ex.date is None and {"wednesday"} <= {w.value for w in ex.weekdays}
    loc = locate(full_store, ex, date=None)
    assert loc.candidate is not None and set(loc.candidate.clubs) == {"barcelona-esp", "inter-ita"}
    assert loc.as_of is not None and loc.as_of.isoformat() == "2010-04-28"
    assert loc.date_source is not None and "second leg" in loc.date_source


def test_a_league_preview_is_not_read_as_a_tie(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.news.locate import locate
    from remontada.news.reader import read_facts

    text = (CORPUS / "24-league-derby-no-date.txt").read_text(encoding="utf-8")
    ex, _ = read_facts(text, store=full_store)
    loc = locate(full_store, ex, date=None)
    assert loc.candidate is None and loc.reason is not None and "league match" in loc.reason

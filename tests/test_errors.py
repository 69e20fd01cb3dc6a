"""One error family: every error remontada raises on purpose is a RemontadaError with a JSON form,
and the old internal exceptions are members of it (so no bare LookupError reaches a user)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remontada import competitions, errors
from remontada.errors import (
    AmbiguousClub,
    DataEndsBefore,
    InvalidInput,
    NotFitted,
    NotRated,
    RemontadaError,
    SourceError,
    StoreError,
    TieNotFound,
    UnknownClub,
    UnknownCompetition,
)

FAMILY = (
    AmbiguousClub, DataEndsBefore, InvalidInput, NotFitted, NotRated, SourceError, StoreError, TieNotFound,
    UnknownClub, UnknownCompetition,
)  # fmt: skip


@pytest.mark.parametrize("cls", FAMILY)
def test_every_error_is_a_remontada_error_with_a_distinct_kind(cls: type[RemontadaError]) -> None:
    assert issubclass(cls, RemontadaError)
    kinds = [c.kind for c in FAMILY]
    assert kinds.count(cls.kind) == 1 and cls.kind != RemontadaError.kind
    assert 400 <= cls.http_status < 600


def test_to_dict_is_json_with_the_kind_message_field_and_suggestions() -> None:
    err = UnknownClub("Liverpol", ["Liverpool", "South Liverpool"], field="team1")
    out = json.loads(json.dumps(err.to_dict()))
    assert out == {
        "error": "unknown_club",
        "message": "no club matches 'Liverpol'; did you mean: Liverpool, South Liverpool?",
        "field": "team1",
        "suggestions": ["Liverpool", "South Liverpool"],
        "query": "Liverpol",
    }
    assert str(err) == out["message"]


def test_subclass_fields_appear_in_to_dict() -> None:
    late = DataEndsBefore("data ends", cutoff="2024-05-26", asked="2025-01-01")
    assert late.to_dict()["cutoff"] == "2024-05-26" and late.to_dict()["field"] == "date"
    bad = InvalidInput("unknown model 'x'", field="model", allowed=["dixon-coles", "elo"])
    assert bad.to_dict()["allowed"] == ["dixon-coles", "elo"] and bad.to_dict()["error"] == "invalid_input"
    many = AmbiguousClub("United", ["Manchester United (a)", "Newcastle United (b)"])
    assert many.to_dict()["candidates"] == ["Manchester United (a)", "Newcastle United (b)"]


def test_old_except_clauses_still_catch_the_new_errors() -> None:
    assert isinstance(UnknownClub("x"), LookupError)
    assert isinstance(UnknownCompetition("x"), LookupError)
    assert isinstance(InvalidInput("x"), ValueError)
    assert isinstance(NotRated("x"), KeyError) and str(NotRated("team 'x' is not rated")) == "team 'x' is not rated"
    assert isinstance(NotFitted("x"), RuntimeError)


def test_the_internal_exceptions_are_members_of_the_family() -> None:
    from remontada.ingest.fetch import FetchError
    from remontada.ingest.locking import StoreBusy
    from remontada.sources.records import SourceError as ParseError
    from remontada.store.reader import AmbiguousTeam, TeamNotFound
    from remontada.store.reader import StoreError as ReaderStoreError
    from remontada.ties.state import TieNotFound as StateTieNotFound

    assert TeamNotFound is UnknownClub and AmbiguousTeam is AmbiguousClub and ReaderStoreError is StoreError
    assert issubclass(StoreBusy, StoreError) and issubclass(StateTieNotFound, TieNotFound)
    fetch = FetchError("https://example.org/a.csv", "HTTP 500")
    assert isinstance(fetch, SourceError) and fetch.to_dict()["location"] == "https://example.org/a.csv"
    assert fetch.message == "HTTP 500"  # what ingest.update reports
    parse = ParseError("data/E0.csv", 12, "bad score '3-'")
    assert isinstance(parse, SourceError) and isinstance(parse, ValueError)
    assert str(parse) == "data/E0.csv:12: bad score '3-'" and parse.to_dict()["line"] == 12


def test_a_missing_store_is_a_store_error(tmp_path: Path) -> None:
    import remontada as rm

    with pytest.raises(StoreError, match="run `remontada update`"):
        rm.open_store(tmp_path / "none.duckdb")


def test_unfitted_models_raise_not_fitted() -> None:
    from remontada.models.elo import Elo
    from remontada.models.goals import DixonColes

    with pytest.raises(NotFitted):
        DixonColes().rates("a", "b")
    with pytest.raises(NotFitted):
        Elo().rates("a", "b")


# ---- competitions: one resolution everywhere -------------------------------------------------------
@pytest.mark.parametrize("query", ["Europa League", "uefa.el", "UEL", "europa-league", "UEFA Europa League", "uel"])
def test_names_ids_and_abbreviations_give_the_same_competition(query: str) -> None:
    assert competitions.resolve(query).id == "uefa.el"
    assert competitions.competition_id(query) == "uefa.el"


@pytest.mark.parametrize(("query", "cid"), [("UCL", "uefa.cl"), ("UECL", "uefa.ecl"), ("EPL", "eng.1")])
def test_common_abbreviations(query: str, cid: str) -> None:
    assert competitions.resolve(query).id == cid


def test_an_unknown_competition_lists_close_names_and_the_valid_ones() -> None:
    with pytest.raises(UnknownCompetition) as caught:
        competitions.resolve("Europa Leage")
    err = caught.value
    assert err.suggestions[0] == "Europa League" and err.field == "competition"
    assert "Europa League (uefa.el; UEL, EL)" in err.valid and "Premier League (eng.1; EPL)" in err.valid
    assert "did you mean Europa League" in str(err) and "UCL" in str(err)


def test_a_model_keys_a_competition_name_as_its_id_and_rejects_unknown_names() -> None:
    assert competitions.competition_id("sim.1") == "sim.1"  # any country.key id passes (tests, new leagues)
    with pytest.raises(UnknownCompetition):
        competitions.competition_id("Premier Leeg of Nowhere")


def test_errors_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = "import sys, remontada.errors; print(sorted(m for m in ('numpy', 'pandas', 'duckdb') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert errors.__all__  # the module names its public errors

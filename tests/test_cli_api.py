"""The CLI is a shell over the facade: for the same question, ``remontada CMD --json`` prints exactly
the facade result's ``to_dict()``; errors are one line and exit code 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import remontada as rm
from remontada.cli import app

pytestmark = pytest.mark.slow


def cli_json(store: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def recorded(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Record what the facade function ``name`` returns when the CLI calls it (for the slow commands:
    one run, and the CLI's JSON is compared with that very result's ``to_dict()``)."""
    calls: list[Any] = []
    function = getattr(rm, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(function(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(rm, name, spy)
    return calls


def same(value: Any) -> Any:
    """What the facade's ``to_dict()`` looks like once printed as JSON."""
    return json.loads(json.dumps(value))


def test_tie(full_store_path: Path) -> None:
    args = ("Liverpool", "Atalanta", "--competition", "Europa League", "--season", "2023-24")
    expected = rm.answer_tie("Liverpool", "Atalanta", competition="Europa League", season="2023-24",
                             store=full_store_path).to_dict()  # fmt: skip
    assert cli_json(full_store_path, "tie", *args) == same(expected)


def test_tie_hypothetical(full_store_path: Path) -> None:
    args = ("Liverpool", "Atalanta", "-c", "UEL", "--season", "2023-24", "--first-leg", "1-0", "--away-goals",
            "--scores", "3")  # fmt: skip
    expected = rm.answer_tie("Liverpool", "Atalanta", competition="UEL", season="2023-24", first_leg="1-0",
                             away_goals=True, store=full_store_path).to_dict(n_scenarios=3)  # fmt: skip
    out = cli_json(full_store_path, "tie", *args)
    assert out == same(expected) and out["tie"]["hypothetical"]


@pytest.mark.parametrize("moment", [(), ("--minute", "7", "--score", "0-1")])
def test_live(full_store_path: Path, moment: tuple[str, ...]) -> None:
    kwargs = {key.lstrip("-"): value for key, value in zip(moment[::2], moment[1::2], strict=True)}
    expected = rm.live("Atalanta", "Liverpool", date="2024-04-18", store=full_store_path, **kwargs).to_dict()
    assert cli_json(full_store_path, "live", "Atalanta", "Liverpool", "--date", "2024-04-18", *moment) == same(expected)


def test_predict(full_store_path: Path) -> None:
    expected = rm.predict("Atalanta", "Liverpool", date="2024-04-18", store=full_store_path).to_dict()
    assert cli_json(full_store_path, "predict", "Atalanta", "Liverpool", "--date", "2024-04-18") == same(expected)


def test_ratings(full_store_path: Path) -> None:
    expected = rm.ratings(date="2024-04-18", competition="UEL", top=8, store=full_store_path).to_dict()
    out = cli_json(full_store_path, "ratings", "--date", "2024-04-18", "--competition", "UEL", "--top", "8")
    assert out == same(expected)


def test_history(full_store_path: Path) -> None:
    expected = rm.history(deficit=3, first_leg_at="away", store=full_store_path).to_dict()
    assert cli_json(full_store_path, "history", "--deficit", "3", "--first-leg-at", "away") == same(expected)


def test_history_table_with_filters(full_store_path: Path) -> None:
    expected = rm.history(competition="Champions League", stage="knockout", before="2017-04-01",
                          store=full_store_path).to_dict()  # fmt: skip
    out = cli_json(full_store_path, "history", "-c", "Champions League", "--stage", "knockout",
                   "--before", "2017-04-01")  # fmt: skip
    assert out == same(expected)


@pytest.mark.parametrize("competition", [None, "Europa League"])
def test_status(full_store_path: Path, competition: str | None) -> None:
    expected = rm.status(full_store_path, competition=competition).to_dict()
    extra = ("--competition", competition) if competition else ()
    assert cli_json(full_store_path, "status", *extra) == same(expected)


def test_matches(full_store_path: Path) -> None:
    expected = rm.matches("Liverpool", season="2023-24", competition="UEL", store=full_store_path).to_dict()
    assert cli_json(full_store_path, "matches", "Liverpool", "--season", "2023-24", "--competition", "UEL") == same(
        expected
    )


def test_clubs(full_store_path: Path) -> None:
    expected = [c.to_dict() for c in rm.find_clubs("Atalanta", store=full_store_path)]
    assert cli_json(full_store_path, "clubs", "Atalanta") == same(expected)
    unresolved = rm.unresolved_names(full_store_path).to_dict()
    assert cli_json(full_store_path, "clubs", "--unresolved") == same(unresolved)


def test_simulate(full_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    question = {"season": "2023-24", "date": "2024-04-11", "start": "quarter-finals", "sims": 2000, "seed": 7}
    expected = rm.simulate("Europa League", store=full_store_path, **question).to_dict()  # type: ignore[arg-type]
    out = cli_json(full_store_path, "simulate", "--competition", "Europa League", "--season", "2023-24",
                   "--date", "2024-04-11", "--from", "quarter-finals", "--sims", "2000", "--seed", "7")  # fmt: skip
    for report in (out, expected):
        report.pop("seconds")  # wall time, the one field two runs do not share
    assert out == same(expected)
    assert list(tmp_path.iterdir()) == []  # no chart unless asked for


def test_backtest_ties(full_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = recorded(monkeypatch, "backtest_ties")
    out = cli_json(full_store_path, "backtest-ties", "--since", "2023-24", "--until", "2023-24",
                   "-c", "Conference League")  # fmt: skip
    (result,) = calls
    assert out == same(result.to_dict()) and out["ties"] > 10


def test_backtest(full_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = recorded(monkeypatch, "backtest")
    out = cli_json(full_store_path, "backtest", "--competition", "EPL", "--seasons", "2022-23..2022-23",
                   "--no-penaltyblog", "--step-days", "90")  # fmt: skip
    (result,) = calls
    assert out == same(result.to_dict()) and out["summary"]


def test_inplay_check(full_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = recorded(monkeypatch, "check_inplay")
    out = cli_json(full_store_path, "inplay", "check", "--from-season", "2024")
    (result,) = calls
    assert out == same(result.to_dict()) and out["matches"] > 1000
    # walk-forward by default: 2024-25 forecast by a fit on the seasons before it
    assert out["mode"] == "walk-forward" and [row["season"] for row in out["by_season"]] == [2024]
    assert "2009-10..the season before" in out["models"]["new"]


def test_inplay_check_fixed_split(full_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = recorded(monkeypatch, "check_inplay")
    out = cli_json(full_store_path, "inplay", "check", "--from-season", "2024", "--fixed-split")
    (result,) = calls
    assert out == same(result.to_dict()) and out["mode"] == "fixed-split"
    assert out["models"]["new"] == "fixed split: fitted on 2009-10..2023-24"


def test_inplay_fit(full_store_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two seasons of club events (2018-19, 2019-20) keep it to seconds; the CSV written is the one reported."""
    calls = recorded(monkeypatch, "fit_inplay")
    out = cli_json(full_store_path, "inplay", "fit", "--first-season", "2018", "--holdout-from", "2020",
                   "--out", str(tmp_path / "inplay.csv"))  # fmt: skip
    (result,) = calls
    # the CLI adds where it wrote the parameters
    assert out == {**same(result.to_dict()), "out": str(tmp_path / "inplay.csv")}
    assert (tmp_path / "inplay.csv").is_file()
    assert 0 < out["params"]["first_half_added"] < 15


def test_update(mirror: Path, tmp_path: Path) -> None:
    """Two fresh stores from the same source: the CLI's report and the facade's match (wall times and
    the store path aside), and the warnings are listed, not only counted."""
    result = CliRunner().invoke(app, ["update", "--source", "uefa-finals", "--mirror", str(mirror), "--json",
                                      "--store", str(tmp_path / "cli.duckdb")])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    expected = rm.update(sources=["uefa-finals"], mirror=str(mirror), store=tmp_path / "api.duckdb").to_dict()
    for report in (out, expected):
        report.pop("seconds")
        report.pop("store")
        report["rebuild"].pop("seconds", None)
    assert out == same(expected)
    assert out["warnings"] == len(out["warning_messages"]) > 0
    assert all(":" in text and "final_matches.json:" in text for text in out["warning_messages"])


# ---- errors -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tie", "Liverpol", "Atalanta"], "no club matches 'Liverpol'; did you mean: Liverpool"),
        (["tie", "Liverpool", "Atalanta", "-c", "Europa Leage"], "unknown competition 'Europa Leage'"),
        (["predict", "Liverpool", "Arsenal", "--date", "2024/04/18"], "date is an ISO date"),
        (["live", "Atalanta", "Liverpool", "--minute", "95"], "minute"),
        (["ratings", "--model", "xgboost"], "unknown model 'xgboost'"),
        (["history", "--stage", "group"], "unknown stage group"),
        (["matches", "Liverpool", "--competition", "Europa Leage"], "unknown competition"),
    ],
)
def test_errors_are_one_line_and_exit_code_1(full_store_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(full_store_path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_errors_with_json_print_the_error_as_json(full_store_path: Path) -> None:
    result = CliRunner().invoke(app, ["tie", "Liverpol", "Atalanta", "--json", "--store", str(full_store_path)])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["error"] == "unknown_club" and out["field"] == "team1" and "Liverpool" in out["suggestions"]


def test_a_missing_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--store", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "run `remontada update` first" in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1

"""The openfootball source: catalogue, URLs, file -> competition mapping, and the whole mirror."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from remontada import competitions
from remontada.sources import registry
from remontada.sources.openfootball import (
    EXCLUDED,
    OpenFootball,
    catalogue_from_mirror,
    describe,
    read_catalogue,
    survey_mirror,
)
from remontada.sources.records import MatchRecord, ParsedFile, SourceError

COVERAGE = "COVERAGE.md"


@pytest.fixture(scope="module")
def source() -> OpenFootball:
    return OpenFootball()


@pytest.fixture(scope="module")
def parsed_mirror(mirror: Path, source: OpenFootball) -> dict[str, ParsedFile]:
    """Every catalogued file parsed once (a few seconds); errors fail the test that asks."""
    started = time.perf_counter()
    parsed = {}
    for remote in source.files():
        parsed[remote.path] = source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)
    print(f"parsed {len(parsed)} openfootball files in {time.perf_counter() - started:.2f} s")
    return parsed


def scored(matches: list[MatchRecord]) -> int:
    return sum(m.home_goals is not None or m.aet_home is not None for m in matches)


def final_score(match: MatchRecord) -> tuple[int, int]:
    """Goals at the end of play, after extra time when there was some."""
    home = match.aet_home if match.aet_home is not None else match.home_goals
    away = match.aet_away if match.aet_away is not None else match.away_goals
    assert home is not None and away is not None, match
    return home, away


def find(matches: list[MatchRecord], home: str, away: str) -> MatchRecord:
    found = [m for m in matches if m.home.name == home and m.away.name == away]
    assert len(found) == 1, f"{home} v {away}: {len(found)} matches"
    return found[0]


# -- catalogue ----------------------------------------------------------------------------------


def test_packaged_catalogue_lists_exactly_the_match_files_of_the_mirror(mirror: Path) -> None:
    assert read_catalogue() == catalogue_from_mirror(mirror)


def test_every_mirror_file_is_catalogued_or_skipped_for_a_stated_reason(mirror: Path) -> None:
    entries, skipped = survey_mirror(mirror)
    on_disk = sum(1 for p in (mirror / "openfootball").rglob("*") if p.is_file())
    on_disk += sum(1 for p in (mirror / "_history/openfootball").rglob("*") if p.is_file())
    assert len(entries) + len(skipped) == on_disk
    reasons = Counter(skipped.values())
    assert reasons["squad list (players), no matches"] == sum(1 for k in skipped if "/squads/" in k)
    assert all(k.startswith("football.json/") for k, why in skipped.items() if "JSON" in why)
    assert set(EXCLUDED) <= set(skipped)
    assert not [k for k, why in skipped.items() if why.startswith(("not an openfootball", "unknown", "cannot"))]


def test_history_files_are_fetched_at_their_commit(source: OpenFootball, mirror: Path) -> None:
    pinned = [f for f in source.files() if "/master/" not in f.url]
    assert [f.url for f in pinned] == [
        "https://raw.githubusercontent.com/openfootball/champions-league/"
        "6d3ffae05a88beea1e2bc98b79cdca3f7b6d1100/2011-12/el_finals.txt",
        "https://raw.githubusercontent.com/openfootball/champions-league/"
        "b1b22f0af3dc45343fa0a97984191e95b3cb2aa4/2012-13/el_finals.txt",
    ]
    assert all((mirror / f.mirror_path).is_file() for f in source.files())
    assert {(f.competition, f.season) for f in pinned} == {("uefa.el", "2011-12"), ("uefa.el", "2012-13")}


def test_master_urls_and_base_url_override() -> None:
    files = OpenFootball(repos=["champions-league"], seasons=["2023-24"], base_url="http://localhost:8000/of").files()
    assert [f.path for f in files] == [
        "champions-league/2023-24/cl.txt",
        "champions-league/2023-24/conf.txt",
        "champions-league/2023-24/el.txt",
    ]
    assert files[2].url == "http://localhost:8000/of/champions-league/master/2023-24/el.txt"
    assert files[2].mirror_path == "openfootball/champions-league/2023-24/el.txt"


def test_filters_by_competition_and_unknown_repo_is_rejected() -> None:
    files = OpenFootball(competitions=["uefa.el"]).files()
    assert {f.season for f in files} == {
        "2011-12",
        "2012-13",
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
        "2025-26",
    }
    with pytest.raises(ValueError, match="unknown openfootball repo"):
        OpenFootball(repos=["brazil"])


def test_source_is_registered() -> None:
    assert isinstance(registry(["openfootball"])["openfootball"], OpenFootball)


@pytest.mark.parametrize(
    ("key", "competition", "season", "kind", "country"),
    [
        ("champions-league/2023-24/cl.txt", "uefa.cl", "2023-24", "uefa", None),
        ("champions-league/2023-24/el.txt", "uefa.el", "2023-24", "uefa", None),
        ("champions-league/2023-24/conf.txt", "uefa.ecl", "2023-24", "uefa", None),
        ("champions-league/2024-25/elq.txt", "uefa.el", "2024-25", "uefa-qualifying", None),
        ("england/2023-24/1-premierleague.txt", "eng.1", "2023-24", "league", "ENG"),
        ("england/2003-04/2-division1.txt", "eng.2", "2003-04", "league", "ENG"),
        ("england/2023-24/5-nationalleague.txt", "eng.5", "2023-24", "league", "ENG"),
        ("england/2023-24/facup.txt", "eng.fa", "2023-24", "cup", "ENG"),
        ("england/2023-24/eflcup.txt", "eng.lc", "2023-24", "cup", "ENG"),
        ("england/archive/1880s/1888-89/1-footballleague.txt", "eng.1", "1888-89", "league", "ENG"),
        ("england/rsssf/eng2024-playoffs.txt", "eng.po", "2023-24", "playoff", "ENG"),
        ("england/rsssf/engcup1872.txt", "eng.fa", "1871-72", "cup", "ENG"),
        ("deutschland/2023-24/3-liga3.txt", "ger.3", "2023-24", "league", "GER"),
        ("deutschland/2023-24/cup.txt", "ger.cup", "2023-24", "cup", "GER"),
        ("deutschland/2024-25/4-regionalliga-nord.txt", "ger.4-nord", "2024-25", "league", "GER"),
        ("deutschland/rsssf/duit64.txt", "ger.1", "1963-64", "league", "GER"),
        ("espana/2023-24/2-liga2.txt", "esp.2", "2023-24", "league", "ESP"),
        ("espana/2023-24/cup.txt", "esp.cup", "2023-24", "cup", "ESP"),
        ("italy/2023-24/1-seriea.txt", "ita.1", "2023-24", "league", "ITA"),
        ("italy/2023-24/cup.txt", "ita.cup", "2023-24", "cup", "ITA"),
        ("europe/france/2023-24_fr1.txt", "fra.1", "2023-24", "league", "FRA"),
        ("europe/netherlands/2023-24_nl1.txt", "ned.1", "2023-24", "league", "NED"),
        ("europe/portugal/2023-24_pt1.txt", "por.1", "2023-24", "league", "POR"),
        ("europe/scotland/2023-24_sco1.txt", "sco.1", "2023-24", "league", "SCO"),
        ("europe/switzerland/2023-24_ch1.txt", "sui.1", "2023-24", "league", "SUI"),
        ("europe/turkey/2023-24_tr1.txt", "tur.1", "2023-24", "league", "TUR"),
        ("europe/greece/2023-24_gr1.txt", "gre.1", "2023-24", "league", "GRE"),
        ("europe/denmark/2024-25_dk1.txt", "den.1", "2024-25", "league", "DEN"),
        ("europe/denmark/2024-25_dkcup.txt", "den.cup", "2024-25", "cup", "DEN"),
        ("europe/sweden/2025_se3s.txt", "swe.3s", "2025", "league", "SWE"),
        ("europe/kosovo/2024-25_kos1.txt", "kos.1", "2024-25", "league", "KOS"),
        ("europe/iceland/2024_is1.txt", "isl.1", "2024", "league", "ISL"),
    ],
)
def test_file_paths_map_to_competition_season_and_country(
    key: str, competition: str, season: str, kind: str, country: str | None
) -> None:
    facts = describe(key)
    assert (facts.competition, facts.season, facts.kind, facts.country) == (competition, season, kind, country)


# -- parse ----------------------------------------------------------------------------------------


def test_html_and_undecodable_payloads_are_errors(source: OpenFootball) -> None:
    remote = OpenFootball(repos=["champions-league"], seasons=["2023-24"]).files()[0]
    with pytest.raises(SourceError, match="HTML") as caught:
        source.parse(b"<!DOCTYPE html><html>404</html>", remote, "cached/cl.txt")
    assert caught.value.location == "cached/cl.txt" and caught.value.line is None
    with pytest.raises(SourceError, match="not UTF-8"):
        source.parse("= UEFA Champions League 2023/24\n\xa0".encode("latin-1"), remote, "cached/cl.txt")


def test_byte_order_mark_is_ignored(mirror: Path, source: OpenFootball) -> None:
    remote = OpenFootball(repos=["champions-league"], seasons=["2023-24"], competitions=["uefa.el"]).files()[0]
    data = (mirror / remote.mirror_path).read_bytes()
    with_bom = source.parse(b"\xef\xbb\xbf" + data, remote, remote.mirror_path)
    assert with_bom.matches == source.parse(data, remote, remote.mirror_path).matches


def test_whole_catalogue_parses_without_errors(parsed_mirror: dict[str, ParsedFile]) -> None:
    assert len(parsed_mirror) == len(read_catalogue())
    total = sum(len(p.matches) for p in parsed_mirror.values())
    assert total > 150_000
    for path, parsed in parsed_mirror.items():
        assert parsed.matches, f"{path} yielded no matches"
        assert {m.source for m in parsed.matches} == {"openfootball"}


def _coverage_table(mirror: Path) -> dict[str, list[str]]:
    text = (mirror.parent / COVERAGE).read_text("utf-8")
    section = text.split("## 4.", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.fullmatch(r"\d{4}-\d{2}", cells[0]):
            rows[cells[0]] = cells
    assert rows, f"no season rows in section 4 of {COVERAGE}"
    return rows


def _stated(cell: str) -> tuple[int | None, int | None]:
    main, _, qualifying = cell.partition("+")
    return (int(main) if main else None, int(qualifying) if qualifying else None)


def test_uefa_match_counts_agree_with_coverage(mirror: Path, parsed_mirror: dict[str, ParsedFile]) -> None:
    rows = _coverage_table(mirror)
    checked = 0
    for season, cells in rows.items():
        for column, (main, qualifying) in zip(
            (2, 3, 4), (("cl", "clq"), ("el", "elq"), ("conf", "confq")), strict=True
        ):
            expected = _stated(cells[column]) if len(cells) > column else (None, None)
            for stem, count in zip((main, qualifying), expected, strict=True):
                path = f"champions-league/{season}/{stem}.txt"
                found = scored(parsed_mirror[path].matches) if path in parsed_mirror else None
                assert found == count, f"{path}: {found} matches with a score, {COVERAGE} says {count}"
                checked += count is not None
    # Every master-branch file of the champions-league repo has its count in the table.
    assert checked == sum(1 for path in parsed_mirror if path.startswith("champions-league/") and "_finals" not in path)
    assert scored(parsed_mirror["champions-league/2023-24/el.txt"].matches) == 141
    assert all(
        scored(parsed_mirror[f"champions-league/{y}-{(y + 1) % 100:02d}/cl.txt"].matches) == 125
        for y in range(2011, 2019)
    )


def test_header_match_counts_agree_in_uefa_files(parsed_mirror: dict[str, ParsedFile]) -> None:
    for path, parsed in parsed_mirror.items():
        if path.startswith("champions-league/"):
            assert not [w for w in parsed.warnings if "header declares" in w[1]], path


def test_complete_league_seasons_have_every_fixture(parsed_mirror: dict[str, ParsedFile]) -> None:
    for year in range(2000, 2025):
        season = f"{year}-{(year + 1) % 100:02d}"
        premier = parsed_mirror[f"england/{season}/1-premierleague.txt"].matches
        assert (len(premier), scored(premier)) == (380, 380), season
        assert len({(m.home.name, m.away.name) for m in premier}) == 380, season
    for year in range(2010, 2025):
        season = f"{year}-{(year + 1) % 100:02d}"
        bundesliga = parsed_mirror[f"deutschland/{season}/1-bundesliga.txt"].matches
        assert scored(bundesliga) == 306, season


def test_dates_fall_inside_their_season(parsed_mirror: dict[str, ParsedFile]) -> None:
    for path, parsed in parsed_mirror.items():
        for match in parsed.matches:
            if match.date is None:
                assert match.status == "walkover", (path, match.line)
                continue
            first = int(match.season[:4])
            last = first + 1 if "-" in match.season else first
            assert first <= match.date.year <= last, (path, match.line, match.date)


def test_uefa_legs_and_aggregates_from_the_source(parsed_mirror: dict[str, ParsedFile]) -> None:
    europa = parsed_mirror["champions-league/2023-24/el.txt"].matches
    first = find(europa, "Liverpool FC", "Atalanta")
    second = find(europa, "Atalanta", "Liverpool FC")
    assert (first.date, first.home_goals, first.away_goals, first.leg) == (dt.date(2024, 4, 11), 0, 3, 1)
    assert (second.date, second.leg, second.agg_home, second.agg_away) == (dt.date(2024, 4, 18), 2, 3, 1)
    assert (first.competition, first.season, first.home.country) == ("uefa.el", "2023-24", "ENG")
    final = find(europa, "Atalanta", "Bayer Leverkusen")
    assert (final.date, final.home_goals, final.away_goals, final.neutral, final.stage) == (
        dt.date(2024, 5, 22),
        3,
        0,
        True,
        "final",
    )
    league_phase = find(parsed_mirror["champions-league/2024-25/el.txt"].matches, "AZ Alkmaar", "IF Elfsborg")
    assert (league_phase.stage, league_phase.round, league_phase.leg) == ("league", "League phase", None)
    assert (league_phase.date, league_phase.home_goals, league_phase.away_goals) == (dt.date(2024, 9, 25), 3, 2)
    spartak = [
        m
        for m in parsed_mirror["champions-league/2021-22/el.txt"].matches
        if "Spartak Moskva" in (m.home.name, m.away.name) and m.stage == "knockout"
    ]
    assert [(m.status, m.leg, m.agg_home) for m in spartak] == [("cancelled", 1, None), ("cancelled", 2, None)]


def test_every_second_leg_has_a_first_leg_and_consistent_aggregate(parsed_mirror: dict[str, ParsedFile]) -> None:
    ties = 0
    for path, parsed in parsed_mirror.items():
        firsts = {(m.round, m.home.name, m.away.name): m for m in parsed.matches if m.leg == 1}
        for second in (m for m in parsed.matches if m.leg == 2):
            first = firsts.get((second.round, second.away.name, second.home.name))
            assert first is not None, (path, second.line)
            assert first.date is not None and second.date is not None and first.date < second.date
            if second.agg_home is not None:
                first_home, first_away = final_score(first)
                second_home, second_away = final_score(second)
                assert (second.agg_home, second.agg_away) == (second_home + first_away, second_away + first_home)
                ties += 1
    assert ties > 1000


def test_domestic_teams_take_the_country_of_their_repo_or_folder(parsed_mirror: dict[str, ParsedFile]) -> None:
    assert {m.home.country for m in parsed_mirror["italy/2023-24/1-seriea.txt"].matches} == {"ITA"}
    assert {m.away.country for m in parsed_mirror["europe/iceland/2024_is1.txt"].matches} == {"ISL"}
    assert {m.home.country for m in parsed_mirror["champions-league/2012-13/el_finals.txt"].matches} == {None}


def test_competitions_outside_the_catalogue_are_named_from_the_file(parsed_mirror: dict[str, ParsedFile]) -> None:
    (iceland,) = parsed_mirror["europe/iceland/2024_is1.txt"].competitions
    assert (iceland.id, iceland.name, iceland.country, iceland.tier) == ("isl.1", "Iceland Úrvalsdeild", "ISL", 1)
    assert parsed_mirror["england/2023-24/1-premierleague.txt"].competitions == []
    named = {c.id for p in parsed_mirror.values() for c in p.competitions}
    used = {m.competition for p in parsed_mirror.values() for m in p.matches}
    assert used - named <= set(competitions.CATALOGUE)


def test_stages_are_from_the_known_set(parsed_mirror: dict[str, ParsedFile]) -> None:
    stages = Counter(m.stage for p in parsed_mirror.values() for m in p.matches)
    assert set(stages) == {"league", "group", "qualifying", "playoff", "knockout", "final"}
    # Domestic matches are neutral exactly when they are one-match finals.
    assert all(
        m.neutral == (m.stage == "final" and m.leg is None) or m.competition.startswith("uefa.")
        for p in parsed_mirror.values()
        for m in p.matches
    )


def test_a_final_played_home_and_away_has_legs_and_no_neutral_venue(parsed_mirror: dict[str, ParsedFile]) -> None:
    matches = parsed_mirror["europe/bosnia-herzegovina/2024-25_bacup.txt"].matches
    first = find(matches, "FK Sarajevo", "Široki Brijeg")
    second = find(matches, "Široki Brijeg", "FK Sarajevo")
    assert (first.stage, first.leg, first.neutral, second.leg, second.neutral) == ("final", 1, False, 2, False)
    # The file lists the two legs without results: no aggregate can be given.
    assert (first.status, second.status, second.agg_home) == ("scheduled", "scheduled", None)

"""Club identity: names merge on evidence and never across the constraints."""

from __future__ import annotations

from collections.abc import Hashable

import duckdb
import numpy as np
import pytest

from remontada.ingest.clubs import (
    AliasEntry,
    ClubResolver,
    FixtureLink,
    FixtureLinkTable,
    Mention,
    NameKey,
    SlotLabels,
    load_alias_table,
)
from remontada.ingest.names import SimilarityIndex, normalise, similarity
from remontada.store.rebuild import _appearances, _fixture_links
from remontada.store.schema import DDL


def key(source: str, name: str, country: str) -> NameKey:
    return NameKey(source, name, country, False)


def mention(k: NameKey, url: str, season: str, competition: str = "esp.1", kind: str = "league") -> Mention:
    return Mention(k, url, season, competition, kind, 19)


def resolve(mentions: list[Mention], links: list[FixtureLink] = (), aliases: list[AliasEntry] | None = None):  # type: ignore[assignment]
    resolution = ClubResolver(aliases=aliases if aliases is not None else []).resolve(mentions, links)
    return resolution, resolution.club_of()


def test_normalisation_folds_accents_legal_forms_and_abbreviations() -> None:
    assert normalise("FC Bayern München") == normalise("Bayern Munich") == "bayern munich"
    assert normalise("Club Atlético de Madrid") == "atletico madrid"
    assert normalise("Man United") == normalise("Manchester United FC")
    assert normalise("Liverpool FC (ENG)") == "liverpool"
    assert similarity("Olympique Lyonnais", "Olympique Lyon") > similarity("Olympique Lyonnais", "Olympique Marseille")


def test_fixture_alignment_links_names_that_report_the_same_matches() -> None:
    fd = key("football-data", "Ath Madrid", "ESP")
    esd = key("engsoccerdata", "Atletico Madrid", "ESP")
    other_fd = key("football-data", "Real Madrid", "ESP")
    other_esd = key("engsoccerdata", "Real Madrid", "ESP")
    mentions = [
        mention(fd, "fd/SP1-2324", "2023-24"),
        mention(other_fd, "fd/SP1-2324", "2023-24"),
        mention(esd, "esd/spain", "2023-24"),
        mention(other_esd, "esd/spain", "2023-24"),
    ]
    links = [FixtureLink(fd, esd, 36), FixtureLink(other_fd, other_esd, 37), FixtureLink(fd, other_esd, 2)]
    resolution, club_of = resolve(mentions, links)
    assert club_of[fd] == club_of[esd]
    assert club_of[fd] != club_of[other_fd]
    methods = {n.key: n.method for n in resolution.names}
    assert methods[fd] == "fixtures"


def test_a_club_spelled_two_ways_in_different_seasons_of_one_source_is_one_club() -> None:
    # openfootball writes "Bologna FC" until 2019-20 and "Bologna FC 1909" from 2020-21; both
    # line up with football-data's "Bologna", in different seasons, so both are Bologna
    fd = key("football-data", "Bologna", "ITA")
    old = key("openfootball", "Bologna FC", "ITA")
    new = key("openfootball", "Bologna FC 1909", "ITA")
    mentions = [mention(fd, f"fd/I1-{s}", s, "ita.1") for s in ("2018-19", "2019-20", "2020-21", "2021-22")]
    mentions += [mention(old, f"of/it-{s}", s, "ita.1") for s in ("2018-19", "2019-20")]
    mentions += [mention(new, f"of/it-{s}", s, "ita.1") for s in ("2020-21", "2021-22")]
    links = [
        FixtureLink(fd, old, 38, "ita.1", "2018-19"),
        FixtureLink(fd, old, 38, "ita.1", "2019-20"),
        FixtureLink(fd, new, 38, "ita.1", "2020-21"),
        FixtureLink(fd, new, 30, "ita.1", "2021-22"),
    ]
    _, club_of = resolve(mentions, links)
    assert club_of[fd] == club_of[old] == club_of[new]


def test_two_names_that_line_up_equally_well_in_the_same_season_are_not_guessed_between() -> None:
    fd = key("football-data", "Ajaccio", "FRA")
    # two clubs of one town, spelled so that no name rule can pair them: only fixtures could
    ac = key("openfootball", "Athletic Club Corse", "FRA")
    gfco = key("openfootball", "Gazelec Corse", "FRA")
    mentions = [mention(fd, "fd/F2-1516", "2015-16", "fra.2")]
    mentions += [mention(k, f"of/{k.name}", "2015-16", "fra.2") for k in (ac, gfco)]
    links = [FixtureLink(fd, ac, 20, "fra.2", "2015-16"), FixtureLink(fd, gfco, 18, "fra.2", "2015-16")]
    resolution, club_of = resolve(mentions, links)
    assert club_of[fd] != club_of[ac] and club_of[fd] != club_of[gfco]
    assert {n.method for n in resolution.names if n.key == fd} != {"fixtures"}


def test_two_names_in_one_league_table_never_merge_even_with_a_bad_alias() -> None:
    city = key("football-data", "Man City", "ENG")
    united = key("football-data", "Man United", "ENG")
    mentions = [mention(city, "fd/E0-2324", "2023-24", "eng.1"), mention(united, "fd/E0-2324", "2023-24", "eng.1")]
    bad = [AliasEntry("ENG", "Manchester", ("Man City", "Man United"))]
    resolution, club_of = resolve(mentions, aliases=bad)
    assert club_of[city] != club_of[united]
    assert any("both appear in fd/E0-2324" in r for r in resolution.refused)


def test_same_normalised_name_in_different_countries_stays_apart() -> None:
    gijon = key("football-data", "Sporting", "ESP")
    lisbon = key("engsoccerdata", "Sporting", "POR")
    _, club_of = resolve([mention(gijon, "a", "2000-01"), mention(lisbon, "b", "2000-01", "por.1")])
    assert club_of[gijon] != club_of[lisbon]


def test_real_sociedad_and_real_madrid_are_two_clubs_with_the_shipped_aliases() -> None:
    names = [key("football-data", n, "ESP") for n in ("Sociedad", "Real Madrid", "Ath Madrid", "Ath Bilbao")]
    uefa = [
        key("openfootball", n, "ESP") for n in ("Real Sociedad", "Real Madrid CF", "Atlético Madrid", "Athletic Club")
    ]
    mentions = [mention(k, "fd/SP1", "2023-24") for k in names] + [
        mention(k, "of/cl", "2023-24", "uefa.cl", "uefa") for k in uefa
    ]
    _, club_of = resolve(mentions, aliases=load_alias_table())
    for fd, of in zip(names, uefa, strict=True):
        assert club_of[fd] == club_of[of], (fd, of)
    assert len({club_of[k] for k in names}) == 4


def test_uefa_only_name_merges_with_the_clearly_most_similar_domestic_club() -> None:
    lyon = key("football-data", "Lyon", "FRA")
    marseille = key("football-data", "Marseille", "FRA")
    uefa_lyon = key("openfootball", "Olympique Lyon", "FRA")
    mentions = [
        mention(lyon, "fd/F1", "2022-23", "fra.1"),
        mention(marseille, "fd/F1", "2022-23", "fra.1"),
        mention(uefa_lyon, "of/el", "2022-23", "uefa.el", "uefa"),
    ]
    resolution, club_of = resolve(mentions)
    assert club_of[uefa_lyon] == club_of[lyon]
    assert {n.key: n.method for n in resolution.names}[uefa_lyon] == "similar"


def test_uefa_name_without_a_confident_domestic_match_is_reported() -> None:
    a = key("football-data", "Olympiakos Piraeus", "GRE")
    b = key("football-data", "Olympiakos Volou", "GRE")
    uefa = key("openfootball", "Olympiakos", "GRE")
    mentions = [
        mention(a, "fd/G1", "2010-11", "gre.1"),
        mention(b, "fd/G1", "2010-11", "gre.1"),
        mention(uefa, "of/cl", "2010-11", "uefa.cl", "uefa"),
    ]
    resolution, club_of = resolve(mentions)
    assert club_of[uefa] not in (club_of[a], club_of[b])
    assert [u.key for u in resolution.unresolved] == [uefa]
    assert "Olympiakos" in resolution.unresolved[0].candidates


def test_welsh_club_in_the_english_league_is_one_club() -> None:
    fd = key("football-data", "Swansea", "ENG")
    of = key("openfootball", "Swansea City AFC", "WAL")
    mentions = [mention(fd, "fd/E0", "2013-14", "eng.1"), mention(of, "of/el", "2013-14", "uefa.el", "uefa")]
    _, club_of = resolve(mentions, aliases=load_alias_table())
    assert club_of[fd] == club_of[of]
    assert club_of[fd].endswith("-wal")


# ---- the columnar and vectorised paths give exactly the answers of the plain ones ----------------
def test_fixture_link_table_resolves_like_the_links_it_holds_however_they_are_split() -> None:
    fd = key("football-data", "Bologna", "ITA")
    old = key("openfootball", "Bologna FC", "ITA")
    rival = key("openfootball", "Spezia", "ITA")
    mentions = [mention(fd, "fd/I1-2019-20", "2019-20", "ita.1")]
    mentions += [mention(k, "of/it-2019-20", "2019-20", "ita.1") for k in (old, rival)]
    links = [FixtureLink(fd, old, 38, "ita.1", "2019-20"), FixtureLink(fd, rival, 3, "ita.1", "2019-20")]
    # the same 38 matches counted in two rows (home and away pairings), keys in the other order
    split = [
        FixtureLink(old, fd, 19, "ita.1", "2019-20"),
        FixtureLink(fd, old, 19, "ita.1", "2019-20"),
        FixtureLink(fd, rival, 3, "ita.1", "2019-20"),
    ]
    table = FixtureLinkTable.from_links(split)
    assert list(table) == split
    plain = ClubResolver(aliases=[]).resolve(mentions, links)
    assert ClubResolver(aliases=[]).resolve(mentions, table) == plain
    assert plain.club_of()[fd] == plain.club_of()[old] != plain.club_of()[rival]


def test_resolving_leaves_the_callers_appearance_sets_as_they_were() -> None:
    fd = key("football-data", "Bologna", "ITA")
    of = key("openfootball", "Bologna FC", "ITA")
    mentions = [mention(fd, "fd/I1", "2019-20", "ita.1"), mention(of, "of/it", "2019-20", "ita.1")]
    appearances: dict[NameKey, set[Hashable]] = {fd: {1, 2}, of: {3, 4}}
    links = [FixtureLink(fd, of, 38, "ita.1", "2019-20")]
    resolution = ClubResolver(aliases=[]).resolve(mentions, links, appearances)
    assert resolution.club_of()[fd] == resolution.club_of()[of]
    assert appearances == {fd: {1, 2}, of: {3, 4}}


def test_fixture_link_table_refuses_repeated_keys() -> None:
    fd = key("football-data", "Bologna", "ITA")
    one = np.zeros(1, dtype=np.int64)
    with pytest.raises(ValueError, match="distinct"):
        FixtureLinkTable([fd, fd], [("ita.1", "2019-20")], one, one + 1, one + 38, one)


def test_similarity_index_ranks_the_best_clubs_exactly_as_similarity_does() -> None:
    # every club of the shipped alias table is a candidate group (its canonical name and aliases)
    groups = [{entry.canonical, *entry.aliases} for entry in load_alias_table()]
    factors = [1.0 if i % 3 else 0.9 for i in range(len(groups))]  # some clubs of another era
    index = SimilarityIndex(n for g in groups for n in g)
    for query in ("Olympique Lyonnais", "Ath Madrid", "Dnepr Dnepropetrovsk", "Sankt Pauli", "Man United", "Zzyzx"):
        brute = [max(similarity(query, n) for n in g) * f for g, f in zip(groups, factors, strict=True)]
        scores = index.best(query, groups, factors, top=3)
        third = sorted(brute, reverse=True)[2]
        for i, score in enumerate(brute):
            if score >= third:
                assert scores[i] == score, (query, groups[i])  # every possible top-3 club, exactly
            elif i in scores:
                assert scores[i] == score
        assert len(scores) < len(groups) / 2  # and most clubs were ruled out without alignment


def test_slot_labels_name_file_and_day_of_numbered_slots() -> None:
    labels = SlotLabels(["fd/E0-2324", "of/el-2324"], ["2024-04-11", "season 2023-24"])
    assert labels[1] == "fd/E0-2324 on 2024-04-11"
    assert dict(labels) == {1: "fd/E0-2324 on 2024-04-11", 2: "of/el-2324 on season 2023-24"}
    assert labels.get(3, 3) == 3 and labels.get(0) is None


def raw_store(rows: list[tuple[str, str, int, str | None, str, str, int, int]]) -> duckdb.DuckDBPyConnection:
    """A store with raw matches ``(source, url, line, date, home, away, home_goals, away_goals)`` of
    the 2023-24 Europa League, clubs written without a country."""
    con = duckdb.connect()
    con.execute(DDL)
    for raw_id, (source, url, line, date, home, away, hg, ag) in enumerate(rows):
        con.execute(
            "INSERT INTO raw_matches (raw_id, source, url, line, competition, season, date, home_name,"
            " away_name, national, home_goals, away_goals, neutral, status)"
            " VALUES (?, ?, ?, ?, 'uefa.el', '2023-24', ?, ?, ?, false, ?, ?, false, 'played')",
            [raw_id, source, url, line, date, home, away, hg, ag],
        )
    return con


def test_fixture_links_pair_the_names_of_two_files_reporting_one_match_a_day_apart() -> None:
    # Liverpool 0-3 Atalanta, 11 April 2024, and Atalanta 0-1 Liverpool, 18 April 2024, in two
    # files; the second file dates the first leg a day late. A 0-3 on another day pairs nothing.
    con = raw_store(
        [
            ("openfootball", "of/el", 1, "2024-04-11", "Liverpool FC", "Atalanta", 0, 3),
            ("openfootball", "of/el", 2, "2024-04-18", "Atalanta", "Liverpool FC", 0, 1),
            ("football-data", "fd/el", 1, "2024-04-12", "Liverpool", "Atalanta BC", 0, 3),
            ("football-data", "fd/el", 2, "2024-04-18", "Atalanta BC", "Liverpool", 0, 1),
            ("football-data", "fd/el", 3, "2024-04-25", "Liverpool", "Atalanta BC", 0, 3),
        ]
    )
    pairs: dict[tuple[str, str], int] = {}
    for link in _fixture_links(con):
        assert (link.competition, link.season) == ("uefa.el", "2023-24")
        pairs[(link.a.name, link.b.name)] = pairs.get((link.a.name, link.b.name), 0) + link.count
    # "fd/el" < "of/el": football-data's names come first
    assert sorted(pairs.items()) == [(("Atalanta BC", "Atalanta"), 2), (("Liverpool", "Liverpool FC"), 2)]
    assert {(link.a.source, link.a.country, link.a.national) for link in _fixture_links(con)} == {
        ("football-data", "", False)
    }


def test_appearances_are_the_file_days_a_name_plays_on() -> None:
    con = raw_store(
        [
            ("openfootball", "of/el", 1, "2024-04-11", "Liverpool FC", "Atalanta", 0, 3),
            ("openfootball", "of/el", 2, "2024-04-18", "Atalanta", "Liverpool FC", 0, 1),
            ("openfootball", "of/el", 3, None, "Atalanta", "Sporting CP", 2, 1),
        ]
    )
    appearances, labels = _appearances(con)
    named = {k.name: {labels[s] for s in slots} for k, slots in appearances.items()}
    assert named["Liverpool FC"] == {"of/el on 2024-04-11", "of/el on 2024-04-18"}
    assert named["Atalanta"] == {"of/el on 2024-04-11", "of/el on 2024-04-18", "of/el on season 2023-24"}
    assert named["Sporting CP"] == {"of/el on season 2023-24"}
    # slots are numbered in (file, day) order
    assert [labels[i] for i in sorted(labels)] == sorted(labels.values())

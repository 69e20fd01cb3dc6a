"""One identity per club across sources.

A *name* is what one source writes for a team in one country (``("football-data", "Ath Madrid",
"ESP")``). Names are merged into clubs by evidence, strongest first:

1. ``alias`` — the maintained alias table shipped with the package (``data/club_aliases.csv``);
2. ``fixtures`` — two files covering the same competition and season report the same matches
   (same day, same score): the names that keep lining up are the same club;
3. ``name`` — the same normalised name (accents, legal forms, abbreviations folded) in one country;
4. ``similar`` — for a name seen in UEFA competitions only: the one domestic club of that
   country, active in those seasons, whose name is clearly the most similar.

Merges are refused, whatever the evidence, when they would make one club out of two names that
appear in the same file in the same season (two teams of one league table are two clubs), join
different countries (outside the few associations whose clubs play in a neighbour's league), or
join two different alias-table entries. What cannot be matched with confidence is reported.
"""

from __future__ import annotations

import csv
import importlib.resources
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from remontada.competitions import slug
from remontada.names import fold, normalise, similarity

#: UEFA associations whose clubs play in another country's league (club country, league country).
CROSS_BORDER = frozenset(
    {("WAL", "ENG"), ("MCO", "FRA"), ("LIE", "SUI"), ("AND", "ESP"), ("SMR", "ITA"), ("NIR", "IRL")}
)

#: Preference of sources when naming a club (earlier wins), after the alias table.
NAME_PREFERENCE = ("engsoccerdata", "football-data", "openfootball", "footballcsv", "uefa-finals", "international")

METHOD_CONFIDENCE = {"own": 1.0, "alias": 1.0, "fixtures": 0.99, "name": 0.95}


class NameKey(NamedTuple):
    """A team name as one source writes it, in one country ('' when unknown).

    A named tuple rather than a dataclass: resolution hashes, compares and sorts millions of
    these, and tuples do that in C.
    """

    source: str
    name: str
    country: str
    national: bool


@dataclass(frozen=True, slots=True)
class Mention:
    """Where a name appears: in ``url`` (a file), ``season``, ``competition`` (kind: league/cup/uefa...)."""

    key: NameKey
    url: str
    season: str
    competition: str
    kind: str
    matches: int


@dataclass(frozen=True, slots=True)
class FixtureLink:
    """``count`` matches of ``competition`` and ``season`` on which names ``a`` and ``b`` (of two
    different files) line up."""

    a: NameKey
    b: NameKey
    count: int
    competition: str = ""
    season: str = ""


@dataclass(frozen=True, slots=True)
class AliasEntry:
    country: str
    canonical: str
    aliases: tuple[str, ...]

    @property
    def key(self) -> NameKey:
        return NameKey("alias", self.canonical, self.country, False)


@dataclass(frozen=True, slots=True)
class Club:
    club_id: str
    name: str
    country: str | None
    national: bool


@dataclass(frozen=True, slots=True)
class NameResolution:
    key: NameKey
    club_id: str | None
    method: str
    confidence: float
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Unresolved:
    key: NameKey
    context: str
    reason: str
    candidates: str = ""


@dataclass(slots=True)
class Resolution:
    clubs: list[Club] = field(default_factory=list)
    names: list[NameResolution] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def club_of(self) -> dict[NameKey, str]:
        return {n.key: n.club_id for n in self.names if n.club_id is not None}


def load_alias_table(text: str | None = None) -> list[AliasEntry]:
    """The alias table: CSV ``country,canonical,aliases`` with aliases separated by ``|``."""
    if text is None:
        text = importlib.resources.files("remontada").joinpath("data/club_aliases.csv").read_text("utf-8")
    entries = []
    rows = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    for row in rows:
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        entries.append(AliasEntry(row["country"].strip(), row["canonical"].strip(), aliases))
    return entries


def countries_compatible(a: str, b: str) -> bool:
    return not a or not b or a == b or (a, b) in CROSS_BORDER or (b, a) in CROSS_BORDER


class _Components:
    """Union-find over names, refusing merges that break the constraints in the module doc."""

    def __init__(
        self, keys: Sequence[NameKey], appearances: dict[NameKey, set[Hashable]], labels: dict[Hashable, str]
    ) -> None:
        self.labels = labels
        self.index = {k: i for i, k in enumerate(keys)}
        self.keys = list(keys)
        self.parent = list(range(len(keys)))
        self.seen = [set(appearances.get(k, ())) for k in keys]
        self.countries = [{k.country} - {""} for k in keys]
        self.alias = [k.name if k.source == "alias" else None for k in keys]
        self.national = [k.national for k in keys]
        self.members: list[list[int]] = [[i] for i in range(len(keys))]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def root(self, key: NameKey) -> int:
        return self.find(self.index[key])

    def refusal(self, a: int, b: int) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if self.national[ra] != self.national[rb]:
            return "club and national team"
        if self.alias[ra] and self.alias[rb] and self.alias[ra] != self.alias[rb]:
            return f"two alias entries ({self.alias[ra]} / {self.alias[rb]})"
        for ca in self.countries[ra]:
            for cb in self.countries[rb]:
                if not countries_compatible(ca, cb):
                    return f"countries {ca} / {cb}"
        clash = self.seen[ra] & self.seen[rb]
        if clash:
            slot = min(clash, key=str)
            return f"both appear in {self.labels.get(slot, slot)}"
        return None

    def union(self, a: int, b: int) -> str | None:
        """Merge; return the reason when refused."""
        reason = self.refusal(a, b)
        if reason is not None:
            return reason
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.seen[ra] |= self.seen[rb]
        self.countries[ra] |= self.countries[rb]
        self.alias[ra] = self.alias[ra] or self.alias[rb]
        self.members[ra].extend(self.members[rb])
        self.members[rb] = []
        return None


class ClubResolver:
    """Resolve source names to clubs (see module docstring).

    ``min_fixture_matches``: matches two names must share to be linked by fixtures;
    ``min_fixture_share``: the share of the rarer name's matches in the overlap they must share;
    ``min_similarity`` / ``min_margin``: how similar, and how much more similar than the runner-up,
    a UEFA-only name must be to a domestic club to be merged.
    """

    def __init__(
        self,
        aliases: Sequence[AliasEntry] | None = None,
        *,
        min_fixture_matches: int = 3,
        min_fixture_share: float = 0.5,
        min_similarity: float = 0.75,
        min_margin: float = 0.08,
    ) -> None:
        self.aliases = list(load_alias_table() if aliases is None else aliases)
        self.min_fixture_matches = min_fixture_matches
        self.min_fixture_share = min_fixture_share
        self.min_similarity = min_similarity
        self.min_margin = min_margin

    def resolve(
        self,
        mentions: Iterable[Mention],
        fixture_links: Iterable[FixtureLink],
        appearances: dict[NameKey, set[Hashable]] | None = None,
        labels: dict[Hashable, str] | None = None,
    ) -> Resolution:
        """Resolve every mentioned name.

        ``appearances`` gives, per name, the match days it was seen on, each a slot such as
        (file, date): two names seen in one slot are two clubs, since a club plays once a day
        (a file that spells a club two ways on different days stays mergeable). Without it, two
        names of one file and season are two clubs. ``labels`` describes slots in messages.
        """
        mentions = list(mentions)
        contexts: dict[NameKey, list[Mention]] = defaultdict(list)
        for m in mentions:
            contexts[m.key].append(m)
        if appearances is None:
            appearances = defaultdict(set)
            for m in mentions:
                appearances[m.key].add(f"{m.url} ({m.season})")
        name_keys = sorted(contexts)
        alias_keys = [a.key for a in self.aliases]
        comps = _Components([*name_keys, *alias_keys], appearances, labels or {})
        method: dict[NameKey, tuple[str, float, str]] = {}
        refused: list[str] = []

        def link(a: NameKey, b: NameKey, how: str, confidence: float, evidence: str) -> bool:
            reason = comps.union(comps.index[a], comps.index[b])
            if reason is not None:
                refused.append(
                    f"{how}: {a.source}:{a.name} ({a.country}) ~ {b.source}:{b.name} ({b.country}): {reason}"
                )
                return False
            for k in (a, b):
                if k.source != "alias" and k not in method:
                    method[k] = (how, confidence, evidence)
            return True

        # 1. alias table
        alias_index: dict[tuple[str, str], AliasEntry] = {}
        for entry in self.aliases:
            for text in (entry.canonical, *entry.aliases):
                alias_index[(entry.country, normalise(text))] = entry
                alias_index[(entry.country, fold(text))] = entry
        for key in name_keys:
            if key.national:
                continue
            entry = alias_index.get((key.country, fold(key.name))) or alias_index.get(
                (key.country, normalise(key.name))
            )
            if entry is None and key.country:
                entry = next(
                    (alias_index.get((c, normalise(key.name))) for a, c in CROSS_BORDER if a == key.country), None
                )
            if entry is not None:
                link(key, entry.key, "alias", 1.0, f"alias table: {entry.canonical}")

        # 2. fixtures, strongest first, mutual best only
        for a, b, count in self._accepted_fixture_links(fixture_links, contexts):
            link(a, b, "fixtures", 0.99, f"{count} matches line up with {b.source}:{b.name}")

        # 3. same normalised name in one country
        by_norm: dict[tuple[str, str, bool], list[NameKey]] = defaultdict(list)
        for key in name_keys:
            country = key.country
            by_norm[(normalise(key.name), country, key.national)].append(key)
        for (norm, _country, _nat), keys in sorted(by_norm.items()):
            first = keys[0]
            for other in keys[1:]:
                link(first, other, "name", 0.95, f"same normalised name '{norm}'")

        # 4. UEFA-only names: most similar domestic club of the same country
        unresolved = self._similar_pass(comps, name_keys, contexts, link)

        return self._build(comps, name_keys, method, unresolved, refused, contexts)

    # ---- helpers ----------------------------------------------------------------------------
    def _accepted_fixture_links(
        self, links: Iterable[FixtureLink], contexts: dict[NameKey, list[Mention]]
    ) -> list[tuple[NameKey, NameKey, int]]:
        counts: dict[tuple[NameKey, NameKey], int] = defaultdict(int)
        overlap: dict[tuple[NameKey, NameKey], set[tuple[str, str]]] = defaultdict(set)
        for fl in links:
            if fl.a == fl.b:
                continue
            a, b = (fl.a, fl.b) if fl.a < fl.b else (fl.b, fl.a)
            counts[(a, b)] += fl.count
            overlap[(a, b)].add((fl.competition, fl.season))
        # rankings of partners per source: a name may line up equally well with one name in each
        # of several other sources (or other files of its own source)
        best: dict[tuple[NameKey, str], list[tuple[int, NameKey]]] = defaultdict(list)
        for (a, b), n in counts.items():
            best[(a, b.source)].append((n, b))
            best[(b, a.source)].append((n, a))
        for lst in best.values():
            lst.sort(key=lambda t: (-t[0], t[1]))

        played: dict[NameKey, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
        for key, ms in contexts.items():
            for m in ms:
                played[key][(m.competition, m.season)] += m.matches

        def total(key: NameKey, where: set[tuple[str, str]]) -> int:
            """Matches of ``key`` in the competitions and seasons both names were seen in."""
            return sum(played[key].get(cs, 0) for cs in where)

        def pair(x: NameKey, y: NameKey) -> tuple[NameKey, NameKey]:
            return (x, y) if x < y else (y, x)

        def clear_winner(x: NameKey, y: NameKey, n: int, where: set[tuple[str, str]]) -> bool:
            """``y`` leads ``x``'s partners in ``y``'s source, at least twice the runner-up rival."""
            seen_y = False
            for m, z in best[(x, y.source)]:  # most matches first
                if z == y:
                    seen_y = True
                elif overlap[pair(x, z)] & where and counts.get(pair(y, z), 0) < self.min_fixture_matches:
                    return seen_y and m * 2 <= n  # the first rival: ahead of y, or the runner-up
            return seen_y

        accepted = []
        for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if n < self.min_fixture_matches:
                continue
            where = overlap[(a, b)]
            if n < self.min_fixture_share * min(total(a, where), total(b, where)):
                continue
            # mutual best, and clearly ahead of the runner-up on both sides. Only names that line
            # up with ``x`` in some of the same competitions and seasons are rivals: a source that
            # spells a club one way until 2019-20 and another way after ("Bologna FC" /
            # "Bologna FC 1909") offers two successive partners, not two competing ones; and two
            # files of one source that line up with each other ("FC St. Pauli 1910" / "Sankt
            # Pauli") name one club twice.
            ok = clear_winner(a, b, n, where) and clear_winner(b, a, n, where)
            if ok:
                accepted.append((a, b, n))
        return accepted

    def _similar_pass(self, comps, name_keys, contexts, link) -> list[Unresolved]:  # type: ignore[no-untyped-def]
        files_of = {k: {m.url for m in ms} for k, ms in contexts.items()}

        def has_domestic(root: int) -> bool:
            return any(
                m.kind in ("league", "cup", "playoff")
                for i in comps.members[root]
                for m in contexts.get(comps.keys[i], ())
            )

        domestic_by_country: dict[str, list[int]] = defaultdict(list)
        roots = {comps.find(i) for i in range(len(comps.keys))}
        for r in roots:
            if comps.members[r] and has_domestic(r):
                for c in comps.countries[r]:
                    domestic_by_country[c].append(r)
        league_seasons: dict[int, set[int]] = {}

        def seasons_of(root: int) -> set[int]:
            if root not in league_seasons:
                league_seasons[root] = {
                    _season_start(m.season)
                    for i in comps.members[root]
                    for m in contexts.get(comps.keys[i], ())
                    if m.kind in ("league", "cup", "playoff")
                }
            return league_seasons[root]

        unresolved: list[Unresolved] = []
        for key in name_keys:
            if key.national or key.source == "alias" or not key.country:
                continue
            ms = contexts[key]
            if not any(m.kind == "uefa" for m in ms) or has_domestic(comps.root(key)):
                continue
            uefa_seasons = {_season_start(m.season) for m in ms if m.kind == "uefa"}
            countries = [key.country, *(c for a, c in CROSS_BORDER if a == key.country)]
            pool = {comps.find(r) for c in countries for r in domestic_by_country.get(c, [])}
            if not pool:
                reason = f"no domestic league of {key.country} in the store"
                unresolved.append(Unresolved(key, _context(ms), reason))
                continue
            scored = self._score(comps, key, pool, _near_seasons(uefa_seasons, seasons_of))
            if not self._link_best(comps, key, scored, self.min_similarity, "domestic", link, files_of=files_of):
                candidates = "; ".join(f"{n} ({s:.2f})" for s, _, n in scored[:3])
                unresolved.append(Unresolved(key, _context(ms), "no confident domestic match", candidates))

        # Names written without a country (old openfootball Europa League files, UEFA finals):
        # the one club anywhere with that normalised name, else a clearly most similar one.
        by_norm: dict[str, set[int]] = defaultdict(set)
        for i, k in enumerate(comps.keys):
            if k.country and not k.national and k.source != "alias":
                by_norm[normalise(k.name)].add(i)
        for entry in self.aliases:
            for text in (entry.canonical, *entry.aliases):
                by_norm[normalise(text)].add(comps.index[entry.key])
        for key in name_keys:
            if key.national or key.country or key.source == "alias":
                continue
            ms = contexts[key]
            roots = {comps.find(i) for i in by_norm.get(normalise(key.name), ())}
            if len(roots) == 1:
                target = comps.keys[next(iter(roots))]
                if link(key, target, "name", 0.9, f"the only club named '{normalise(key.name)}'"):
                    continue
            pool = {comps.find(i) for i, k in enumerate(comps.keys) if k.country and not k.national}
            scored = self._score(comps, key, pool, lambda r: True)
            if not self._link_best(comps, key, scored, min(1.0, self.min_similarity + 0.1), "club", link):
                candidates = "; ".join(f"{n} ({s:.2f})" for s, _, n in scored[:3])
                unresolved.append(Unresolved(key, _context(ms), "no country given and no confident match", candidates))
        return unresolved

    @staticmethod
    def _score(
        comps: _Components, key: NameKey, pool: set[int], near: Callable[[int], bool]
    ) -> list[tuple[float, int, str]]:
        """``(score, root, a name)`` per candidate club, best first; clubs of other eras score 10% less."""
        scored = []
        for r in pool:
            names = {comps.keys[i].name for i in comps.members[r]}
            if not names:
                continue
            score = max(similarity(key.name, n) for n in names)
            scored.append((score if near(r) else score * 0.9, r, sorted(names)[0]))
        scored.sort(key=lambda t: (-t[0], t[2]))
        return scored

    def _link_best(
        self,
        comps: _Components,
        key: NameKey,
        scored: list[tuple[float, int, str]],
        threshold: float,
        what: str,
        link: Callable[[NameKey, NameKey, str, float, str], bool],
        *,
        files_of: dict[NameKey, set[str]] | None = None,
    ) -> bool:
        """Merge ``key`` with the best-scored club if it clears ``threshold`` and the runner-up by the margin.

        With ``files_of`` (the files each name appears in), a club that one of ``key``'s own files
        already names differently is refused: a file names one club one way, so a second name
        there is a second club (engsoccerdata's "Baku" is FC Baku, not "Neftchi PFC Baku").
        """
        if not scored:
            return False
        best_score, best_root, best_name = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_score < threshold or best_score - runner_up < self.min_margin:
            return False
        if files_of is not None:
            mine = files_of.get(key, set())
            if any(comps.keys[i].name != key.name and files_of.get(comps.keys[i], set()) & mine
                   for i in comps.members[best_root]):  # fmt: skip
                return False
        target = comps.keys[comps.members[best_root][0]]
        return link(key, target, "similar", round(best_score, 3), f"most similar {what} name: {best_name}")

    def _build(self, comps, name_keys, method, unresolved, refused, contexts) -> Resolution:  # type: ignore[no-untyped-def]
        res = Resolution(unresolved=unresolved, refused=refused)
        used_ids: set[str] = set()
        root_ids: dict[int, str] = {}
        roots = sorted({comps.find(comps.index[k]) for k in name_keys}, key=lambda r: comps.keys[r])
        for r in roots:
            members = [comps.keys[i] for i in comps.members[r]]
            display = _display_name(members, contexts)
            country = _club_country(members)
            national = comps.national[r]
            base = slug(display) + ("-nt" if national else f"-{country.lower()}" if country else "")
            club_id = base
            n = 2
            while club_id in used_ids:
                club_id = f"{base}-{n}"
                n += 1
            used_ids.add(club_id)
            root_ids[r] = club_id
            res.clubs.append(Club(club_id, display, country or None, national))
        for key in name_keys:
            club_id = root_ids[comps.root(key)]
            how, conf, evidence = method.get(key, ("own", 1.0, ""))
            res.names.append(NameResolution(key, club_id, how, conf, evidence))
        return res


class ExternalMatcher:
    """Finds the club a third party means (ClubElo's ``ManCity``, FiveThirtyEight's ``Atletico Madrid``).

    Built from a finished :class:`Resolution`; it never creates clubs. ``match`` tries the alias
    table, the same normalised name, then clear similarity within the country.
    """

    def __init__(
        self,
        resolution: Resolution,
        aliases: Sequence[AliasEntry],
        *,
        min_similarity: float = 0.75,
        min_margin: float = 0.08,
    ) -> None:
        self.min_similarity = min_similarity
        self.min_margin = min_margin
        club_country = {c.club_id: (c.country or "") for c in resolution.clubs}
        self.national_names = [n for n in resolution.names if n.key.national and n.club_id is not None]
        self.names_by_club: dict[str, set[str]] = defaultdict(set)
        for n in resolution.names:
            if n.club_id is not None and not n.key.national:
                self.names_by_club[n.club_id].add(n.key.name)
        self.by_norm: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_country: dict[str, set[str]] = defaultdict(set)
        for n in resolution.names:
            if n.club_id is None or n.key.national:
                continue
            for country in {n.key.country, club_country[n.club_id]}:
                self.by_norm[(country, normalise(n.key.name))].add(n.club_id)
                self.by_country[country].add(n.club_id)
        for entry in aliases:
            members = {
                cid
                for text in (entry.canonical, *entry.aliases)
                for cid in self.by_norm.get((entry.country, normalise(text)), ())
            }
            if len(members) == 1:
                for text in (entry.canonical, *entry.aliases):
                    self.by_norm[(entry.country, normalise(text))] |= members

    def match_all(
        self, keys: Sequence[NameKey], files: dict[NameKey, set[str]] | None = None
    ) -> tuple[list[NameResolution], list[Unresolved]]:
        """Resolve every name; within one file a club gets at most one name (the best-matching one).

        A ratings file lists every club once, so two of its names meeting at one club means one
        of them is a different club ("SK Poltava" is not "Vorskla"): the clearly better match
        keeps the club, the others (or all, on a tie) are reported unresolved. ``files`` gives
        the files each name appears in (without it, every name of a source counts as one file).
        """
        national = {n.key.name: n.club_id for n in self.national_names}
        found: dict[NameKey, tuple[str | None, str, float, str]] = {}
        # names with a country first: a source's country-less row (a UEFA match) then reuses
        # what the same name with a country (a domestic match) resolved to
        with_country: dict[tuple[str, str], tuple[str | None, str, float, str]] = {}
        for key in sorted(keys, key=lambda k: (not k.country, k)):
            if key.national:
                cid = national.get(key.name)
                found[key] = (
                    (cid, "name", 1.0, "") if cid else (None, "unresolved", 0.0, "no national team of that name")
                )
            elif not key.country and with_country.get((key.source, key.name), (None,))[0] is not None:
                found[key] = with_country[(key.source, key.name)]
            else:
                found[key] = self.match(key.name, key.country or None)
                if key.country:
                    with_country.setdefault((key.source, key.name), found[key])
        claims: dict[tuple[str, str], list[NameKey]] = defaultdict(list)
        for key, (cid, _, _, _) in found.items():
            if cid is None:
                continue
            for url in (files or {}).get(key, {key.source}):
                claims[(url, cid)].append(key)
        for (_, cid), claimants in claims.items():
            score_of_name: dict[str, float] = {}
            for k in claimants:
                if found[k][0] == cid:  # not already given up by an earlier file
                    score_of_name[k.name] = max(score_of_name.get(k.name, 0.0), found[k][2])
            if len(score_of_name) < 2:
                continue  # one name (perhaps written with and without a country)
            ranked = sorted(score_of_name, key=lambda n: (-score_of_name[n], n))
            tied = score_of_name[ranked[0]] == score_of_name[ranked[1]]
            keep = None if tied else ranked[0]
            for k in claimants:
                if k.name != keep and found[k][0] == cid:
                    other = ranked[1] if k.name == ranked[0] else ranked[0]
                    found[k] = (None, "unresolved", 0.0, f"{other!r} of the same source also matches {cid}")
        names, unresolved = [], []
        for key, (cid, method, score, note) in found.items():
            names.append(NameResolution(key, cid, method, round(score, 3) if cid else 0.0, note))
            if cid is None:
                unresolved.append(Unresolved(key, "external ratings/forecasts", "no confident club match", note))
        return names, unresolved

    def match(
        self, name: str, country: str | None, allowed: set[str] | None = None
    ) -> tuple[str | None, str, float, str]:
        """``(club_id or None, method, score, note)``; ``allowed`` restricts candidates (e.g. one league's clubs)."""
        spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
        countries = [country] if country else sorted(self.by_country)
        for text in dict.fromkeys((name, spaced)):
            hits = set().union(*(self.by_norm.get((c, normalise(text)), set()) for c in countries))
            if allowed is not None:
                hits &= allowed
            if len(hits) == 1:
                return next(iter(hits)), "name", 1.0, f"same normalised name '{normalise(text)}'"
        pool = set().union(*(self.by_country.get(c, set()) for c in countries))
        if allowed is not None:
            pool &= allowed
        scored = sorted(
            (
                (max(similarity(spaced, n) for n in self.names_by_club[cid]), cid)
                for cid in pool
                if self.names_by_club[cid]
            ),
            reverse=True,
        )
        if not scored:
            return None, "unresolved", 0.0, "no candidate club"
        best, cid = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        note = "; ".join(f"{c} ({s:.2f})" for s, c in scored[:3])
        if best >= self.min_similarity and best - runner >= self.min_margin:
            return cid, "similar", best, note
        return None, "unresolved", 0.0, note


def _near_seasons(seasons: set[int], seasons_of: Callable[[int], set[int]]) -> Callable[[int], bool]:
    """Whether a club (root) played domestically within a season of any of ``seasons``."""
    return lambda root: any(abs(s - u) <= 1 for s in seasons_of(root) for u in seasons)


def _season_start(season: str) -> int:
    m = re.match(r"(\d{4})", season or "")
    return int(m.group(1)) if m else 0


def _context(ms: Sequence[Mention]) -> str:
    by_comp: dict[str, set[str]] = defaultdict(set)
    for m in ms:
        by_comp[m.competition].add(m.season)
    return "; ".join(
        f"{c} {min(s)}..{max(s)}" if len(s) > 1 else f"{c} {next(iter(s))}" for c, s in sorted(by_comp.items())
    )


def _display_name(members: Sequence[NameKey], contexts: dict[NameKey, list[Mention]]) -> str:
    for k in members:
        if k.source == "alias":
            return k.name
    rank = {s: i for i, s in enumerate(NAME_PREFERENCE)}

    def weight(k: NameKey) -> tuple[int, int, str]:
        return (rank.get(k.source, len(rank)), -sum(m.matches for m in contexts.get(k, ())), k.name)

    best = min(members, key=weight)
    return _tidy(best.name)


def _tidy(name: str) -> str:
    """Drop a trailing/leading legal form that sources add (``Liverpool FC`` -> ``Liverpool``)."""
    tidy = re.sub(r"\s+\((?:[A-Z]{3})\)$", "", name)
    tidy = re.sub(r"^(?:FC|AFC|CF|SC)\s+(?=\w)", "", tidy)
    tidy = re.sub(r"\s+(?:FC|AFC|CF|SC)$", "", tidy)
    return tidy or name


def _club_country(members: Sequence[NameKey]) -> str:
    countries = [k.country for k in members if k.country]
    if not countries:
        return ""
    # the association of a cross-border club (WAL for Swansea) is more informative than its league's
    for c in countries:
        if any(c == a for a, _ in CROSS_BORDER):
            return c
    return max(set(countries), key=countries.count)

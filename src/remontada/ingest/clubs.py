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
import functools
import importlib.resources
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from remontada.competitions import slug
from remontada.ingest.names import SimilarityIndex, fold, normalise

#: UEFA associations whose clubs play in another country's league (club country, league country).
CROSS_BORDER = frozenset(
    {("WAL", "ENG"), ("MCO", "FRA"), ("LIE", "SUI"), ("AND", "ESP"), ("SMR", "ITA"), ("NIR", "IRL")}
)

#: Preference of sources when naming a club (earlier wins), after the alias table.
NAME_PREFERENCE = (
    "engsoccerdata", "football-data", "openfootball", "footballcsv", "uefa-finals", "european-cups", "international"
)  # fmt: skip

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


@dataclass(frozen=True, eq=False)
class FixtureLinkTable:
    """Many fixture links as columns: row ``i`` says names ``keys[a[i]]`` and ``keys[b[i]]`` line up
    on ``count[i]`` matches of ``slots[slot[i]]`` (a ``(competition, season)`` pair).

    The store yields hundreds of thousands of links; as integer columns they cost no Python object
    each. ``keys`` and ``slots`` hold distinct values.
    """

    keys: Sequence[NameKey]
    slots: Sequence[tuple[str, str]]
    a: np.ndarray
    b: np.ndarray
    count: np.ndarray
    slot: np.ndarray

    def __post_init__(self) -> None:
        if len(set(self.keys)) != len(self.keys) or len(set(self.slots)) != len(self.slots):
            raise ValueError("FixtureLinkTable keys and slots must be distinct")

    @classmethod
    def from_links(cls, links: Iterable[FixtureLink]) -> FixtureLinkTable:
        """The table of ``links`` (keys and slots numbered in order of first appearance)."""
        key_ids: dict[NameKey, int] = {}
        slot_ids: dict[tuple[str, str], int] = {}
        a, b, count, slot = [], [], [], []
        for fl in links:
            a.append(key_ids.setdefault(fl.a, len(key_ids)))
            b.append(key_ids.setdefault(fl.b, len(key_ids)))
            slot.append(slot_ids.setdefault((fl.competition, fl.season), len(slot_ids)))
            count.append(fl.count)
        return cls(
            list(key_ids), list(slot_ids), np.array(a, dtype=np.int64), np.array(b, dtype=np.int64),
            np.array(count, dtype=np.int64), np.array(slot, dtype=np.int64),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.a)

    def __iter__(self) -> Iterator[FixtureLink]:
        for a, b, n, s in zip(self.a.tolist(), self.b.tolist(), self.count.tolist(), self.slot.tolist(), strict=True):
            yield FixtureLink(self.keys[a], self.keys[b], n, *self.slots[s])


class SlotLabels(Mapping[Hashable, str]):
    """Labels of appearance slots numbered ``1..n``: slot ``i`` reads ``"{files[i-1]} on {days[i-1]}"``.

    Built only when a refusal message needs one, since a store has hundreds of thousands of slots.
    """

    def __init__(self, files: Sequence[str], days: Sequence[str]) -> None:
        if len(files) != len(days):
            raise ValueError("SlotLabels needs one day per file")
        self._files, self._days = files, days

    def __getitem__(self, slot: Hashable) -> str:
        if not isinstance(slot, int) or not 1 <= slot <= len(self._files):
            raise KeyError(slot)
        return f"{self._files[slot - 1]} on {self._days[slot - 1]}"

    def __iter__(self) -> Iterator[Hashable]:
        return iter(range(1, len(self._files) + 1))

    def __len__(self) -> int:
        return len(self._files)


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
        self, keys: Sequence[NameKey], appearances: Mapping[NameKey, Set[Hashable]], labels: Mapping[Hashable, str]
    ) -> None:
        self.labels = labels
        self.index = {k: i for i, k in enumerate(keys)}
        self.keys = list(keys)
        self.parent = list(range(len(keys)))
        # the caller's sets, copied only when a merge first grows one (most names never absorb another)
        self.seen: list[Set[Hashable]] = [_as_set(appearances.get(k, ())) for k in keys]
        self.own_seen = [False] * len(keys)
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
        if not self.own_seen[ra]:
            self.seen[ra] = set(self.seen[ra])
            self.own_seen[ra] = True
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
        fixture_links: Iterable[FixtureLink] | FixtureLinkTable,
        appearances: Mapping[NameKey, Set[Hashable]] | None = None,
        labels: Mapping[Hashable, str] | None = None,
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
            per_season: dict[NameKey, set[Hashable]] = defaultdict(set)
            for m in mentions:
                per_season[m.key].add(f"{m.url} ({m.season})")
            appearances = per_season
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
            found = alias_index.get((key.country, fold(key.name))) or alias_index.get(
                (key.country, normalise(key.name))
            )
            if found is None and key.country:
                found = next(
                    (alias_index.get((c, normalise(key.name))) for a, c in CROSS_BORDER if a == key.country), None
                )
            if found is not None:
                link(key, found.key, "alias", 1.0, f"alias table: {found.canonical}")

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
        self, links: Iterable[FixtureLink] | FixtureLinkTable, contexts: dict[NameKey, list[Mention]]
    ) -> list[tuple[NameKey, NameKey, int]]:
        table = links if isinstance(links, FixtureLinkTable) else FixtureLinkTable.from_links(links)
        # names are numbered in NameKey order, so comparing numbers compares keys (pairs are (lower, higher))
        order = sorted(range(len(table.keys)), key=table.keys.__getitem__)
        keys = [table.keys[i] for i in order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        a_rank, b_rank = rank[table.a], rank[table.b]
        differ = a_rank != b_rank
        if not differ.any():
            return []
        lo, hi = np.minimum(a_rank, b_rank)[differ], np.maximum(a_rank, b_rank)[differ]
        n_keys, n_slots = len(keys), len(table.slots)

        # per unordered pair of names: matches lined up, and the (competition, season) slots they were in
        pair_codes, pair_of_link = np.unique(lo * n_keys + hi, return_inverse=True)
        n_pairs = len(pair_codes)
        pair_lo, pair_hi = pair_codes // n_keys, pair_codes % n_keys
        pair_n = np.bincount(pair_of_link, weights=table.count[differ], minlength=n_pairs).astype(np.int64)
        overlap_codes = _sorted_unique(pair_of_link * n_slots + table.slot[differ])
        overlap_pair, overlap_slot = overlap_codes // n_slots, overlap_codes % n_slots
        overlap_start = np.searchsorted(overlap_pair, np.arange(n_pairs + 1)).tolist()
        overlap_slots = overlap_slot.tolist()

        # matches each name played per slot, summed over the slots a pair shares (``total`` below)
        key_rank = {k: i for i, k in enumerate(keys)}
        slot_id = {cs: i for i, cs in enumerate(table.slots)}
        played: dict[int, int] = defaultdict(int)
        for key, ms in contexts.items():
            r = key_rank.get(key)
            if r is None:
                continue
            for m in ms:
                s = slot_id.get((m.competition, m.season))
                if s is not None:
                    played[r * n_slots + s] += m.matches
        played_codes = np.array([*sorted(played), np.iinfo(np.int64).max], dtype=np.int64)  # a sentinel at the end
        played_n = np.array([played[c] for c in played_codes[:-1].tolist()] + [0], dtype=np.int64)

        def total(names: np.ndarray) -> np.ndarray:
            """Per pair, the matches of ``names`` (one per overlap row) in the slots both names were seen in."""
            codes = names * n_slots + overlap_slot
            pos = np.searchsorted(played_codes, codes)
            matches = np.where(played_codes[pos] == codes, played_n[pos], 0)
            return np.bincount(overlap_pair, weights=matches, minlength=n_pairs)

        shared = np.minimum(total(pair_lo[overlap_pair]), total(pair_hi[overlap_pair]))
        passes = (pair_n >= self.min_fixture_matches) & ~(pair_n < self.min_fixture_share * shared)
        candidates = np.flatnonzero(passes)
        candidates = candidates[np.lexsort((pair_hi[candidates], pair_lo[candidates], -pair_n[candidates]))]

        # rankings of partners per source: a name may line up equally well with one name in each
        # of several other sources (or other files of its own source). Rows (name, partner's
        # source) in groups, most matches first, ties in key order.
        sources = sorted({k.source for k in keys})
        source_of = np.array([sources.index(k.source) for k in keys], dtype=np.int64)
        name = np.concatenate([pair_lo, pair_hi])
        partner = np.concatenate([pair_hi, pair_lo])
        partner_n = np.concatenate([pair_n, pair_n])
        group = name * len(sources) + source_of[partner]
        by = np.lexsort((partner, -partner_n, group))
        group, partners, partner_counts = group[by], partner[by].tolist(), partner_n[by].tolist()
        source_list = source_of.tolist()
        pair_index = dict(zip(pair_codes.tolist(), range(n_pairs), strict=True))
        counts = pair_n.tolist()
        overlap_cache: dict[int, set[int]] = {}

        def overlap(x: int, y: int) -> set[int]:
            p = pair_index[x * n_keys + y if x < y else y * n_keys + x]
            if p not in overlap_cache:
                overlap_cache[p] = set(overlap_slots[overlap_start[p] : overlap_start[p + 1]])
            return overlap_cache[p]

        def count(x: int, y: int) -> int:
            p = pair_index.get(x * n_keys + y if x < y else y * n_keys + x)
            return 0 if p is None else counts[p]

        def clear_winner(x: int, y: int, n: int, where: set[int]) -> bool:
            """``y`` leads ``x``'s partners in ``y``'s source, at least twice the runner-up rival."""
            g = x * len(sources) + source_list[y]
            start, end = int(np.searchsorted(group, g)), int(np.searchsorted(group, g, side="right"))
            seen_y = False
            for m, z in zip(partner_counts[start:end], partners[start:end], strict=True):  # most matches first
                if z == y:
                    seen_y = True
                elif not overlap(x, z).isdisjoint(where) and count(y, z) < self.min_fixture_matches:
                    return seen_y and m * 2 <= n  # the first rival: ahead of y, or the runner-up
            return seen_y

        accepted = []
        for p in candidates.tolist():
            a, b, n = int(pair_lo[p]), int(pair_hi[p]), counts[p]
            where = overlap(a, b)
            # mutual best, and clearly ahead of the runner-up on both sides. Only names that line
            # up with ``x`` in some of the same competitions and seasons are rivals: a source that
            # spells a club one way until 2019-20 and another way after ("Bologna FC" /
            # "Bologna FC 1909") offers two successive partners, not two competing ones; and two
            # files of one source that line up with each other ("FC St. Pauli 1910" / "Sankt
            # Pauli") name one club twice.
            if clear_winner(a, b, n, where) and clear_winner(b, a, n, where):
                accepted.append((keys[a], keys[b], n))
        return accepted

    def _similar_pass(
        self,
        comps: _Components,
        name_keys: list[NameKey],
        contexts: dict[NameKey, list[Mention]],
        link: Callable[[NameKey, NameKey, str, float, str], bool],
    ) -> list[Unresolved]:
        files_of = {k: {m.url for m in ms} for k, ms in contexts.items()}
        index = SimilarityIndex(k.name for k in comps.keys)
        root_names: dict[int, tuple[int, set[str]]] = {}

        def names_of(root: int) -> set[str]:
            """The names of a club, cached until a merge adds members to it."""
            members = comps.members[root]
            cached = root_names.get(root)
            if cached is None or cached[0] != len(members):
                cached = root_names[root] = (len(members), {comps.keys[i].name for i in members})
            return cached[1]

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
            scored = self._score(key, pool, _near_seasons(uefa_seasons, seasons_of), index, names_of)
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
            scored = self._score(key, pool, lambda r: True, index, names_of)
            if not self._link_best(comps, key, scored, min(1.0, self.min_similarity + 0.1), "club", link):
                candidates = "; ".join(f"{n} ({s:.2f})" for s, _, n in scored[:3])
                unresolved.append(Unresolved(key, _context(ms), "no country given and no confident match", candidates))
        return unresolved

    @staticmethod
    def _score(
        key: NameKey,
        pool: set[int],
        near: Callable[[int], bool],
        index: SimilarityIndex,
        names_of: Callable[[int], set[str]],
    ) -> list[tuple[float, int, str]]:
        """``(score, root, a name)`` per candidate club, best first; clubs of other eras score 10% less.

        Only the clubs that can rank among the best three are listed (the callers look no further).
        """
        roots, groups = [], []
        for r in pool:
            names = names_of(r)
            if names:
                roots.append(r)
                groups.append(names)
        factors = [1.0 if near(r) else 0.9 for r in roots]
        scores = index.best(key.name, groups, factors, top=3)
        scored = [(scores[i], r, min(groups[i])) for i, r in enumerate(roots) if i in scores]
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

    def _build(
        self,
        comps: _Components,
        name_keys: list[NameKey],
        method: dict[NameKey, tuple[str, float, str]],
        unresolved: list[Unresolved],
        refused: list[str],
        contexts: dict[NameKey, list[Mention]],
    ) -> Resolution:
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
        self._similarity_index: SimilarityIndex | None = None
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

    def _index(self) -> SimilarityIndex:
        if self._similarity_index is None:
            self._similarity_index = SimilarityIndex(n for names in self.names_by_club.values() for n in names)
        return self._similarity_index

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
        # only the three best are reported, so only the clubs that can rank there are scored exactly
        clubs = [cid for cid in pool if self.names_by_club[cid]]
        scores = self._index().best(spaced, [self.names_by_club[cid] for cid in clubs], top=3)
        scored = sorted(((scores[i], cid) for i, cid in enumerate(clubs) if i in scores), reverse=True)
        if not scored:
            return None, "unresolved", 0.0, "no candidate club"
        best, cid = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        note = "; ".join(f"{c} ({s:.2f})" for s, c in scored[:3])
        if best >= self.min_similarity and best - runner >= self.min_margin:
            return cid, "similar", best, note
        return None, "unresolved", 0.0, note


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``; sorting first is several times faster than numpy 2's hashing here."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def _as_set(slots: Iterable[Hashable]) -> Set[Hashable]:
    return slots if isinstance(slots, (set, frozenset)) else set(slots)


def _near_seasons(seasons: set[int], seasons_of: Callable[[int], set[int]]) -> Callable[[int], bool]:
    """Whether a club (root) played domestically within a season of any of ``seasons``."""
    return lambda root: any(abs(s - u) <= 1 for s in seasons_of(root) for u in seasons)


@functools.lru_cache(maxsize=4096)
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

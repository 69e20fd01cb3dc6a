"""openfootball: public-domain (CC0) Football.TXT results from github.com/openfootball.

Files are fetched from ``https://raw.githubusercontent.com/openfootball/<repo>/<ref>/<path>``
where ``ref`` is ``master`` (or a pinned commit for older versions that the current tree no
longer holds). GitHub raw has no directory listing, so the files remontada reads are listed
in ``sources/catalog/openfootball.txt``: one ``<repo>/<path>`` per line, optionally followed by
`` @<commit>`` for a commit-pinned file. :func:`catalogue_from_mirror` regenerates that list
from a mirror laid out by URL path (``python -m remontada.sources.openfootball <mirror root>``).

This module maps each path to its competition, season, layout and implied team country, and
hands the text to :mod:`remontada.sources.footballtxt`. It then numbers the legs of two-legged
ties (openfootball does not label them) and adds the aggregate to every second leg.

Left out of the catalogue on purpose: ``squads/`` folders (player lists), ``.conf.txt`` files
(final tables, no matches), ``football.json`` (JSON exports of the same matches) and the two
re-layouts of ``england/rsssf/eng2024-playoffs.txt`` (``_v2``, ``_details``: same matches).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from remontada.competitions import CATALOGUE, Competition, domestic
from remontada.sources.base import RemoteFile
from remontada.sources.footballtxt import FileFacts, FileKind, assign_legs, parse_football_txt, read_title
from remontada.sources.records import ParsedFile, SourceError

KEY = "openfootball"
BASE_URL = "https://raw.githubusercontent.com/openfootball/"
#: Where the fetched files sit under a mirror root, for the ``master`` ref and for pinned commits.
MIRROR_PREFIX = "openfootball/"
HISTORY_PREFIX = "_history/openfootball/"
CATALOGUE_RESOURCE = "openfootball.txt"

#: Repositories with Football.TXT match files, and the country their domestic teams belong to.
REPO_COUNTRIES: dict[str, str | None] = {
    "champions-league": None,
    "england": "ENG",
    "deutschland": "GER",
    "espana": "ESP",
    "italy": "ITA",
    "europe": None,
}

#: ``europe/<folder>`` -> the three-letter code UEFA files use for that country.
EUROPE_COUNTRIES: dict[str, str] = {
    "albania": "ALB",
    "andorra": "AND",
    "armenia": "ARM",
    "austria": "AUT",
    "azerbaijan": "AZE",
    "belarus": "BLR",
    "belgium": "BEL",
    "bosnia-herzegovina": "BIH",
    "bulgaria": "BUL",
    "croatia": "CRO",
    "cyprus": "CYP",
    "czech-republic": "CZE",
    "denmark": "DEN",
    "england": "ENG",
    "estonia": "EST",
    "faroe-islands": "FRO",
    "finland": "FIN",
    "france": "FRA",
    "georgia": "GEO",
    "germany": "GER",
    "gibraltar": "GIB",
    "greece": "GRE",
    "hungary": "HUN",
    "iceland": "ISL",
    "ireland": "IRL",
    "israel": "ISR",
    "italy": "ITA",
    "kazakhstan": "KAZ",
    "kosovo": "KOS",
    "latvia": "LVA",
    "liechtenstein": "LIE",
    "lithuania": "LTU",
    "luxembourg": "LUX",
    "malta": "MLT",
    "moldova": "MDA",
    "montenegro": "MNE",
    "netherlands": "NED",
    "north-macedonia": "MKD",
    "northern-ireland": "NIR",
    "norway": "NOR",
    "poland": "POL",
    "portugal": "POR",
    "romania": "ROU",
    "russia": "RUS",
    "san-marino": "SMR",
    "scotland": "SCO",
    "serbia": "SRB",
    "slovakia": "SVK",
    "slovenia": "SVN",
    "spain": "ESP",
    "sweden": "SWE",
    "switzerland": "SUI",
    "turkey": "TUR",
    "ukraine": "UKR",
    "wales": "WAL",
}

#: champions-league file stem -> (competition id, file kind).
UEFA_FILES: dict[str, tuple[str, FileKind]] = {
    "cl": ("uefa.cl", "uefa"),
    "el": ("uefa.el", "uefa"),
    "conf": ("uefa.ecl", "uefa"),
    "clq": ("uefa.cl", "uefa-qualifying"),
    "elq": ("uefa.el", "uefa-qualifying"),
    "confq": ("uefa.ecl", "uefa-qualifying"),
    "el_finals": ("uefa.el", "uefa"),
}

#: Cup file stems in the country repos -> competition key within the country.
CUP_FILES: dict[str, str] = {"cup": "cup", "facup": "fa", "eflcup": "lc"}

#: Files in the mirror that are deliberately not read, with the reason.
EXCLUDED: dict[str, str] = {
    "england/rsssf/eng2024-playoffs_v2.txt": "same matches as eng2024-playoffs.txt in an outline-header layout",
    "england/rsssf/eng2024-playoffs_details.txt": "same matches as eng2024-playoffs.txt plus final tables",
}

#: rsssf England file kinds (``eng2020-facup.txt``) -> (competition id, file kind); play-offs otherwise.
_RSSSF_ENGLISH: dict[str, tuple[str, FileKind]] = {
    "facup": ("eng.fa", "cup"),
    "leaguecup": ("eng.lc", "cup"),
    "premierleague": ("eng.1", "league"),
}

_SEASON = r"(?P<season>\d{4}-\d{2}|\d{4})"
_PATH_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^champions-league/{_SEASON}/(?P<stem>[a-z_]+)\.txt$"), "uefa"),
    (
        re.compile(
            rf"^(?P<repo>england|deutschland|espana|italy)/(?:archive/\d{{4}}s/)?{_SEASON}/(?P<stem>[^/]+)\.txt$"
        ),
        "domestic",
    ),
    (re.compile(rf"^europe/(?P<folder>[a-z-]+)/{_SEASON}_(?P<code>[a-z0-9]+)\.txt$"), "europe"),
    (re.compile(r"^(?P<repo>england|deutschland)/rsssf/(?P<stem>[a-z0-9_-]+)\.txt$"), "rsssf"),
]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One line of the catalogue: ``repo/path`` at ``master`` or at a pinned ``commit``."""

    repo: str
    path: str
    commit: str | None = None

    @property
    def key(self) -> str:
        return f"{self.repo}/{self.path}"

    def line(self) -> str:
        return self.key + (f" @{self.commit}" if self.commit else "")


def describe(key: str) -> FileFacts:
    """Competition, season, layout and team country of a ``repo/path`` of openfootball.

    Raises ``ValueError`` for a path that is not a match file remontada knows how to place.
    """
    for pattern, family in _PATH_RULES:
        found = pattern.match(key)
        if not found:
            continue
        if family == "uefa":
            return _describe_uefa(key, found)
        if family == "domestic":
            return _describe_domestic(key, found)
        if family == "europe":
            return _describe_europe(key, found)
        return _describe_rsssf(key, found)
    raise ValueError(f"not an openfootball match file remontada can place: {key}")


def _describe_uefa(key: str, found: re.Match[str]) -> FileFacts:
    stem = found.group("stem")
    if stem not in UEFA_FILES:
        raise ValueError(f"unknown champions-league file {key}")
    competition, kind = UEFA_FILES[stem]
    return FileFacts(KEY, competition, found.group("season"), kind)


def _repo_country(found: re.Match[str]) -> str:
    country = REPO_COUNTRIES[found.group("repo")]
    if country is None:
        raise ValueError(f"repository {found.group('repo')} has no single country")
    return country


def _describe_domestic(key: str, found: re.Match[str]) -> FileFacts:
    country = _repo_country(found)
    stem = found.group("stem")
    tier = re.match(r"^(?P<tier>\d)-(?P<name>.+)$", stem)
    if stem in CUP_FILES:
        competition = domestic(country, CUP_FILES[stem], f"{country} cup").id
        return FileFacts(KEY, competition, found.group("season"), "cup", country)
    if not tier:
        raise ValueError(f"cannot tell the competition of {key}")
    level = int(tier.group("tier"))
    # Parallel divisions of one tier (Regionalliga Nord/West..., Serie C groups) get a suffix.
    parallel = re.match(r"^(?:regionalliga-(?P<region>[a-z]+)|seriec_(?P<group>[a-z]))$", tier.group("name"))
    suffix = ""
    if parallel:
        suffix = "-" + (parallel.group("region") or parallel.group("group"))
    competition = domestic(country, f"{level}{suffix}", f"{country} tier {level}", level).id
    return FileFacts(KEY, competition, found.group("season"), "league", country)


def _describe_europe(key: str, found: re.Match[str]) -> FileFacts:
    folder = found.group("folder")
    if folder not in EUROPE_COUNTRIES:
        raise ValueError(f"unknown country folder in {key}; add it to EUROPE_COUNTRIES")
    country = EUROPE_COUNTRIES[folder]
    code = found.group("code")
    if code.endswith("cup"):
        competition = domestic(country, "cup", f"{folder} cup").id
        return FileFacts(KEY, competition, found.group("season"), "cup", country)
    tier = re.fullmatch(r"[a-z]+?(?P<tier>\d)(?P<suffix>[a-z]*)", code)
    if not tier:
        raise ValueError(f"cannot read the division code {code!r} of {key}")
    level = int(tier.group("tier"))
    competition = domestic(country, f"{level}{tier.group('suffix')}", f"{folder} {code}", level).id
    return FileFacts(KEY, competition, found.group("season"), "league", country)


def _describe_rsssf(key: str, found: re.Match[str]) -> FileFacts:
    stem = found.group("stem")
    country = _repo_country(found)
    kind: FileKind
    english = re.fullmatch(r"eng(?P<end>\d{4})-(?P<what>facup|leaguecup|playoffs(?:_v2|_details)?|premierleague)", stem)
    cup = re.fullmatch(r"engcup(?P<end>\d{4})", stem)
    german = re.fullmatch(r"duit(?P<end>\d{2}|\d{4})", stem)
    if english:
        end = int(english.group("end"))
        what = english.group("what")
        competition, kind = _RSSSF_ENGLISH.get(what, ("eng.po", "playoff"))
    elif cup:
        end, competition, kind = int(cup.group("end")), "eng.fa", "cup"
    elif german:
        end = int(german.group("end"))
        if end < 100:  # "duit64" is 1963-64; four digits from 2000 on ("duit2025")
            end += 1900 if end >= 50 else 2000
        competition, kind = "ger.1", "league"
    else:
        raise ValueError(f"unknown rsssf file {key}")
    season = f"{end - 1}-{end % 100:02d}"
    return FileFacts(KEY, competition, season, kind, country)


def read_catalogue(text: str | None = None) -> list[CatalogueEntry]:
    """The catalogue lines (packaged ``catalog/openfootball.txt`` unless ``text`` is given)."""
    if text is None:
        text = resources.files("remontada.sources").joinpath("catalog", CATALOGUE_RESOURCE).read_text("utf-8")
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = re.fullmatch(r"(?P<repo>[a-z.-]+)/(?P<path>\S+)(?:\s+@(?P<commit>[0-9a-f]{40}))?", line)
        if not found:
            raise SourceError(CATALOGUE_RESOURCE, number, f"not a 'repo/path [@commit]' line: {line!r}")
        entries.append(CatalogueEntry(found.group("repo"), found.group("path"), found.group("commit")))
    return entries


def survey_mirror(
    mirror_root: Path, commits: dict[str, str] | None = None
) -> tuple[list[CatalogueEntry], dict[str, str]]:
    """Every Football.TXT match file under ``mirror_root``, and every other file with the reason.

    Walks ``openfootball/`` (files at ``master``) and ``_history/openfootball/<repo>/<commit>/``
    (pinned files). ``commits`` maps the 12-character commit folders to full hashes, which
    the raw URL needs; by default :data:`KNOWN_COMMITS`.
    """
    commits = KNOWN_COMMITS if commits is None else commits
    entries: list[CatalogueEntry] = []
    skipped: dict[str, str] = {}
    base = mirror_root / MIRROR_PREFIX
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        key = path.relative_to(base).as_posix()
        reason = _skip_reason(key)
        if reason:
            skipped[key] = reason
        else:
            repo, rest = key.split("/", 1)
            entries.append(CatalogueEntry(repo, rest))
    history = mirror_root / HISTORY_PREFIX
    for path in sorted(p for p in history.rglob("*") if p.is_file()) if history.is_dir() else []:
        repo, short, rest = path.relative_to(history).as_posix().split("/", 2)
        reason = _skip_reason(f"{repo}/{rest}")
        if reason:
            skipped[path.relative_to(mirror_root).as_posix()] = reason
        elif short not in commits:
            raise ValueError(f"no full commit hash known for {path}; pass it in commits")
        else:
            entries.append(CatalogueEntry(repo, rest, commits[short]))
    return entries, skipped


def catalogue_from_mirror(mirror_root: Path, commits: dict[str, str] | None = None) -> list[CatalogueEntry]:
    """The catalogue entries :func:`survey_mirror` finds under ``mirror_root``."""
    return survey_mirror(mirror_root, commits)[0]


#: Commit folders of ``_history/openfootball/champions-league`` and their full hashes (MANIFEST).
KNOWN_COMMITS: dict[str, str] = {
    "6d3ffae05a88": "6d3ffae05a88beea1e2bc98b79cdca3f7b6d1100",
    "b1b22f0af3dc": "b1b22f0af3dc45343fa0a97984191e95b3cb2aa4",
}


def _skip_reason(key: str) -> str | None:
    """Why ``repo/path`` is not read, or ``None`` for a match file remontada reads."""
    if key.split("/", 1)[0] not in REPO_COUNTRIES:
        return "not a Football.TXT repository (football.json holds JSON exports of the same matches)"
    if not key.endswith(".txt"):
        return "not a .txt file"
    if "/squads/" in key:
        return "squad list (players), no matches"
    if key.rsplit("/", 1)[-1].startswith("."):
        return "final tables (.conf.txt), no matches"
    if key in EXCLUDED:
        return EXCLUDED[key]
    try:
        describe(key)
    except ValueError as exc:
        return str(exc)
    return None


class OpenFootball:
    """The openfootball source: the catalogued Football.TXT files and their parser.

    ``repos`` limits the repositories read (default: all of :data:`REPO_COUNTRIES`);
    ``competitions`` limits competition ids (``{"uefa.el"}``); ``seasons`` limits seasons
    (``{"2023-24"}``). ``catalogue`` replaces the packaged file list.
    """

    key = KEY
    description = "openfootball: CC0 Football.TXT results (UEFA club competitions 2011-2026, ~45 European countries)"

    def __init__(
        self,
        repos: Iterable[str] | None = None,
        competitions: Iterable[str] | None = None,
        seasons: Iterable[str] | None = None,
        base_url: str = BASE_URL,
        catalogue: list[CatalogueEntry] | None = None,
    ) -> None:
        self.repos = frozenset(REPO_COUNTRIES if repos is None else repos)
        unknown = self.repos - set(REPO_COUNTRIES)
        if unknown:
            raise ValueError(f"unknown openfootball repo(s) {sorted(unknown)}; known: {', '.join(REPO_COUNTRIES)}")
        self.competitions = frozenset(competitions) if competitions is not None else None
        self.seasons = frozenset(seasons) if seasons is not None else None
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.catalogue = read_catalogue() if catalogue is None else catalogue

    def files(self) -> list[RemoteFile]:
        """Every catalogued file of the chosen repos, competitions and seasons."""
        files = []
        for entry in self.catalogue:
            if entry.repo not in self.repos:
                continue
            facts = describe(entry.key)
            if self.competitions is not None and facts.competition not in self.competitions:
                continue
            if self.seasons is not None and facts.season not in self.seasons:
                continue
            files.append(self.remote(entry, facts))
        return files

    def remote(self, entry: CatalogueEntry, facts: FileFacts | None = None) -> RemoteFile:
        """The :class:`RemoteFile` of one catalogue entry (URL at ``master`` or the pinned commit)."""
        facts = facts or describe(entry.key)
        ref = entry.commit or "master"
        mirror = (
            f"{HISTORY_PREFIX}{entry.repo}/{entry.commit[:12]}/{entry.path}"
            if entry.commit
            else f"{MIRROR_PREFIX}{entry.key}"
        )
        return RemoteFile(
            source=KEY,
            path=entry.key,
            url=f"{self.base_url}{entry.repo}/{ref}/{entry.path}",
            mirror_path=mirror,
            competition=facts.competition,
            season=facts.season,
        )

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one Football.TXT file; raise :class:`SourceError` naming ``location`` and line."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(location, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if text.lstrip().lower().startswith(("<!doctype", "<html")):
            raise SourceError(location, None, "an HTML page, not a Football.TXT file")
        try:
            facts = describe(remote.path)
        except ValueError as exc:
            raise SourceError(location, None, str(exc)) from None
        parsed = parse_football_txt(text, location, facts)
        parsed.matches = assign_legs(parsed.matches, always_two_legged=facts.competition.startswith("uefa."))
        if facts.competition in ENGLISH_PLAYOFF_LEAGUES:
            # English play-offs are one competition (eng.po) in every source, whatever file holds them
            for match in parsed.matches:
                if match.stage == "playoff":
                    match.competition = "eng.po"
        if facts.competition not in CATALOGUE:
            parsed.competitions.append(competition_of(facts.competition, read_title(text)))
        return parsed


#: League files whose play-off rounds belong to the separate English play-offs competition.
ENGLISH_PLAYOFF_LEAGUES = frozenset({"eng.2", "eng.3", "eng.4", "eng.5"})


def competition_of(competition_id: str, title: str | None) -> Competition:
    """The :class:`Competition` of a domestic id outside the catalogue, named by the file's title.

    ``"isl.1"`` with title ``"Iceland Úrvalsdeild"`` is the Icelandic top flight (tier 1);
    ``"ger.4-nord"`` is a tier-4 league; ``"bul.cup"`` a cup.
    """
    country, _, key = competition_id.partition(".")
    tier = re.match(r"\d+", key)
    return domestic(country.upper(), key, title or competition_id, int(tier.group()) if tier else None)


def write_catalogue(mirror_root: Path, target: Path) -> int:
    """Regenerate the catalogue file from a mirror; returns the number of files listed."""
    entries = catalogue_from_mirror(mirror_root)
    header = (
        "# openfootball files read by remontada: <repo>/<path> [@<commit>] (default ref: master).\n"
        "# Regenerate: python -m remontada.sources.openfootball <mirror root>\n"
    )
    target.write_text(header + "".join(entry.line() + "\n" for entry in entries), encoding="utf-8")
    return len(entries)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m remontada.sources.openfootball <mirror root>")
    destination = Path(__file__).resolve().parent / "catalog" / CATALOGUE_RESOURCE
    print(f"{write_catalogue(Path(sys.argv[1]), destination)} files -> {destination}")

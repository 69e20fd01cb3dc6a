"""The catalogue of competitions: stable ids, names people type, country and kind.

Ids are ``<country code lower-case>.<tier or cup key>`` for domestic football
(``eng.1`` is the English top flight in every era), ``uefa.*`` for UEFA club competitions
and ``int.*`` for national-team tournaments. Sources map their own labels (football-data's
``E0``, openfootball's ``1-premierleague.txt``, engsoccerdata's ``tier``) onto these ids.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Competition:
    """A competition. ``kind`` is ``league``, ``cup``, ``playoff``, ``uefa`` or ``international``."""

    id: str
    name: str
    country: str | None
    kind: str
    tier: int | None = None
    aliases: tuple[str, ...] = ()


_LEAGUES: list[tuple[str, str, str, int, tuple[str, ...]]] = [
    ("eng.1", "Premier League", "ENG", 1, ("EPL", "English Premier League", "First Division")),
    ("eng.2", "Championship", "ENG", 2, ("EFL Championship", "English Championship")),
    ("eng.3", "League One", "ENG", 3, ("EFL League One",)),
    ("eng.4", "League Two", "ENG", 4, ("EFL League Two",)),
    ("eng.5", "National League", "ENG", 5, ("Conference",)),
    ("eng.3n", "Third Division North", "ENG", 3, ()),
    ("eng.3s", "Third Division South", "ENG", 3, ()),
    ("sco.1", "Scottish Premiership", "SCO", 1, ("Premiership", "Scottish Premier League")),
    ("sco.2", "Scottish Championship", "SCO", 2, ()),
    ("sco.3", "Scottish League One", "SCO", 3, ()),
    ("sco.4", "Scottish League Two", "SCO", 4, ()),
    ("ger.1", "Bundesliga", "GER", 1, ("German Bundesliga", "1. Bundesliga")),
    ("ger.2", "2. Bundesliga", "GER", 2, ("Bundesliga 2",)),
    ("ger.3", "3. Liga", "GER", 3, ()),
    ("ita.1", "Serie A", "ITA", 1, ("Italian Serie A",)),
    ("ita.2", "Serie B", "ITA", 2, ()),
    ("esp.1", "La Liga", "ESP", 1, ("Primera Division", "LaLiga", "Spanish La Liga")),
    ("esp.2", "Segunda Division", "ESP", 2, ("La Liga 2", "Segunda")),
    ("fra.1", "Ligue 1", "FRA", 1, ("French Ligue 1",)),
    ("fra.2", "Ligue 2", "FRA", 2, ()),
    ("ned.1", "Eredivisie", "NED", 1, ("Dutch Eredivisie",)),
    ("ned.2", "Eerste Divisie", "NED", 2, ()),
    ("bel.1", "Belgian Pro League", "BEL", 1, ("Jupiler Pro League", "First Division A")),
    ("por.1", "Primeira Liga", "POR", 1, ("Liga Portugal",)),
    ("tur.1", "Super Lig", "TUR", 1, ("Turkish Super Lig",)),
    ("gre.1", "Greek Super League", "GRE", 1, ("Super League Greece",)),
    ("aut.1", "Austrian Bundesliga", "AUT", 1, ()),
    ("sui.1", "Swiss Super League", "SUI", 1, ()),
    ("den.1", "Danish Superliga", "DEN", 1, ()),
    ("pol.1", "Ekstraklasa", "POL", 1, ()),
    ("rou.1", "Liga I", "ROU", 1, ()),
    ("rus.1", "Russian Premier League", "RUS", 1, ()),
    ("nor.1", "Eliteserien", "NOR", 1, ()),
    ("swe.1", "Allsvenskan", "SWE", 1, ()),
    ("fin.1", "Veikkausliiga", "FIN", 1, ()),
    ("irl.1", "League of Ireland Premier Division", "IRL", 1, ()),
    ("arg.1", "Argentine Primera Division", "ARG", 1, ()),
    ("bra.1", "Brasileirao Serie A", "BRA", 1, ()),
    ("mex.1", "Liga MX", "MEX", 1, ()),
    ("usa.1", "Major League Soccer", "USA", 1, ("MLS",)),
    ("jpn.1", "J1 League", "JPN", 1, ()),
    ("chn.1", "Chinese Super League", "CHN", 1, ()),
    ("rsa.1", "South African Premier Division", "RSA", 1, ("PSL",)),
]

_CUPS: list[tuple[str, str, str | None, str, tuple[str, ...]]] = [
    ("eng.fa", "FA Cup", "ENG", "cup", ()),
    ("eng.lc", "EFL Cup", "ENG", "cup", ("League Cup", "Carabao Cup")),
    ("eng.po", "EFL Play-offs", "ENG", "playoff", ("Play-offs",)),
    ("ger.cup", "DFB-Pokal", "GER", "cup", ("German Cup",)),
    ("esp.cup", "Copa del Rey", "ESP", "cup", ()),
    ("ita.cup", "Coppa Italia", "ITA", "cup", ()),
    ("fra.cup", "Coupe de France", "FRA", "cup", ()),
    ("uefa.cl", "Champions League", None, "uefa", ("UEFA Champions League", "European Cup", "UCL", "CL")),
    ("uefa.el", "Europa League", None, "uefa", ("UEFA Europa League", "UEFA Cup", "UEL", "EL")),
    (
        "uefa.ecl", "Conference League", None, "uefa",
        ("UEFA Conference League", "Europa Conference League", "UECL", "ECL"),
    ),
    ("uefa.cwc", "Cup Winners' Cup", None, "uefa", ("European Cup Winners' Cup", "CWC")),
    ("uefa.fairs", "Inter-Cities Fairs Cup", None, "uefa", ("Fairs Cup", "ICFC")),
    ("uefa.itc", "Intertoto Cup", None, "uefa", ("UEFA Intertoto Cup", "Intertoto")),
    ("uefa.sc", "UEFA Super Cup", None, "uefa", ("Super Cup",)),
]


def _build() -> dict[str, Competition]:
    catalogue: dict[str, Competition] = {}
    for cid, name, country, tier, aliases in _LEAGUES:
        catalogue[cid] = Competition(cid, name, country, "league", tier, aliases)
    for cid, name, cup_country, kind, aliases in _CUPS:
        catalogue[cid] = Competition(cid, name, cup_country, kind, None, aliases)
    return catalogue


#: Every competition remontada knows by id. National-team tournaments are made on demand
#: by :func:`international`, since their list is open-ended.
CATALOGUE: dict[str, Competition] = _build()


def slug(text: str) -> str:
    """Lower-case ASCII words joined by ``-``: ``"Coupe de France"`` -> ``"coupe-de-france"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def international(tournament: str) -> Competition:
    """The competition for a national-team tournament name (``"FIFA World Cup"`` -> ``int.fifa-world-cup``)."""
    return Competition(f"int.{slug(tournament)}", tournament, None, "international")


def domestic(country: str, key: str, name: str, tier: int | None = None) -> Competition:
    """A domestic competition outside the catalogue (``domestic("CZE", "1", "Czech First League", 1)``)."""
    cid = f"{country.lower()}.{key}"
    if cid in CATALOGUE:
        return CATALOGUE[cid]
    kind = "league" if tier is not None else "cup"
    return Competition(cid, name, country, kind, tier)


#: The names a competition went by before its catalogue name, as (first season under the name, name),
#: oldest first; the catalogue name applies from the last entry on. Seasons are start years
#: (``1992`` is 1992-93). Only names a football reader would see as different competitions are
#: listed, not sponsors' names.
ERAS: dict[str, tuple[tuple[int, str], ...]] = {
    "uefa.cl": ((1955, "European Cup"), (1992, "Champions League")),
    "uefa.el": ((1971, "UEFA Cup"), (2009, "Europa League")),
    "uefa.ecl": ((2021, "Europa Conference League"), (2024, "Conference League")),
    "eng.1": ((1888, "First Division"), (1992, "Premier League")),
    "eng.2": ((1892, "Second Division"), (1992, "First Division"), (2004, "Championship")),
    "eng.3": ((1920, "Third Division"), (1992, "Second Division"), (2004, "League One")),
    "eng.4": ((1958, "Fourth Division"), (1992, "Third Division"), (2004, "League Two")),
    "eng.5": ((1979, "Alliance Premier League"), (1986, "Conference"), (2015, "National League")),
    "eng.lc": ((1960, "League Cup"), (2016, "EFL Cup")),
    "sco.1": ((1890, "Scottish First Division"), (1975, "Scottish Premier Division"),
              (1998, "Scottish Premier League"), (2013, "Scottish Premiership")),
    "sco.2": ((1975, "Scottish First Division"), (2013, "Scottish Championship")),
    "sco.3": ((1975, "Scottish Second Division"), (2013, "Scottish League One")),
    "sco.4": ((1994, "Scottish Third Division"), (2013, "Scottish League Two")),
}  # fmt: skip


def _start_year(season: str | int | dt.date) -> int:
    """The start year of a season (``"2004-05"``, ``"2004/2005"``, ``2004``) or of the European season
    (1 July to 30 June) a date falls in."""
    if isinstance(season, dt.date):
        return season.year if season.month >= 7 else season.year - 1
    from remontada.rules import season_start_year

    return season_start_year(season)


def display_name(competition_id: str | None, season: str | int | dt.date | None = None) -> str | None:
    """The name people use for a competition id, as it was called in ``season``.

    ``display_name("uefa.el", "2004-05")`` is ``"UEFA Cup"``, ``display_name("uefa.el", "2023-24")``
    ``"Europa League"`` and ``display_name("uefa.cl", "1987-88")`` ``"European Cup"``; without a
    season (pickers, lists across eras) the catalogue name, ``"Europa League"``. ``season`` is a
    season label, a start year or an ISO date (the European season it falls in); one that cannot be
    read gives the catalogue name. An id outside the catalogue is returned as it is.
    """
    if competition_id is None:
        return None
    return _display_name(competition_id, season)


@lru_cache(maxsize=4096)
def _display_name(competition_id: str, season: str | int | dt.date | None) -> str:
    comp = CATALOGUE.get(competition_id)
    if comp is None:
        return competition_id
    eras = ERAS.get(competition_id)
    if season is None or not eras:
        return comp.name
    try:
        year = _start_year(season)
    except ValueError:
        return comp.name
    name = eras[0][1]
    for first, era_name in eras:
        if year >= first:
            name = era_name
    return name


def season_name(competition: Competition, season: str | int | dt.date | None) -> str:
    """:func:`display_name` for a :class:`Competition` the store may hold outside the catalogue (a
    national-team tournament, a domestic league): its era name when catalogued, else its own name."""
    if competition.id in CATALOGUE:
        return _display_name(competition.id, season)
    return competition.name


def era_names(
    competition_id: str, first: str | int | dt.date | None = None, last: str | int | dt.date | None = None
) -> list[str]:
    """Every name the competition had from season ``first`` to ``last`` (open ends: all eras), oldest
    first: ``era_names("uefa.cl")`` is ``["European Cup", "Champions League"]``,
    ``era_names("uefa.el", "2010-11")`` ``["Europa League"]``. Seasons as :func:`display_name` reads them
    (an ISO date stands for the season it falls in)."""
    comp = CATALOGUE.get(competition_id)
    eras = ERAS.get(competition_id)
    if comp is None or not eras:
        return [display_name(competition_id) or competition_id]
    low = _start_year(first) if first is not None else None
    high = _start_year(last) if last is not None else None
    names = []
    for i, (start, name) in enumerate(eras):
        end = eras[i + 1][0] - 1 if i + 1 < len(eras) else None
        if (high is None or start <= high) and (low is None or end is None or end >= low):
            names.append(name)
    return names or [display_name(competition_id, low if low is not None else high) or comp.name]


def eras_label(
    competition_id: str, first: str | int | dt.date | None = None, last: str | int | dt.date | None = None
) -> str:
    """The competition's names over seasons ``first`` to ``last`` joined by `` / ``, for a heading over
    ties of many seasons: ``"UEFA Cup / Europa League"``."""
    return " / ".join(era_names(competition_id, first, last))


def get(competition_id: str) -> Competition:
    """The catalogued competition with this id; ``KeyError`` naming it if unknown."""
    try:
        return CATALOGUE[competition_id]
    except KeyError:
        raise KeyError(f"unknown competition id {competition_id!r}") from None


def resolve(query: str, known: dict[str, Competition] | None = None) -> Competition:
    """Find a competition by id, name or alias, ignoring case, accents and punctuation.

    ``"Europa League"``, ``"uefa.el"``, ``"UEL"`` and ``"europa-league"`` all give the Europa
    League. ``known`` adds competitions from the store (e.g. national-team tournaments) to the
    catalogue. Raises :class:`~remontada.errors.UnknownCompetition` (a ``LookupError``) listing
    close names and every valid one when nothing matches.
    """
    # the catalogue's entries first: they carry the aliases a store's table lacks
    pool = {**CATALOGUE, **{k: v for k, v in (known or {}).items() if k not in CATALOGUE}}
    if query in pool:
        return pool[query]
    wanted = slug(query)
    for comp in pool.values():
        if wanted in {slug(comp.id), slug(comp.name), *(slug(a) for a in comp.aliases)}:
            return comp
    from difflib import get_close_matches

    from remontada.errors import UnknownCompetition

    close = sorted(c.name for c in pool.values() if wanted and wanted in slug(c.name))
    if not close:
        names = {slug(c.name): c.name for c in pool.values()}
        close = [names[n] for n in get_close_matches(wanted, list(names), n=3, cutoff=0.6)]
    raise UnknownCompetition(query, valid_names(pool), close[:5])


def valid_names(pool: dict[str, Competition] | None = None) -> list[str]:
    """Every catalogued competition as ``"Name (id; ABBR, ...)"``: UEFA first, then catalogue order."""
    comps = list((pool or CATALOGUE).values())
    ordered = sorted(comps, key=lambda c: (c.kind != "uefa", c.kind == "international"))
    out = []
    for c in ordered:
        short = [a for a in c.aliases if a.isupper() and len(a) <= 5]
        out.append(f"{c.name} ({c.id}{'; ' + ', '.join(short) if short else ''})")
    return out


_ID = re.compile(r"^[a-z0-9]+\.[a-z0-9-]+$")


def competition_id(value: str, known: dict[str, Competition] | None = None) -> str:
    """The id a model keys on for ``value``: an id (``"uefa.el"``, or any ``country.key`` id such as a
    test's ``"sim.1"``) is kept; a name or abbreviation (``"Europa League"``, ``"UEL"``) is resolved
    to its id; anything else raises :class:`~remontada.errors.UnknownCompetition`."""
    if value in CATALOGUE or (known and value in known) or _ID.match(value):
        return value
    return resolve(value, known).id

"""History of two-legged ties: how often a first-leg deficit was overturned (:func:`history`)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from remontada._api.common import as_date, using_store
from remontada.errors import InvalidInput

if TYPE_CHECKING:
    from remontada.store.reader import Store
    from remontada.ties.history import BaseRate, CrossCheck, Tie

#: Used when no competition is given: the UEFA club competitions the store can hold.
DEFAULT_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc", "uefa.fairs")
#: Stages of two-legged ties in the store ("playoff": the knockout round play-offs of the main draw).
STAGES: tuple[str, ...] = ("knockout", "qualifying", "playoff", "final")
VENUES: tuple[str, ...] = ("home", "away", "neutral")


@dataclass(frozen=True, eq=False)
class HistoryResult:
    """How often the side behind after the first leg went through, from every two-legged tie chosen.

    ``rates`` are table rows (``k`` of ``n`` through, ``p`` in [0, 1] with a Wilson interval at
    ``level``); with a ``deficit`` the asked-for row comes last and its ``comebacks`` are listed,
    main-draw ties and qualifying-round ties marked apart (``qualifying``).
    """

    competitions: tuple[str, ...]
    seasons: str | None
    stages: tuple[str, ...] | None
    before: dt.date | None
    ties: list[Tie] = field(repr=False)
    rates: list[BaseRate] = field(repr=False)
    focus: BaseRate | None = field(default=None, repr=False)
    cross_check: CrossCheck | None = field(default=None, repr=False)
    incomplete: list[Tie] | None = field(default=None, repr=False)
    level: float = 0.95

    @property
    def comebacks(self) -> list[Tie]:
        """The ties of the asked-for position where the side behind went through (main draw first,
        then qualifying rounds; oldest first within each)."""
        if self.focus is None:
            return []
        ties = list(self.focus.comebacks)
        return [t for t in ties if not t.qualifying] + [t for t in ties if t.qualifying]

    def coverage(self) -> dict[str, str]:
        """Seasons with at least one complete tie, per competition (by its names over those seasons,
        ``"UEFA Cup / Europa League"``), as compact ranges."""
        from remontada.competitions import eras_label
        from remontada.rules import season_start_year

        years: dict[str, set[int]] = {}
        for tie in self.ties:
            if tie.complete:
                years.setdefault(tie.competition, set()).add(season_start_year(tie.season))
        return {eras_label(comp, min(ys), max(ys)): _ranges(sorted(ys)) for comp, ys in sorted(years.items())}

    def competition_eras(self) -> list[str]:
        """Each chosen competition by the names it had over the seasons of the chosen ties (all its names
        when none was chosen): ``"European Cup / Champions League"``."""
        from remontada.competitions import eras_label
        from remontada.rules import season_start_year

        years: dict[str, list[int]] = {}
        for tie in self.ties:
            years.setdefault(tie.competition, []).append(season_start_year(tie.season))
        out = []
        for comp in self.competitions:
            seen = years.get(comp)
            out.append(eras_label(comp, min(seen), max(seen)) if seen else eras_label(comp))
        return out

    def comebacks_page(
        self, *, group: Literal["main_draw", "qualifying"] | None = None, offset: int = 0, limit: int | None = None
    ) -> tuple[list[Tie], int]:
        """A page of the comebacks, latest first: those of ``group`` (main draw or qualifying rounds; default
        both), from the ``offset``-th on, at most ``limit``; with how many there are in all."""
        from remontada.ties.answer import latest_first

        if self.focus is None:
            return [], 0
        chosen = [t for t in self.focus.comebacks if group is None or t.qualifying == (group == "qualifying")]
        ordered = latest_first(chosen)
        end = None if limit is None else offset + limit
        return ordered[offset:end], len(ordered)

    def to_dict(
        self, *, group: Literal["main_draw", "qualifying"] | None = None, offset: int = 0, limit: int | None = None
    ) -> dict[str, Any]:
        """JSON-able: what ``remontada history --json`` prints.

        With ``group``, ``offset`` or ``limit`` the comebacks are a page (:meth:`comebacks_page`, latest first),
        each also written as a line of the tie answer's list (``date``, ``tie``, ``legs``, ``outcome``), and
        ``comebacks_page`` says which (``group``, ``offset``, ``limit``, ``total``).
        """
        from remontada.competitions import display_name

        report: dict[str, Any] = {
            "filters": {
                "competitions": list(self.competitions),
                "competition_names": [display_name(c) for c in self.competitions],
                "competition_eras": self.competition_eras(),
                "seasons": self.seasons,
                "stages": list(self.stages) if self.stages else None,
                "before": self.before.isoformat() if self.before else None,
            },
            "ties": len(self.ties),
            "complete": sum(t.complete for t in self.ties),
            "decided": sum(t.decided for t in self.ties),
            "coverage": self.coverage(),
            "rates": [r.to_dict(with_ties=False) for r in self.rates],
        }
        if self.focus is not None and group is None and offset == 0 and limit is None:
            report["comebacks"] = [t.to_dict() for t in self.comebacks]
        elif self.focus is not None:
            from remontada.ties.answer import comeback_line

            page, total = self.comebacks_page(group=group, offset=offset, limit=limit)
            report["comebacks"] = [{**t.to_dict(), **comeback_line(t), "winner": t.winner} for t in page]
            for item in report["comebacks"]:
                item["legs"] = list(item["legs"])
            report["comebacks_page"] = {"group": group, "offset": offset, "limit": limit, "total": total}
        if self.cross_check is not None:
            report["cross_check"] = self.cross_check.to_dict()
        if self.incomplete is not None:
            report["incomplete"] = [t.to_dict() for t in self.incomplete]
        return report


def history(
    *,
    competition: str | list[str] | None = None,
    deficit: int | None = None,
    first_leg_at: Literal["home", "away", "neutral"] | None = None,
    stage: str | list[str] | None = None,
    before: str | dt.date | None = None,
    seasons: str | None = None,
    or_more: bool = False,
    max_deficit: int = 4,
    cross_check: bool = False,
    incomplete: bool = False,
    level: float = 0.95,
    store: Store | str | os.PathLike[str] | None = None,
) -> HistoryResult:
    """How often a first-leg deficit was overturned, from every two-legged tie in the store.

    Parameters
    ----------
    competition
        One or more competitions (names, ids or abbreviations); default the UEFA club competitions.
    deficit
        Goals the trailing side lost the first leg by (0 or more); lists its comebacks.
    first_leg_at
        Where the trailing side played the first leg: ``"home"`` (Liverpool 0-3 Atalanta),
        ``"away"`` or ``"neutral"``.
    stage
        ``"knockout"``, ``"qualifying"``, ``"playoff"`` or ``"final"`` (one or several).
    before
        Only ties that ended before this ISO date.
    seasons
        ``"1955-56..2016-17"``, ``"2016-17"`` or ``"2000-01.."``.
    or_more
        Count deficits of at least ``deficit``.
    max_deficit
        Without ``deficit``: table rows up to this deficit, the last counting it or more.
    cross_check
        Compare derived winners with the winners the sources record (engsoccerdata's ``tiewinner``,
        the club european-cups shows playing on).
    incomplete
        Also list the ties with a missing leg or an unrecorded ending.
    level
        Confidence level of the Wilson interval, in (0.5, 0.999).

    Returns
    -------
    HistoryResult
        Rates ``k`` of ``n`` (``p`` in [0, 1]) with their intervals, and the comebacks.
    """
    from remontada.ties.history import base_rate, parse_seasons, rebuild_ties, select_ties
    from remontada.ties.history import cross_check as check_winners

    if deficit is not None and deficit < 0:
        raise InvalidInput("deficit counts goals behind after the first leg: 0 or more", field="deficit")
    if first_leg_at is not None and first_leg_at not in VENUES:
        raise InvalidInput(f"first_leg_at is one of {', '.join(VENUES)}, got {first_leg_at!r}",
                           field="first_leg_at", allowed=VENUES)  # fmt: skip
    stages = [stage] if isinstance(stage, str) else stage
    unknown = sorted(set(stages or ()) - set(STAGES))
    if unknown:
        raise InvalidInput(f"unknown stage {', '.join(unknown)}; use {', '.join(STAGES)}", field="stage",
                           allowed=STAGES)  # fmt: skip
    if max_deficit < 1:
        raise InvalidInput(f"max_deficit is 1 or more, got {max_deficit}", field="max_deficit")
    if not 0.5 <= level <= 0.999:
        raise InvalidInput(f"level is a confidence level in [0.5, 0.999], got {level}", field="level")
    day = as_date(before, "before")
    try:
        span = parse_seasons(seasons)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="seasons") from None
    names = [competition] if isinstance(competition, str) else competition
    with using_store(store) as st:
        ids = [st.competition(c).id for c in names] if names else list(DEFAULT_COMPETITIONS)
        ties = rebuild_ties(st, ids)
    try:
        chosen = select_ties(ties, competitions=ids, seasons=span, stages=stages,
                             before=day.isoformat() if day else None)  # fmt: skip
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    rows = _rates(chosen, deficit, or_more, first_leg_at, max_deficit, level, base_rate)
    return HistoryResult(
        competitions=tuple(ids),
        seasons=_span_text(span),
        stages=tuple(stages) if stages else None,
        before=day,
        ties=chosen,
        rates=rows,
        focus=rows[-1] if deficit is not None else None,
        cross_check=check_winners(chosen) if cross_check else None,
        incomplete=[t for t in chosen if not t.decided] if incomplete else None,
        level=level,
    )


def _rates(
    ties: list[Tie], deficit: int | None, or_more: bool, venue: str | None, max_deficit: int, level: float,
    base_rate: Any,
) -> list[BaseRate]:  # fmt: skip
    """Rows of the table; with ``deficit`` the asked-for row comes last."""
    if deficit is not None:
        venues: list[Any] = [venue] if venue else ["home", "away", "neutral", None]
        rows = [base_rate(ties, deficit, v, or_more=or_more, level=level) for v in venues]
        return [r for r in rows if r.n or r.first_leg_at is None or r.first_leg_at == venue]
    out = []
    for d in range(1, max_deficit + 1):
        for v in [venue] if venue else ["home", "away", None]:
            out.append(base_rate(ties, d, v, or_more=d == max_deficit, level=level))
    out.append(base_rate(ties, 1, venue, or_more=True, level=level))
    return out


def _ranges(years: list[int]) -> str:
    from remontada.rules import season_label

    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(season_label(a) if a == b else f"{season_label(a)}..{season_label(b)}" for a, b in spans)


def _span_text(span: tuple[int, int] | None) -> str | None:
    """``(1992, 9999)`` -> ``"1992-93.."``; open ends stay open."""
    from remontada.rules import season_label

    if span is None:
        return None
    first = season_label(span[0]) if span[0] > 0 else ""
    last = season_label(span[1]) if span[1] < 9999 else ""
    return first if span[0] == span[1] else f"{first}..{last}"

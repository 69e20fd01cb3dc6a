"""remontada: football forecasting built around the question "can they come back?".

The public Python API. Every job the command line does is one function here, answering from the
user's store (``store=None``: ``$REMONTADA_STORE`` or the cache directory, as the CLI) or from an
open :class:`Store` or a path. Clubs and competitions go in by name or id (``"Liverpool"``,
``"Europa League"``, ``"uefa.el"``, ``"UEL"``) and results come out with names; every result has
``.to_dict()`` (JSON-able, what the CLI's ``--json`` prints)::

    import remontada as rm
    ans = rm.answer_tie("Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    ans.p_through("Liverpool")          # 0.085...

Errors are one family rooted at :class:`RemontadaError` (see :mod:`remontada.errors`).
Probabilities are in [0, 1]; expected goals are goals per 90 minutes; dates are ISO dates.

Names are imported on first use, so ``import remontada`` stays fast.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # the facade
    "open_store": "remontada._api.common",
    "answer_tie": "remontada._api.ties",
    "list_ties": "remontada._api.ties",
    "live": "remontada._api.live",
    "comeback_curve": "remontada._api.live",
    "history": "remontada._api.history",
    "predict": "remontada._api.models",
    "ratings": "remontada._api.models",
    "backtest": "remontada._api.models",
    "backtest_ties": "remontada._api.models",
    "simulate": "remontada._api.simulate",
    "find_clubs": "remontada._api.data",
    "matches": "remontada._api.data",
    "status": "remontada._api.data",
    "unresolved_names": "remontada._api.data",
    "update": "remontada._api.data",
    "read_article": "remontada.news.reader",
    "fit_inplay": "remontada._api.inplay",
    "check_inplay": "remontada._api.inplay",
    "event_lists": "remontada._api.inplay",
    # results
    "TieAnswer": "remontada.ties.answer",
    "TieSummary": "remontada._api.ties",
    "LiveAnswer": "remontada._api.live",
    "ComebackCurve": "remontada.inplay.comeback",
    "HistoryResult": "remontada._api.history",
    "MatchForecast": "remontada._api.models",
    "RatingsTable": "remontada._api.models",
    "BacktestResult": "remontada._api.models",
    "TieBacktestResult": "remontada._api.models",
    "SimulationResult": "remontada.simulate.results",
    "ClubMatch": "remontada._api.data",
    "ClubMatches": "remontada._api.data",
    "StoreStatus": "remontada._api.data",
    "UpdateResult": "remontada._api.data",
    "ArticleAnswer": "remontada.news.reader",
    "InplayFit": "remontada._api.inplay",
    "InplayCheck": "remontada._api.inplay",
    "EventLists": "remontada._api.inplay",
    # building blocks
    "Store": "remontada.store.reader",
    "ScoreGrid": "remontada.grid",
    "MatchSet": "remontada.matchset",
    "DixonColes": "remontada.models.goals",
    "Poisson": "remontada.models.goals",
    "BivariatePoisson": "remontada.models.goals",
    "NegativeBinomial": "remontada.models.goals",
    "Elo": "remontada.models.elo",
    # errors
    "RemontadaError": "remontada.errors",
    "UnknownClub": "remontada.errors",
    "AmbiguousClub": "remontada.errors",
    "UnknownCompetition": "remontada.errors",
    "TieNotFound": "remontada.errors",
    "DataEndsBefore": "remontada.errors",
    "NotFitted": "remontada.errors",
    "NotRated": "remontada.errors",
    "SourceError": "remontada.errors",
    "StoreError": "remontada.errors",
    "InvalidInput": "remontada.errors",
}

__all__ = [
    "AmbiguousClub",
    "ArticleAnswer",
    "BacktestResult",
    "BivariatePoisson",
    "ClubMatch",
    "ClubMatches",
    "ComebackCurve",
    "DataEndsBefore",
    "DixonColes",
    "Elo",
    "EventLists",
    "HistoryResult",
    "InplayCheck",
    "InplayFit",
    "InvalidInput",
    "LiveAnswer",
    "MatchForecast",
    "MatchSet",
    "NegativeBinomial",
    "NotFitted",
    "NotRated",
    "Poisson",
    "RatingsTable",
    "RemontadaError",
    "ScoreGrid",
    "SimulationResult",
    "SourceError",
    "Store",
    "StoreError",
    "StoreStatus",
    "TieAnswer",
    "TieBacktestResult",
    "TieNotFound",
    "TieSummary",
    "UnknownClub",
    "UnknownCompetition",
    "UpdateResult",
    "__version__",
    "answer_tie",
    "backtest",
    "backtest_ties",
    "check_inplay",
    "comeback_curve",
    "event_lists",
    "find_clubs",
    "fit_inplay",
    "history",
    "list_ties",
    "live",
    "matches",
    "open_store",
    "predict",
    "ratings",
    "read_article",
    "simulate",
    "status",
    "unresolved_names",
    "update",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'remontada' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access skips this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Facade(types.ModuleType):
    """The ``remontada`` module: importing the subpackage ``remontada.simulate`` must not replace the
    function ``remontada.simulate`` (Python binds a submodule to its parent's attribute of that name).
    The subpackage stays importable as usual (``from remontada.simulate import ...``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name, "").startswith("remontada._api"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Facade


if TYPE_CHECKING:  # what type checkers and IDEs see; nothing is imported at run time
    from remontada._api.common import open_store
    from remontada._api.data import (
        ClubMatch,
        ClubMatches,
        StoreStatus,
        UpdateResult,
        find_clubs,
        matches,
        status,
        unresolved_names,
        update,
    )
    from remontada._api.history import HistoryResult, history
    from remontada._api.inplay import EventLists, InplayCheck, InplayFit, check_inplay, event_lists, fit_inplay
    from remontada._api.live import LiveAnswer, comeback_curve, live
    from remontada._api.models import (
        BacktestResult,
        MatchForecast,
        RatingsTable,
        TieBacktestResult,
        backtest,
        backtest_ties,
        predict,
        ratings,
    )
    from remontada._api.simulate import simulate
    from remontada._api.ties import TieSummary, answer_tie, list_ties
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
    from remontada.grid import ScoreGrid
    from remontada.inplay.comeback import ComebackCurve
    from remontada.matchset import MatchSet
    from remontada.models.elo import Elo
    from remontada.models.goals import BivariatePoisson, DixonColes, NegativeBinomial, Poisson
    from remontada.news.reader import ArticleAnswer, read_article
    from remontada.simulate.results import SimulationResult
    from remontada.store.reader import Store
    from remontada.ties.answer import TieAnswer

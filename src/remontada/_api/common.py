"""What every facade function shares: opening the store, reading inputs, naming clubs, JSON.

Inputs are checked here so that every shell (Python, CLI, web) rejects them the same way, with
an :class:`~remontada.errors.InvalidInput` naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remontada.errors import AmbiguousClub, DataEndsBefore, InvalidInput, StoreError, UnknownClub

if TYPE_CHECKING:
    from remontada.store.reader import Store

#: What ``store=`` accepts everywhere: an open :class:`~remontada.store.reader.Store`, a path, or
#: ``None`` for the user's store (``$REMONTADA_STORE`` or the cache directory, as in the CLI).
StoreLike = "Store | str | os.PathLike[str] | None"

#: The strength models ``model=`` accepts (the names of :data:`remontada.forecast.MODELS`).
MODEL_NAMES: tuple[str, ...] = ("dixon-coles", "poisson", "bivariate", "elo")
DEFAULT_MODEL = "dixon-coles"


def open_store(path: str | os.PathLike[str] | None = None) -> Store:
    """Open a store read-only.

    Parameters
    ----------
    path
        The DuckDB store file; ``None`` for the user's store (``$REMONTADA_STORE``, else
        ``remontada.duckdb`` in the user cache directory), the one ``remontada update`` builds.

    Returns
    -------
    Store
        Use it as a context manager (``with rm.open_store() as st:``) or call ``close()``.

    Raises
    ------
    StoreError
        No store at ``path`` (run ``remontada update``), or it is locked or of another schema.
    """
    from remontada.paths import default_store_path
    from remontada.store.reader import Store

    return Store(Path(path) if path is not None else default_store_path(), read_only=True)


@contextmanager
def using_store(store: Store | str | os.PathLike[str] | None) -> Iterator[Store]:
    """The store to answer from: ``store`` itself when open (left open), else opened and closed here."""
    from remontada.store.reader import Store

    if isinstance(store, Store):
        yield store
        return
    if store is not None and not isinstance(store, str | os.PathLike):
        raise InvalidInput(f"store is a Store, a path or None, got {type(store).__name__}", field="store")
    opened = open_store(store)
    try:
        yield opened
    finally:
        opened.close()


# ---- inputs ----------------------------------------------------------------------------------------
def as_date(value: str | dt.date | None, field: str = "date") -> dt.date | None:
    """An ISO date (``"2024-04-18"``), a :class:`datetime.date` or ``None``."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(f"{field} is an ISO date like 2024-04-18, got {value!r}", field=field)


#: The most goals one side may have in a score given as input (the record is 149).
MAX_GOALS = 199


def as_score(value: str | tuple[int, int] | list[int] | None, field: str = "score") -> tuple[int, int] | None:
    """A score ``"0-3"`` (or ``"0:3"``, or ``(0, 3)``): two non-negative numbers of goals."""
    if value is None:
        return None
    parts: list[Any]
    if isinstance(value, str):
        parts = value.replace(":", "-").split("-")
    elif isinstance(value, tuple | list):
        parts = list(value)
    else:
        parts = []
    try:
        if len(parts) == 2:
            texts = [str(p).strip() for p in parts]
            if max(map(len, texts)) <= 3:  # no football score has four digits; "1e400" or 400 digits is junk
                pair = (int(texts[0]), int(texts[1]))
                if min(pair) >= 0 and max(pair) <= MAX_GOALS:
                    return pair
    except ValueError:
        pass
    raise InvalidInput(f"{field} is written like 0-3 (home side first), got {value!r}", field=field)


def check_model(model: str) -> str:
    """``model`` if it is one of :data:`MODEL_NAMES`, else :class:`InvalidInput` listing them."""
    if model not in MODEL_NAMES:
        raise InvalidInput(
            f"unknown model {model!r}; choose from {', '.join(MODEL_NAMES)}", field="model", allowed=MODEL_NAMES
        )
    return model


def club_id(store: Store, query: str, field: str) -> str:
    """The club id ``query`` (a name or an id) names, with ``field`` set on the error."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput(f"{field} is a club name or id, got {query!r}", field=field)
    try:
        return store.resolve_club(query)
    except (UnknownClub, AmbiguousClub) as exc:
        exc.field = field
        raise


def competition_id(store: Store, query: str | None, field: str = "competition") -> str | None:
    """The competition id for an id, name or abbreviation (``"UEL"``, ``"europa-league"``)."""
    if query is None:
        return None
    comp = store.competition(query)
    return comp.id


def data_cutoff(store: Store) -> dt.date | None:
    """The store's last played club match (ISO date): nothing after it is known."""
    try:
        return store.last_played()
    except Exception as exc:  # an empty or foreign file: say so, never a traceback
        raise StoreError(f"cannot read the latest match from {store.path}: {exc}") from None


def cutoff_warnings(store: Store, day: dt.date, what: str = "the forecast") -> tuple[list[str], dt.date | None]:
    """A warning when ``day`` is after the day following the store's last match, and the cut-off."""
    cutoff = data_cutoff(store)
    if cutoff is not None and day > cutoff + dt.timedelta(days=1):
        return [
            f"the store's data ends on {cutoff.isoformat()}: {what} for {day.isoformat()} knows nothing "
            "played after that (run `remontada update` for newer results)"
        ], cutoff
    return [], cutoff


def data_ends_before(store: Store, day: dt.date | None, what: str) -> DataEndsBefore | None:
    """A :class:`DataEndsBefore` to raise when ``what`` was asked for ``day`` after the store's data."""
    cutoff = data_cutoff(store)
    if day is None or cutoff is None or day <= cutoff:
        return None
    return DataEndsBefore(
        f"the store's data ends on {cutoff.isoformat()}, before {day.isoformat()}: {what} "
        "(run `remontada update` for newer results)",
        cutoff=cutoff.isoformat(),
        asked=day.isoformat(),
    )


# ---- output ----------------------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """``value`` with frames, numpy scalars, dates and NaN turned into plain JSON values."""
    import pandas as pd

    if hasattr(value, "to_dict") and not isinstance(value, pd.DataFrame | pd.Series | dict):
        return jsonable(value.to_dict())
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            return jsonable(value.item())
        except (ValueError, AttributeError):
            pass
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value == dt.datetime.combine(value.date(), dt.time()) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

"""The store: the DuckDB schema and every SQL query remontada runs.

:class:`Store` opens the embedded database read-only and answers the questions the rest of
remontada asks; writes go through :mod:`remontada.ingest.update` only.
"""

from remontada.store.reader import Store

__all__ = ["Store"]

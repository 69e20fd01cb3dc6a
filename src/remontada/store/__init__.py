"""The store: the DuckDB schema and every SQL statement remontada runs (no module outside this
package runs SQL; ``tests/test_sql_only_in_store.py`` checks it).

* reading: :mod:`~remontada.store.reader` (:class:`Store`: opening, clubs, matches, the model
  input, status) and the query modules of the packages that ask — :mod:`~remontada.store.ties`,
  :mod:`~remontada.store.inplay`, :mod:`~remontada.store.catalogue`;
* writing: :mod:`~remontada.store.writer` (transactions, raw-layer bookkeeping),
  :mod:`~remontada.store.merge` and :mod:`~remontada.store.rebuild` (raw layer -> resolved layer),
  driven by :mod:`remontada.ingest.update`, the only writer;
* :mod:`~remontada.store.schema` (tables) and :mod:`~remontada.store.db` (small helpers).
"""

from remontada.store.reader import Store

__all__ = ["Store"]

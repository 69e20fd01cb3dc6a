"""Where remontada keeps things on disk, and the environment variables that move them.

- ``REMONTADA_STORE``: path of the DuckDB store (default: ``<user cache dir>/remontada.duckdb``).
- ``REMONTADA_CACHE``: download cache directory (default: ``<user cache dir>/downloads``).
- ``REMONTADA_MIRROR``: a directory or ``http(s)://`` URL laid out like the public sources' URL paths
  (see ``shared/data/MANIFEST.md``); when set, every download reads from it instead of the internet.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

STORE_ENV = "REMONTADA_STORE"
CACHE_ENV = "REMONTADA_CACHE"
MIRROR_ENV = "REMONTADA_MIRROR"


def user_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("remontada", appauthor=False))


def default_store_path() -> Path:
    """The store file: ``$REMONTADA_STORE`` or ``remontada.duckdb`` in the user cache directory."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else user_cache_dir() / "remontada.duckdb"


def default_download_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else user_cache_dir() / "downloads"


def mirror_from_env() -> str | None:
    """The mirror override from ``$REMONTADA_MIRROR``, or ``None`` for the real public URLs."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    return value or None

"""``remontada serve``: the web page and JSON API over the store, on this machine."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from remontada.cli.common import StoreOpt, console, fail, store_path

if TYPE_CHECKING:
    from remontada.web.snapshot import StoreSnapshots


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each holds its own copy of the store and models).")
    ] = 1,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between checks of the store for an update.")] = 1.0,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: critical, error, warning, info, debug.")] = "info",
    store: StoreOpt = None,
) -> None:
    """Serve the page (http://HOST:PORT/) and the JSON API (docs at /docs) from the store, read-only.

    A running `remontada update` never breaks it: answers come from a private copy of the store,
    replaced by the updated one once the update has finished.
    """
    path = store_path(store).resolve()
    if not path.is_file():
        fail(f"no store at {path}; run `remontada update --store {path}` first")
    console.print(f"remontada serving {path} on http://{host}:{port}/ (API docs at /docs)")
    import uvicorn

    from remontada.web.workers import access_log

    if workers == 1:
        import threading

        from remontada.web.snapshot import StoreSnapshots

        # copy the store (disk) while the web stack is imported (CPU): the server is ready sooner
        snapshots = StoreSnapshots(path, poll=poll)
        copying = threading.Thread(target=_first_copy, args=(snapshots,), daemon=True)
        copying.start()
        from remontada.web.app import create_app

        copying.join()
        uvicorn.run(create_app(path, poll=poll, snapshots=snapshots), host=host, port=port, log_level=log_level,
                    access_log=access_log(log_level))
        return
    from remontada.web.app import POLL_ENV, STORE_ENV
    from remontada.web.workers import reuseport_available, run_workers

    os.environ[STORE_ENV] = str(path)
    os.environ[POLL_ENV] = str(poll)
    factory = "remontada.web.app:app_from_env"
    if not reuseport_available():
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_level=log_level,
                    access_log=access_log(log_level))
        return
    try:  # each worker listens on a socket of its own: the kernel spreads the connections evenly
        run_workers(factory, host=host, port=port, workers=workers, log_level=log_level)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    except RuntimeError as exc:
        fail(str(exc))


def _first_copy(snapshots: StoreSnapshots) -> None:
    """Start ``snapshots``; a failure is left for the server's start-up to meet again and report."""
    try:
        snapshots.start()
    except Exception:  # the app's lifespan calls start() again and fails there, in one place
        return


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)

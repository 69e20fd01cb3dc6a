"""The web app and JSON API of ``remontada serve``: one FastAPI process over a read-only store.

:func:`remontada.web.app.create_app` builds the app; the page is plain HTML, CSS and JavaScript in
``static/`` (no network needed); :mod:`remontada.web.facade` is the one place it calls the library.
"""

"""``remontada update`` while ``remontada serve`` answers: no request fails, every answer comes from one
whole store (the old one or the new one), and the server moves to the new data once the update is done."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from remontada.ingest.update import update
from remontada.sources.football_data import FootballData
from remontada.store.reader import Store
from tests.store_support import slice_sources
from tests.web_support import running_server

CLUBS = ["Arsenal", "Liverpool", "Chelsea", "Everton", "Fulham", "Brentford", "Burnley", "Luton"]


class Hammer(threading.Thread):
    """Ask the server questions that need the store (varied, so no answer comes from its cache) until stopped.

    ``seen`` maps each ``store_updated`` stamp answered to the set of match counts ``/api/status`` gave with it.
    """

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.answered = 0

    def run(self) -> None:
        i = 0
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                i += 1
                club = CLUBS[i % len(CLUBS)]
                urls = [
                    f"/api/clubs?q={club}&limit={1 + i % 50}",
                    f"/api/predict?home={club}&away={CLUBS[(i + 3) % len(CLUBS)]}&date=2024-0{1 + i % 5}-{10 + i % 19}",
                    "/api/status",
                ]
                for url in urls:
                    try:
                        response = client.get(url)
                    except httpx.HTTPError as exc:
                        self.failures.append(f"{url}: {exc!r}")
                        continue
                    if response.status_code != 200:
                        self.failures.append(f"{url}: {response.status_code} {response.text[:200]}")
                        continue
                    body = response.json()
                    self.answered += 1
                    if url == "/api/status":
                        self.seen[body["store_updated"]].add(body["answer"]["matches"])


def held(path: Path) -> tuple[str, int]:
    """The store's last-update stamp and its number of matches."""
    with Store(path) as store:
        return str(store.meta("last_update")), int(store.status()["matches"])


def wait_for(base: str, stamp: str) -> None:
    """Until the server answers from the store stamped ``stamp`` (it looks for updates every 0.2 s)."""
    for _ in range(200):
        if httpx.get(f"{base}/api/status").json()["store_updated"] == stamp:
            return
        time.sleep(0.05)
    raise AssertionError(f"the server never moved to the store of {stamp}")


def test_update_while_serving_fails_no_request_and_then_serves_the_new_data(mirror: Path, tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    premier_league = [FootballData(seasons=["2023-24"], divisions=["E0"])]
    assert update(path, mirror=str(mirror), sources=premier_league).committed
    stores = [held(path)]
    with running_server(path, poll=0.2) as base:
        assert httpx.get(f"{base}/api/tie", params={"home": "Liverpool", "away": "Atalanta"}).status_code == 404
        hammer = Hammer(base)
        hammer.start()
        try:
            # an update of a store that holds data is one DuckDB transaction; this one re-ingests every file
            forced = update(path, mirror=str(mirror), sources=premier_league, force=True)
            stores.append(held(path))
            wait_for(base, stores[-1][0])
            # and this one adds sources: the 2023-24 UEFA competitions arrive
            added = update(path, mirror=str(mirror), sources=slice_sources())
            stores.append(held(path))
            wait_for(base, stores[-1][0])
        finally:
            hammer.stop.set()
            hammer.join(timeout=120)
        tie = httpx.get(f"{base}/api/tie", params={"home": "Liverpool", "away": "Atalanta", "season": "2023-24"})
        assert tie.status_code == 200, tie.text
        assert tie.json()["answer"]["p_through"]["Liverpool"] < 0.5
    assert forced.committed and added.committed and not forced.errors and not added.errors
    assert hammer.failures == []
    assert hammer.answered > 30
    # every answer came from one whole store: a stamp the store held, with that store's number of matches
    assert {stamp: {n} for stamp, n in stores} == dict(hammer.seen)
    assert stores[0][1] < stores[2][1]

"""Match events in the store: slugs become clubs by fixture alignment, events attach to their match,
and what does not align or add up is listed with its file and match."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from remontada.errors import InvalidInput
from remontada.ingest.update import update
from remontada.sources.football_data import FootballData
from remontada.sources.match_events import MatchEvents
from remontada.store.reader import Store


@pytest.fixture(scope="module")
def slice_store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("events") / "events.duckdb"
    report = update(
        path,
        mirror=str(mirror),
        sources=[
            FootballData(seasons=["2023-24"], divisions=["E0"]),
            MatchEvents(leagues=["england_premier-league"], seasons=["2023-24"]),
        ],
    )
    assert report.committed and not report.errors
    return path


def test_every_premier_league_event_list_aligns_with_its_football_data_match(slice_store: Path) -> None:
    with Store(slice_store) as st:
        lists = st.event_matches(complete_only=False)
        assert len(lists) == 380
        assert lists["aligned"].all() and lists["complete"].all()
        assert len(st.query("SELECT * FROM matches")) == 380  # no match made twice
        slugs = st.query("SELECT name, club_id, method FROM club_names WHERE source = 'match-events'")
        assert len(slugs) == 20 and slugs["club_id"].notna().all()
        assert st.unaligned_events().empty and st.event_problems().empty


def test_tottenham_liverpool_events_sit_on_the_match_with_their_minutes(slice_store: Path) -> None:
    with Store(slice_store) as st:
        match = st.matches("Tottenham", season="2023-24")
        match = match[(match["away"] == "Liverpool") & (match["date"].astype(str) == "2023-09-30")]
        assert len(match) == 1
        match_id = int(match["match_id"].iloc[0])
        events = st.match_events(["goal", "own_goal", "red_card"])
        mine = events[events["match_id"] == match_id]
        got = [(r.side, int(r.minute), None if pd.isna(r.added) else int(r.added), r.kind) for r in mine.itertuples()]
        assert got == [("away", 26, None, "red_card"), ("home", 36, None, "goal"), ("away", 45, 4, "goal"),
                       ("home", 90, 6, "own_goal")]  # fmt: skip
        sources = set(st.provenance(match_id)["source"])
        assert sources == {"football-data", "match-events"}


def test_the_full_store_holds_sixty_thousand_complete_lists_and_names_the_broken_ones(full_store: Store) -> None:
    lists = full_store.event_matches(complete_only=False)
    if lists.empty:
        pytest.skip("this store was built without the match-events source")
    assert 59_000 < int(lists["complete"].sum()) < 61_000
    problems = full_store.event_problems()
    assert len(problems) == int((~lists["complete"]).sum())
    assert problems["url"].str.contains("goals_time2/").all() and (problems["line"] > 0).all()
    assert problems["problem"].str.startswith("events unusable: ").all()
    unaligned = full_store.unaligned_events()
    assert len(unaligned) < 0.03 * len(lists)


def test_the_facade_counts_the_lists_and_checks_the_model_on_them(slice_store: Path) -> None:
    import remontada as rm

    lists = rm.event_lists(store=slice_store)
    assert (lists.lists, lists.complete, lists.aligned) == (380, 380, 380)
    assert lists.unaligned.empty and lists.problems.empty
    # one season in this store: nothing before it to fit on walk-forward, so the packaged fit is checked
    with pytest.raises(InvalidInput, match="to fit on") as caught:
        rm.check_inplay(from_season=2023, store=slice_store, min_matches=30)
    assert caught.value.field == "from_season"
    packaged = resources.files("remontada").joinpath("data/inplay.csv")
    with resources.as_file(packaged) as path:
        check = rm.check_inplay(from_season=2023, store=slice_store, min_matches=30, params=path)
    assert check.mode == "params" and check.matches == 380
    assert list(check.by_season["season"]) == [2023]
    scores = check.scores.set_index(["checkpoint", "model"])["log_loss"]
    assert len(scores) == 6 * 3
    # late in a match the clock and the score matter most: the flat model is clearly worse at 85'
    assert scores[("85", "new")] < scores[("85", "flat")] - 0.01
    assert set(check.trailing_by_one["checkpoint"]) == {"15", "30", "HT", "60", "75", "85"}
    assert check.red_cards == []  # no season before 2023-24 to fit them on in this store
    assert check.to_dict()["matches"] == 380

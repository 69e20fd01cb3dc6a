"""How fast the source parsers read the offline mirror.

Run ``python benchmarks/parse_sources.py`` (mirror at ``$REMONTADA_TEST_MIRROR`` or
``../shared/data/mirror``). Each source has its own ``time_<source>`` function so the script stays
importable and one source's benchmark does not depend on another's.

football-data.co.uk is compared with penaltyblog's ``FootballData`` scraper on the same bytes (its
download is replaced by the mirror file). The two do different work: remontada validates every
cell and builds one ``MatchRecord`` and one ``OddsQuote`` per bookmaker price group; penaltyblog
hands pandas' C reader the file and returns a DataFrame. The ratio shows the price of that.
"""

from __future__ import annotations

import argparse
import os
import re
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from remontada.sources.base import RemoteFile
from remontada.sources.football_data import FootballData, _decode

REPO_ROOT = Path(__file__).resolve().parents[1]


def mirror_root() -> Path:
    return Path(os.environ.get("REMONTADA_TEST_MIRROR", REPO_ROOT.parent / "shared" / "data" / "mirror"))


@dataclass(frozen=True, slots=True)
class ParseTiming:
    """Files, match rows and odds quotes read, and the seconds it took (wall clock and CPU)."""

    name: str
    files: int
    rows: int
    quotes: int
    wall_seconds: float
    cpu_seconds: float
    failures: int = 0

    def report(self) -> str:
        quotes = f", {self.quotes / self.wall_seconds:>9,.0f} quotes/s" if self.quotes else ""
        failed = f", {self.failures} file(s) failed" if self.failures else ""
        return (
            f"{self.name:<28} {self.files:>4} files {self.rows:>8,} rows in {self.wall_seconds:6.2f} s wall "
            f"({self.cpu_seconds:6.2f} s CPU): {self.files / self.wall_seconds:7.1f} files/s, "
            f"{self.rows / self.wall_seconds:>9,.0f} rows/s{quotes}{failed}"
        )


def _football_data_files(mirror: Path, divisions: list[str] | None) -> list[tuple[RemoteFile, bytes]]:
    source = FootballData(divisions=divisions)
    files = [(remote, mirror / remote.mirror_path) for remote in source.files()]
    return [(remote, path.read_bytes()) for remote, path in files if path.exists()]


def time_football_data(mirror: Path, divisions: list[str] | None = None) -> ParseTiming:
    """Parse every mirrored football-data.co.uk file (bytes read beforehand: parsing only)."""
    source = FootballData()
    files = _football_data_files(mirror, divisions)
    rows = quotes = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for remote, data in files:
        parsed = source.parse(data, remote, remote.mirror_path)
        rows += len(parsed.matches)
        quotes += sum(len(match.odds) for match in parsed.matches)
    return ParseTiming(
        "remontada FootballData", len(files), rows, quotes, time.perf_counter() - wall, time.process_time() - cpu
    )


def time_penaltyblog_football_data(mirror: Path, divisions: list[str] | None = None) -> ParseTiming:
    """The same files through penaltyblog 1.13's scraper, its HTTP fetch replaced by the mirror bytes."""
    from penaltyblog.scrapers.common import COMPETITION_MAPPINGS
    from penaltyblog.scrapers.footballdata import FootballData as PenaltyblogFootballData

    by_slug = {v["footballdata"]["slug"]: name for name, v in COMPETITION_MAPPINGS.items() if "footballdata" in v}
    files = _football_data_files(mirror, divisions)
    rows = 0
    errors: Counter[str] = Counter()
    wall, cpu = time.perf_counter(), time.process_time()
    for remote, data in files:
        division = remote.path.rsplit("/", 1)[-1].removesuffix(".csv")
        start = int(remote.season[:4])  # type: ignore[index]
        season = f"{start}-{start + 1}"  # penaltyblog spells 2023-24 as 2023-2024
        scraper = PenaltyblogFootballData(by_slug[division], season)
        text = _decode(data)
        scraper.get = lambda url, text=text: text  # type: ignore[method-assign]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas fragmentation warnings, once per file
                rows += len(scraper.get_fixtures())
        except Exception as exc:  # a peer failing on a real file is a finding, not a crash of the benchmark
            errors[f"{type(exc).__name__}: {re.sub(r'[0-9]+', 'N', str(exc))[:80]}"] += 1
    for reason, count in errors.most_common():
        print(f"  penaltyblog failed on {count} file(s): {reason}")
    return ParseTiming(
        "penaltyblog FootballData",
        len(files),
        rows,
        0,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        sum(errors.values()),
    )


def time_match_events(mirror: Path) -> tuple[ParseTiming, float, float]:
    """Parse every mirrored match-events file (schochastics goals_time2), and time the JSON
    decoding alone with orjson (what the parser uses) against the standard library's json."""
    import json

    import orjson

    from remontada.sources.match_events import MatchEvents

    source = MatchEvents()
    files = [(remote, (mirror / remote.mirror_path).read_bytes()) for remote in source.files()]
    rows = events = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for remote, data in files:
        parsed = source.parse(data, remote, remote.mirror_path)
        rows += len(parsed.matches)
        events += len(parsed.events)
    timing = ParseTiming(
        "remontada MatchEvents", len(files), rows, 0, time.perf_counter() - wall, time.process_time() - cpu
    )
    decode = []
    for loads in (orjson.loads, json.loads):
        start = time.process_time()
        for _, data in files:
            loads(data)
        decode.append(time.process_time() - start)
    print(f"  {events:,} events")
    return timing, decode[0], decode[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=mirror_root())
    parser.add_argument("--divisions", nargs="*", help="football-data codes, e.g. E0 SP1 (default: all 22)")
    parser.add_argument("--no-peer", action="store_true", help="skip the penaltyblog comparison")
    args = parser.parse_args()

    events, fast, stdlib = time_match_events(args.mirror)
    print(events.report())
    print(f"  JSON decoding alone: orjson {fast:.2f} s CPU, json {stdlib:.2f} s CPU ({stdlib / fast:.1f}x)")
    ours = time_football_data(args.mirror, args.divisions)
    print(ours.report())
    if not args.no_peer:
        peer = time_penaltyblog_football_data(args.mirror, args.divisions)
        print(peer.report())
        print(f"wall-time ratio remontada / penaltyblog: {ours.wall_seconds / peer.wall_seconds:.2f}")
        print(f"CPU-time ratio remontada / penaltyblog:  {ours.cpu_seconds / peer.cpu_seconds:.2f}")


if __name__ == "__main__":
    main()

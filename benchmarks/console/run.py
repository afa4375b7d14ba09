"""Console page response times: p50 / p95 / max of search pages over the indexed data.

    python -m benchmarks.console.run [--url http://127.0.0.1:8070] [--rounds 20] [--json]

Against a running ``marsad console`` (``marsad demo`` starts one over the sample sites). Each
round requests every page of :data:`PAGES` once, in order (searches with and without a
query, a facet, the time sort, page 2, unique mode, and the map of a search), after one warm-up
round (the console loads the lexicons on first use). Times are wall-clock, client side, one
request at a time, over loopback: what an analyst waits for a page.

Baseline, measured in the same run: **engine alone**, the very request body each page sends
(``cli.console.queries``: the search with its facets, unique mode's collapse, the map's query),
sent straight to the engine through the sink, as many times. The ratio page / engine says what
the console adds (the HTTP round trip, the other requests of a page, rendering). A benchmark,
not a test: nothing passes or fails on these numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from cli.console.queries import console_search_body, map_body
from cli.console.state import SearchState
from cli.services import resolve
from kernel.settings import Settings
from pipeline.sinks.factory import open_sink

PAGES: dict[str, str] = {
    "search": "/?q=جبهة النصرة",
    "search, newest first": "/?q=الصواريخ&sort=time",
    "search, page 2": "/?q=احرار الشام&page=2",
    "search, facet": "/?q=جبهة النصرة&gov=Idleb",
    "everything, newest first": "/",
    "unique mode": "/?q=جبهة النصرة&mode=unique",
    "map of a search": "/map?q=الصواريخ",
}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(url: str, rounds: int) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        for path in PAGES.values():  # warm-up: lexicons, connections, the engine's caches
            client.get(path).raise_for_status()
        for _ in range(rounds):
            for name, path in PAGES.items():
                start = time.perf_counter()
                client.get(path).raise_for_status()
                times[name].append((time.perf_counter() - start) * 1000)
    every = [t for series in times.values() for t in series]
    return {
        name: {
            "p50_ms": statistics.median(series),
            "p95_ms": percentile(series, 0.95),
            "max_ms": max(series),
        }
        for name, series in {**times, "all search pages": every}.items()
    }


def engine_request(path: str) -> tuple[str, dict[str, Any]]:
    """The index and body of the main search a console page sends."""
    parts = urlsplit(path)
    state = SearchState.from_query(parse_qsl(parts.query))
    if parts.path == "/map":
        return "paragraphs", map_body(state)
    return ("paragraphs" if state.mode == "unique" else "articles"), console_search_body(state)


def measure_engine(rounds: int) -> dict[str, float]:
    """p50 per page of the same bodies sent straight to the engine (the baseline)."""

    async def go() -> dict[str, float]:
        sink = open_sink(resolve(Settings()))
        times: dict[str, list[float]] = {name: [] for name in PAGES}
        try:
            for path in PAGES.values():  # warm-up, as for the pages
                await sink.search(*engine_request(path))
            for _ in range(rounds):
                for name, path in PAGES.items():
                    kind, body = engine_request(path)
                    start = time.perf_counter()
                    await sink.search(kind, body)
                    times[name].append((time.perf_counter() - start) * 1000)
        finally:
            await sink.close()
        every = [t for series in times.values() for t in series]
        return {
            name: statistics.median(series)
            for name, series in {**times, "all search pages": every}.items()
        }

    return asyncio.run(go())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8070")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.url, args.rounds)
    engine = measure_engine(args.rounds)
    for name, figures in report.items():
        figures["engine_p50_ms"] = engine[name]
        figures["ratio_p50"] = figures["p50_ms"] / engine[name]
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.rounds} rounds against {args.url}")
    for name, figures in report.items():
        print(
            f"  {name:<26} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms"
            f"   max {figures['max_ms']:7.1f} ms   engine alone p50 "
            f"{figures['engine_p50_ms']:6.1f} ms   page/engine {figures['ratio_p50']:4.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

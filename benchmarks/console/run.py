"""Console page response times: p50 / p95 / max of search pages over the indexed data.

    python -m benchmarks.console.run [--url http://127.0.0.1:8070] [--rounds 20] [--json]

Against a running ``marsad console`` (``marsad demo`` starts one over the sample sites). Each
round requests every page of :data:`PAGES` once, in order (searches with and without a
query, a facet, the time sort, page 2, unique mode, and the map of a search), after one warm-up
round (the console loads the lexicons on first use). Times are wall-clock, client side, one
request at a time, over loopback: what an analyst waits for a page. A benchmark, not a test:
nothing passes or fails on these numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence

import httpx

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8070")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.url, args.rounds)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.rounds} rounds against {args.url}")
    for name, figures in report.items():
        print(
            f"  {name:<26} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms"
            f"   max {figures['max_ms']:7.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the demo sites in the foreground (``make demo``) and describe them as sources.

``python -m devtools.demo --port 8801 --sources .marsad/demo-sources.yaml`` serves the outlets
on 127.0.0.1:8801–8804, writes a sources file the connectors can load, prints the feed URLs and
runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import yaml

from devtools.demo.outlets import outlet_by_id
from devtools.demo.server import OutletEndpoint, PortChoice, serve_demo_sites

DEMO_POLL_INTERVAL_S = 60.0


def demo_sources(outlets: Sequence[OutletEndpoint]) -> list[dict[str, object]]:
    """The running outlets as entries of a sources file (``connectors.sources.Source`` fields)."""
    return [
        {
            "id": endpoint.outlet_id,
            "name_ar": endpoint.name_ar,
            "name_latin": endpoint.name_latin,
            "home": endpoint.base_url + "/",
            "language": "ar",
            "country": outlet_by_id(endpoint.outlet_id).country,
            "affiliation": "demo",
            "feeds": [endpoint.feed_url],
            "poll_interval_s": DEMO_POLL_INTERVAL_S,
            "allow_private": True,
        }
        for endpoint in outlets
    ]


def write_sources_yaml(outlets: Sequence[OutletEndpoint], path: Path) -> None:
    """Write ``{version: 1, sources: [...]}`` for the running outlets, UTF-8, Arabic unescaped."""
    document = {"version": 1, "sources": demo_sources(outlets)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run_demo_sites(
    host: str = "127.0.0.1",
    ports: PortChoice = None,
    *,
    sources_path: Path | None = None,
    historical: bool = False,
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
) -> None:
    """Serve the outlets until Ctrl-C (or until ``stop`` is set), printing their feed URLs.

    Articles are re-dated as news of the last hours unless ``historical`` is set.
    """
    now = None if historical else datetime.now(UTC)
    with serve_demo_sites(host, ports, now=now) as running:
        if sources_path is not None:
            write_sources_yaml(running.outlets, sources_path)
        print("Marsad demo sites (Ctrl-C to stop):", file=out)
        for endpoint in running.outlets:
            articles = len(running.sites.articles_of(endpoint.outlet_id))
            print(
                f"  {endpoint.outlet_id:<8} {endpoint.name_latin} ({endpoint.name_ar}),"
                f" {articles} articles\n           home {endpoint.base_url}/"
                f"\n           feed {endpoint.feed_url}",
                file=out,
            )
        if sources_path is not None:
            print(f"sources file: {sources_path}", file=out)
        out.flush()
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(timeout=0.5):
                pass
        except KeyboardInterrupt:
            print("stopping demo sites", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo", description="Serve Marsad's sample Arabic news sites."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=0, help="first port; outlets take consecutive ports (0: any)"
    )
    parser.add_argument("--sources", type=Path, help="write a sources YAML file here")
    parser.add_argument(
        "--historical", action="store_true", help="keep the articles' original 2014–2017 dates"
    )
    args = parser.parse_args(argv)
    ports = None if args.port == 0 else [args.port + i for i in range(8)]
    run_demo_sites(args.host, ports, sources_path=args.sources, historical=args.historical)
    return 0

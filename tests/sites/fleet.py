"""Thousands of generated outlets on one loopback server, told apart by host name.

Outlet ``i`` answers as ``s{i:05d}.fleet.test`` (the connector resolves ``*.fleet.test`` to
127.0.0.1 with :func:`fleet_resolver`, so each outlet is its own host for politeness). Its feed
lists its ``items`` newest articles; a new article appears every ``period_s`` seconds, at a
different phase for each outlet, so a long run keeps producing news. Feeds answer conditional
GETs. Run it in its own process for benchmarks::

    python -m tests.sites.fleet --outlets 3000 --port 0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from connectors.exceptions import ResolutionError
from connectors.sources import Source, SourceRegistry
from tests.sites.content import ARABIC_TITLES
from tests.sites.server import FixtureServer, Reply, Request

DOMAIN = "fleet.test"
PARAGRAPH = (
    "أفادت مصادر محلية بأن قصفاً مدفعياً استهدف الأحياء السكنية في المدينة صباح اليوم، ما أدى "
    "إلى سقوط ضحايا بين المدنيين وأضرار مادية في الممتلكات، فيما تواصلت الاشتباكات على الأطراف. "
)


def host_of(index: int) -> str:
    return f"s{index:05d}.{DOMAIN}"


async def fleet_resolver(host: str, port: int) -> list[str]:
    if host.endswith("." + DOMAIN):
        return ["127.0.0.1"]
    raise ResolutionError(f"{host}: not a fleet host")


class Fleet:
    def __init__(
        self,
        outlets: int,
        *,
        items: int = 20,
        period_s: float = 3600.0,
        article_bytes: int = 30_000,
        epoch: float | None = None,
    ) -> None:
        self.outlets = outlets
        self.items = items
        self.period_s = period_s
        self.epoch = time.time() if epoch is None else epoch
        body = PARAGRAPH.encode() * max(1, article_bytes // len(PARAGRAPH.encode()))
        self._article = (
            b'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>%s'
            b"</title></head><body><article><h1>%s</h1><p>" + body + b"</p></article></body></html>"
        )

    def latest(self, index: int, now: float | None = None) -> int:
        """Number of the newest article of outlet ``index`` (they start at ``items``)."""
        elapsed = (time.time() if now is None else now) - self.epoch
        phase = (index * 7919 % 1000) / 1000 * self.period_s
        return self.items + max(0, int((elapsed + phase) // self.period_s))

    def feed(self, index: int, host: str) -> bytes:
        """The feed as served to ``host`` (the Host header: name and port)."""
        newest = self.latest(index)
        now = datetime.now(UTC)
        items = "".join(
            f"<item><title>{ARABIC_TITLES[n % len(ARABIC_TITLES)]} {n}</title>"
            f"<link>http://{host}/news/{n}.html</link>"
            f"<pubDate>{format_datetime(now)}</pubDate></item>"
            for n in range(newest, max(0, newest - self.items), -1)
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>منفذ {index}</title><link>http://{host}/</link>{items}</channel></rss>"
        ).encode()

    def route(self, request: Request) -> Reply | None:
        name = request.host.removesuffix("." + DOMAIN)
        if not name.startswith("s") or not name[1:].isdigit():
            return None
        index = int(name[1:])
        if index >= self.outlets:
            return None
        if request.path == "/feed.xml":
            return Reply(
                body=self.feed(index, request.headers.get("host", host_of(index))),
                content_type="application/rss+xml",
                conditional=True,
            )
        if request.path == "/robots.txt":
            return Reply(body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
        if request.path.startswith("/news/"):
            title = f"{index} {request.path}".encode()
            return Reply(body=self._article % (title, title))
        return None

    def sources(self, port: int, *, poll_interval_s: float = 300.0) -> SourceRegistry:
        return SourceRegistry(
            version=1,
            sources=tuple(
                Source.model_validate(
                    {
                        "id": f"fleet-{i:05d}",
                        "name_ar": f"منفذ {i}",
                        "name_latin": f"Fleet {i}",
                        "home": f"http://{host_of(i)}:{port}/",
                        "country": "SY",
                        "affiliation": "demo",
                        "feeds": [f"http://{host_of(i)}:{port}/feed.xml"],
                        "poll_interval_s": poll_interval_s,
                        "allow_private": True,
                    }
                )
                for i in range(self.outlets)
            ),
        )


async def _serve(fleet: Fleet, port: int) -> None:
    server = FixtureServer(router=fleet.route, port=port, record=False)
    await server.start()
    print(f"fleet ready port={server.port} outlets={fleet.outlets}", flush=True)
    await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sites.fleet")
    parser.add_argument("--outlets", type=int, default=100)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--period", type=float, default=3600.0, help="seconds between articles")
    parser.add_argument("--article-bytes", type=int, default=30_000)
    parser.add_argument("--epoch", type=float, default=None)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    fleet = Fleet(
        args.outlets,
        items=args.items,
        period_s=args.period,
        article_bytes=args.article_bytes,
        epoch=args.epoch,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(fleet, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``marsad sources check``: does each source answer, what does it return, and when did it
last produce a new article (from the connector's persisted state)?"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.config import ConnectorConfig
from connectors.discovery import parse_document
from connectors.exceptions import FetchError
from connectors.protocols import PageFetcher
from connectors.schedule import SourceState
from connectors.sources import Source, SourceRegistry, WayIn


@dataclass(frozen=True, slots=True)
class WayCheck:
    way: WayIn
    answered: bool
    returned: str
    status: int | None = None
    elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class SourceCheck:
    source: Source
    ways: tuple[WayCheck, ...]
    state: SourceState | None

    @property
    def answered(self) -> bool:
        return any(w.answered for w in self.ways)


async def check_way(fetcher: PageFetcher, source: Source, way: WayIn) -> WayCheck:
    is_sitemap = way.kind == "sitemap"
    max_bytes = ConnectorConfig().sitemap_max_bytes
    try:
        page = await fetcher.fetch(
            way.url,
            allow_private=source.allow_private,
            binary_ok=is_sitemap,
            max_bytes=max_bytes if is_sitemap else None,
        )
    except FetchError as exc:
        return WayCheck(way, False, f"{exc.outcome}: {exc}", exc.status)
    result = parse_document(source, way, page, max_bytes)
    answer = f"HTTP {page.status}, {page.content_type or 'no content type'}, {len(page.body)} bytes"
    if page.redirects:
        answer += f", redirected to {page.final_url}"
    return WayCheck(
        way, result.usable, f"{answer}: {result.describe()}", page.status, page.elapsed_s
    )


async def check_sources(
    registry: SourceRegistry,
    fetcher: PageFetcher,
    states: dict[str, SourceState],
    *,
    concurrency: int = 16,
) -> list[SourceCheck]:
    bound = asyncio.Semaphore(concurrency)

    async def one(source: Source) -> SourceCheck:
        async with bound:
            ways = [await check_way(fetcher, source, way) for way in source.ways_in]
        return SourceCheck(source, tuple(ways), states.get(source.id))

    return list(await asyncio.gather(*(one(s) for s in registry.sources)))


def _ago(when: float | None, now: float) -> str:
    if when is None:
        return "never (no new article recorded)"
    stamp = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")
    seconds = max(0.0, now - when)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{stamp} ({seconds / size:.0f} {unit} ago)"
    return f"{stamp} (just now)"


def format_report(checks: list[SourceCheck], now: float | None = None) -> str:
    now = time.time() if now is None else now
    lines: list[str] = []
    for check in checks:
        s = check.source
        verdict = "answered" if check.answered else "NO ANSWER"
        flag = "" if s.verified else " [addresses unverified]"
        lines.append(f"{s.id}: {s.name_latin} / {s.name_ar} ({s.affiliation}, {s.country}){flag}")
        state = check.state
        health = state.health if state else "unknown (never polled)"
        last_new = _ago(state.last_new_at if state else None, now)
        lines.append(f"  {verdict}; health {health}; last new article {last_new}")
        lines += [f"  {w.way.kind} {w.way.url}\n    {w.returned}" for w in check.ways]
    answered = sum(c.answered for c in checks)
    lines.append(f"{answered} of {len(checks)} sources answered")
    return "\n".join(lines)

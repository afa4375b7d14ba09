"""Polite HTTP fetching: one request at a time per host, a minimum delay, robots.txt,
an identifying User-Agent, a size cap, bounded redirects and timeouts.

Every failure becomes a :class:`FetchError` whose ``outcome`` is the label it is counted by.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

import httpx

from connectors.exceptions import FetchError

log = logging.getLogger(__name__)

USER_AGENT = "MarsadBot/0.1 (+https://github.com/marsad/marsad; Arabic news monitoring)"


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str | None
    body: bytes


@dataclass(slots=True)
class _HostState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_request: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    charset = msg.get_param("charset")
    return charset if isinstance(charset, str) else None


class Fetcher:
    """Fetches pages politely; use as an async context manager."""

    def __init__(
        self,
        *,
        min_delay_s: float = 1.0,
        timeout_s: float = 20.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        concurrency: int = 8,
        obey_robots: bool = True,
    ) -> None:
        self._min_delay_s = min_delay_s
        self._max_bytes = max_bytes
        self._obey_robots = obey_robots
        self._hosts: dict[str, _HostState] = {}
        self._global = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT, "Accept-Language": "ar,en;q=0.5"},
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=True,
            max_redirects=max_redirects,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _host(self, url: str) -> _HostState:
        key = urlsplit(url).netloc.lower()
        return self._hosts.setdefault(key, _HostState())

    async def _robots(self, url: str, state: _HostState) -> urllib.robotparser.RobotFileParser:
        if state.robots is None:
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            try:
                response = await self._client.get(robots_url)
                if response.status_code >= 500:
                    parser.parse(["User-agent: *", "Disallow: /"])  # server trouble: hold off
                elif response.status_code >= 400:
                    parser.parse([])  # no robots.txt: everything allowed
                else:
                    parser.parse(response.text.splitlines())
            except httpx.HTTPError:
                parser.parse([])
            state.robots = parser
        return state.robots

    async def fetch(self, url: str) -> FetchedPage:
        state = self._host(url)
        async with self._global, state.lock:
            if self._obey_robots:
                robots = await self._robots(url, state)
                if not robots.can_fetch(USER_AGENT, url):
                    raise FetchError("robots_disallowed", f"robots.txt disallows {url}")
            wait = state.last_request + self._min_delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self._get(url)
            finally:
                state.last_request = time.monotonic()

    async def _get(self, url: str) -> FetchedPage:
        try:
            async with self._client.stream("GET", url) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self._max_bytes:
                    raise FetchError("too_large", f"{url}: {declared} bytes > {self._max_bytes}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise FetchError("too_large", f"{url}: body over {self._max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.TooManyRedirects as exc:
            raise FetchError("too_many_redirects", f"{url}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"{url}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise FetchError("network_error", f"{url}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status >= 400:
            raise FetchError(f"http_{status // 100}xx", f"{url}: HTTP {status}")
        content_type = response.headers.get("content-type")
        return FetchedPage(
            url=url,
            final_url=str(response.url),
            status=status,
            content_type=content_type,
            charset=_charset(content_type),
            body=b"".join(chunks),
        )

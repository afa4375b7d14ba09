"""Polite HTTP fetching.

One request at a time per host with a minimum delay (raised by robots.txt ``Crawl-delay``), a
global bound on concurrent requests, robots.txt, an identifying User-Agent, conditional GET
(``ETag`` / ``Last-Modified`` → 304), ``Retry-After`` on 429/503 (the host is left alone until
then), redirects followed by hand (loops, chains and non-http targets are refused), a size cap
applied while decompressing, a deadline per request, and connections opened only to addresses
the source may reach (:mod:`connectors.netguard`).

Every failure becomes a :class:`FetchError` whose ``outcome`` is the label it is counted by.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

import httpx

from connectors.bodies import BoundedDecoder, is_binary_type, sniff_binary
from connectors.exceptions import AddressRefused, FetchError, ResolutionError
from connectors.fetched import (
    USER_AGENT,
    FetchedPage,
    FetcherConfig,
    Validators,
    charset_of,
    parse_retry_after,
)
from connectors.netguard import AddressPolicy, Resolver, system_resolver
from connectors.outcomes import FetchOutcome
from connectors.robots import MAX_ROBOTS_BYTES, RobotsRules, rules_from_response
from connectors.transport import GuardedTransport

__all__ = [
    "USER_AGENT",
    "FetchedPage",
    "Fetcher",
    "FetcherConfig",
    "Validators",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_429_WAIT_S = 60.0


@dataclass(slots=True)
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_request: float = float("-inf")
    not_before: float = 0.0
    robots: RobotsRules | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    content_type: str | None
    body: bytes
    validators: Validators
    location: str | None
    retry_after: str | None
    wire_bytes: int


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE" in str(seen).upper():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Fetcher:
    """Fetches pages politely; use as an async context manager."""

    def __init__(
        self, config: FetcherConfig | None = None, *, resolver: Resolver = system_resolver
    ) -> None:
        self.config = config or FetcherConfig()
        c = self.config
        self._hosts: dict[str, _Host] = {}
        self._global = asyncio.Semaphore(c.concurrency)
        # httpcore's pool scans every connection on each request: a pool much larger than the
        # requests in flight costs more CPU than the loopback/TLS connects it saves (measured).
        limits = httpx.Limits(
            max_connections=c.concurrency,
            max_keepalive_connections=c.concurrency,
            keepalive_expiry=30.0,
        )
        timeout = httpx.Timeout(c.read_timeout_s, connect=c.connect_timeout_s)
        headers = {
            "User-Agent": c.user_agent,
            "Accept-Language": "ar,en;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
        self._clients = {
            private: httpx.AsyncClient(
                transport=GuardedTransport(
                    AddressPolicy.build(allow_private=private, trusted=c.trusted_networks),
                    resolver=resolver,
                    limits=limits,
                ),
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
            )
            for private in (False, True)
        }

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _host(self, netloc: str) -> _Host:
        return self._hosts.setdefault(netloc.lower(), _Host())

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allow_private: bool = False,
        max_bytes: int | None = None,
        binary_ok: bool = False,
    ) -> FetchedPage:
        """GET ``url`` (following redirects); raise FetchError with the outcome on failure."""
        started = time.monotonic()
        client = self._clients[allow_private]
        headers = validators.headers() if validators else {}
        limit = max_bytes or self.config.max_bytes
        current, visited = url, {url}
        for redirects in range(self.config.max_redirects + 1):
            answer = await self._request(client, current, headers, limit, binary_ok)
            if answer.location is None:
                return FetchedPage(
                    url=url,
                    final_url=current,
                    status=answer.status,
                    content_type=answer.content_type,
                    charset=charset_of(answer.content_type),
                    body=answer.body,
                    validators=answer.validators,
                    elapsed_s=time.monotonic() - started,
                    wire_bytes=answer.wire_bytes,
                    redirects=redirects,
                )
            try:
                target = urljoin(current, answer.location.strip())
                scheme = urlsplit(target).scheme
            except ValueError:
                target, scheme = answer.location, ""
            if scheme not in {"http", "https"}:
                raise FetchError(FetchOutcome.BAD_REDIRECT, f"{current} redirects to {target!r}")
            if target in visited:
                raise FetchError(FetchOutcome.REDIRECT_LOOP, f"{url}: redirect loop at {target}")
            visited.add(target)
            current = target
        raise FetchError(
            FetchOutcome.TOO_MANY_REDIRECTS,
            f"{url}: more than {self.config.max_redirects} redirects",
        )

    async def _request(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int, binary: bool
    ) -> _Answer:
        try:
            parts = urlsplit(url)
            valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
            _ = parts.port  # raises ValueError for a port out of range
        except ValueError:
            valid = False
        if not valid:
            raise FetchError(FetchOutcome.BAD_URL, f"not an http(s) URL: {url!r}")
        host = self._host(parts.netloc)
        async with host.lock:
            delay = self.config.min_delay_s
            if self.config.obey_robots:
                rules = await self._robots(client, f"{parts.scheme}://{parts.netloc}", host)
                if not rules.allows(self.config.user_agent, url):
                    raise FetchError(FetchOutcome.ROBOTS_DISALLOWED, f"robots.txt disallows {url}")
                delay = max(delay, rules.crawl_delay(self.config.user_agent))
            await self._wait_turn(host, delay, url)
            answer = await self._exchange(
                client, url, headers=headers, limit=limit, binary_ok=binary, host=host
            )
            if answer.status >= 400:
                raise self._refuse(host, answer, url)
        return answer

    async def _wait_turn(self, host: _Host, delay: float, url: str) -> None:
        now = time.monotonic()
        if host.not_before - now > self.config.max_wait_s:
            wait = host.not_before - now
            raise FetchError(
                FetchOutcome.DEFERRED,
                f"{url}: host asked us to wait {wait:.0f}s",
                retry_after_s=wait,
            )
        wait = max(host.last_request + delay, host.not_before) - now
        if wait > 0:
            await asyncio.sleep(wait)

    def _refuse(self, host: _Host, answer: _Answer, url: str) -> FetchError:
        """The error for a 4xx/5xx answer; 429 and 503 also keep us off the host a while."""
        wait = parse_retry_after(answer.retry_after)
        if wait is None and answer.status == 429:
            wait = DEFAULT_429_WAIT_S
        if wait is not None and answer.status in {429, 503}:
            wait = min(wait, self.config.max_retry_after_s)
            host.not_before = max(host.not_before, time.monotonic() + wait)
        else:
            wait = None
        return FetchError(
            FetchOutcome.for_status(answer.status),
            f"{url}: HTTP {answer.status}",
            status=answer.status,
            retry_after_s=wait,
        )

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        headers: dict[str, str],
        limit: int,
        binary_ok: bool,
        host: _Host,
    ) -> _Answer:
        """One GET, no redirect followed; the body is read only for a 2xx answer."""
        try:
            async with self._global, asyncio.timeout(self.config.total_timeout_s):
                return await self._read(client, url, headers, limit, binary_ok)
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError(
                FetchOutcome.TIMEOUT,
                f"{url}: no complete answer within {self.config.total_timeout_s:.0f}s",
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(FetchOutcome.TIMEOUT, f"{url}: {type(exc).__name__}") from exc
        except AddressRefused as exc:
            raise FetchError(FetchOutcome.BLOCKED_ADDRESS, f"{url}: {exc}") from exc
        except ResolutionError as exc:
            raise FetchError(FetchOutcome.DNS_ERROR, f"{url}: {exc}") from exc
        except httpx.TransportError as exc:
            outcome = FetchOutcome.TLS_ERROR if _is_tls(exc) else FetchOutcome.NETWORK_ERROR
            raise FetchError(outcome, f"{url}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(
                FetchOutcome.NETWORK_ERROR, f"{url}: {type(exc).__name__}: {exc}"
            ) from exc
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            raise FetchError(FetchOutcome.BAD_URL, f"{url!r}: {type(exc).__name__}: {exc}") from exc
        finally:
            host.last_request = time.monotonic()

    async def _read(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int,
        binary_ok: bool,
    ) -> _Answer:  # fmt: skip
        async with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            content_type = response.headers.get("content-type")
            answer = _Answer(
                status=status,
                content_type=content_type,
                body=b"",
                validators=Validators.from_headers(response.headers),
                location=response.headers.get("location") if status in REDIRECTS else None,
                retry_after=response.headers.get("retry-after"),
                wire_bytes=0,
            )
            if status in REDIRECTS and answer.location is None:
                raise FetchError(
                    FetchOutcome.BAD_REDIRECT, f"{url}: HTTP {status} without Location"
                )
            if not 200 <= status < 300:
                return answer
            if not binary_ok and is_binary_type(content_type):
                raise FetchError(FetchOutcome.BINARY_CONTENT, f"{url}: {content_type}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(FetchOutcome.TOO_LARGE, f"{url}: {declared} bytes > {limit}")
            decoder = BoundedDecoder(response.headers.get("content-encoding"), limit, url)
            wire = 0
            async for chunk in response.aiter_raw():
                wire += len(chunk)
                if wire > limit:
                    raise FetchError(
                        FetchOutcome.TOO_LARGE, f"{url}: over {limit} bytes on the wire"
                    )
                decoder.feed(chunk)
            body = decoder.finish()
        if not binary_ok and (kind := sniff_binary(body)) is not None:
            raise FetchError(FetchOutcome.BINARY_CONTENT, f"{url}: body is {kind} ({content_type})")
        return replace(answer, body=body, wire_bytes=wire)

    async def _robots(self, client: httpx.AsyncClient, origin: str, host: _Host) -> RobotsRules:
        if host.robots is not None and not host.robots.expired():
            return host.robots
        robots_url = origin + "/robots.txt"
        answer: _Answer | None = None
        target = robots_url
        for _ in range(3):
            answer = await self._exchange(
                client, target, headers={}, limit=MAX_ROBOTS_BYTES, binary_ok=False, host=host
            )
            if answer.location is None:
                break
            target = urljoin(target, answer.location)
            if urlsplit(target).scheme not in {"http", "https"}:
                break
        assert answer is not None  # noqa: S101 - the loop runs at least once
        status = 404 if answer.location is not None else answer.status
        text = answer.body.decode("utf-8", errors="replace") if status < 300 else ""
        host.robots = rules_from_response(status, text)
        log.debug("robots origin=%s status=%d", origin, status)
        return host.robots

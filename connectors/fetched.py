"""What a fetch returns, how the fetcher is configured, and the header values it reads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime

import httpx

USER_AGENT = "MarsadBot/0.2 (+https://github.com/marsad/marsad; Arabic news monitoring)"


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the last ``ETag`` and ``Last-Modified`` seen."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> Validators:
        return cls(headers.get("etag"), headers.get("last-modified"))


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str | None
    body: bytes
    validators: Validators = Validators()
    elapsed_s: float = 0.0
    wire_bytes: int = 0
    redirects: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class FetcherConfig:
    min_delay_s: float = 1.0
    concurrency: int = 16
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 60.0
    """Deadline of one request, headers to last byte (a server dripping bytes hits it)."""
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    obey_robots: bool = True
    max_retry_after_s: float = 6 * 3600.0
    max_wait_s: float = 30.0
    """A fetch waits this long at most for a host's Retry-After; later, it is ``deferred``."""
    user_agent: str = USER_AGENT
    trusted_networks: tuple[str, ...] = ()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    charset = msg.get_param("charset")
    return charset if isinstance(charset, str) else None

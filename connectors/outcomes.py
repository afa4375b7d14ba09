"""The connectors' outcomes, one enum per concern.

Each value is the exact label the outcome is counted by (``marsad_connector_*_total``), logged
with, written to the state store and printed by ``marsad connect``: these strings are an
interface for dashboards, alerts and stored state, so a value never changes; a member may be
added. A :class:`enum.StrEnum` member *is* its string (``FetchOutcome.TIMEOUT == "timeout"``,
same hash, same JSON, same SQLite text), so code that still compares against a literal keeps
working while the spelling moves to the enum.

The outcomes of reading a feed, sitemap or listing page (``ok``, ``empty``, ``malformed``, ...)
belong to :mod:`connectors.documents` and are not here.
"""

from __future__ import annotations

from enum import StrEnum


class FetchOutcome(StrEnum):
    """How one HTTP fetch ended: ``ok``, or why it failed (:class:`FetchError.outcome`)."""

    OK = "ok"
    # the address or the URL
    BAD_URL = "bad_url"
    BLOCKED_ADDRESS = "blocked_address"
    DNS_ERROR = "dns_error"
    ROBOTS_DISALLOWED = "robots_disallowed"
    # the connection and the exchange
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    TLS_ERROR = "tls_error"
    DEFERRED = "deferred"
    """The host asked us (Retry-After) to wait longer than a fetch may wait."""
    # redirects
    BAD_REDIRECT = "bad_redirect"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    # the body
    BINARY_CONTENT = "binary_content"
    TOO_LARGE = "too_large"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    BAD_ENCODING = "bad_encoding"
    # HTTP statuses with a label of their own, then by class
    HTTP_401 = "http_401"
    HTTP_403 = "http_403"
    HTTP_404 = "http_404"
    HTTP_410 = "http_410"
    HTTP_429 = "http_429"
    HTTP_451 = "http_451"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    HTTP_504 = "http_504"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    HTTP_6XX = "http_6xx"  # HTTP/1.1 allows any three digits: a broken server sends them
    HTTP_7XX = "http_7xx"
    HTTP_8XX = "http_8xx"
    HTTP_9XX = "http_9xx"
    # a bug of ours while fetching one URL (logged with its traceback)
    INTERNAL_ERROR = "internal_error"

    @classmethod
    def for_status(cls, status: int) -> FetchOutcome:
        """The label of an error status (400-999): its own if named, else its class."""
        try:
            return cls(f"http_{status}")
        except ValueError:
            return cls(f"http_{status // 100}xx")


class PollOutcome(StrEnum):
    """What a poll of a source amounted to, when it is not the label of its commonest failure.

    A poll that no way in answered is labelled by its commonest failure instead (a
    :class:`FetchOutcome` or a document outcome), so ``PollSummary.outcome`` is a ``str``.
    """

    OK = "ok"
    PARTIAL = "partial"
    """Some ways in answered, some failed."""
    GONE = "gone"
    NO_ANSWER = "no_answer"
    ERROR = "error"
    """The poll itself crashed (a bug, logged with its traceback)."""
    NEVER_POLLED = "never_polled"


class ItemOutcome(StrEnum):
    """What became of an article link found in a source's ways in."""

    NEW = "new"
    SEEN = "seen"
    BAD_URL = "bad_url"
    OVER_LIMIT = "over_limit"


class PublishOutcome(StrEnum):
    """How handing an article's page to Kafka ended (an article's last outcome)."""

    PUBLISHED = "published"
    REFUSED = "publish_refused"


class RunEnd(StrEnum):
    """Why ``Connector.run_forever`` returned."""

    STOPPED = "stopped"
    """It was asked to."""
    STALLED = "stalled"
    """Kafka acknowledged nothing past the deadline."""

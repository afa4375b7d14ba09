"""Connector errors.

ConnectorError
├── SourceConfigError   (deploy/sources.yaml does not validate)
├── FetchError          (a page or feed could not be fetched; carries the counted outcome)
├── AddressRefused      (a host resolved to an address the source may not reach)
├── ResolutionError     (a host name could not be resolved)
└── PublishError        (Kafka did not acknowledge a page; says whether a retry can help)

``AddressRefused`` and ``ResolutionError`` are raised inside the HTTP client's connection step
(:mod:`connectors.netguard`) and turned into a :class:`FetchError` by the fetcher.
"""

from __future__ import annotations

from connectors.outcomes import FetchOutcome
from kernel.exceptions import MarsadError


class ConnectorError(MarsadError):
    """Base of connector errors."""


class SourceConfigError(ConnectorError):
    """The sources file is missing or invalid."""


class FetchError(ConnectorError):
    """A fetch failed; ``outcome`` is the counted label (timeout, http_4xx, too_large, ...).

    ``status`` is the HTTP status when the server answered; ``retry_after_s`` is how long the
    server asked us to wait (429/503 with ``Retry-After``), if it did.

    ``outcome`` is always a :class:`FetchOutcome`. A plain string is accepted and converted (a
    string that is no outcome is a bug: ``ValueError``), so a label read back from the state
    store or written in a test is checked here, once, like an enum member.
    """

    def __init__(
        self,
        outcome: FetchOutcome | str,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.outcome = FetchOutcome(outcome)
        self.status = status
        self.retry_after_s = retry_after_s


class AddressRefused(ConnectorError):
    """A host resolved to a loopback, private, link-local, metadata or reserved address."""

    def __init__(self, host: str, address: str, category: str) -> None:
        super().__init__(f"{host} resolves to {address} ({category}): refused")
        self.host = host
        self.address = address
        self.category = category


class ResolutionError(ConnectorError):
    """A host name did not resolve (no such host, or the resolver failed)."""


class PublishError(ConnectorError):
    """Kafka did not acknowledge a record; ``retriable`` says whether sending again can help."""

    def __init__(self, message: str, *, retriable: bool = True) -> None:
        super().__init__(message)
        self.retriable = retriable

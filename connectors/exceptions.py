"""Connector errors.

ConnectorError
├── SourceConfigError   (deploy/sources.yaml does not validate)
├── FetchError          (a page or feed could not be fetched; carries the outcome)
└── PublishError        (Kafka did not acknowledge a page)
"""

from __future__ import annotations

from pipeline.exceptions import MarsadError


class ConnectorError(MarsadError):
    """Base of connector errors."""


class SourceConfigError(ConnectorError):
    """The sources file is missing or invalid."""


class FetchError(ConnectorError):
    """A fetch failed; ``outcome`` is the counted label (timeout, http_4xx, too_large, ...)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class PublishError(ConnectorError):
    """Kafka did not acknowledge a record."""

"""Tunables of the connector loop (the HTTP client's are :class:`connectors.fetch.FetcherConfig`,
the polling policy's :class:`connectors.schedule.PollingPolicy`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    outbox_capacity: int = 200
    """Fetched pages held while waiting for Kafka; fetching stops when they are all taken."""
    poll_concurrency: int = 32
    """Sources polled at the same time (requests are bounded by the fetcher besides)."""
    max_attempts: int = 5
    """Fetch attempts of an article before it is given up (permanent errors: one)."""
    retry_base_s: float = 60.0
    """First wait before fetching a failed article again; doubles with each attempt."""
    retention_days: float = 30.0
    """Articles discovered longer ago are forgotten (a feed rarely lists them that long)."""
    shutdown_grace_s: float = 20.0
    """On stop, how long running polls may finish their current fetches."""
    drain_timeout_s: float = 30.0
    """On stop, how long pages already fetched may wait for Kafka before being handed back."""
    stall_after_s: float = 300.0
    """Kafka acknowledging nothing this long while pages wait stops the connector."""
    sitemap_max_bytes: int = 20 * 1024 * 1024

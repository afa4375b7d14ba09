"""Prometheus metrics of the connectors, per source and global, in one registry per process.

Per source (label ``source``): polls and documents by outcome, items by outcome (new, seen,
bad_url, ...), fetches by outcome, bytes, fetch latency, health. Global: the outbox (pages
waiting for Kafka), publish latency and retries, whether the broker is acknowledging.
Sum a per-source counter over ``source`` for the global figure.

The ``outcome`` label values are the members of :mod:`connectors.outcomes` (``FetchOutcome``,
``PollOutcome``, ``ItemOutcome``) and, for documents, the outcomes of :mod:`connectors.documents`;
a poll that nothing answered is labelled by its commonest failure.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from connectors.schedule import HEALTHS, Health

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ConnectorMetrics:
    """Every connector metric, registered in ``registry`` (a fresh one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.polls = Counter(
            "marsad_connector_polls_total", "Source polls", ["source", "outcome"], registry=r
        )
        self.documents = Counter(
            "marsad_connector_documents_total",
            "Feeds, sitemaps and listing pages read, by outcome",
            ["source", "kind", "outcome"],
            registry=r,
        )
        self.items = Counter(
            "marsad_connector_items_total",
            "Article links discovered, by outcome (new, seen, bad_url, over_limit)",
            ["source", "outcome"],
            registry=r,
        )
        self.fetches = Counter(
            "marsad_connector_fetches_total",
            "Article page fetches, by outcome",
            ["source", "outcome"],
            registry=r,
        )
        self.bytes = Counter(
            "marsad_connector_bytes_total",
            "Bytes received on the wire (documents and pages)",
            ["source"],
            registry=r,
        )
        self.fetch_seconds = Histogram(
            "marsad_connector_fetch_seconds",
            "Latency of successful fetches (documents and pages)",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.published = Counter(
            "marsad_connector_published_total",
            "Pages acknowledged by Kafka",
            ["source"],
            registry=r,
        )
        self.health = Gauge(
            "marsad_connector_source_health",
            "1 for the source's current health state",
            ["source", "health"],
            registry=r,
        )
        self.publish_seconds = Histogram(
            "marsad_connector_publish_seconds",
            "Time from handing a page to the outbox to Kafka's acknowledgement",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.publish_retries = Counter(
            "marsad_connector_publish_retries_total",
            "Pages sent again after Kafka did not acknowledge them",
            registry=r,
        )
        self.publish_refused = Counter(
            "marsad_connector_publish_refused_total",
            "Pages Kafka refused for good (too large, not authorised), not retried",
            registry=r,
        )
        self.outbox = Gauge(
            "marsad_connector_outbox_pages",
            "Pages fetched and waiting for Kafka's acknowledgement",
            registry=r,
        )
        self.broker_up = Gauge(
            "marsad_connector_broker_up",
            "1 while Kafka acknowledges pages, 0 while it does not",
            registry=r,
        )
        self.handed_back = Counter(
            "marsad_connector_handed_back_total",
            "Pages left unacknowledged at shutdown (fetched again by the next run)",
            registry=r,
        )
        self.broker_up.set(1)

    def set_health(self, source: str, health: Health) -> None:
        for state in HEALTHS:
            self.health.labels(source, state).set(1 if state == health else 0)

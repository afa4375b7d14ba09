"""Prometheus metrics of the connectors."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

POLLS = Counter("marsad_connector_polls_total", "Feed polls", ["source", "outcome"])
ITEMS = Counter("marsad_connector_items_total", "Feed items discovered", ["source", "outcome"])
FETCHES = Counter("marsad_connector_fetches_total", "Page fetches", ["source", "outcome"])
PUBLISHED = Counter("marsad_connector_published_total", "Pages acknowledged by Kafka", ["source"])
FETCH_SECONDS = Histogram("marsad_connector_fetch_seconds", "Page fetch latency", ["source"])

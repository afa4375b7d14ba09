"""Prometheus metrics of the pipeline worker, in prometheus_client's default registry.

The stages count as they go (:mod:`pipeline.stages`); the gauges, whose values live in Faust's
consumer and in the deduplicator's memory that only the worker's event loop may read, are set
every few seconds on that loop by :mod:`pipeline.sampler`; :mod:`pipeline.web` serves the
registry at ``GET /metrics``. Names follow ``marsad_<stage>_<noun>_total{outcome}``; the names
that existed before (pages, articles, dlq, sink retries, extract seconds) are kept as they were,
since dashboards and tests read them.

Per stage, in and out:

- extract: ``marsad_extract_pages_received_total`` in;
  ``marsad_extract_pages_total{outcome="extracted"|"dead_letter"}`` out;
- sequence: ``marsad_sequence_articles_total{outcome="sequenced"|"dead_letter"}``;
- dedupe: ``marsad_dedupe_articles_total{outcome="deduped"|"dead_letter"}``;
- index: ``marsad_index_articles_received_total`` in;
  ``marsad_index_articles_total{outcome="indexed"|"dead_letter"}`` out, and
  ``marsad_index_documents_total{index}`` documents the engine acknowledged (an article is one
  ``articles`` document and one ``paragraphs`` document per paragraph);
- both: ``marsad_dlq_records_total{stage, error}`` (error: the reason's class, e.g.
  ``bad_record``, ``ExtractionError``, ``index_refused``); retries:
  ``marsad_index_retries_total{target}`` (counted by the stage: every try after the first)
  and ``marsad_sink_retries_total{target}`` (the older name, counted by the retry loop).

- alerts: ``marsad_alerts_articles_total`` evaluated, ``marsad_alerts_events_total{change,
  historical}`` published, ``marsad_alerts_notifications_total{notifier, outcome}``.

Latency: ``marsad_extract_process_seconds`` (one page), ``marsad_index_enrich_seconds`` (dedupe
and tags of one article), ``marsad_index_bulk_seconds{outcome}`` (one bulk call to the engine,
each try counted, failed ones under ``outcome="error"``). Sampled: ``marsad_consumer_lag``,
``marsad_dedupe_state_entries{kind}``, ``marsad_dedupe_state_bytes{kind}`` and
``marsad_stage_last_progress_timestamp_seconds{stage}`` (alert on ``time() - it`` while lag > 0).

CPU: ``marsad_step_cpu_seconds_total{step}``, the CPU time of the worker's thread spent in each
synchronous step of the text work (``extract``: decode and extract a page; ``decode``: an
extracted article read back; ``dedupe``; ``tag``; ``document``: the index documents built;
``alerts``: the rules evaluated). Measured with :func:`time.thread_time` around code that never
awaits, so nothing else the event loop runs is counted in; ``marsad bench`` divides them by the
articles and sets them beside the process's whole CPU.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

PAGES_RECEIVED = Counter(
    "marsad_extract_pages_received_total", "Pages taken from news.pages.v1 by the extract stage"
)
PAGES = Counter("marsad_extract_pages_total", "Pages handled by the extract stage", ["outcome"])
PROCESS_SECONDS = Histogram("marsad_extract_process_seconds", "Extract latency per page")

SEQUENCED_ARTICLES = Counter(
    "marsad_sequence_articles_total",
    "Articles of news.extracted.v1 handled by the sequence stage",
    ["outcome"],
)
DEDUPED_ARTICLES = Counter(
    "marsad_dedupe_articles_total",
    "Articles of news.sequenced.v1 handled by the dedupe stage",
    ["outcome"],
)

ARTICLES_RECEIVED = Counter(
    "marsad_index_articles_received_total",
    "Articles taken from news.deduped.v1 by the index stage",
)
ARTICLES = Counter(
    "marsad_index_articles_total", "Articles handled by the index stage", ["outcome"]
)
DOCUMENTS = Counter(
    "marsad_index_documents_total", "Documents acknowledged by the search engine", ["index"]
)
ENRICH_SECONDS = Histogram(
    "marsad_index_enrich_seconds", "Deduplication and tagging of one article"
)
BULK_SECONDS = Histogram(
    "marsad_index_bulk_seconds", "One bulk call to the search engine, each try", ["outcome"]
)

ALERT_ARTICLES = Counter(
    "marsad_alerts_articles_total", "Enriched articles the alert rules evaluated"
)
ALERT_EVENTS = Counter(
    "marsad_alerts_events_total",
    "Alert events published to news.alerts.v1",
    ["change", "historical"],
)
ALERT_NOTIFICATIONS = Counter(
    "marsad_alerts_notifications_total",
    "Alert events handed to a notifier",
    ["notifier", "outcome"],
)

STEP_CPU = Counter(
    "marsad_step_cpu_seconds_total",
    "CPU seconds of the worker's thread in each synchronous step of the text work",
    ["step"],
)

DEAD_LETTERS = Counter("marsad_dlq_records_total", "Records sent to the DLQ", ["stage", "error"])
SINK_RETRIES = Counter("marsad_sink_retries_total", "Retried writes", ["target"])
INDEX_RETRIES = Counter(
    "marsad_index_retries_total", "Writes the index stage tried again", ["target"]
)

CONSUMER_LAG = Gauge(
    "marsad_consumer_lag",
    "Records of a partition this worker reads that it has not committed yet",
    ["topic", "partition"],
)
DEDUPE_ENTRIES = Gauge(
    "marsad_dedupe_state_entries", "Entries the deduplicator holds in memory", ["kind"]
)
DEDUPE_BYTES = Gauge(
    "marsad_dedupe_state_bytes", "Approximate bytes of the deduplicator's structures", ["kind"]
)
LAST_PROGRESS = Gauge(
    "marsad_stage_last_progress_timestamp_seconds",
    "When a stage last finished a record (Unix time)",
    ["stage"],
)


def set_consumer_lag(lag: Mapping[tuple[str, int], int]) -> None:
    """Publish the lag of exactly these partitions; partitions no longer assigned disappear."""
    wanted = {(topic, str(partition)): value for (topic, partition), value in lag.items()}
    published = {
        (sample.labels["topic"], sample.labels["partition"])
        for family in CONSUMER_LAG.collect()
        for sample in family.samples
    }
    for labels in published - wanted.keys():
        CONSUMER_LAG.remove(*labels)
    for labels, value in wanted.items():
        CONSUMER_LAG.labels(*labels).set(value)


def set_dedupe_sizes(stats: Mapping[str, int]) -> None:
    """Publish :meth:`Deduplicator.stats`: ``<kind>_bytes`` keys as bytes, the rest as entries.

    Generic on purpose: the deduplicator decides what it reports; a new key shows up here
    without a change to this module.
    """
    for key, value in stats.items():
        if key.endswith("_bytes"):
            DEDUPE_BYTES.labels(key.removesuffix("_bytes")).set(value)
        else:
            DEDUPE_ENTRIES.labels(key).set(value)


@contextmanager
def cpu_step(step: str) -> Iterator[None]:
    """Count the CPU time of this thread in the block as ``step`` (the block must not await)."""
    started = time.thread_time()
    try:
        yield
    finally:
        STEP_CPU.labels(step).inc(time.thread_time() - started)

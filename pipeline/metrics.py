"""Prometheus metrics of the pipeline."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PAGES = Counter("marsad_extract_pages_total", "Pages handled by the extract stage", ["outcome"])
ARTICLES = Counter(
    "marsad_index_articles_total", "Articles handled by the index stage", ["outcome"]
)
DEAD_LETTERS = Counter("marsad_dlq_records_total", "Records sent to the DLQ", ["stage", "error"])
SINK_RETRIES = Counter("marsad_sink_retries_total", "Retried writes", ["target"])
PROCESS_SECONDS = Histogram("marsad_extract_process_seconds", "Extract latency per page")

"""Prometheus metrics of the pipeline."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PAGES = Counter("marsad_index_pages_total", "Pages handled by the index stage", ["outcome"])
DEAD_LETTERS = Counter("marsad_dlq_records_total", "Records sent to the DLQ", ["stage", "error"])
SINK_RETRIES = Counter("marsad_sink_retries_total", "Retried search-engine writes", ["kind"])
PROCESS_SECONDS = Histogram("marsad_index_process_seconds", "Extract + index latency per page")

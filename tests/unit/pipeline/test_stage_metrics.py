"""The stages' counters: records in and out, dead letters by reason, bulk latency, retries."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import REGISTRY

from pipeline.metrics import cpu_step
from pipeline.sinks.types import SinkError
from pipeline.stages import ExtractStage, IndexStage, SourceRecord
from pipeline.stages.outcomes import StageOutcome

from .support import (
    FAST,
    Forwarded,
    Letters,
    MemorySink,
    article_html,
    article_record,
    extracted,
    page_record,
    seed_paragraphs,
)


def counter(name: str, **labels: str) -> Callable[[], float]:
    """Reads the metric now; call again to see how far it moved."""
    start = REGISTRY.get_sample_value(name, labels) or 0.0
    return lambda: (REGISTRY.get_sample_value(name, labels) or 0.0) - start


async def test_extract_counts_pages_in_and_out_by_outcome() -> None:
    received = counter("marsad_extract_pages_received_total")
    extracted_ = counter("marsad_extract_pages_total", outcome="extracted")
    rejected = counter("marsad_extract_pages_total", outcome="dead_letter")
    bad = counter("marsad_dlq_records_total", stage="extract", error="bad_record")
    stage = ExtractStage(Forwarded(), Letters())
    await stage.process(page_record(article_html(seed_paragraphs())))
    await stage.process(SourceRecord("news.pages.v1", 0, 1, None, b"not json"))
    assert (received(), extracted_(), rejected(), bad()) == (2, 1, 1, 1)


async def test_index_counts_articles_documents_and_each_bulk_try() -> None:
    received = counter("marsad_index_articles_received_total")
    indexed = counter("marsad_index_articles_total", outcome="indexed")
    documents = counter("marsad_index_documents_total", index="articles")
    ok_calls = counter("marsad_index_bulk_seconds_count", outcome="ok")
    failed_calls = counter("marsad_index_bulk_seconds_count", outcome="error")
    retries = counter("marsad_index_retries_total", target="engine")
    enrich = counter("marsad_index_enrich_seconds_count")
    sink = MemorySink([SinkError("down", retriable=True)])
    stage = IndexStage(sink, Letters(), retry=FAST)
    assert await stage.process(article_record(extracted(["نص"]))) == StageOutcome.INDEXED
    assert (received(), indexed(), documents(), enrich()) == (1, 1, 1, 1)
    assert (ok_calls(), failed_calls(), retries()) == (1, 1, 1)


async def test_index_dead_letters_count_by_reason() -> None:
    refused = counter("marsad_dlq_records_total", stage="index", error="index_refused")
    rejected = counter("marsad_index_articles_total", outcome="dead_letter")
    sink = MemorySink([SinkError("mapping", retriable=False)])
    await IndexStage(sink, Letters(), retry=FAST).process(article_record(extracted(["نص"])))
    assert (refused(), rejected()) == (1, 1)


def test_cpu_step_counts_this_threads_cpu_under_its_step() -> None:
    spent = counter("marsad_step_cpu_seconds_total", step="unit-test-step")
    with cpu_step("unit-test-step"):
        deadline = time.thread_time() + 0.02
        while time.thread_time() < deadline:  # burn CPU: thread time moves only with work
            pass
    assert spent() >= 0.02


async def test_extract_and_decode_steps_are_counted_per_record() -> None:
    extract = counter("marsad_step_cpu_seconds_total", step="extract")
    decode = counter("marsad_step_cpu_seconds_total", step="decode")
    await ExtractStage(Forwarded(), Letters()).process(page_record(article_html(seed_paragraphs())))
    await IndexStage(MemorySink([]), Letters(), retry=FAST).process(
        article_record(extracted(["نص"]))
    )
    assert extract() > 0
    assert decode() > 0

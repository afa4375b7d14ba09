"""One story end to end through the real parts: demo sites → connector → Kafka → worker →
OpenSearch → search; replays create no duplicates; bad pages go to the DLQ."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from kafka import KafkaConsumer

from cli.commands.connect import connect
from cli.commands.search import search
from devtools.demo import RunningDemo, serve_demo_sites, write_sources_yaml
from kernel.records import DeadLetter, RawPage
from kernel.settings import Settings
from kernel.topics import DLQ, PAGES
from pipeline.sinks.bodies import parse_hits, search_body
from pipeline.sinks.factory import open_sink

from .support import ROOT, service_env, wait_until_consumed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningDemo, Path]]:
    with serve_demo_sites() as running:
        sources = tmp_path_factory.mktemp("demo") / "sources.yaml"
        write_sources_yaml(running.outlets, sources)
        yield running, sources


def query(settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        sink = open_sink(settings)
        try:
            await sink.refresh("articles")
            return await sink.search("articles", body)
        finally:
            await sink.close()

    return asyncio.run(go())


def demo_docs(settings: Settings, running: RunningDemo) -> list[dict[str, Any]]:
    ids = [o.outlet_id for o in running.outlets]
    body = {"size": 1000, "query": {"terms": {"source_id": ids}}}
    return [h.source for h in parse_hits(query(settings, body))]


@pytest.fixture(scope="module")
def ingested(
    settings: Settings, worker: subprocess.Popen[bytes], demo: tuple[RunningDemo, Path]
) -> RunningDemo:
    running, sources = demo
    assert asyncio.run(connect(settings, sources, once=True, min_delay_s=0.0)) == 0
    wait_until_consumed(settings, worker)
    return running


def test_every_demo_article_is_indexed_once(settings: Settings, ingested: RunningDemo) -> None:
    docs = demo_docs(settings, ingested)
    assert len(docs) == len(ingested.sites.articles)
    assert len({d["url_id"] for d in docs}) == len(docs)
    by_outlet = {d["source_id"] for d in docs}
    assert by_outlet == {o.outlet_id for o in ingested.outlets}
    # the windows-1256 outlet decodes to Arabic text
    mashriq = [d for d in docs if d["source_id"] == "mashriq"]
    assert mashriq and all(d["encoding"].lower() in {"windows-1256", "cp1256"} for d in mashriq)
    assert all(d["language"] == "ar" and d["paragraph_count"] >= 1 for d in docs)
    # page chrome stays out of the indexed text
    assert not any("شارك:" in d["text"] for d in docs)


def test_search_finds_the_wire_story_on_both_outlets(
    settings: Settings, ingested: RunningDemo
) -> None:
    hits = parse_hits(query(settings, search_body("جبهة النصرة", 20)))
    outlets = {h.source["source_id"] for h in hits}
    assert {"ofoq", "nabd"} <= outlets
    assert any("**" in snippet for h in hits for snippet in h.highlights)


def test_search_command_prints_highlighted_arabic(
    settings: Settings, ingested: RunningDemo
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "search", "الدولة الإسلامية", "--size", "3"],
        env=service_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "article(s) match «الدولة الإسلامية»" in result.stdout
    assert "**" in result.stdout.split("\n", 1)[1]


def test_replaying_the_feeds_creates_no_duplicates(
    settings: Settings,
    worker: subprocess.Popen[bytes],
    demo: tuple[RunningDemo, Path],
    ingested: RunningDemo,
) -> None:
    running, sources = demo
    before = demo_docs(settings, running)
    # a fresh connector has forgotten what it fetched: every page is published again
    assert asyncio.run(connect(settings, sources, once=True, min_delay_s=0.0)) == 0
    wait_until_consumed(settings, worker)
    after = demo_docs(settings, running)
    assert len(after) == len(before) == len(running.sites.articles)
    assert max(d["indexed_at"] for d in after) > max(d["indexed_at"] for d in before)


async def send_pages(settings: Settings, values: list[bytes]) -> list[int]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        offsets = []
        for value in values:
            meta = await producer.send_and_wait(
                settings.topic(PAGES), value, key=b"k" * 32, partition=0
            )
            offsets.append(meta.offset)
        return offsets
    finally:
        await producer.stop()


def read_dead_letters(settings: Settings) -> list[DeadLetter]:
    consumer = KafkaConsumer(
        settings.topic(DLQ),
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    try:
        return [DeadLetter.model_validate_json(m.value) for m in consumer]
    finally:
        consumer.close()


def page(body: bytes, n: int) -> bytes:
    return RawPage(
        url_id=f"{n:032d}",
        url=f"https://dlq.example/{n}",
        canonical_url=f"https://dlq.example/{n}",
        source_id="dlq-test",
        outlet="اختبار",
        fetched_at=datetime.now(UTC),
        http_status=200,
        content_type="text/html; charset=utf-8",
        body_b64=RawPage.encode_body(body),
    ).to_bytes()


def test_bad_pages_go_to_the_dlq_and_the_worker_keeps_going(
    settings: Settings, worker: subprocess.Popen[bytes], ingested: RunningDemo
) -> None:
    good_html = "<html><body><article><p>{}</p></article></body></html>".format(
        "أعلنت فصائل المعارضة السيطرة على قرية جديدة في ريف حلب الشمالي "
        "بعد اشتباكات عنيفة مع قوات النظام استمرت ساعات"
    ).encode()
    offsets = asyncio.run(
        send_pages(
            settings,
            [
                b"\x00\x01 not json",
                json.dumps({"url_id": "x"}).encode(),
                page(b"<html><body><nav>home</nav></body></html>", 1),
                page(bytes(range(256)) * 20, 2),
                page(good_html, 3),
            ],
        )
    )
    wait_until_consumed(settings, worker)
    assert worker.poll() is None, "the worker must survive bad input"
    letters = {(d.partition, d.offset): d for d in read_dead_letters(settings)}
    bad = [letters.get((0, o)) for o in offsets[:4]]
    assert all(bad), f"missing dead letters: {bad}"
    assert [d.error_type for d in bad if d] == [
        "bad_record",
        "bad_record",
        "ExtractionError",
        "DecodeError",
    ]
    assert all(
        d.stage == "extract" and d.topic == settings.topic(PAGES) and d.reason for d in bad if d
    )
    assert (0, offsets[4]) not in letters
    hits = query(settings, {"query": {"term": {"source_id": "dlq-test"}}})
    assert [h["_id"] for h in hits["hits"]["hits"]] == [f"{3:032d}"]


def paragraphs_of(settings: Settings, body: dict[str, Any]) -> list[dict[str, Any]]:
    async def go() -> dict[str, Any]:
        sink = open_sink(settings)
        try:
            await sink.refresh("paragraphs")
            return await sink.search("paragraphs", body)
        finally:
            await sink.close()

    return [h.source for h in parse_hits(asyncio.run(go()))]


def test_same_text_under_two_urls_is_one_story(settings: Settings, ingested: RunningDemo) -> None:
    docs = demo_docs(settings, ingested)
    stories: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        stories.setdefault(doc["story_id"], []).append(doc)
    shared = [group for group in stories.values() if len(group) > 1]
    # seed 001 is republished word for word by two outlets (ofoq and mashriq)
    assert len(shared) == 1
    [group] = shared
    assert {d["source_id"] for d in group} == {"ofoq", "mashriq"}
    assert sorted(d["duplicate_status"] for d in group) == ["original", "same_text"]
    assert max(d["story_outlet_count"] for d in group) == 2


def test_paragraph_index_has_clusters_outlet_counts_and_revisions(
    settings: Settings, ingested: RunningDemo
) -> None:
    outlets = [o.outlet_id for o in ingested.outlets]
    paragraphs = paragraphs_of(settings, {"size": 2000, "query": {"terms": {"source_id": outlets}}})
    docs = demo_docs(settings, ingested)
    assert len(paragraphs) == sum(len(d["cluster_ids"]) for d in docs)
    clusters = {p["cluster_id"] for p in paragraphs}
    founders = [p for p in paragraphs if p["first_in_cluster"]]
    assert len(founders) == len(clusters)  # one founding occurrence per cluster
    carried_twice = [p for p in paragraphs if p["outlet_count"] >= 2 and not p["first_in_cluster"]]
    assert carried_twice and all(p["verdict"] in {"duplicate", "variant"} for p in carried_twice)
    # the repeated edition of bulletin 003 revises counts: recorded as a numeric difference
    revised = [p for p in paragraphs if p["verdict"] == "variant" and p["numeric_diff"]]
    assert any(p["source_id"] == "maydan" for p in revised)
    # the two outlets' versions of the wire story (ofoq, nabd) are linked, not collapsed
    linked_clusters = {c for p in paragraphs for c in p["related_clusters"]}
    linking = {p["source_id"] for p in paragraphs if p["related_clusters"]}
    linked = {p["source_id"] for p in paragraphs if p["cluster_id"] in linked_clusters}
    assert {"ofoq", "nabd"} <= linking | linked


def test_unique_paragraph_search_collapses_clusters(
    settings: Settings, ingested: RunningDemo
) -> None:
    total, hits = asyncio.run(search(settings, "جبهة النصرة", 50, unique=True))
    clusters = [h.source["cluster_id"] for h in hits]
    assert hits and len(clusters) == len(set(clusters)) == total
    occurrences = paragraphs_of(
        settings, {"size": 500, "query": {"match": {"text": "جبهة النصرة"}}}
    )
    assert len(occurrences) > total  # some paragraphs were carried more than once
    assert max(h.source["outlet_count"] for h in hits) >= 2


def test_articles_and_paragraphs_carry_tags_for_filters_and_maps(
    settings: Settings, ingested: RunningDemo
) -> None:
    docs = {d["source_id"]: d for d in demo_docs(settings, ingested) if "nusra" in d["actor_ids"]}
    # the wire story on both outlets names al-Nusra and the Islamic State
    assert {"ofoq", "nabd"} <= set(docs)
    assert all("isis" in d["actor_ids"] for d in docs.values())
    # a keyword filter and a map query work on the tags
    near_damascus = {
        "size": 100,
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"source_id": [o.outlet_id for o in ingested.outlets]}},
                    {
                        "geo_distance": {
                            "distance": "30km",
                            "locations": {"lat": 33.51, "lon": 36.29},
                        }
                    },
                ]
            }
        },
    }
    hits = parse_hits(query(settings, near_damascus))
    assert hits and all(h.source["locations"] for h in hits)
    tagged = paragraphs_of(settings, {"size": 5, "query": {"term": {"event_types": "Battles"}}})
    assert tagged and all("Battles" in p["event_types"] for p in tagged)

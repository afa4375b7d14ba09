"""Scale-out on Kafka partitions (issue 17): two worker processes on the four partitions of
news.extracted.v1 give the clusters and outlet counts of one process, including when the
worker that holds the dedupe stage is killed (SIGKILL) mid-stream and when a worker joins
mid-stream.

"One process on the same stream": the deduplicator's clusters depend on the order it sees
articles in (measured on this corpus: two interleavings of the same four page partitions give
208-210 clusters, not always the same), so the only order two runs can be compared in is the
one the dedupe stage decided in. The workers write it down: news.sequenced.v1, one partition,
every article the dedupe stage decided on in offset order (an article redone after the kill
appears twice, and is a replay to the deduplicator, as it was to the stage). One in-memory
:class:`~pipeline.dedupe.Deduplicator` over that stream must give every indexed paragraph its
cluster, every article its story, every cluster its final outlet count (a paragraph's own
document carries the count of the moment it was last decided on, see below).

That the check has teeth: the corpus's duplicates cross partitions (asserted below), so a
dedupe that kept a state per partition or per worker would found separate clusters for them.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from devtools.bench import raw_page
from devtools.demo import generate_articles
from devtools.stack import StackInfo
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.dedupe import Deduplicator
from pipeline.enrich import article_input, enrichment_parts, paragraph_id
from pipeline.kafka_admin import pipeline_lag
from pipeline.sinks.factory import open_sink
from pipeline.stages.base import parse_where
from pipeline.web import find_url

from .support import isolated, sequenced_in_order, start_worker, stop_worker

ARTICLES = 600
SEED = 20261207
DEADLINE_S = 600.0  # an upper bound on the whole run, not a timing test


@pytest.fixture(scope="module")
def own(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as settings:
        yield settings


async def publish(settings: Settings, pages: list[RawPage]) -> list[int]:
    """Each page keyed by its url_id (spread over the four partitions, as connectors do); the
    partition each one landed in."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        futures = [
            await producer.send(settings.topic(PAGES), page.to_bytes(), key=page.url_id.encode())
            for page in pages
        ]
        return [(await future).partition for future in futures]
    finally:
        await producer.stop()


async def _documents(settings: Settings, kind: str) -> list[dict[str, Any]]:
    sink = open_sink(settings)
    try:
        await sink.refresh(kind)
        body = {"size": 10_000, "query": {"match_all": {}}, "seq_no_primary_term": False}
        response = await sink.search(kind, body)
        return [{"_id": h["_id"], **h["_source"]} for h in response["hits"]["hits"]]
    finally:
        await sink.close()


def documents(settings: Settings, kind: str) -> list[dict[str, Any]]:
    return asyncio.run(_documents(settings, kind))


def indexed(settings: Settings) -> int:
    try:
        return len(documents(settings, "articles"))
    except Exception:  # noqa: BLE001 - no index before the first document
        return 0


class Worker:
    def __init__(self, settings: Settings, name: str) -> None:
        self.settings = settings
        self.name = name
        self.log = settings.home / f"{settings.worker_id}{name}.log"
        # the alert rules run too: their stage's partition moves with the others when a worker
        # dies or joins, and its state must be rebuilt on the new holder (a write cut short
        # by the kill once made that restore fail: "cluster ... of a missing bucket")
        self.proc: subprocess.Popen[bytes] = start_worker(settings, name)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def counter(self, name: str, **labels: str) -> float:
        """A counter of the worker's /metrics (0 before it answers)."""
        url = find_url(self.log.read_text(encoding="utf-8", errors="replace"))
        if url is None:
            return 0.0
        try:
            with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
                text = response.read().decode()
        except OSError:
            return 0.0
        wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
        found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    def decided(self) -> float:
        return self.counter("marsad_dedupe_articles_total", outcome="deduped")

    def indexed(self) -> float:
        return self.counter("marsad_index_articles_total", outcome="indexed")


def wait(condition: Any, what: str, workers: list[Worker], deadline: float) -> Any:
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.alive(), f"worker{worker.name} exited; see {worker.log}"
        if found := condition():
            return found
        time.sleep(1.0)
    raise AssertionError(f"timed out waiting for {what}")


def holder(workers: list[Worker]) -> Worker | None:
    """The worker deciding now: the one whose dedupe count grows (the other's stays put)."""
    before = [w.decided() for w in workers]
    time.sleep(2.0)
    grew = [w for w, b in zip(workers, before, strict=True) if w.decided() > b]
    return grew[0] if len(grew) == 1 else None


def run_two_workers(own: Settings, pages: list[RawPage]) -> None:
    """Two workers; the dedupe stage's holder killed mid-stream, a third worker joining; until
    everything is indexed."""
    deadline = time.monotonic() + DEADLINE_S
    first, second = Worker(own, "-1"), Worker(own, "-2")
    workers = [first, second]
    joined: Worker | None = None
    try:
        partitions = asyncio.run(publish(own, pages))
        assert len(set(partitions)) == 4, "the pages should spread over the four partitions"
        wait(lambda: indexed(own) >= ARTICLES // 5, "a fifth of the corpus", workers, deadline)
        # the index stage runs in both processes, on their partitions of news.deduped.v1
        wait(lambda: all(w.indexed() > 0 for w in workers), "both to index", workers, deadline)
        victim = wait(lambda: holder(workers), "the dedupe stage's holder", workers, deadline)
        survivor = next(w for w in workers if w is not victim)
        before = survivor.decided()
        stop_worker(victim.proc, signal.SIGKILL)  # a crash: no clean shutdown, no final commit
        workers = [survivor]
        at_kill = indexed(own)
        assert at_kill < ARTICLES, "the kill should land mid-stream"
        # the survivor takes the dedupe stage over, its state restored from the changelog
        wait(lambda: survivor.decided() > before, "the survivor to decide", workers, deadline)
        wait(lambda: indexed(own) >= at_kill + ARTICLES // 10, "progress", workers, deadline)
        joined = Worker(own, "-3")  # a worker joins mid-stream: a rebalance
        workers = [survivor, joined]
        wait(
            lambda: pipeline_lag(own) == 0 and indexed(own) >= ARTICLES,
            "the drain",
            workers,
            deadline,
        )
    finally:
        for worker in [first, second, *([joined] if joined else [])]:
            stop_worker(worker.proc)


def test_two_workers_on_four_partitions_give_one_process_clusters(own: Settings) -> None:
    pages = [raw_page(a) for a in generate_articles(SEED, ARTICLES)]
    run_two_workers(own, pages)

    # nothing lost, nothing duplicated: one document per article and per kept paragraph
    articles = {d["_id"]: d for d in documents(own, "articles")}
    assert set(articles) == {p.url_id for p in pages}
    paragraphs = documents(own, "paragraphs")
    ids = Counter(d["_id"] for d in paragraphs)
    assert not [i for i, n in ids.items() if n > 1]

    # one process over the stream in the order the dedupe stage decided in
    _, config = enrichment_parts(own)
    dedup = Deduplicator(config)
    decided = sequenced_in_order(own)
    assert {a.url_id for a in decided} == set(articles)
    assert len(decided) >= ARTICLES
    stories: dict[str, str] = {}
    expected: dict[str, str] = {}  # paragraph id -> cluster
    final: dict[str, int] = defaultdict(int)  # cluster -> outlet count after the run
    page_partition: dict[str, int] = {}
    for article in decided:
        verdict = dedup.process(article_input(article))  # a redone article: its last verdict
        stories[article.url_id] = verdict.story_id
        where = parse_where(article.source_offset)
        assert where is not None
        page_partition[article.url_id] = where[1]
        for p in verdict.paragraphs:
            expected[paragraph_id(article.url_id, p.index)] = p.cluster_id
            final[p.cluster_id] = max(final[p.cluster_id], p.outlet_count)

    assert {u: d["story_id"] for u, d in articles.items()} == stories
    got = {d["_id"]: d["cluster_id"] for d in paragraphs}
    assert set(got) == set(expected)
    wrong = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    sample = list(wrong.items())[:3]
    assert not wrong, f"{len(wrong)} paragraphs in other clusters than one process's: {sample}"
    # outlet counts: a paragraph's document carries the count when it was last decided on (an
    # article redone after the kill, already in the restored state, is a replay and carries
    # the count of that later moment), so what must equal is each cluster's count after the
    # run: an article counted twice would raise it
    counts: dict[str, int] = defaultdict(int)
    for d in paragraphs:
        counts[d["cluster_id"]] = max(counts[d["cluster_id"]], d["outlet_count"])
    over = {c: (n, final[c]) for c, n in counts.items() if n != final[c]}
    assert not over, f"{len(over)} clusters with other outlet counts: {list(over.items())[:3]}"

    # the duplicates crossed partitions: a state per partition would have split these clusters
    members: dict[str, set[int]] = defaultdict(set)
    for key, cluster in expected.items():
        members[cluster].add(page_partition[key.rsplit(":", 1)[0]])
    crossing = [c for c, parts in members.items() if len(parts) > 1]
    assert len(crossing) >= 10, f"only {len(crossing)} clusters span page partitions"

"""What every fault test shares: the corpus and its uninterrupted reference run, an isolated
run (topics, indices, consumer group), fast publishing, the worker processes, waiting on
conditions with deadlines, and the end-of-run audit (lost, duplicated, clusters).

The reference: the suite publishes every page into partition 0 of ``news.pages.v1``, so the
extract stage reads them in publish order, writes them into partition 0 of
``news.extracted.v1`` (each article goes into its page's partition) and the sequence stage
into ``news.sequenced.v1`` (one partition) in that order, with at most some re-extracted
pages again after a restart (replays, which change no dedupe count). One in-memory
:class:`~pipeline.dedupe.Deduplicator` over the same articles in publish order is then the
uninterrupted run every faulted run must equal: the same cluster for every paragraph, the
same story for every article, the same final outlet count for every cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaProducer
from kafka.admin import KafkaAdminClient

from devtools.bench import raw_page
from devtools.demo import GeneratedArticle, generate_articles
from devtools.stack import StackInfo
from kernel.records import DeadLetter, ExtractedArticle, RawPage
from kernel.settings import Settings
from kernel.topics import DLQ, PAGES, TopicSpec
from pipeline.dedupe import Deduplicator
from pipeline.document import extract_article
from pipeline.enrich import article_input, enrichment_parts, paragraph_id
from pipeline.kafka_admin import ensure_topics, pipeline_lag
from pipeline.web import find_url
from tests.integration.support import topic_records

from .stack import HOME, ROOT

ARTICLES = int(os.environ.get("MARSAD_FAULTS_ARTICLES", "5000"))
SEED = 20261201
T = TypeVar("T")


def say(line: str) -> None:
    print(f"[faults] {line}", flush=True)


# ---------------------------------------------------------------- corpus and reference


@dataclass(frozen=True)
class Reference:
    """What one uninterrupted in-memory run over the corpus, in publish order, produced."""

    url_ids: frozenset[str]
    stories: Mapping[str, str]  # url_id -> story_id
    paragraphs: Mapping[str, str]  # paragraph document id -> cluster_id
    outlets: Mapping[str, int]  # cluster_id -> outlet count after the whole run
    #: pages run -> cluster_id -> outlet count after the first that many pages (the marks asked)
    outlets_after: Mapping[int, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Corpus:
    articles: tuple[GeneratedArticle, ...]
    pages: tuple[RawPage, ...]
    reference: Reference


def extracted(page: RawPage) -> ExtractedArticle:
    return extract_article(page, source_offset="reference")


def reference_run(
    settings: Settings, pages: Sequence[RawPage], marks: Sequence[int] = ()
) -> Reference:
    """The worker's deduplicator (same lexicons, same configuration) over ``pages`` in order;
    the outlet counts are also kept after the first ``marks`` pages (the ends of phases)."""
    _, config = enrichment_parts(settings)
    dedup = Deduplicator(config)
    stories: dict[str, str] = {}
    paragraphs: dict[str, str] = {}
    outlets: dict[str, int] = {}
    outlets_after: dict[int, Mapping[str, int]] = {}
    for done, page in enumerate(pages, start=1):
        verdict = dedup.process(article_input(extracted(page)))
        stories[page.url_id] = verdict.story_id
        for p in verdict.paragraphs:
            paragraphs[paragraph_id(page.url_id, p.index)] = p.cluster_id
            outlets[p.cluster_id] = max(outlets.get(p.cluster_id, 0), p.outlet_count)
        if done in marks:
            outlets_after[done] = dict(outlets)
    return Reference(frozenset(stories), stories, paragraphs, outlets, outlets_after)


def make_corpus(settings: Settings, count: int = ARTICLES, marks: Sequence[int] = ()) -> Corpus:
    started = time.monotonic()
    articles = tuple(generate_articles(SEED, count))
    pages = tuple(raw_page(a) for a in articles)
    assert len({p.url_id for p in pages}) == count, "the generator repeated a URL"
    reference = reference_run(settings, pages, marks)
    paragraphs = len(reference.paragraphs)
    say(
        f"corpus: {count} pages, {paragraphs} paragraphs in {len(reference.outlets)} clusters "
        f"(reference run {time.monotonic() - started:.1f} s)"
    )
    return Corpus(articles, pages, reference)


# ---------------------------------------------------------------- one isolated run


@contextlib.contextmanager
def isolated(stack: StackInfo, name: str) -> Iterator[Settings]:
    """Settings with their own topic namespace, index prefix and consumer group (removed after)."""
    run = f"ft{name[:10]}{uuid.uuid4().hex[:6]}".lower()
    settings = Settings(
        home=HOME,
        kafka_bootstrap=stack.kafka_bootstrap,
        search_url=stack.search_url,
        topic_namespace=f"{run}.",
        index_prefix=run,
        worker_id=f"marsad-{run}",
        alerts_enabled=False,
    )
    ensure_topics(settings)
    try:
        yield settings
    finally:
        with contextlib.suppress(Exception):  # the stack may be what the test broke
            admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
            try:
                ours = [t for t in admin.list_topics() if t.startswith((run, settings.worker_id))]
                admin.delete_topics(ours)
            finally:
                admin.close()
        with (
            contextlib.suppress(Exception),
            httpx.Client(base_url=stack.search_url, timeout=60, trust_env=False) as http,
        ):
            http.put(
                f"/{run}-*/_settings",
                json={"index.blocks.read_only_allow_delete": None},
            )
            http.delete(f"/{run}-*")
            for template in http.get(f"/_index_template/{run}-*").json().get("index_templates", []):
                http.delete(f"/_index_template/{template['name']}")


# ---------------------------------------------------------------- publishing


Record = tuple[bytes | None, bytes | None]  # key, value


async def _send(
    settings: Settings, topic: str, records: Sequence[Record], partition: int | None
) -> list[int]:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        compression_type="gzip",
        linger_ms=20,
        max_batch_size=1024 * 1024,
        max_request_size=8 * 1024 * 1024,
    )
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=key, partition=partition)
            for key, value in records
        ]
        return [int(m.offset) for m in await asyncio.gather(*futures)]
    finally:
        await producer.stop()


def send(
    settings: Settings, spec: TopicSpec, records: Sequence[Record], partition: int | None = 0
) -> list[int]:
    """Publish ``records`` in one batched producer (acks=all, idempotent); their offsets."""
    return asyncio.run(_send(settings, settings.topic(spec), records, partition))


def page_records(pages: Sequence[RawPage]) -> list[Record]:
    return [(p.url_id.encode(), p.to_bytes()) for p in pages]


def publish_pages(settings: Settings, pages: Sequence[RawPage]) -> list[int]:
    """Every page into partition 0 of news.pages.v1, in order (see the module's docstring)."""
    started = time.monotonic()
    offsets = send(settings, PAGES, page_records(pages))
    say(f"published {len(pages)} pages in {time.monotonic() - started:.1f} s")
    return offsets


# ---------------------------------------------------------------- waiting


def wait_for(
    what: str,
    condition: Callable[[], T | None],
    deadline_s: float,
    *,
    every_s: float = 0.5,
    check: Callable[[], None] | None = None,
) -> T:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the deadline.
    ``check`` runs on every round (e.g. "the worker is still alive")."""
    deadline = time.monotonic() + deadline_s
    last: T | None = None
    while True:
        if check is not None:
            check()
        last = condition()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(every_s)


# ---------------------------------------------------------------- the engine, read directly


class Engine:
    """Plain REST calls to the engine (never through the fault proxy)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix

    def client(self, timeout_s: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout_s, trust_env=False)

    def count(self, kind: str = "articles") -> int | None:
        """Documents of ``kind`` searchable now; None while the engine does not answer."""
        try:
            with self.client(5) as http:
                response = http.get(f"/{self.prefix}-{kind}/_count")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return int(response.json()["count"])

    def indices(self, kind: str) -> list[str]:
        with self.client() as http:
            found = http.get(f"/{self.prefix}-{kind}*", params={"expand_wildcards": "all"})
            found.raise_for_status()
            return sorted(found.json())

    def set_block(self, blocked: bool) -> list[str]:
        """Set (or lift) the disk-full block ``index.blocks.read_only_allow_delete`` on every
        index of this run; the indices it was set on."""
        names = self.indices("articles") + self.indices("paragraphs")
        with self.client() as http:
            response = http.put(
                "/" + ",".join(names) + "/_settings",
                json={"index.blocks.read_only_allow_delete": True if blocked else None},
            )
            response.raise_for_status()
        return names

    def documents(self, kind: str, fields: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """(_id, _source) of every document of every index of ``kind`` in this run (all
        versions, not only the alias's), through a scroll."""
        names = self.indices(kind)
        found: list[tuple[str, dict[str, Any]]] = []
        with self.client(120) as http:
            http.post("/" + ",".join(names) + "/_refresh").raise_for_status()
            response = http.post(
                "/" + ",".join(names) + "/_search",
                params={"scroll": "2m"},
                json={"size": 5000, "_source": list(fields), "sort": ["_doc"]},
            )
            response.raise_for_status()
            body = response.json()
            while hits := body["hits"]["hits"]:
                found += [(h["_id"], h["_source"]) for h in hits]
                response = http.post(
                    "/_search/scroll", json={"scroll": "2m", "scroll_id": body["_scroll_id"]}
                )
                response.raise_for_status()
                body = response.json()
            http.request("DELETE", "/_search/scroll", json={"scroll_id": body["_scroll_id"]})
        return found


# ---------------------------------------------------------------- the audit


@dataclass
class Audit:
    """The end-of-run count against what was published and against the reference."""

    expected: int
    indexed: int = 0
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    duplicated: dict[str, int] = field(default_factory=dict)
    paragraphs: int = 0
    paragraphs_lost: list[str] = field(default_factory=list)
    paragraphs_duplicated: dict[str, int] = field(default_factory=dict)
    wrong_id: list[str] = field(default_factory=list)
    wrong_story: list[str] = field(default_factory=list)
    wrong_cluster: list[str] = field(default_factory=list)
    wrong_outlets: dict[str, tuple[int, int]] = field(default_factory=dict)

    def problems(self) -> dict[str, Any]:
        found = {
            name: value
            for name, value in vars(self).items()
            if name not in {"expected", "indexed", "paragraphs"} and value
        }
        return {k: (sorted(v)[:10] if isinstance(v, list) else v) for k, v in found.items()}


def audit(
    engine: Engine,
    expected: frozenset[str],
    reference: Reference | None,
    outlets: Mapping[str, int] | None = None,
) -> Audit:
    """Count every article (and paragraph) document by id against ``expected``; with a
    ``reference``, compare stories and clusters with it, and with ``outlets`` (the reference's
    counts after the pages of ``expected``) every cluster's final outlet count."""
    result = Audit(expected=len(expected))
    articles = engine.documents("articles", ["url_id", "story_id"])
    ids = Counter(doc_id for doc_id, _ in articles)
    result.indexed = len(articles)
    result.duplicated = {k: n for k, n in ids.items() if n > 1}
    result.lost = sorted(expected - set(ids))
    result.unexpected = sorted(set(ids) - expected)
    result.wrong_id = [doc_id for doc_id, source in articles if source.get("url_id") != doc_id]
    if reference is None:
        return result
    result.wrong_story = sorted(
        doc_id
        for doc_id, source in articles
        if doc_id in reference.stories and source.get("story_id") != reference.stories[doc_id]
    )
    paragraphs = engine.documents(
        "paragraphs", ["url_id", "paragraph_index", "cluster_id", "outlet_count"]
    )
    result.paragraphs = len(paragraphs)
    pids = Counter(doc_id for doc_id, _ in paragraphs)
    result.paragraphs_duplicated = {k: n for k, n in pids.items() if n > 1}
    wanted = {k for k in reference.paragraphs if k.partition(":")[0] in expected}
    result.paragraphs_lost = sorted(wanted - set(pids))
    result.unexpected += sorted(set(pids) - wanted)
    found: dict[str, int] = {}
    for doc_id, source in paragraphs:
        if paragraph_id(source.get("url_id", ""), source.get("paragraph_index", -1)) != doc_id:
            result.wrong_id.append(doc_id)
        cluster = str(source.get("cluster_id"))
        if reference.paragraphs.get(doc_id) != cluster:
            result.wrong_cluster.append(doc_id)
        found[cluster] = max(found.get(cluster, 0), int(source.get("outlet_count", 0)))
    if outlets is not None:
        result.wrong_outlets = {
            cluster: (found.get(cluster, 0), count)
            for cluster, count in outlets.items()
            if found.get(cluster, 0) != count
        }
    return result


def assert_clean(result: Audit, *, clusters: bool = True) -> None:
    problems = result.problems()
    say(
        f"audit: {result.indexed} articles indexed of {result.expected} published, "
        f"{result.paragraphs} paragraphs; problems: {problems or 'none'}"
    )
    assert not result.lost, f"{len(result.lost)} articles lost: {problems}"
    assert not result.duplicated, f"{len(result.duplicated)} articles duplicated: {problems}"
    assert not result.unexpected, f"documents nobody published: {problems}"
    assert not result.wrong_id, f"documents under another id: {problems}"
    assert result.indexed == result.expected
    if clusters:
        assert not result.paragraphs_lost, f"paragraphs lost: {problems}"
        assert not result.paragraphs_duplicated, f"paragraphs duplicated: {problems}"
        assert not result.wrong_story, f"stories differ from the reference: {problems}"
        assert not result.wrong_cluster, f"clusters differ from the reference: {problems}"
        assert not result.wrong_outlets, f"outlet counts differ from the reference: {problems}"


# ---------------------------------------------------------------- processes


def service_env(settings: Settings, search_url: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": search_url or str(settings.search_url),
        "MARSAD_TOPIC_NAMESPACE": settings.topic_namespace,
        "MARSAD_INDEX_PREFIX": settings.index_prefix,
        "MARSAD_WORKER_ID": settings.worker_id,
        "MARSAD_HOME": str(settings.home),
        "MARSAD_ALERTS_ENABLED": "false",  # the suite is about articles and clusters
        "MARSAD_WORKER_WEB_PORT": "0",
    }


class Worker:
    """One ``marsad worker`` at a time for a run, like an orchestrator that restarts it when it
    exits (``restart_on_exit``); every exit it did not ask for is recorded in ``exits``."""

    def __init__(
        self, settings: Settings, *, search_url: str | None = None, restart_on_exit: bool = False
    ) -> None:
        self.settings = settings
        self.search_url = search_url
        self.restart_on_exit = restart_on_exit
        self.exits: list[int] = []
        self.starts = 0
        self.log = settings.home / f"{settings.worker_id}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"\n==== faults: worker start {self.starts}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "worker"],
                env=service_env(self.settings, self.search_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        say(f"worker started (pid {self.proc.pid})")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def check(self) -> None:
        """Fail if the worker exited on its own, unless it is to be restarted."""
        assert self.proc is not None
        code = self.proc.poll()
        if code is None:
            return
        self.exits.append(code)
        say(f"worker pid {self.proc.pid} exited on its own with {code}")
        assert self.restart_on_exit, f"worker exited with {code}; see {self.log}"
        self.start()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        say(f"worker pid {self.proc.pid} killed with {signal.Signals(sig).name}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a throttled worker must be able to stop
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        """What the worker logged after ``offset`` (a :meth:`log_size`)."""
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def metrics(self) -> str:
        url = find_url(self.log.read_text(encoding="utf-8", errors="replace"))
        assert url is not None, f"the worker announced no web url in {self.log}"
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            return str(response.read().decode())


def lag(settings: Settings) -> int | None:
    try:
        return pipeline_lag(settings)
    except Exception:  # noqa: BLE001 - the broker may be what the test killed
        return None


def indexed_at_least(engine: Engine, count: int) -> Callable[[], int | None]:
    def condition() -> int | None:
        found = engine.count()
        return found if found is not None and found >= count else None

    return condition


def wait_done(
    settings: Settings, engine: Engine, expected: int, worker: Worker, deadline_s: float
) -> float:
    """Until ``expected`` articles are searchable and the worker committed everything; the
    seconds it took."""
    started = time.monotonic()

    def done() -> bool:
        return engine.count() == expected and lag(settings) == 0

    wait_for(
        f"{expected} articles indexed and no lag", done, deadline_s, every_s=1.0, check=worker.check
    )
    return time.monotonic() - started


# ---------------------------------------------------------------- the dead-letter topic


def dead_letters(settings: Settings) -> list[DeadLetter]:
    return [DeadLetter.model_validate_json(value) for _, value in topic_records(settings, DLQ)]


_METRIC = re.compile(r"^marsad_dlq_records_total\{([^}]*)\}\s+([0-9.e+]+)$", re.MULTILINE)


def dlq_counted(metrics: str) -> dict[tuple[str, str], float]:
    """``marsad_dlq_records_total`` by (stage, error) from a worker's /metrics text."""
    counted: dict[tuple[str, str], float] = {}
    for labels, value in _METRIC.findall(metrics):
        parts = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        counted[(parts.get("stage", ""), parts.get("error", ""))] = float(value)
    return counted

"""Helpers shared by the integration tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from devtools.stack import StackInfo, read_state, stop_service, up
from devtools.stack.state import KAFKA, OPENSEARCH
from kernel.datafiles import deploy_dir
from kernel.records import ExtractedArticle
from kernel.settings import Settings
from kernel.topics import SEQUENCED, TopicSpec
from pipeline.kafka_admin import ensure_topics, pipeline_lag

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def local_stack() -> Iterator[StackInfo]:
    """The local Kafka and OpenSearch, started if not running; stopped at the end only if
    started here (only these two: an Elasticsearch started by someone else stays up)."""
    base = Settings(home=ROOT / ".marsad")
    info = read_state(base.home)
    started = info is None
    if info is None:
        info = up(base)
    try:
        yield info
    finally:
        if started:
            for name in (OPENSEARCH, KAFKA):
                stop_service(base, name)


def service_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "MARSAD_SEARCH_URL": str(settings.search_url),
        "MARSAD_TOPIC_NAMESPACE": settings.topic_namespace,
        "MARSAD_INDEX_PREFIX": settings.index_prefix,
        "MARSAD_WORKER_ID": settings.worker_id,
        "MARSAD_HOME": str(settings.home),
        "MARSAD_WORKER_WEB_PORT": "0",  # a free port: several workers may run at once
    }


def wait_until_consumed(
    settings: Settings, worker: subprocess.Popen[bytes], deadline_s: float = 180
) -> None:
    """Block until the worker committed every page offset (an upper bound, not a timing test)."""
    deadline = time.monotonic() + deadline_s
    lag: int | None = None
    while time.monotonic() < deadline:
        assert worker.poll() is None, f"worker exited with {worker.returncode}"
        lag = pipeline_lag(settings)
        if lag == 0:
            return
        time.sleep(1.0)
    raise AssertionError(f"worker did not consume all pages within {deadline_s}s (lag={lag})")


@contextmanager
def isolated(stack: StackInfo) -> Iterator[Settings]:
    """Settings with their own topic namespace, index prefix and consumer group; removed after."""
    run = f"it{uuid.uuid4().hex[:8]}"
    settings = Settings(
        home=ROOT / ".marsad",
        kafka_bootstrap=stack.kafka_bootstrap,
        search_url=stack.search_url,
        topic_namespace=f"{run}.",
        index_prefix=run,
        worker_id=f"marsad-{run}",
    )
    ensure_topics(settings)
    try:
        yield settings
    finally:
        admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
        try:
            ours = [t for t in admin.list_topics() if t.startswith((run, settings.worker_id))]
            admin.delete_topics(ours)
        finally:
            admin.close()
        remove_indices(stack.search_url, run)


def remove_indices(search_url: str, prefix: str) -> None:
    """Delete every index and index template named ``{prefix}-*``, by exact names.

    Plain REST calls both engines answer the same way (and exact names, since Elasticsearch
    refuses to delete indices by wildcard).
    """
    with httpx.Client(base_url=search_url, timeout=60, trust_env=False) as http:
        found = http.get(f"/{prefix}-*", params={"expand_wildcards": "all"})
        found.raise_for_status()
        if names := sorted(found.json()):
            http.delete("/" + ",".join(names)).raise_for_status()
        templates = http.get(f"/_index_template/{prefix}-*")
        if templates.status_code != 404:
            templates.raise_for_status()
            for template in templates.json().get("index_templates", []):
                http.delete(f"/_index_template/{template['name']}").raise_for_status()


def elasticsearch_deploy_copy(target: Path) -> Path:
    """A copy of deploy/ whose index templates Elasticsearch's test distribution accepts.

    That distribution has no analysis-common module: no ``arabic_normalization``,
    ``decimal_digit`` or ``stemmer`` filters and no ``pattern_replace`` or ``mapping`` char
    filters. The copy keeps the analyzers' names (the mappings are untouched) and gives them
    a test-only body, ``standard`` + ``lowercase`` + ``stop _arabic_``. The Arabic analysis
    itself is proven on OpenSearch (tests/integration/test_arabic_search.py).
    """
    shutil.copytree(deploy_dir(), target)
    for path in sorted((target / "index-templates").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        settings = body["template"].get("settings", {})
        if "analysis" not in settings:
            continue
        settings["analysis"] = {
            "filter": {"marsad_arabic_stop": {"type": "stop", "stopwords": "_arabic_"}},
            "analyzer": {
                name: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "marsad_arabic_stop"],
                }
                for name in settings["analysis"]["analyzer"]
            },
        }
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def start_worker(
    settings: Settings, name: str = "", env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A real `marsad worker` process (with ``env`` added to its environment); its output goes
    to .marsad/<worker_id><name>.log."""
    with (settings.home / f"{settings.worker_id}{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            env={**service_env(settings), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def stop_worker(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def topic_records(
    settings: Settings, spec: TopicSpec, partition: int = 0
) -> list[tuple[bytes | None, bytes]]:
    """(key, value) of every record in one partition of ``spec``, in offset order, from the
    beginning to the end it had when asked."""
    tp = TopicPartition(settings.topic(spec), partition)
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        consumer.assign([tp])
        end = consumer.end_offsets([tp])[tp]
        consumer.seek(tp, 0)
        found: list[tuple[bytes | None, bytes]] = []
        while consumer.position(tp) < end:
            found += [(m.key, m.value) for m in consumer.poll(timeout_ms=1000).get(tp, [])]
        return found
    finally:
        consumer.close()


def sequenced_in_order(settings: Settings) -> list[ExtractedArticle]:
    """Every record of news.sequenced.v1 (one partition), in offset order: what the dedupe
    stage decided on, in the order it decided (a record redone after a restart appears twice,
    and is a replay to a deduplicator, as it was to the worker)."""
    return [
        ExtractedArticle.model_validate_json(value)
        for _, value in topic_records(settings, SEQUENCED)
    ]

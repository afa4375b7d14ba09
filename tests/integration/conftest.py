"""Integration fixtures: the real Kafka and OpenSearch of `marsad stack up`, started once.

If the stack is not running, the session starts it (and stops it again at the end); it
never skips. Each session works in its own topic namespace and index prefix, and removes
them afterwards, so runs do not see each other's data.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient
from opensearchpy import OpenSearch

from pipeline.kafka_admin import ensure_topics
from pipeline.settings import Settings
from pipeline.stack import StackInfo, down, read_state, up
from pipeline.topics import ALL_TOPICS

from .support import ROOT, service_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    base = Settings(home=ROOT / ".marsad")
    info = read_state(base.home)
    started = info is None
    if info is None:
        info = up(base)
    yield info
    if started:
        down(base)


@pytest.fixture(scope="session")
def settings(stack: StackInfo) -> Iterator[Settings]:
    run = f"it{uuid.uuid4().hex[:8]}"
    s = Settings(
        home=ROOT / ".marsad",
        kafka_bootstrap=stack.kafka_bootstrap,
        search_url=stack.search_url,
        topic_namespace=f"{run}.",
        index_prefix=run,
        worker_id=f"marsad-{run}",
    )
    ensure_topics(s)
    yield s
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        admin.delete_topics([s.topic(t) for t in ALL_TOPICS])
    finally:
        admin.close()
    client = OpenSearch(hosts=[stack.search_url])
    client.indices.delete(index=f"{run}-*", ignore_unavailable=True)
    client.indices.delete_index_template(name=f"{run}-articles", ignore=[404])
    client.close()


@pytest.fixture(scope="session")
def worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """One real `marsad worker` process for the session."""
    log = (settings.home / f"{settings.worker_id}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "worker"],
        env=service_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()

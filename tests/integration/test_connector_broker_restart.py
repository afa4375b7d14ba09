"""Kafka stops (cleanly, or killed) in the middle of a run and comes back: every fetched page
reaches Kafka exactly once (by url_id), none is lost, and the connector's buffer stays bounded.

The broker here is the test's own: a separate single-node Kafka started with the project's
stack code on free ports and a temporary home, stopped and restarted by the pid this test
started. The shared stack's broker is never touched.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from connectors.config import ConnectorConfig
from connectors.fetch import Fetcher, FetcherConfig
from connectors.publisher import PagePublisher
from connectors.runner import Connector
from connectors.sources import Source, SourceRegistry
from connectors.state import StateStore
from connectors.urls import url_id
from devtools.stack import kafka, maven, process
from devtools.stack.config import StackSettings
from devtools.stack.java import JavaFinder
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.kafka_admin import ensure_topics
from tests.sites import FixtureServer, Reply, Request, serve_in_thread
from tests.sites import content as c

OUTLETS, ARTICLES, CAPACITY = 4, 40, 16


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LoneKafka:
    """One Kafka broker of our own, started and stopped by pid."""

    def __init__(self, home: Path) -> None:
        self.config = StackSettings(
            kafka_port=free_port(), kafka_controller_port=free_port(), heap="512m"
        )
        self.bootstrap = f"127.0.0.1:{self.config.kafka_port}"
        self.stack_dir = home / "stack"
        self.layout = kafka.KafkaLayout(self.stack_dir / "kafka")
        cache = Settings().cache_dir.expanduser()
        jars = kafka.jar_set(self.config)
        maven.ensure(jars, cache, print)
        self.classpath = jars.classpath(cache)
        self.java = JavaFinder.from_environment().require(kafka.MIN_JAVA, "Kafka").path
        kafka.prepare(self.config, self.layout, self.java, self.classpath)
        self.pid = 0

    def start(self) -> None:
        command = kafka.server_command(
            self.java, self.classpath, self.config, self.layout, self.stack_dir
        )
        self.pid = process.spawn(command, self.layout.console, cwd=self.layout.root)
        kafka.wait_ready(self.pid, self.bootstrap, time.monotonic() + 120, print)

    def stop(self, *, crash: bool = False) -> None:
        """SIGTERM (a clean shutdown), or SIGKILL with ``crash`` (the broker dies)."""
        if self.pid and process.is_ours(self.pid, kafka.NAME, self.stack_dir):
            if crash:
                os.killpg(self.pid, signal.SIGKILL)
            assert process.stop_group(self.pid, 60)
        self.pid = 0


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoneKafka]:
    lone = LoneKafka(tmp_path_factory.mktemp("lone-kafka"))
    lone.start()
    try:
        yield lone
    finally:
        lone.stop()


def slow_articles(request: Request) -> Reply | None:
    if request.path.startswith("/news/"):
        return Reply(body=c.article(request.path), delay_s=0.04)
    return None


def read_keys(bootstrap: str, topic: str) -> Counter[str]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=8000,
    )
    try:
        return Counter(m.key.decode() for m in consumer)
    finally:
        consumer.close()


@pytest.mark.parametrize("crash", [False, True], ids=["sigterm", "sigkill"])
async def test_broker_restart_mid_run_loses_nothing_and_duplicates_nothing(
    broker: LoneKafka, tmp_path: Path, crash: bool
) -> None:
    namespace = "crash." if crash else "stop."
    settings = Settings(home=tmp_path, kafka_bootstrap=broker.bootstrap, topic_namespace=namespace)
    ensure_topics(settings)
    servers = [FixtureServer(router=slow_articles) for _ in range(OUTLETS)]
    with serve_in_thread(*servers):
        sources = []
        for n, server in enumerate(servers):
            feed = c.rss(c.items(server.base_url, ARTICLES))
            server.routes["/feed.xml"] = Reply(body=feed, content_type="application/rss+xml")
            sources.append(
                Source(
                    id=f"outlet-{n}",
                    name_ar=f"منفذ {n}",
                    name_latin=f"Outlet {n}",
                    home=server.base_url + "/",
                    country="SY",
                    affiliation="demo",
                    feeds=[server.base_url + "/feed.xml"],
                    allow_private=True,
                    max_items_per_poll=ARTICLES,
                )
            )
        expected = {url_id(i.url) for s in servers for i in c.items(s.base_url, ARTICLES)}
        state = StateStore(tmp_path / "state.sqlite")
        async with (
            Fetcher(FetcherConfig(min_delay_s=0.0)) as fetcher,
            PagePublisher(broker.bootstrap, topic=settings.topic(PAGES)) as publisher,
        ):
            connector = Connector(
                SourceRegistry(version=1, sources=tuple(sources)),
                fetcher,
                publisher,
                state=state,
                config=ConnectorConfig(outbox_capacity=CAPACITY),
            )
            run = asyncio.create_task(connector.run_once())
            while connector.outbox.acked < 20:
                assert not run.done()
                await asyncio.sleep(0.01)
            await asyncio.to_thread(broker.stop, crash=crash)
            acked_at_stop = connector.outbox.acked
            await asyncio.sleep(4)
            fetched_while_down = sum(
                r.path.startswith("/news/") for s in servers for r in s.requests
            )
            assert connector.outbox.acked == acked_at_stop  # nothing acknowledged while down
            assert 0 < connector.outbox.waiting <= CAPACITY  # bounded buffer, holding pages
            assert not run.done()
            await asyncio.to_thread(broker.start)
            reports = await asyncio.wait_for(run, timeout=180)
    assert fetched_while_down < len(expected)  # back-pressure paused fetching
    assert sum(r.published for r in reports) == len(expected)
    assert state.counts() == {"fetched": len(expected)}
    state.close()
    keys = read_keys(broker.bootstrap, settings.topic(PAGES))
    assert set(keys) == expected, f"missing {len(expected - set(keys))}"
    assert [k for k, n in keys.items() if n > 1] == []

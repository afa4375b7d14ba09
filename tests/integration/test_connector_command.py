"""``marsad connect`` as the service runs it, against the shared stack's Kafka: metrics on
its port, SIGTERM in the middle of a run finishes or hands back the work in flight, and the
next run publishes the rest: every article reaches Kafka exactly once."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from connectors.state import StateStore
from connectors.urls import url_id
from kernel.settings import Settings
from kernel.topics import PAGES
from tests.sites import FixtureServer, Reply, Request, serve_in_thread
from tests.sites import content as c

from .support import ROOT, service_env

ARTICLES = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def slow_article(request: Request) -> Reply | None:
    if request.path.startswith("/news/"):
        return Reply(body=c.article(request.path), delay_s=0.15)
    return None


@pytest.fixture
def outlet(tmp_path: Path) -> Iterator[tuple[FixtureServer, Path]]:
    server = FixtureServer(router=slow_article)
    with serve_in_thread(server):
        feed = c.rss(c.items(server.base_url, ARTICLES))
        server.routes["/feed.xml"] = Reply(body=feed, content_type="application/rss+xml")
        sources = c.one_feed_sources(
            tmp_path / "sources.yaml",
            "cmd-test",
            "اختبار",
            "Command test",
            server.base_url,
            ARTICLES,
        )
        yield server, sources


def connect(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "connect", "--min-delay", "0", *args],
        env=service_env(settings),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def keys_in_kafka(settings: Settings, wanted: set[str]) -> Counter[str]:
    consumer = KafkaConsumer(
        settings.topic(PAGES),
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=5000,
    )
    try:
        return Counter(k for m in consumer if (k := m.key.decode()) in wanted)
    finally:
        consumer.close()


def test_sigterm_hands_back_in_flight_work_and_the_next_run_completes_it(
    settings: Settings, outlet: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    server, sources = outlet
    state_path = tmp_path / "state.sqlite"
    port = free_port()
    proc = connect(
        settings, "--sources", str(sources), "--state", str(state_path), "--metrics-port", str(port)
    )
    try:
        deadline = time.monotonic() + 60
        while sum(r.path.startswith("/news/") for r in server.requests) < 5:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the connector fetched nothing"
            time.sleep(0.05)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
        assert b"marsad_connector_fetches_total" in metrics
        assert b"marsad_connector_source_health" in metrics
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "marsad connect: stopped (stopped)" in output
    fetched_before = sum(r.path.startswith("/news/") for r in server.requests)
    assert fetched_before < ARTICLES  # it really was stopped mid-run
    expected = {url_id(i.url) for i in c.items(server.base_url, ARTICLES)}
    store = StateStore(state_path)
    counts = store.counts()
    done = {k for k in expected if store.status(k) == "fetched"}
    store.close()
    assert counts.get("fetched", 0) + counts.get("pending", 0) == ARTICLES
    assert set(keys_in_kafka(settings, expected)) == done  # fetched == acknowledged

    again = connect(settings, "--sources", str(sources), "--state", str(state_path), "--once")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    keys = keys_in_kafka(settings, expected)
    assert set(keys) == expected and set(keys.values()) == {1}
    already = {r.path for r in server.requests[:fetched_before] if r.path.startswith("/news/")}
    refetched = [r.path for r in server.requests[fetched_before:] if r.path in already]
    assert len(refetched) <= 1  # at most the page that was in flight when SIGTERM arrived

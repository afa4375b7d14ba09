"""Helpers shared by the integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka.admin import KafkaAdminClient
from opensearchpy import OpenSearch

from devtools.stack import StackInfo
from kernel.settings import Settings
from pipeline.kafka_admin import ensure_topics, pipeline_lag

ROOT = Path(__file__).resolve().parents[2]


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
        client = OpenSearch(hosts=[stack.search_url])
        client.indices.delete(index=f"{run}-*", ignore_unavailable=True)
        for kind in ("articles", "paragraphs"):
            client.indices.delete_index_template(name=f"{run}-{kind}", ignore=[404])
        client.close()


def start_worker(settings: Settings, name: str = "") -> subprocess.Popen[bytes]:
    """A real `marsad worker` process; its output goes to .marsad/<worker_id><name>.log."""
    with (settings.home / f"{settings.worker_id}{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            env=service_env(settings),
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

"""Helpers shared by the integration tests."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from pipeline.kafka_admin import pipeline_lag
from pipeline.settings import Settings

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

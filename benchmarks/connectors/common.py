"""Shared pieces of the connector benchmarks: the fleet server in its own process, a publisher
that acknowledges at once, and process measurements."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psutil

from kernel.records import RawPage

MB = 1024 * 1024


class NullKafka:
    """Acknowledges every page at once: measures the connector, not the broker."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def publish(self, page: RawPage) -> tuple[int, int]:
        self.count += 1
        self.bytes += len(page.body_b64)
        return 0, self.count


@contextlib.contextmanager
def fleet_server(
    outlets: int, *, items: int, period_s: float, article_bytes: int = 30_000
) -> Iterator[int]:
    """Run ``python -m tests.sites.fleet`` in its own process; yield its port."""
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [
            sys.executable, "-m", "tests.sites.fleet", "--outlets", str(outlets),
            "--items", str(items), "--period", str(period_s),
            "--article-bytes", str(article_bytes), "--epoch", str(time.time()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None  # noqa: S101
        line = proc.stdout.readline()
        if "port=" not in line:
            raise RuntimeError(f"fleet server did not start: {line!r}")
        yield int(line.split("port=")[1].split()[0])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Usage:
    wall_s: float
    cpu_s: float
    rss_mib: float


class Meter:
    """Wall and CPU time of this process between start() and stop(), and its RSS."""

    def __init__(self) -> None:
        self.process = psutil.Process(os.getpid())
        self._wall = 0.0
        self._cpu = 0.0

    def start(self) -> None:
        self._wall = time.perf_counter()
        times = self.process.cpu_times()
        self._cpu = times.user + times.system

    def stop(self) -> Usage:
        times = self.process.cpu_times()
        return Usage(
            wall_s=time.perf_counter() - self._wall,
            cpu_s=times.user + times.system - self._cpu,
            rss_mib=self.rss_mib(),
        )

    def rss_mib(self) -> float:
        return float(self.process.memory_info().rss) / MB

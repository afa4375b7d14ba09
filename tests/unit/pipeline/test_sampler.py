"""The samples taken on the worker's loop: consumer lag (committed offsets made since the
assignment, else the position), dedupe sizes, and the snapshot /health answers from."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from faust.types import TP
from prometheus_client import REGISTRY

from pipeline.sampler import FreshCommits, WorkerMonitor, partition_lag

PAGES = "news.pages.v1"


def test_lag_is_end_offset_minus_next_offset_where_both_are_known() -> None:
    highwaters = {"a": 10, "b": 5, "c": None, "d": 7}
    assert partition_lag(highwaters, {"a": 4, "b": 9, "c": 1, "d": None}) == {"a": 6, "b": 0}


def test_only_commits_made_since_the_assignment_count() -> None:
    fresh = FreshCommits()
    p0, p1 = TP(PAGES, 0), TP(PAGES, 1)
    # p0's offset 100 was committed in an earlier assignment: maybe not the group's any more
    assert fresh.select(1, [p0, p1], {p0: 100}) == {}
    assert fresh.select(1, [p0, p1], {p0: 100, p1: 3}) == {p1: 3}
    assert fresh.select(1, [p0, p1], {p0: 120, p1: 3}) == {p0: 120, p1: 3}
    # a rebalance: every figure is a baseline again until the next commit
    assert fresh.select(2, [p0], {p0: 120, p1: 3}) == {}
    assert fresh.select(2, [p0], {p0: 130}) == {p0: 130}


class FakeConsumer:
    def __init__(self, highwaters: dict[TP, int], positions: dict[TP, int]) -> None:
        self._highwaters, self._positions = highwaters, positions

    def assignment(self) -> set[TP]:
        return set(self._highwaters)

    async def highwaters(self, *tps: TP) -> dict[TP, int]:
        return {tp: self._highwaters[tp] for tp in tps}

    async def position(self, tp: TP) -> int:
        return self._positions[tp]


def fake_app(consumer: Any = None, committed: dict[TP, int] | None = None) -> Any:
    agent = SimpleNamespace(state="running")
    return SimpleNamespace(
        consumer=consumer,
        consumer_generation_id=1,
        monitor=SimpleNamespace(tp_committed_offsets=committed or {}),
        agents={"extract-pages": agent},
        state="running",
        rebalancing=False,
    )


def lag_of(partition: int, topic: str = PAGES) -> float | None:
    return REGISTRY.get_sample_value(
        "marsad_consumer_lag", {"topic": topic, "partition": str(partition)}
    )


async def test_sample_sets_lag_per_partition_and_drops_revoked_ones() -> None:
    p0, p1, changelog = TP(PAGES, 0), TP(PAGES, 1), TP("dedupe-state-changelog", 0)
    monitor = WorkerMonitor()
    consumer = FakeConsumer({p0: 50, p1: 8, changelog: 99}, {p0: 40, p1: 8, changelog: 0})
    app = fake_app(consumer)
    await monitor.sample(app, {PAGES})
    assert (lag_of(0), lag_of(1), lag_of(0, "dedupe-state-changelog")) == (10.0, 0.0, None)
    app.monitor.tp_committed_offsets = {p0: 45}  # the worker's own commit since the assignment
    await monitor.sample(app, {PAGES})
    assert lag_of(0) == 5.0
    app.consumer = FakeConsumer({p1: 9}, {p1: 9})  # p0 went to another worker
    await monitor.sample(app, {PAGES})
    assert (lag_of(0), lag_of(1)) == (None, 0.0)


async def test_sample_publishes_the_dedupe_sizes() -> None:
    monitor = WorkerMonitor()
    monitor.watch_dedupe(lambda: {"versions": 7, "clusters": 3, "index_bytes": 4096})
    await monitor.sample(fake_app(FakeConsumer({}, {})), {PAGES})
    entries = "marsad_dedupe_state_entries"
    assert REGISTRY.get_sample_value(entries, {"kind": "versions"}) == 7
    assert REGISTRY.get_sample_value(entries, {"kind": "clusters"}) == 3
    assert REGISTRY.get_sample_value("marsad_dedupe_state_bytes", {"kind": "index"}) == 4096


def test_health_starts_when_the_first_heartbeat_is_taken() -> None:
    now = [100.0]
    monitor = WorkerMonitor(clock=lambda: now[0])
    progress = monitor.stage("extract", "extract-pages")
    assert monitor.health().status == "starting"
    progress.started(99.0)
    progress.finished(99.5)
    monitor.heartbeat(fake_app())
    health = monitor.health()
    assert (health.status, health.body["stages"]["extract"]["records"]) == ("ok", 1)
    now[0] += 60  # the loop took no snapshot for a minute
    assert monitor.health().status == "degraded"

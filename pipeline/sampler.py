"""The worker's observable state, sampled on its event loop for ``/health`` and ``/metrics``.

Faust's consumer and the deduplicator's memory belong to the worker's event loop: only code on
that loop reads them. Two tasks of the Faust app do: every second a
:class:`~pipeline.health.Snapshot` for ``/health`` (a reference swap the web thread reads), every
few seconds the gauges of consumer lag and dedupe state size. A sample never raises: a failed
sample is logged and the next one tries again.

Consumer lag is the partition's end offset (``Consumer.highwaters``, asked of the broker) minus
the offset this worker committed (``Monitor.tp_committed_offsets``, which Faust updates on each
of its commits). Until the worker has committed on a partition since it was (re)assigned, that
figure may belong to an earlier assignment (another worker went further meanwhile), so the
consumer's position stands in: right after the assignment it is the group's committed offset;
later it runs ahead by what Faust has fetched but not yet processed, so until the first commit
the lag shown is a lower bound.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.health import Health, Snapshot, StageProgress, StageView, evaluate
from pipeline.metrics import LAST_PROGRESS, set_consumer_lag, set_dedupe_sizes

if TYPE_CHECKING:  # Faust is a heavy import; ``marsad worker`` serves /health before it
    import faust

log = logging.getLogger(__name__)

HEARTBEAT_S = 1.0
SAMPLE_S = 5.0
SAMPLE_TIMEOUT_S = 10.0

K = TypeVar("K", bound=Hashable)


def partition_lag(highwaters: Mapping[K, int | None], done: Mapping[K, int | None]) -> dict[K, int]:
    """End offset minus the next offset to process, per partition where both are known."""
    lag: dict[K, int] = {}
    for tp, high in highwaters.items():
        offset = done.get(tp)
        if high is not None and offset is not None:
            lag[tp] = max(0, high - offset)
    return lag


class FreshCommits:
    """Which of Faust's committed offsets this worker made since the partition was assigned.

    A partition's committed offset seen when it (re)appears in the assignment, or when the
    consumer generation changes (a rebalance), is a baseline; only a different value is ours.
    """

    def __init__(self) -> None:
        self._generation: int | None = None
        self._baseline: dict[Any, int | None] = {}

    def select(
        self, generation: int, assigned: Collection[K], committed: Mapping[K, int]
    ) -> dict[K, int]:
        if generation != self._generation:
            self._generation = generation
            self._baseline = {}
        self._baseline = {
            tp: self._baseline[tp] if tp in self._baseline else committed.get(tp) for tp in assigned
        }
        return {
            tp: committed[tp]
            for tp in assigned
            if tp in committed and committed[tp] != self._baseline[tp]
        }


class WorkerMonitor:
    """Written by the worker's event loop (agents, tasks); :meth:`health` is for any thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stages: dict[str, tuple[str, StageProgress]] = {}
        self._dedupe_stats: Callable[[], Mapping[str, int]] | None = None
        self._fresh = FreshCommits()
        self._lag: int | None = None
        self.snapshot: Snapshot | None = None

    def stage(self, name: str, agent: str) -> StageProgress:
        """The progress record the loop of ``agent`` keeps for stage ``name``."""
        progress = StageProgress()
        self._stages[name] = (agent, progress)
        return progress

    def watch_dedupe(self, stats: Callable[[], Mapping[str, int]]) -> None:
        """Sample the sizes of the deduplicator's state from ``stats`` (its ``stats`` method)."""
        self._dedupe_stats = stats

    def health(self) -> Health:
        return evaluate(self.snapshot, self._clock())

    def install(self, app: faust.App, topics: Collection[str]) -> None:
        """Run the heartbeat and the sampler as tasks of ``app`` (from when it is ready).

        Plain loops rather than ``@app.timer``: mode's timers log each late wake-up, and the
        stages keep the loop busy with CPU work for tenths of a second at a time.
        """

        async def heartbeat() -> None:
            while not app.should_stop:
                self.heartbeat(app)
                await asyncio.sleep(HEARTBEAT_S)

        async def sample() -> None:
            while not app.should_stop:
                try:
                    await asyncio.wait_for(self.sample(app, topics), SAMPLE_TIMEOUT_S)
                except Exception as exc:  # noqa: BLE001 - a metric sample must not stop the worker
                    log.warning("metrics sample failed error=%s: %s", type(exc).__name__, exc)
                await asyncio.sleep(SAMPLE_S)

        app.task(heartbeat)
        app.task(sample)

    def heartbeat(self, app: faust.App) -> None:
        """Take the snapshot ``/health`` answers from (cheap: attribute reads)."""
        now = self._clock()
        wall = time.time()
        stages = {}
        for name, (agent_name, progress) in self._stages.items():
            agent = app.agents.get(agent_name)
            state = "missing" if agent is None else str(agent.state)
            stages[name] = StageView(
                agent_name, state, progress.records, progress.last_done, progress.busy_since
            )
            if progress.last_done is not None:
                LAST_PROGRESS.labels(name).set(wall - (now - progress.last_done))
        self.snapshot = Snapshot(now, str(app.state), bool(app.rebalancing), stages, self._lag)

    async def sample(self, app: faust.App, topics: Collection[str]) -> None:
        """Set the gauges of consumer lag and dedupe state size."""
        if self._dedupe_stats is not None:
            set_dedupe_sizes(self._dedupe_stats())
        consumer = app.consumer
        assigned = [tp for tp in consumer.assignment() if tp.topic in topics]
        if not assigned:
            self._lag = None
            set_consumer_lag({})
            return
        highwaters = await consumer.highwaters(*assigned)
        committed = app.monitor.tp_committed_offsets
        done: dict[Any, int | None] = dict(
            self._fresh.select(app.consumer_generation_id, assigned, committed)
        )
        for tp in assigned:
            if tp not in done:
                done[tp] = await consumer.position(tp)
        lag = partition_lag(highwaters, done)
        set_consumer_lag({(tp.topic, tp.partition): value for tp, value in lag.items()})
        self._lag = sum(lag.values())

"""The bounded buffer between fetching and Kafka.

A fetched page takes a slot; :meth:`Outbox.put` waits while every slot is taken, which stops
the fetchers (back-pressure) while the broker is slow or away. Each page is sent until Kafka
acknowledges it, with the project's back-off between attempts (:mod:`kernel.retry`: from
``retry_base_s``, doubling, capped at ``retry_cap_s``, jittered, no limit); only then does
``on_ack`` run (the caller marks the page fetched). A page Kafka refuses for good (too large)
goes to ``on_refused``. If nothing has been acknowledged for ``stall_after_s`` while pages
wait, :attr:`Outbox.stalled` is set: the connector stops and hands its pages back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Protocol

from connectors.exceptions import PublishError
from connectors.metrics import ConnectorMetrics
from kernel.records import RawPage
from kernel.retry import RetryPolicy

log = logging.getLogger(__name__)


class RawPagePublisher(Protocol):
    async def publish(self, page: RawPage) -> tuple[int, int]: ...


class Outbox:
    def __init__(
        self,
        publisher: RawPagePublisher,
        *,
        capacity: int,
        on_ack: Callable[[RawPage, int, int], None],
        on_refused: Callable[[RawPage, str], None],
        metrics: ConnectorMetrics,
        retry_base_s: float = 0.5,
        retry_cap_s: float = 30.0,
        stall_after_s: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self._publisher = publisher
        self._slots = asyncio.Semaphore(capacity)
        self._on_ack = on_ack
        self._on_refused = on_refused
        self._metrics = metrics
        # No deadline nor attempt limit: a page is sent until the broker is back or the
        # connector stops (see `stalled`), then it is handed back.
        self._retry = RetryPolicy(first_delay_s=retry_base_s, max_delay_s=retry_cap_s)
        self._stall_after_s = stall_after_s
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_progress = time.monotonic()
        self._failing = False
        self.capacity = capacity
        self.stalled = asyncio.Event()
        self.acked = 0

    @property
    def waiting(self) -> int:
        """Pages handed over and not acknowledged (or refused) yet."""
        return len(self._tasks)

    async def put(self, page: RawPage) -> None:
        """Hand a page over; waits for a free slot (back-pressure)."""
        await self._slots.acquire()
        if not self._tasks:
            self._last_progress = time.monotonic()
        task = asyncio.create_task(self._deliver(page), name=f"publish-{page.url_id}")
        self._tasks.add(task)
        self._metrics.outbox.set(len(self._tasks))
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        """Free the task's slot (once: called by the done callback and by join/close)."""
        if task in self._tasks:
            self._tasks.discard(task)
            self._slots.release()
            self._metrics.outbox.set(len(self._tasks))

    def _collect(self) -> None:
        for task in [t for t in self._tasks if t.done()]:
            self._done(task)

    async def _deliver(self, page: RawPage) -> None:
        started = time.monotonic()
        failures = 0  # the policy has no limit: the stall watchdog decides when to stop
        while True:
            try:
                partition, offset = await self._publisher.publish(page)
            except PublishError as exc:
                if not exc.retriable:
                    self._metrics.publish_refused.inc()
                    log.error("publish refused url_id=%s reason=%s", page.url_id, exc)  # noqa: TRY400
                    self._on_refused(page, str(exc))
                    return
                self._metrics.publish_retries.inc()
                self._broker(up=False, reason=str(exc))
                if time.monotonic() - self._last_progress > self._stall_after_s:
                    self.stalled.set()
                failures += 1
                await asyncio.sleep(self._retry.delay_s(failures, self._rng))
                continue
            self._last_progress = time.monotonic()
            self._broker(up=True, reason="")
            self.acked += 1
            self._metrics.publish_seconds.observe(time.monotonic() - started)
            self._on_ack(page, partition, offset)
            return

    def _broker(self, *, up: bool, reason: str) -> None:
        if up and self._failing:
            log.info("kafka acknowledging again waiting=%d", self.waiting)
        elif not up and not self._failing:
            log.warning("kafka not acknowledging waiting=%d reason=%s", self.waiting, reason)
        self._failing = not up
        self._metrics.broker_up.set(1 if up else 0)

    async def watch(self) -> None:
        """Set :attr:`stalled` when pages wait and nothing was acknowledged for too long
        (covers a send that simply hangs while the broker is away)."""
        while not self.stalled.is_set():
            await asyncio.sleep(min(5.0, self._stall_after_s / 4))
            idle = time.monotonic() - self._last_progress
            if self._tasks and idle > self._stall_after_s:
                log.error("kafka stalled waiting=%d idle_s=%.0f", self.waiting, idle)
                self.stalled.set()
            elif self._tasks and idle > min(30.0, self._stall_after_s / 2):
                self._broker(up=False, reason=f"no acknowledgement for {idle:.0f}s")

    async def join(self) -> None:
        """Wait until every page handed over is acknowledged or refused."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))
            self._collect()

    async def close(self, timeout_s: float) -> int:
        """Wait up to ``timeout_s`` for the pages in flight, then give the rest back
        (they stay pending in the state and are fetched again); return how many."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
        left = list(self._tasks)
        for task in left:
            task.cancel()
        for task in left:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._collect()
        if left:
            self._metrics.handed_back.inc(len(left))
        return len(left)

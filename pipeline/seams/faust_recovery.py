"""faust-streaming seam: table recovery that does not lose stream records when it completes.

The bug (faust-streaming#596, open upstream; seen here as a worker started after a killed one
keeping a fixed lag and never indexing the rest, commit 62697a0): while a worker restores its
table from the changelog, the stream partitions are paused only in Faust's bookkeeping and the
aiokafka client goes on fetching them. Records taken out of the client meanwhile are dropped by
Faust, or queued and dropped when Faust empties its queues at the end of recovery, while the
consumer's position has moved past them. Faust's seek to the committed offsets undoes that only
for a partition with a committed offset, and only if the seek came last. Otherwise the worker
skips those records until its next restart, and its commits stop at the gap.

:class:`SeekThenResumeRecovery` pauses the stream partitions in the client, seeks them (to the
committed offset, or to the earliest one where nothing was committed, as
``consumer_auto_offset_reset="earliest"`` would), lets Faust empty its queues, and only then
resumes them. Faust offers no hook for that, so this module relies on these internals of
faust-streaming 0.15.3, each for the reason given:

* ``TableManager._recovery``: the cached :class:`Recovery` behind ``TableManager.recovery``.
  Faust takes a TableManager class (``App(TableManager=...)``) but no Recovery class, so
  :class:`SeekThenResumeTableManager` overrides the property and fills that cache itself.
* ``Recovery.on_recovery_completed`` (called by ``Recovery._restart_recovery``): overridden,
  its body copied from Faust's with the partition handling reordered; a change to Faust's
  body must be merged here (the seam test pins the source it was copied from).
* ``Recovery._set_recovery_ended()``, ``Recovery._is_changelog_tp(tp)`` and
  ``Recovery._wait(coro, timeout=)``: what Faust's own body calls to end recovery, to tell
  stream partitions from changelog ones, and to wait unless the service stops
  (``ServiceStopped``) or another rebalance starts (``RebalanceAgain``).
* ``App._fetcher``: its ``maybe_start()`` restarts Faust's fetcher, as Faust's body does.
* ``Consumer._committed_offset``: which partitions have a committed offset;
  ``perform_seek()`` seeks only those, the others are sought to their earliest offset here.
* ``ThreadDelegateConsumer._thread`` and ``AIOKafkaConsumerThread._ensure_consumer()``: the
  aiokafka client, which Faust does not expose; it lives on the consumer thread's event loop,
  so it is paused there through ``call_thread`` (public, from mode's ``ServiceThread``).
  What the pause itself relies on is :mod:`pipeline.seams.aiokafka_fetching`'s business.
"""

from __future__ import annotations

import asyncio
from typing import cast

from pipeline.seams import require

SUPPORTED = ">=0.15.3,<0.16"
FAUST = require(__name__, "faust-streaming", SUPPORTED)  # before Faust's internals are imported

# After the version check, on purpose: a moved module should fail with the message above.
import faust  # noqa: E402
from faust.tables.manager import TableManager  # noqa: E402
from faust.tables.recovery import Recovery  # noqa: E402
from faust.transport.consumer import Consumer, ThreadDelegateConsumer  # noqa: E402
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread  # noqa: E402
from faust.types import TP  # noqa: E402
from faust.types.transports import ConsumerT  # noqa: E402

from pipeline.seams.aiokafka_fetching import (  # noqa: E402
    PartitionPauser,
    pause_fetching,
    resume_fetching,
)


async def set_fetching(consumer: ConsumerT, tps: set[TP], *, paused: bool) -> None:
    """Pause or resume ``tps`` in the Kafka client itself, on the consumer's own thread.

    Faust pauses a partition only in its own bookkeeping, while the client goes on fetching
    it; a paused partition's records can still be taken out of the client (its position moves
    past them) and then be discarded by Faust. A partition paused in the client gives up
    nothing until resumed; its position stays where it was.
    """
    thread = cast(AIOKafkaConsumerThread, cast(ThreadDelegateConsumer, consumer)._thread)
    client = cast(PartitionPauser, thread._ensure_consumer())

    async def apply() -> None:
        (pause_fetching if paused else resume_fetching)(client, tps)

    await thread.call_thread(apply)


class SeekThenResumeRecovery(Recovery):
    """Faust's table recovery, made not to lose stream records when it completes.

    The stream partitions are paused in the client first, then sought (to the committed
    offset, or to the earliest one where nothing was committed), then Faust empties its
    queues, and only then are the partitions resumed. Otherwise this is Faust's
    ``on_recovery_completed`` (see the module docstring for why and what it touches).
    """

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        app = cast(faust.App, self.app)
        consumer = app.consumer
        self.log.info("Restore complete!")
        await app.on_rebalance_complete.send()
        self._set_recovery_ended()
        callbacks = [
            asyncio.ensure_future(
                table.on_recovery_completed(
                    self.actives_for_table[table], self.standbys_for_table[table]
                )
            )
            for table in self.tables.values()
        ]
        if callbacks:
            await asyncio.wait(callbacks)
        assignment = consumer.assignment()
        if app.consumer_generation_id != generation_id:
            self.log.warning("Recovery rebalancing again (generation %s)", generation_id)
            return
        streams = {tp for tp in assignment if not self._is_changelog_tp(tp)}
        timeout = app.conf.broker_request_timeout
        if streams:
            await self._wait(set_fetching(consumer, streams, paused=True), timeout=timeout)
            self.log.info("Seek stream partitions to committed offsets.")
            await self._wait(consumer.perform_seek(), timeout=timeout)
            committed = cast(Consumer, consumer)._committed_offset
            uncommitted = [tp for tp in streams if not committed.get(tp)]
            if uncommitted:
                earliest = await consumer.earliest_offsets(*uncommitted)
                await self._wait(consumer.seek_wait(earliest), timeout=timeout)
        self.completed.set()
        app.flow_control.resume()  # empties the agents' queues
        consumer.resume_flow()
        if streams:
            consumer.resume_partitions(streams)
            await self._wait(set_fetching(consumer, streams, paused=False), timeout=timeout)
        await app._fetcher.maybe_start()
        self.tables.on_actives_ready()
        if not app.assignor.assigned_standbys():
            self.tables.on_standbys_ready()
        app.on_rebalance_end()
        self.log.info("Worker ready")


class SeekThenResumeTableManager(TableManager):
    """Faust's table manager, recovering with :class:`SeekThenResumeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SeekThenResumeRecovery(
                self.app, self, beacon=self.beacon, loop=self.loop
            )
        return self._recovery

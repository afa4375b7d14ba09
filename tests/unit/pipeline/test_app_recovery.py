"""The worker's table recovery holds the stream partitions in the Kafka client until they are
sought and Faust's queues are reset; records fetched in between were lost (faust-streaming#596).

The order test mocks the Faust internals the seam touches (pipeline.seams.faust_recovery);
test_seams.py checks those internals against the installed Faust and aiokafka."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from faust.types import TP

from kernel.settings import Settings
from pipeline.app import create_app
from pipeline.seams.faust_recovery import SeekThenResumeRecovery, SeekThenResumeTableManager

CHANGELOG = "marsad-pipeline-dedupe-state-changelog"


async def test_stream_partitions_resume_after_the_seek_and_the_queue_reset() -> None:
    calls: list[Any] = []
    app = MagicMock()
    app.consumer_generation_id = 2
    app.conf.broker_request_timeout = 5.0
    app.on_rebalance_complete.send = AsyncMock()
    app._fetcher.maybe_start = AsyncMock()
    app.assignor.assigned_standbys.return_value = set()
    app.flow_control.resume.side_effect = lambda: calls.append("reset queues")
    consumer = app.consumer
    committed, uncommitted, changelog = TP("pages", 0), TP("pages", 1), TP(CHANGELOG, 0)
    consumer.assignment.return_value = {committed, uncommitted, changelog}
    consumer._committed_offset = {committed: 7}

    async def in_client_thread(apply: Callable[[], Awaitable[None]]) -> None:
        await apply()

    consumer._thread.call_thread = AsyncMock(side_effect=in_client_thread)
    client = consumer._thread._ensure_consumer.return_value
    client.pause.side_effect = lambda *tps: calls.append(("client pause", set(tps)))
    client.resume.side_effect = lambda *tps: calls.append(("client resume", set(tps)))
    consumer.perform_seek = AsyncMock(side_effect=lambda: calls.append("seek committed"))
    consumer.earliest_offsets = AsyncMock(return_value={uncommitted: 0})

    def seek(offsets: Mapping[TP, int]) -> None:
        calls.append(("seek", dict(offsets)))

    consumer.seek_wait = AsyncMock(side_effect=seek)
    consumer.resume_partitions.side_effect = lambda tps: calls.append(("resume", set(tps)))
    tables = MagicMock()
    tables.values.return_value = []
    tables.changelog_topics = {CHANGELOG}

    await SeekThenResumeRecovery(app, tables).on_recovery_completed(generation_id=2)

    streams = {committed, uncommitted}
    assert calls == [
        ("client pause", streams),
        "seek committed",
        ("seek", {uncommitted: 0}),
        "reset queues",
        ("resume", streams),
        ("client resume", streams),
    ]
    consumer.earliest_offsets.assert_awaited_once_with(uncommitted)
    app._fetcher.maybe_start.assert_awaited_once()


def test_the_worker_recovers_with_it() -> None:
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:9", search_url="http://127.0.0.1:9"))
    assert isinstance(app.tables, SeekThenResumeTableManager)
    assert isinstance(app.tables.recovery, SeekThenResumeRecovery)

"""aiokafka seam: holding partitions in the Kafka client so that none of their records is taken.

Used by :mod:`pipeline.seams.faust_recovery`, on Faust's consumer thread (the client lives on
that thread's event loop). ``AIOKafkaConsumer.pause`` and ``resume`` are public API; this is a
seam because the recovery fix (faust-streaming#596) rests on more than their documentation
promises ("future calls to getmany will not return any records from these partitions"). As
read in aiokafka 0.14.0:

* Records of a partition already fetched into the client's buffer when it is paused are
  dropped, neither handed out nor counted as consumed: the partition's position stays at the
  first record not handed out (``aiokafka.consumer.fetcher.FetchResult.check_assignment``
  drops the buffered result of a paused partition; only records handed out move the
  position). A position moved past records Faust then discards is the bug this fix is for.
* ``getmany()`` with no partitions, which Faust's fetcher calls while Faust's set of active
  partitions is empty (once the changelog is paused at the end of recovery) and which aiokafka
  reads as "every assigned partition", still leaves paused partitions out: the fetcher sends no
  fetch request for them (``Fetcher._get_actions_per_node`` skips paused ones) and hands out
  none of their buffered records.
* ``resume()`` fetches from the position the partition has at that moment, that is where the
  recovery's seek put it.

Faust's own pause (``Consumer.pause_partitions``) changes only Faust's bookkeeping; that is the
whole of faust-streaming#596. ``tests/unit/pipeline/test_seams.py`` checks the signatures and
that the code named above is still there; ``tests/integration/test_dedupe_restart.py`` checks
the behaviour against a real broker.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pipeline.seams import require

SUPPORTED = ">=0.14.0,<0.15"
AIOKAFKA = require(__name__, "aiokafka", SUPPORTED)  # before aiokafka is imported

from aiokafka import TopicPartition  # noqa: E402 - after the version check, on purpose


class PartitionPauser(Protocol):
    """What this seam uses of ``aiokafka.AIOKafkaConsumer`` (aiokafka ships no type hints)."""

    def pause(self, *partitions: TopicPartition) -> None: ...

    def resume(self, *partitions: TopicPartition) -> None: ...


def _partitions(tps: Iterable[tuple[str, int]]) -> list[TopicPartition]:
    return [TopicPartition(topic, partition) for topic, partition in tps]


def pause_fetching(client: PartitionPauser, tps: Iterable[tuple[str, int]]) -> None:
    """Stop ``client`` from fetching or handing out records of ``tps`` (topic, partition)."""
    client.pause(*_partitions(tps))


def resume_fetching(client: PartitionPauser, tps: Iterable[tuple[str, int]]) -> None:
    """Let ``client`` fetch ``tps`` again, from each one's current position."""
    client.resume(*_partitions(tps))

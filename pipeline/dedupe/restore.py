"""Rebuild a Deduplicator's state from its changelog records (after a restart or rebalance).

The records are what :meth:`Deduplicator.drain_changes` produced, compacted (the last value of
each key; deleted keys absent), in any order. Everything is loaded (a version whose cluster is
missing is dropped), the stores are put back in order of last sighting and the LSH index is
re-filled from the versions' texts in their original order; the engine then expires what a
running stage would have expired at ``now``. A restored Deduplicator therefore gives the same
verdicts as one that never stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline.dedupe.exceptions import StateError
from pipeline.dedupe.state import (
    Cluster,
    Record,
    Version,
    hex_key,
    int_key,
    parse_time,
)
from pipeline.dedupe.stories import A_SEEN, S_LAST, article_from_record, story_from_record

if TYPE_CHECKING:
    from pipeline.dedupe.engine import Deduplicator

_MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


class _Loader:
    def __init__(self, dedup: Deduplicator) -> None:
        self.dedup = dedup
        self.clusters: dict[int, Cluster] = {}
        self.versions: list[tuple[int, Record]] = []
        self.lasts: list[tuple[int, datetime]] = []
        self.dropped: list[str] = []
        self.kept = 0

    def load(self, key: str, value: Record) -> None:
        kind, _, rest = key.partition(":")
        if kind == "m":
            self._meta(value)
        elif kind == "c":
            self.clusters[int_key(rest)] = Cluster.from_record(int_key(rest), value)
        elif kind == "v":
            self.versions.append((int_key(rest), value))
        elif kind == "l":
            self.lasts.append((int_key(rest), parse_time(value["last"], "last")))
        elif kind == "a":
            self._article(rest, value)
        elif kind == "s":
            self._story(int_key(rest), value)
        elif kind == "b":
            self.dedup.lines.load(key, value)
            self.kept += 1
        else:
            raise StateError("unknown record kind")

    def _meta(self, value: Record) -> None:
        dedup = self.dedup
        dedup.seq = max(dedup.seq, int(value["seq"]))
        clock, next_expiry = value.get("clock"), value.get("next_expiry")
        dedup.clock = parse_time(clock, "clock") if clock is not None else None
        dedup.next_expiry = parse_time(next_expiry, "next_expiry") if next_expiry else None
        self.kept += 1

    def _article(self, url_id: str, value: Record) -> None:
        self.dedup.articles[url_id] = article_from_record(value)
        self.kept += 1

    def _story(self, story_key: int, value: Record) -> None:
        self.dedup.stories[story_key] = story_from_record(story_key, value)
        self.kept += 1

    def order(self) -> None:
        """Put every store in order of last sighting, as a running Deduplicator keeps them."""
        dedup = self.dedup
        _by_last(dedup.versions, lambda kv: (kv[1].last, kv[1].seq))
        _by_last(dedup.articles, lambda kv: kv[1][A_SEEN])
        _by_last(dedup.stories, lambda kv: kv[1][S_LAST])
        dedup.lines.order()

    def link(self) -> None:
        """Attach versions to their clusters, drop what is too old or orphaned."""
        dedup = self.dedup
        for key, value in self.versions:
            record_key = f"v:{hex_key(key)}"
            try:
                cluster = self.clusters.get(int_key(value["cluster"]))
                version = Version.from_record(key, value, cluster) if cluster else None
            except _MALFORMED as exc:
                raise StateError(f"record {record_key!r}: {type(exc).__name__}: {exc}") from None
            if version is None:  # its cluster is gone: an orphan
                self.dropped.append(record_key)
                continue
            dedup.versions[key] = version
            version.cluster.live += 1
            dedup.seq = max(dedup.seq, version.seq)
            self.kept += 1
        for key, last in self.lasts:  # a version seen again after its own record
            version = dedup.versions.get(key)
            if version is None:
                self.dropped.append(f"l:{hex_key(key)}")
                continue
            version.last = max(version.last, last)
            self.kept += 1
        for key, cluster in self.clusters.items():
            if cluster.live > 0:
                dedup.clusters[key] = cluster
                self.kept += 1
            else:
                self.dropped.append(f"c:{hex_key(key)}")


def _by_last(store: dict[Any, Any], key: Any) -> None:
    ordered = sorted(store.items(), key=key)
    store.clear()
    store.update(ordered)


def load_records(dedup: Deduplicator, records: Iterable[tuple[str, Record]]) -> int:
    """Load ``records`` into the fresh ``dedup``; returns the number of records loaded."""
    loader = _Loader(dedup)
    for key, value in records:
        try:
            loader.load(key, value)
        except StateError as exc:
            raise StateError(f"record {key!r}: {exc}") from None
        except _MALFORMED as exc:
            raise StateError(f"record {key!r}: {type(exc).__name__}: {exc}") from None
    loader.link()
    loader.order()
    dedup.queue_deletions(loader.dropped)
    dedup.reindex()
    return loader.kept

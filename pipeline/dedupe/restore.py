"""Rebuild a dedupe state from its changelog records (after a restart or rebalance).

The records are what :func:`~pipeline.dedupe.changelog.drain` produced, compacted (the last
value of each key; deleted keys absent), in any order. Everything is loaded (a version whose
cluster is missing is dropped), the stores are put back in order of last sighting and the LSH
index is re-filled from the versions' texts in their original order; the engine then expires
what a running stage would have expired at ``now``. A restored Deduplicator therefore gives the
same verdicts as one that never stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pipeline.dedupe.exceptions import StateError
from pipeline.dedupe.state import (
    Cluster,
    Record,
    Version,
    hex_key,
    indexed_text,
    int_key,
    parse_time,
    stored_text,
)
from pipeline.dedupe.stores import DedupeState
from pipeline.dedupe.stories import A_SEEN, S_LAST, article_from_record, story_from_record

_MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


class _Loader:
    def __init__(self, state: DedupeState) -> None:
        self.state = state
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
            self.state.lines.load(key, value)
            self.kept += 1
        else:
            raise StateError("unknown record kind")

    def _meta(self, value: Record) -> None:
        state = self.state
        state.seq = max(state.seq, int(value["seq"]))
        clock, next_expiry = value.get("clock"), value.get("next_expiry")
        state.clock = parse_time(clock, "clock") if clock is not None else None
        state.next_expiry = parse_time(next_expiry, "next_expiry") if next_expiry else None
        self.kept += 1

    def _article(self, url_id: str, value: Record) -> None:
        self.state.articles[url_id] = article_from_record(value)
        self.kept += 1

    def _story(self, story_key: int, value: Record) -> None:
        self.state.stories[story_key] = story_from_record(story_key, value)
        self.kept += 1

    def order(self) -> None:
        """Put every store in order of last sighting, as a running Deduplicator keeps them."""
        state = self.state
        _by_last(state.versions, lambda kv: (kv[1].last, kv[1].seq))
        _by_last(state.articles, lambda kv: kv[1][A_SEEN])
        _by_last(state.stories, lambda kv: kv[1][S_LAST])
        state.lines.order()

    def link(self) -> None:
        """Attach versions to their clusters, drop what is too old or orphaned."""
        state = self.state
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
            state.versions[key] = version
            version.cluster.live += 1
            state.seq = max(state.seq, version.seq)
            self.kept += 1
        for key, last in self.lasts:  # a version seen again after its own record
            version = state.versions.get(key)
            if version is None:
                self.dropped.append(f"l:{hex_key(key)}")
                continue
            version.last = max(version.last, last)
            self.kept += 1
        for key, cluster in self.clusters.items():
            if cluster.live > 0:
                state.clusters[key] = cluster
                self.kept += 1
            else:
                self.dropped.append(f"c:{hex_key(key)}")


def _by_last(store: dict[Any, Any], key: Any) -> None:
    ordered = sorted(store.items(), key=key)
    store.clear()
    store.update(ordered)


def load_records(state: DedupeState, records: Iterable[tuple[str, Record]]) -> int:
    """Load ``records`` into the fresh ``state`` and re-fill its LSH index; returns the number
    of records loaded. The dropped records' deletions are queued for the next drain."""
    loader = _Loader(state)
    for key, value in records:
        try:
            loader.load(key, value)
        except StateError as exc:
            raise StateError(f"record {key!r}: {exc}") from None
        except _MALFORMED as exc:
            raise StateError(f"record {key!r}: {type(exc).__name__}: {exc}") from None
    loader.link()
    loader.order()
    state.queue_deletions(loader.dropped)
    reindex(state)
    return loader.kept


def reindex(state: DedupeState) -> None:
    """Fill the LSH index from the retained versions' texts, oldest first."""
    indexed = sorted(
        (v for v in state.versions.values() if v.text is not None), key=lambda v: v.seq
    )
    for version in indexed:
        state.index.add(version, state.index.sketch(indexed_text(version), stored_text(version)))

"""The dedupe state of one partition, as one object: its stores, its index, its counters and
what changed since the last drain.

:class:`DedupeState` is what the engine (:mod:`~pipeline.dedupe.engine`) works on and what it
hands to the changelog (:func:`~pipeline.dedupe.changelog.drain`), to expiry
(:func:`~pipeline.dedupe.expiry.expire`) and to restore
(:func:`~pipeline.dedupe.restore.load_records`): they take the state, not the engine, so none
of them imports the engine. The stores are created once and changed in place, never rebound:
the engine's paragraph loop keeps local references to them.

Every store is a dict kept in order of last sighting (a sighting moves its entry to the end;
see :mod:`~pipeline.dedupe.expiry`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pipeline.dedupe.boilerplate import SiteLines
from pipeline.dedupe.candidates import CandidateIndex
from pipeline.dedupe.state import Cluster, Version
from pipeline.dedupe.stories import Article, Story


class Dirty:
    """Keys changed since the last drain, per kind; a value is built once, at drain time."""

    def __init__(self) -> None:
        self.versions: set[int] = set()
        self.texts: dict[int, str] = {}
        """The normalized texts of the versions indexed since the last drain (their records
        carry it; the versions keep only its stored bytes)."""
        self.lasts: set[int] = set()
        """Versions seen again: only their ``last`` changed (an ``l:`` record, not ``v:``)."""
        self.clusters: set[int] = set()
        self.articles: set[str] = set()
        self.stories: set[int] = set()
        self.lines: set[tuple[int, str]] = set()
        self.meta = False
        self.deleted: list[str] = []
        """Record keys to delete that are not tracked above (restore drops, expired lines)."""

    def clear(self) -> None:
        self.versions.clear()
        self.texts.clear()
        self.lasts.clear()
        self.clusters.clear()
        self.articles.clear()
        self.stories.clear()
        self.lines.clear()
        self.meta = False
        self.deleted.clear()


class DedupeState:
    """Everything one Deduplicator retains, and what changed since the last drain."""

    __slots__ = (
        "articles", "clock", "clusters", "dirty", "index", "lines", "next_expiry", "seq",
        "stories", "versions",
    )  # fmt: skip

    def __init__(self, index: CandidateIndex, lines: SiteLines) -> None:
        self.index = index
        """The near-duplicate index of the versions that keep their text."""
        self.versions: dict[int, Version] = {}
        """Every retained distinct paragraph text, by key."""
        self.clusters: dict[int, Cluster] = {}
        """Clusters with at least one retained version, by cluster key."""
        self.articles: dict[str, Article] = {}
        """Every retained url_id as last processed."""
        self.stories: dict[int, Story] = {}
        """Every retained article text (all paragraphs' words), by story key."""
        self.lines = lines
        """Per-site counts of short lines (site boilerplate)."""
        self.seq = 0
        """Versions created so far (a new version's ``seq``)."""
        self.clock: datetime | None = None
        """The latest sighting time processed."""
        self.next_expiry: datetime | None = None
        """When the next scheduled expiry runs (with ``expire_every``)."""
        self.dirty = Dirty()

    def is_empty(self) -> bool:
        """Nothing retained yet (restore needs a fresh state)."""
        return not (self.versions or self.articles or self.lines)

    def queue_deletions(self, keys: Iterable[str]) -> None:
        """Queue record deletions for the next drain (keys not tracked by :class:`Dirty`)."""
        self.dirty.deleted.extend(keys)

    def stats(self) -> dict[str, int]:
        """Sizes of the state, for metrics and the benchmark."""
        return {
            "versions": len(self.versions),
            "indexed": len(self.index),
            "clusters": len(self.clusters),
            "articles": len(self.articles),
            "stories": len(self.stories),
            "lines": len(self.lines),
            "index_bytes": self.index.nbytes(),
        }

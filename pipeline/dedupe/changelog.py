"""What changed since the last drain, and the ``(key, value)`` records it becomes.

:class:`Dirty` remembers keys, not values: a value is built once, at drain time, however often
it changed; a key whose object is gone is a deletion (``None``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.dedupe.boilerplate import SiteLines
from pipeline.dedupe.state import Change, iso_time
from pipeline.dedupe.stories import article_record, story_record

if TYPE_CHECKING:
    from pipeline.dedupe.engine import Deduplicator


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


def drain(dedup: Deduplicator) -> list[Change]:
    """Every change since the last drain, deletions first; then forget them."""
    dirty = dedup.dirty
    changes: list[Change] = [(key, None) for key in dict.fromkeys(dirty.deleted)]
    for key in dirty.versions:
        version = dedup.versions.get(key)
        if version is not None:
            changes.append(("v:%016x" % key, version.to_record(dirty.texts.get(key))))
    for key in dirty.lasts - dirty.versions:  # a new version's record has its last sighting
        version = dedup.versions.get(key)
        if version is not None:
            changes.append(("l:%016x" % key, {"last": iso_time(version.last)}))
    for key in dirty.clusters:
        cluster = dedup.clusters.get(key)
        if cluster is not None:
            changes.append(("c:%016x" % key, cluster.to_record()))
    for url_id in dirty.articles:
        article = dedup.articles.get(url_id)
        if article is not None:
            changes.append((f"a:{url_id}", article_record(article)))
    for key in dirty.stories:
        story = dedup.stories.get(key)
        changes.append(("s:%016x" % key, story_record(story) if story else None))
    for line in dirty.lines:
        changes.append((SiteLines.record_key(line), dedup.lines.record(line)))
    if dirty.meta:
        changes.append(("m", meta_record(dedup)))
    dirty.clear()
    return changes


def meta_record(dedup: Deduplicator) -> dict[str, object]:
    return {
        "seq": dedup.seq,
        "clock": iso_time(dedup.clock) if dedup.clock else None,
        "next_expiry": iso_time(dedup.next_expiry) if dedup.next_expiry else None,
    }

"""What changed since the last drain, and the ``(key, value)`` records it becomes.

The state's :class:`~pipeline.dedupe.stores.Dirty` remembers keys, not values: a value is built
once, at drain time, however often it changed; a key whose object is gone is a deletion
(``None``).
"""

from __future__ import annotations

from pipeline.dedupe.boilerplate import SiteLines
from pipeline.dedupe.state import Change, iso_time
from pipeline.dedupe.stores import DedupeState
from pipeline.dedupe.stories import article_record, story_record


def drain(state: DedupeState) -> list[Change]:
    """Every change since the last drain, deletions first; then forget them."""
    dirty = state.dirty
    changes: list[Change] = [(key, None) for key in dict.fromkeys(dirty.deleted)]
    for key in dirty.versions:
        version = state.versions.get(key)
        if version is not None:
            changes.append(("v:%016x" % key, version.to_record(dirty.texts.get(key))))
    for key in dirty.lasts - dirty.versions:  # a new version's record has its last sighting
        version = state.versions.get(key)
        if version is not None:
            changes.append(("l:%016x" % key, {"last": iso_time(version.last)}))
    for key in dirty.clusters:
        cluster = state.clusters.get(key)
        if cluster is not None:
            changes.append(("c:%016x" % key, cluster.to_record()))
    for url_id in dirty.articles:
        article = state.articles.get(url_id)
        if article is not None:
            changes.append((f"a:{url_id}", article_record(article)))
    for key in dirty.stories:
        story = state.stories.get(key)
        changes.append(("s:%016x" % key, story_record(story) if story else None))
    for line in dirty.lines:
        changes.append((SiteLines.record_key(line), state.lines.record(line)))
    if dirty.meta:
        changes.append(("m", meta_record(state)))
    dirty.clear()
    return changes


def meta_record(state: DedupeState) -> dict[str, object]:
    return {
        "seq": state.seq,
        "clock": iso_time(state.clock) if state.clock else None,
        "next_expiry": iso_time(state.next_expiry) if state.next_expiry else None,
    }

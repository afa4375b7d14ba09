"""Expiry by age: every store is kept in order of last sighting, so expiry reads only its
stale front instead of the whole state (a sighting moves its entry to the end).

With a stream whose times go back and forth, an entry behind a fresher one waits for a later
call; memory stays bounded by what was seen within the retention.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import TypeVar

from pipeline.dedupe.boilerplate import SiteLines
from pipeline.dedupe.state import Change, hex_key
from pipeline.dedupe.stores import DedupeState
from pipeline.dedupe.stories import A_SEEN, S_LAST

logger = logging.getLogger(__name__)

_K = TypeVar("_K")
_V = TypeVar("_V")


def expire(state: DedupeState, cutoff: datetime) -> list[Change]:
    """Forget what was last seen before ``cutoff``; returns the deletions.

    Each store is a dict kept in order of last sighting (a sighting moves its entry to the
    end), so expiry reads only the stale front, not the whole state. With a stream whose
    times go back and forth, an entry behind a fresher one waits for the next call.
    The deletions are also queued for the next drain (:func:`~pipeline.dedupe.changelog.drain`
    returns them again, with any other pending change).
    """
    deleted: list[Change] = []
    versions, clusters = state.versions, state.clusters
    for key in stale(versions, cutoff, attrgetter("last")):
        version = versions.pop(key)
        if version.text is not None:  # only indexed versions keep their text
            state.index.remove(version)
        deleted.append((f"v:{hex_key(key)}", None))
        if version.last > version.first:  # it may have been seen again after its record
            deleted.append((f"l:{hex_key(key)}", None))
        cluster = version.cluster
        cluster.live -= 1
        if cluster.live <= 0 and clusters.get(cluster.key) is cluster:
            del clusters[cluster.key]
            deleted.append((f"c:{hex_key(cluster.key)}", None))
    for url_id in stale(state.articles, cutoff, itemgetter(A_SEEN)):
        del state.articles[url_id]
        deleted.append((f"a:{url_id}", None))
    for story_key in stale(state.stories, cutoff, itemgetter(S_LAST)):
        del state.stories[story_key]
        deleted.append((f"s:{hex_key(story_key)}", None))
    for line in state.lines.expire(cutoff):
        deleted.append((SiteLines.record_key(line), None))
    state.queue_deletions(k for k, _ in deleted)
    if deleted:
        logger.info("dedupe state expired records=%d cutoff=%s", len(deleted), cutoff)
    return deleted


def stale(
    store: Mapping[_K, _V], cutoff: datetime, last_seen: Callable[[_V], datetime]
) -> list[_K]:
    """Keys at the front of ``store`` (oldest sighting first) last seen before ``cutoff``."""
    stale: list[_K] = []
    for key, entry in store.items():
        if last_seen(entry) >= cutoff:
            break
        stale.append(key)
    return stale


def touch(store: dict[_K, _V], key: _K) -> None:
    """Move ``key`` to the end of ``store``: it was just seen."""
    store[key] = store.pop(key)

"""The Deduplicator: one article in, its verdict out, state changes queued for the changelog.

Levels of duplication, from the cheapest test to the dearest:

- **same url_id** again → ``refetch``; ``version`` counts the different texts it had;
- **same words** (all paragraphs) under another url_id → ``same_text``, one story;
- per paragraph, **same words** as a retained version → ``duplicate`` in its cluster;
- **near-identical** (LSH candidates, exact verification, revision-or-other-event check) →
  ``variant`` with the counts that changed;
- **rewording** of other clusters → a new cluster, ``related`` to them;
- else ``new``.

Replaying an article (same url_id, same text) changes no count and gives the same verdict:
a paragraph's verdict is a function of its version's founding record and of whether this
url_id founded it, not of when it is asked. State lives in memory, in one
:class:`~pipeline.dedupe.stores.DedupeState` that the engine hands to the changelog, expiry and
restore; every change is queued and :meth:`Deduplicator.drain_changes` hands it out as
``(key, JSON value | None)`` for a changelog-backed table, from which
:meth:`Deduplicator.restore` rebuilds everything, the LSH index included.
:meth:`Deduplicator.expire` forgets what was last seen before the retention.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from datetime import datetime

from pipeline.dedupe.boilerplate import LineKey, SiteLines
from pipeline.dedupe.candidates import CandidateIndex, LshIndex
from pipeline.dedupe.changelog import drain
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.expiry import expire, touch
from pipeline.dedupe.matching import NO_MATCH, Match, Matcher
from pipeline.dedupe.restore import load_records
from pipeline.dedupe.shingles import content_key64, prepared, text_key
from pipeline.dedupe.state import (
    NO_FOUNDING,
    RELATED,
    SIMILARITY,
    Change,
    Cluster,
    Founding,
    Version,
    cluster_id,
    founding,
    numeric_changes,
    other_events,
    story_id,
)
from pipeline.dedupe.stores import DedupeState
from pipeline.dedupe.stories import (
    A_STORY,
    A_VERSION,
    A_VERSIONS,
    S_URLS,
    Article,
    file_article,
    file_story,
    story_sources,
    story_urls,
)
from pipeline.dedupe.verdicts import (
    ArticleInput,
    ArticleVerdict,
    DropReason,
    FirstSeen,
    ParagraphVerdict,
    Status,
    Verdict,
)
from pipeline.text import DroppedParagraph

logger = logging.getLogger(__name__)

_KEY_MASK = (1 << 63) - 1


class Deduplicator:
    """The dedupe stage's pure core; one instance per partition of the stream."""

    def __init__(
        self,
        config: DedupeConfig | None = None,
        *,
        index: Callable[[DedupeConfig], CandidateIndex] = LshIndex,
    ) -> None:
        """``index`` builds the near-duplicate index (the benchmark plugs datasketch in)."""
        self.config = config or DedupeConfig()
        self._matcher = Matcher(self.config)
        self.state = DedupeState(
            index(self.config),
            SiteLines(
                min_pages=self.config.boilerplate_min_pages,
                max_words=self.config.boilerplate_max_words,
            ),
        )
        """Everything retained: the stores, the LSH index, the counters, the queued changes."""
        self._single_outlets: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ process

    def process(self, article: ArticleInput) -> ArticleVerdict:
        """Judge one article against everything retained, and remember it."""
        self._tick(article.seen_at)
        state = self.state
        source = sys.intern(article.source)
        url_id = article.url_id
        seen = article.seen_at
        texts = prepared(article.paragraphs)
        if article.content_hash is None:
            story_key = content_key64([c for c, _, _, _ in texts]) & _KEY_MASK
        else:  # the extract stage's fingerprint of the same words: its head is the same key
            story_key = int(article.content_hash[:16], 16) & _KEY_MASK
        previous = state.articles.get(url_id)
        status, version = self._status(previous, url_id, story_key)
        counted = self._counted_clusters(previous)
        paragraphs: list[ParagraphVerdict] = []
        dropped: list[DroppedParagraph] = []
        carried: dict[int, None] = {}
        versions, lines, dirty = state.versions, state.lines, state.dirty
        for index, (text, (canonical, full_key, word_count, encoded)) in enumerate(
            zip(article.paragraphs, texts, strict=True)
        ):
            if not word_count:
                dropped.append(DroppedParagraph(text, DropReason.NO_WORDS.value))
                continue
            key = full_key & _KEY_MASK
            current = versions.get(key)
            if lines.counts(word_count):
                line: LineKey = (key, source)
                frequent, changed = lines.observe(line, url_id, seen)
                if changed:
                    dirty.lines.add(line)
                # Boilerplate is the site's own: a line other outlets carry too is news.
                if frequent and (current is None or current.cluster.outlets == (source,)):
                    dropped.append(DroppedParagraph(text, DropReason.SITE_BOILERPLATE.value))
                    continue
            repeat = key in carried
            if current is None:
                current = self._new_version(
                    key, canonical, encoded, word_count, source=source, url_id=url_id, seen=seen
                )
            cluster = current.cluster
            if cluster.key not in counted:
                counted.add(cluster.key)
                cluster.articles += 1
                dirty.clusters.add(cluster.key)
            self._sighted(current, source, seen)
            carried[key] = None
            paragraphs.append(self._verdict(index, text, current, url_id, repeat))
        story = file_story(state.stories, dirty.stories, previous, article, story_key)
        if file_article(
            state.articles,
            previous,
            article,
            story_key=story_key,
            version=version,
            versions=tuple(carried),
        ):
            dirty.articles.add(url_id)
        return ArticleVerdict(  # positional, in the fields' order (a keyword call costs more)
            url_id, story_id(story_key), status, version, story_sources(story), story_urls(story),
            tuple(paragraphs), tuple(dropped),
        )  # fmt: skip

    def _tick(self, seen: datetime) -> None:
        state = self.state
        if state.clock is None or seen > state.clock:
            state.clock = seen
            state.dirty.meta = True
        every = self.config.expire_every
        if every is None:
            return
        if state.next_expiry is None:
            state.next_expiry = state.clock + every
            state.dirty.meta = True
        elif state.clock >= state.next_expiry:
            self.expire(state.clock)
            state.next_expiry = state.clock + every
            state.dirty.meta = True

    def _status(self, previous: Article | None, url_id: str, story_key: int) -> tuple[Status, int]:
        if previous is not None:
            return Status.REFETCH, previous[A_VERSION] + (previous[A_STORY] != story_key)
        story = self.state.stories.get(story_key)
        if story is not None and any(u != url_id for u, _, _ in story[S_URLS]):
            return Status.SAME_TEXT, 1
        return Status.ORIGINAL, 1

    def _counted_clusters(self, previous: Article | None) -> set[int]:
        """Clusters this url_id was already counted in (a refetch must not count them again)."""
        if previous is None:
            return set()
        versions = self.state.versions
        return {
            version.cluster.key
            for key in previous[A_VERSIONS]
            if (version := versions.get(key)) is not None
        }

    def _sighted(self, version: Version, source: str, seen: datetime) -> None:
        cluster = version.cluster
        if seen > version.last:
            version.last = seen
            touch(self.state.versions, version.key)
            self.state.dirty.lasts.add(version.key)
        if seen > cluster.last:
            cluster.last = seen
            self.state.dirty.clusters.add(cluster.key)
        if source not in cluster.outlets:
            cluster.outlets = (*cluster.outlets, source)
            self.state.dirty.clusters.add(cluster.key)

    def _new_version(
        self,
        key: int,
        canonical: str,
        encoded: bytes,
        word_count: int,
        *,
        source: str,
        url_id: str,
        seen: datetime,
    ) -> Version:
        config, state = self.config, self.state
        near = word_count >= config.min_words
        sketch: object = None
        match = NO_MATCH
        if near:
            sketch, neighbours, best = state.index.search(canonical, encoded)
            match = self._matcher.match(source, canonical, encoded, neighbours, best)
        cluster = match.merge.cluster if match.merge is not None else None
        if cluster is None:
            cluster = self._new_cluster(key, canonical, source, url_id, seen)
        state.seq += 1
        dirty = state.dirty
        dirty.meta = True
        version = Version(  # positional (once for every new text), in the fields' order
            key, state.seq, cluster, source, url_id, seen, word_count,
            encoded if near and match.index else None,  # only indexed versions keep their text
            _founding(match),
        )  # fmt: skip
        state.versions[key] = version
        cluster.live += 1
        if version.text is not None:
            state.index.add(version, sketch)
            dirty.texts[key] = canonical
        dirty.versions.add(key)
        dirty.clusters.add(cluster.key)
        return version

    def _new_cluster(
        self, key: int, canonical: str, source: str, url_id: str, seen: datetime
    ) -> Cluster:
        clusters = self.state.clusters
        cluster_key = key
        salt = 0
        while cluster_key in clusters:  # the founder expired, its cluster lives on
            salt += 1
            cluster_key = text_key(f"{canonical}#{salt}") & _KEY_MASK
        outlets = self._single_outlets.setdefault(source, (source,))
        cluster = Cluster(cluster_key, key, FirstSeen(source, url_id, seen), outlets)
        clusters[cluster_key] = cluster
        return cluster

    def _verdict(
        self, index: int, text: str, version: Version, url_id: str, repeat: bool
    ) -> ParagraphVerdict:
        cluster = version.cluster
        first = cluster.first
        ident = cluster_id(cluster.key)
        if version.url_id != url_id or repeat:  # not founded by this occurrence
            # Positional: a keyword call of the generated __init__ costs twice as much, once
            # for every paragraph. The fields' order is ParagraphVerdict's.
            return ParagraphVerdict(
                index, text, ident, Verdict.DUPLICATE, first, len(cluster.outlets),
                cluster.articles, False, (), (), 1.0,
            )  # fmt: skip
        found = version.founding
        linked = found[RELATED]
        founder = version.key == cluster.founder
        verdict = (Verdict.RELATED if linked else Verdict.NEW) if founder else Verdict.VARIANT
        related = tuple([cluster_id(k) for k in linked]) if linked else ()
        return ParagraphVerdict(
            index, text, ident, verdict, first, len(cluster.outlets),
            cluster.articles, founder, related, numeric_changes(found), found[SIMILARITY],
            other_events(found),
        )  # fmt: skip

    # ------------------------------------------------------------------ state

    def drain_changes(self) -> list[Change]:
        """Every state change since the last drain, as ``(key, value)``; None deletes the key.

        One entry per key however often it changed; write them to the changelog-backed table
        in this order (deletions first, then current values).
        """
        return drain(self.state)

    def expire(self, now: datetime) -> list[Change]:
        """Forget what was last seen before ``now - retention``; returns the deletions (also
        queued for :meth:`drain_changes`)."""
        return expire(self.state, now - self.config.retention)

    def restore(self, records: Iterable[tuple[str, dict[str, object]]], now: datetime) -> int:
        """Rebuild the state (LSH index included) from changelog records; returns how many
        records were kept. Raises StateError on a malformed record.

        The result is what a running stage would hold at ``now``: with ``expire_every`` set,
        expiry runs on the same schedule as :meth:`process` (so a stage restarted right away
        gives exactly the verdicts of one that never stopped); without it, everything last
        seen before ``now - retention`` is dropped. Dropped records' deletions are queued for
        :meth:`drain_changes`.
        """
        state = self.state
        if not state.is_empty():
            raise RuntimeError("restore() needs a fresh Deduplicator")
        loaded = load_records(state, records)
        before = len(state.dirty.deleted)
        if self.config.expire_every is None:
            self.expire(now)
        else:
            self._tick(now)
        return loaded - (len(state.dirty.deleted) - before)

    def stats(self) -> dict[str, int]:
        """Sizes of the state, for metrics and the benchmark."""
        return self.state.stats()


def _founding(match: Match) -> Founding:
    if match is NO_MATCH:
        return NO_FOUNDING
    return founding(
        round(match.similarity, 4), match.numeric_diff, match.related, match.other_events
    )

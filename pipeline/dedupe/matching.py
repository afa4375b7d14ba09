"""Candidates from the LSH index, exact verification, and the merge / link decision.

For a paragraph whose exact text is new, :meth:`Matcher.match`:

1. reads the versions sharing at least one band anchor with it (newest ``bucket_limit`` per
   band), ranks them by shared bands then recency, and keeps ``max_verify``;
2. verifies each exactly: Jaccard and containment of the character-shingle sets;
3. merges with the most similar candidate whose Jaccard reaches the threshold for the pair
   (``same_source_threshold`` when both come from one outlet, ``threshold`` otherwise) unless
   :func:`~pipeline.dedupe.events.compare_wording` says it reports another event;
4. if nothing merges, links the clusters of candidates that the paragraph rewords
   (containment ≥ ``related_containment``, both ≥ ``related_min_words`` words, not another
   event).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.events import compare_wording
from pipeline.dedupe.lsh import BandIndex
from pipeline.dedupe.numbers import NumericChange, numeric_diff
from pipeline.dedupe.shingles import containment, jaccard, shingle_set
from pipeline.dedupe.state import Version, cluster_id, indexed_text
from pipeline.dedupe.verdicts import OtherEvent


@dataclass(frozen=True, slots=True)
class Match:
    """What :meth:`Matcher.match` decided for one new paragraph text."""

    merge: Version | None
    """The version it is a revision of (its cluster is joined), or None for a new cluster."""
    similarity: float
    """Jaccard with ``merge``, else the best Jaccard among verified candidates (0.0: none)."""
    numeric_diff: tuple[NumericChange, ...]
    related: tuple[int, ...]
    """Cluster keys it rewords (only for a new cluster)."""
    other_events: tuple[OtherEvent, ...]
    index: bool
    """Whether the new version goes into the LSH index (not if near-identical to ``merge``)."""


NO_MATCH = Match(None, 0.0, (), (), (), True)


@dataclass(frozen=True, slots=True)
class _Checked:
    version: Version
    jaccard: float
    containment: float


class Matcher:
    """Stateless apart from a cache of shingle sets (speed only: results never depend on it)."""

    def __init__(
        self, config: DedupeConfig, index: BandIndex, handles: list[Version | None]
    ) -> None:
        self._config = config
        self._index = index
        self._handles = handles
        self._cache: OrderedDict[int, frozenset[str]] = OrderedDict()

    def candidates(self, anchors: Sequence[int]) -> list[Version]:
        """Versions sharing a band with ``anchors``: most shared bands first, then newest."""
        shared: dict[int, int] = {}
        limit = self._config.bucket_limit
        get = self._index.get
        for anchor in anchors:
            found = get(anchor)
            if found is None:
                continue
            if isinstance(found, int):
                shared[found] = shared.get(found, 0) + 1
            else:
                for handle in found[-limit:]:
                    shared[handle] = shared.get(handle, 0) + 1
        versions = [(count, self._handles[h]) for h, count in shared.items()]
        ranked = sorted(
            ((count, v) for count, v in versions if v is not None),
            key=lambda item: (-item[0], -item[1].seq),
        )
        return [v for _, v in ranked[: self._config.max_verify]]

    def shingles_of(self, version: Version) -> frozenset[str]:
        cached = self._cache.get(version.key)
        if cached is not None:
            self._cache.move_to_end(version.key)
            return cached
        shingles = shingle_set(indexed_text(version), self._config.shingle_size)
        self._cache[version.key] = shingles
        if len(self._cache) > self._config.cache_size:
            self._cache.popitem(last=False)
        return shingles

    def forget(self, key: int) -> None:
        self._cache.pop(key, None)

    def match(
        self,
        source: str,
        words: Sequence[str],
        shingles: frozenset[str],
        candidates: Sequence[Version],
    ) -> Match:
        """Decide how a new paragraph text relates to its candidates (see the module doc)."""
        if not candidates:
            return NO_MATCH
        config = self._config
        checked = [
            _Checked(v, jaccard(shingles, s), containment(shingles, s))
            for v in candidates
            for s in (self.shingles_of(v),)
        ]
        checked.sort(key=lambda c: (-c.jaccard, c.version.seq))
        best = checked[0].jaccard
        # Every version of a cluster within reach is compared: a cluster is one event, so a
        # paragraph that reports another event than any of its versions does not join it.
        others: dict[int, OtherEvent] = {}
        accepted: list[tuple[_Checked, list[str]]] = []
        for item in checked:
            version = item.version
            same = version.source == source
            needed = config.same_source_threshold if same else config.threshold
            if item.jaccard < needed or version.cluster.key in others:
                continue
            their_words = _words(version)
            if not self._other_event(item, words, their_words, others):
                accepted.append((item, their_words))
        for item, their_words in accepted:
            if item.version.cluster.key in others:
                continue
            return Match(
                merge=item.version,
                similarity=item.jaccard,
                numeric_diff=numeric_diff(their_words, words),
                related=(),
                other_events=tuple(others.values()),
                index=item.jaccard < config.index_skip_similarity,
            )
        related: list[int] = []
        if len(words) >= config.related_min_words:
            for item in sorted(checked, key=lambda c: (-c.containment, c.version.seq)):
                version = item.version
                key = version.cluster.key
                if (
                    item.containment < config.related_containment
                    or version.words < config.related_min_words
                    or key in related
                    or key in others
                ):
                    continue
                if not self._other_event(item, words, _words(version), others):
                    related.append(key)
        return Match(None, best, (), tuple(related), tuple(others.values()), True)

    def _other_event(
        self,
        item: _Checked,
        words: Sequence[str],
        their_words: Sequence[str],
        others: dict[int, OtherEvent],
    ) -> bool:
        diff = compare_wording(
            words,
            their_words,
            names=self._config.names,
            max_other_changes=self._config.max_other_changes,
            max_other_change_share=self._config.max_other_change_share,
        )
        if not diff.other_event:
            return False
        key = item.version.cluster.key
        if key not in others:
            others[key] = OtherEvent(
                cluster_id(key), round(item.jaccard, 4), diff.this_names, diff.other_names
            )
        return True


def _words(version: Version) -> list[str]:
    return indexed_text(version).split(" ")

"""The merge / link decision for a new paragraph text and its verified neighbours.

For a paragraph whose exact text is new, the index gives its candidates verified exactly
(:meth:`~pipeline.dedupe.candidates.CandidateIndex.nearest`: Jaccard and containment of the
character-shingle sets, closest first, at most ``PER_CLUSTER`` versions of one cluster), and
:meth:`Matcher.match`:

1. judges each cluster by its closest version whose Jaccard reaches the threshold for the
   pair (``same_source_threshold`` when both come from one outlet, ``threshold`` otherwise),
   and merges with the closest cluster unless the event check
   (:func:`~pipeline.dedupe.events.compare_wording`, run through
   :class:`~pipeline.dedupe.rules.WordRules`) says it reports another event;
   A candidate that *contains* the paragraph, or that it contains (``DedupeConfig.
   contained_share`` of the shorter one's shingles, and the longer adds at least
   ``contained_min_added`` words and ``contained_min_growth`` of the shorter's length: a short
   report and a longer one that adds the casualties), is never merged;
2. if nothing merges, links the clusters of candidates that the paragraph rewords
   (containment ≥ ``related_containment``, both ≥ ``related_min_words`` words, not another
   event), or that contain it or that it contains (as above, whatever their length).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.dedupe.candidates import Near
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.numbers import NumericChange
from pipeline.dedupe.rules import WordRules
from pipeline.dedupe.state import Version, cluster_id, stored_text
from pipeline.dedupe.verdicts import OtherEvent


class Match:
    """What :meth:`Matcher.match` decided for one new paragraph text (read-only; a plain
    slotted class, as one is built per new text)."""

    __slots__ = ("index", "merge", "numeric_diff", "other_events", "related", "similarity")

    def __init__(
        self,
        merge: Version | None,
        similarity: float,
        *,
        numeric_diff: tuple[NumericChange, ...],
        related: tuple[int, ...],
        other_events: tuple[OtherEvent, ...],
        index: bool,
    ) -> None:
        self.merge = merge
        """The version it is a revision of (its cluster is joined), or None for a new cluster."""
        self.similarity = similarity
        """Jaccard with ``merge``, else the best Jaccard among verified candidates (0.0: none)."""
        self.numeric_diff = numeric_diff
        self.related = related
        """Cluster keys it rewords (only for a new cluster)."""
        self.other_events = other_events
        self.index = index
        """Whether the new version goes into the LSH index (not if near-identical to ``merge``)."""


NO_MATCH = Match(None, 0.0, numeric_diff=(), related=(), other_events=(), index=True)


def _containing(item: Near) -> tuple[float, int]:
    return -item[2], item[0].seq


class Matcher:
    """Decides, from the verified neighbours of a new text, what it joins or rewords."""

    def __init__(self, config: DedupeConfig) -> None:
        self._config = config
        self._rules = WordRules(
            names=config.names,
            max_other_changes=config.max_other_changes,
            max_other_change_share=config.max_other_change_share,
            actors=config.actors,
        )

    def match(
        self, source: str, text: str, encoded: bytes, near: Sequence[Near], best: float
    ) -> Match:
        """Decide how a new paragraph's canonical ``text`` (``encoded``: in the stored
        encoding) relates to its verified neighbours ``near`` (closest first; see the module
        doc); ``best`` is the best Jaccard of every candidate verified, ``near`` or not."""
        if not near:
            if not best:
                return NO_MATCH
            return Match(None, best, numeric_diff=(), related=(), other_events=(), index=True)
        word_count = text.count(" ") + 1  # a canonical text: words joined by single spaces
        config = self._config
        # Each cluster is judged by its closest version within reach: merge with the closest
        # cluster whose closest version is a revision of this paragraph, not another event.
        others: dict[int, OtherEvent] = {}
        judged: set[int] = set()
        for version, jaccard, containment in near:
            key = version.cluster.key
            needed = config.same_source_threshold if version.source == source else config.threshold
            if key in judged or jaccard < needed:
                continue
            if self._contained(word_count, version.words, containment):
                continue  # the same report with details added: related, not a revision
            judged.add(key)
            if self._other_event(version, jaccard, encoded, others):
                continue
            return Match(
                version,
                jaccard,
                numeric_diff=self._rules.numeric_diff(stored_text(version), encoded),
                related=(),
                other_events=tuple(others.values()),
                index=jaccard < config.index_skip_similarity,
            )
        related: list[int] = []
        long_enough = word_count >= config.related_min_words
        reworded = [n for n in near if n[2] >= config.related_containment]
        for version, jaccard, containment in sorted(reworded, key=_containing):
            key = version.cluster.key
            if key in related or key in others:
                continue
            if not (long_enough and version.words >= config.related_min_words) and not (
                self._contained(word_count, version.words, containment)
            ):
                continue
            if not self._other_event(version, jaccard, encoded, others):
                related.append(key)
        return Match(
            None,
            best,
            numeric_diff=(),
            related=tuple(related),
            other_events=tuple(others.values()),
            index=True,
        )

    def _contained(self, words: int, other_words: int, containment: float) -> bool:
        """True if the shorter of two paragraphs (``words`` and ``other_words`` words long,
        ``containment``: share of the shorter's shingles in the longer) is contained in the
        longer, which adds enough words to be more than a revision (see ``DedupeConfig``)."""
        config = self._config
        if containment < config.contained_share:
            return False
        shorter, longer = sorted((words, other_words))
        added = max(config.contained_min_added, config.contained_min_growth * shorter)
        return longer - shorter >= added

    def _other_event(
        self,
        version: Version,
        jaccard: float,
        encoded: bytes,
        others: dict[int, OtherEvent],
    ) -> bool:
        diff = self._rules.compare(encoded, stored_text(version))
        if not diff.other_event:
            return False
        key = version.cluster.key
        if key not in others:
            others[key] = OtherEvent(
                cluster_id(key), round(jaccard, 4), diff.this_names, diff.other_names
            )
        return True

"""Candidates from the LSH index, exact verification, and the merge / link decision.

For a paragraph whose exact text is new, :meth:`Matcher.match`:

1. takes the candidates of the index (:mod:`~pipeline.dedupe.candidates`), best first, and
   at most ``PER_CLUSTER`` versions of any one cluster;
2. verifies each exactly: Jaccard and containment of the character-shingle sets (in the
   native core, ``marsad_native.Shingler``);
3. judges each cluster by its closest version whose Jaccard reaches the threshold for the
   pair (``same_source_threshold`` when both come from one outlet, ``threshold`` otherwise),
   and merges with the closest cluster unless
   :func:`~pipeline.dedupe.events.compare_wording` says it reports another event;
4. if nothing merges, links the clusters of candidates that the paragraph rewords
   (containment ≥ ``related_containment``, both ≥ ``related_min_words`` words, not another
   event).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from marsad_native import Shingler, Sketch

from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.events import compare_wording
from pipeline.dedupe.numbers import NumericChange, numeric_diff
from pipeline.dedupe.shingles import CODEPAGE
from pipeline.dedupe.state import Version, cluster_id, indexed_text, stored_text
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
PER_CLUSTER = 2
"""Versions of one cluster verified per paragraph (a cluster's versions look alike)."""


class _Checked(NamedTuple):
    version: Version
    jaccard: float
    containment: float
    seq: int


def _closest(item: _Checked) -> tuple[float, int]:
    return -item.jaccard, item.seq


def _containing(item: _Checked) -> tuple[float, int]:
    return -item.containment, item.seq


class Matcher:
    """Verifies candidates (exact shingle-set similarities, native) and decides."""

    def __init__(self, config: DedupeConfig) -> None:
        self._config = config
        self._shingler = Shingler(config.shingle_size, CODEPAGE)

    def match(
        self,
        source: str,
        text: str,
        candidates: Sequence[tuple[Version, int]],
        sketch: object = None,
    ) -> Match:
        """Decide how a new paragraph's canonical ``text`` relates to its candidates (see the
        module doc). ``sketch``: the index's sketch of the text; the native one carries the
        text's shingle hashes, which verification then reuses."""
        if not candidates:
            return NO_MATCH
        words = text.split(" ")
        config = self._config
        chosen: list[Version] = []
        per_cluster: dict[int, int] = {}
        for version, _ in candidates:
            key = version.cluster.key
            seen = per_cluster.get(key, 0)
            if seen < PER_CLUSTER:
                per_cluster[key] = seen + 1
                chosen.append(version)
        probe = sketch if isinstance(sketch, Sketch) else text
        found = self._shingler.similarities(probe, [stored_text(v) for v in chosen])
        skip = config.index_skip_similarity
        checked: list[_Checked] = []
        for version, (jaccard, containment) in zip(chosen, found, strict=True):
            checked.append(_Checked(version, jaccard, containment, version.seq))
            if jaccard >= skip:
                break  # near-identical to a version: no other candidate can do better
        checked.sort(key=_closest)
        best = checked[0].jaccard
        # Each cluster is judged by its closest version within reach: merge with the closest
        # cluster whose closest version is a revision of this paragraph, not another event.
        others: dict[int, OtherEvent] = {}
        judged: set[int] = set()
        for item in checked:
            version = item.version
            key = version.cluster.key
            needed = config.same_source_threshold if version.source == source else config.threshold
            if key in judged or item.jaccard < needed:
                continue
            judged.add(key)
            their_words = _words(version)
            if self._other_event(item, words, their_words, others):
                continue
            return Match(
                merge=version,
                similarity=item.jaccard,
                numeric_diff=numeric_diff(their_words, words),
                related=(),
                other_events=tuple(others.values()),
                index=item.jaccard < config.index_skip_similarity,
            )
        related: list[int] = []
        if len(words) >= config.related_min_words:
            for item in sorted(checked, key=_containing):
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

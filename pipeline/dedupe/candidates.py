"""Where near-duplicate candidates come from: the :class:`CandidateIndex` seam and its LSH.

The engine asks an index four things: a sketch of a paragraph's canonical text, the indexed
versions near it verified exactly (:meth:`CandidateIndex.nearest`), and to add or remove a
version; :meth:`CandidateIndex.candidates` gives the unverified candidates (best first, at
most ``max_verify``). :class:`LshIndex` is the stage's own: MinHash over the text's character
shingles, cut into band fingerprints filed in a compact hash table, with the verification,
all in the native core (``marsad_native.NearIndex``, native/src/lib.rs). The benchmark plugs
datasketch's MinHashLSH in the same seam, verified by :func:`verify` (the same native
verification, called from Python), to compare the two on identical work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

from marsad_native import NearIndex, Shingler, Sketch

from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.shingles import CODEPAGE
from pipeline.dedupe.state import Version, stored_text

RARE_BUCKET = 4
"""A bucket of at most this many versions is a rare shingle minimum: one shared band counts."""
STRONG = 3
"""Shared bands that make a candidate strong enough not to read the big buckets."""
MAX_HANDLE = (1 << 31) - 1
PER_CLUSTER = 2
"""Versions of one cluster verified per paragraph (a cluster's versions look alike)."""

Near = tuple[Version, float, float]
"""A verified candidate: the version, Jaccard and containment of the two shingle sets."""
Nearest = tuple[list[Near], float]
"""What :meth:`CandidateIndex.nearest` finds: the verified candidates that can matter, and the
best Jaccard of all it verified."""


def floors(config: DedupeConfig) -> tuple[float, float]:
    """(Jaccard, containment) below both of which a verified candidate can neither be merged
    with nor linked to (:class:`~pipeline.dedupe.matching.Matcher`): ``nearest`` leaves it out."""
    return min(config.threshold, config.same_source_threshold), config.related_containment


class CandidateIndex(Protocol):
    """What the engine needs from a near-duplicate index."""

    def sketch(self, text: str, encoded: bytes) -> object:
        """The signature of a canonical text (``encoded``: the same text in the stored encoding,
        :func:`~pipeline.dedupe.state.encode_text`), passed back to :meth:`candidates`,
        :meth:`nearest` and :meth:`add`."""

    def candidates(self, sketch: object) -> list[tuple[Version, int]]:
        """Indexed versions that may be near, best first, with an evidence score."""

    def search(self, text: str, encoded: bytes) -> tuple[object, list[Near], float]:
        """:meth:`sketch` and :meth:`nearest` of it: ``(sketch, near, best)``."""

    def nearest(self, text: str, sketch: object) -> Nearest:
        """The candidates verified exactly against ``text`` (see :func:`verify`): those that
        reach a floor (:func:`floors`), closest first (ties: the oldest version first), and the
        best Jaccard of all verified. At most ``PER_CLUSTER`` versions of one cluster are
        verified, none after the first whose Jaccard reaches ``index_skip_similarity``."""

    def add(self, version: Version, sketch: object) -> None: ...

    def remove(self, version: Version) -> None:
        """Forget ``version`` (its sketch is recomputed from its text if needed)."""

    def __len__(self) -> int:
        """Number of indexed versions."""

    def nbytes(self) -> int:
        """Approximate bytes held by the index's own structures."""


class LshIndex:
    """MinHash LSH with ``bands`` × ``rows``, candidates ranked by shared bands (native core).

    A version sharing a single band counts only if that band's bucket is small
    (``RARE_BUCKET``): one shared minimum of a common shingle is no evidence. Buckets bigger
    than ``bucket_limit`` are read (their newest ``bucket_limit`` entries) only when the other
    bands found no candidate sharing ``STRONG`` bands. Handles (small integers, reused once
    free) name the native table's entries; the native index holds each handle's version.
    """

    def __init__(self, config: DedupeConfig) -> None:
        self._config = config
        self._native = NearIndex(
            shingle_size=config.shingle_size,
            codepage=CODEPAGE,
            bands=config.bands,
            rows=config.rows,
            seed=config.seed,
            bucket_limit=config.bucket_limit,
            max_verify=config.max_verify,
            rare_bucket=RARE_BUCKET,
            strong=STRONG,
        )
        self._floors = floors(config)
        self._next = 0
        """Handles ever given out (the next new one)."""
        self._free: list[int] = []

    def sketch(self, text: str, encoded: bytes) -> Sketch:
        return self._native.sketch(encoded)  # the same hashes, without reading the str

    def candidates(self, sketch: object) -> list[tuple[Version, int]]:
        item = self._native.item
        found: list[tuple[Version, int]] = []
        for handle, shared in self._native.candidates(cast(Sketch, sketch)):
            version = item(handle)
            if version is not None:
                found.append((cast(Version, version), shared))
        return found

    def nearest(self, text: str, sketch: object) -> Nearest:
        best, near = self._native.nearest(
            cast(Sketch, sketch), PER_CLUSTER, self._config.index_skip_similarity, *self._floors
        )
        return near, best

    def search(self, text: str, encoded: bytes) -> tuple[object, list[Near], float]:
        sketch, best, near = self._native.search(
            encoded, PER_CLUSTER, self._config.index_skip_similarity, *self._floors
        )
        return sketch, near, best

    def add(self, version: Version, sketch: object) -> None:
        if self._free:
            handle = self._free.pop()
        else:
            handle = self._next
            if handle > MAX_HANDLE:
                raise OverflowError("more indexed versions than the LSH index can address")
            self._next += 1
        version.handle = handle
        text = stored_text(version)
        self._native.add(
            handle, cast(Sketch, sketch), text, version.cluster.key, version.seq, version
        )

    def remove(self, version: Version) -> None:
        if version.handle < 0:
            return
        self._native.remove(version.handle, self._native.sketch(stored_text(version)))
        self._free.append(version.handle)
        version.handle = -1

    def __len__(self) -> int:
        return self._next - len(self._free)

    def nbytes(self) -> int:
        return self._native.nbytes()


def verify(
    shingler: Shingler,
    config: DedupeConfig,
    text: str,
    sketch: object,
    candidates: Sequence[tuple[Version, int]],
) -> Nearest:
    """:meth:`CandidateIndex.nearest` for an index that only gives candidates: the first
    ``PER_CLUSTER`` candidates of each cluster, in order, verified exactly (a native sketch
    carries the text's shingle hashes, which are then reused) until one reaches
    ``index_skip_similarity``; those that reach a floor (:func:`floors`), closest first, ties
    by ``seq``, and the best Jaccard of all."""
    chosen: list[Version] = []
    per_cluster: dict[int, int] = {}
    for version, _ in candidates:
        key = version.cluster.key
        seen = per_cluster.get(key, 0)
        if seen < PER_CLUSTER:
            per_cluster[key] = seen + 1
            chosen.append(version)
    probe = sketch if isinstance(sketch, Sketch) else text
    found = shingler.similarities(probe, [stored_text(v) for v in chosen])
    skip = config.index_skip_similarity
    min_jaccard, min_containment = floors(config)
    best = 0.0
    checked: list[tuple[float, int, float, Version]] = []
    for version, (jaccard, containment) in zip(chosen, found, strict=True):
        best = max(best, jaccard)
        if jaccard >= min_jaccard or containment >= min_containment:
            checked.append((-jaccard, version.seq, containment, version))
        if jaccard >= skip:
            break
    checked.sort(key=_closest)
    near = [(version, -negative, containment) for negative, _, containment, version in checked]
    return near, best


def _closest(item: tuple[float, int, float, Version]) -> tuple[float, int]:
    return item[0], item[1]

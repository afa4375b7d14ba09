"""Where near-duplicate candidates come from: the :class:`CandidateIndex` seam and its LSH.

The engine asks an index three things: a sketch of a paragraph's shingles, the indexed
versions that may be near it (ranked, at most ``max_verify``), and to add or remove a version.
:class:`LshIndex` is the stage's own: rensa MinHash signatures cut into band anchors
(:mod:`~pipeline.dedupe.signatures`) filed in a compact array table
(:mod:`~pipeline.dedupe.lsh`). The benchmark plugs datasketch's MinHashLSH in the same seam to
compare the two on identical work.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.lsh import MAX_HANDLE, BandIndex
from pipeline.dedupe.shingles import shingle_list
from pipeline.dedupe.signatures import Signer
from pipeline.dedupe.state import Version, indexed_text

RARE_BUCKET = 4
"""A bucket of at most this many versions is a rare shingle minimum: one shared band counts."""
STRONG = 3
"""Shared bands that make a candidate strong enough not to read the big buckets."""


class CandidateIndex(Protocol):
    """What the engine needs from a near-duplicate index."""

    def sketch(self, shingles: Sequence[str]) -> object:
        """The paragraph's signature, passed back to :meth:`candidates` and :meth:`add`."""

    def candidates(self, sketch: object) -> list[tuple[Version, int]]:
        """Indexed versions that may be near, best first, with an evidence score."""

    def add(self, version: Version, sketch: object) -> None: ...

    def remove(self, version: Version) -> None:
        """Forget ``version`` (its sketch is recomputed from its text if needed)."""

    def __len__(self) -> int:
        """Number of indexed versions."""

    def nbytes(self) -> int:
        """Approximate bytes held by the index's own structures."""


class LshIndex:
    """MinHash LSH with ``bands`` × ``rows`` (rensa), verified candidates ranked by shared bands.

    A version sharing a single band counts only if that band's bucket is small
    (``RARE_BUCKET``): one shared minimum of a common shingle is no evidence. Buckets bigger
    than ``bucket_limit`` are read (their newest ``bucket_limit`` entries) only when the other
    bands found no candidate sharing ``STRONG`` bands.
    """

    def __init__(self, config: DedupeConfig) -> None:
        self._config = config
        self._signer = Signer(bands=config.bands, rows=config.rows, seed=config.seed)
        self._table = BandIndex()
        self._handles: list[Version | None] = []
        self._free: list[int] = []

    def sketch(self, shingles: Sequence[str]) -> tuple[int, ...]:
        return self._signer.anchors(shingles)

    def candidates(self, sketch: object) -> list[tuple[Version, int]]:
        anchors: tuple[int, ...] = sketch  # type: ignore[assignment]
        shared: Counter[int] = Counter()
        rare: set[int] = set()
        limit = self._config.bucket_limit
        get = self._table.get
        big: list[array[int]] = []
        for anchor in anchors:
            hit = get(anchor)
            if hit is None:
                continue
            if isinstance(hit, int):
                shared[hit] += 1
                rare.add(hit)
            elif len(hit) > limit:
                big.append(hit)
            else:
                shared.update(hit)
                if len(hit) <= RARE_BUCKET:
                    rare.update(hit)
        # Big buckets (minima of common shingles) are read only when the others gave no strong
        # candidate, and then only their newest entries.
        if big and max(shared.values(), default=0) < STRONG:
            for hit in big:
                shared.update(hit[-limit:])
        kept = [h for h, count in shared.items() if count >= 2 or h in rare]
        kept.sort(key=shared.__getitem__, reverse=True)  # stable: ties keep index order
        handles = self._handles
        found: list[tuple[Version, int]] = []
        for handle in kept[: self._config.max_verify]:
            version = handles[handle]
            if version is not None:
                found.append((version, shared[handle]))
        return found

    def add(self, version: Version, sketch: object) -> None:
        anchors: tuple[int, ...] = sketch  # type: ignore[assignment]
        if self._free:
            handle = self._free.pop()
            self._handles[handle] = version
        else:
            handle = len(self._handles)
            if handle > MAX_HANDLE:
                raise OverflowError("more indexed versions than the LSH index can address")
            self._handles.append(version)
        version.handle = handle
        for anchor in anchors:
            self._table.add(anchor, handle)

    def remove(self, version: Version) -> None:
        if version.handle < 0:
            return
        shingles = shingle_list(indexed_text(version), self._config.shingle_size)
        for anchor in self._signer.anchors(shingles):
            self._table.remove(anchor, version.handle)
        self._handles[version.handle] = None
        self._free.append(version.handle)
        version.handle = -1

    def __len__(self) -> int:
        return len(self._handles) - len(self._free)

    def nbytes(self) -> int:
        return self._table.nbytes() + 8 * len(self._handles)

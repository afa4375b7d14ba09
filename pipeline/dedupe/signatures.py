"""MinHash signatures of shingles, cut into LSH band anchors (rensa computes the MinHash).

A paragraph's signature is ``num_perm`` minimum hash values of its shingles under seeded
permutations; it is cut into ``bands`` bands of ``rows`` values, and each band becomes one
64-bit *anchor*. Two paragraphs become candidates when they share an anchor: with Jaccard
similarity J, a band matches with probability J**rows, so at least one of ``bands`` bands
with probability 1 - (1 - J**rows)**bands. The default (12 bands of 1 row) finds a pair at
J = 0.45 with probability 0.999 and a wire rewording at J = 0.29 with probability 0.98; the
verification step (exact Jaccard and containment) then decides.

Anchors are deterministic: same shingles, same seed → same anchors in every process, which is
what lets ``Deduplicator.restore`` rebuild the index from texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from rensa import RMinHash  # type: ignore[import-untyped]

MASK64 = (1 << 64) - 1
_MIX = 0x100000001B3  # FNV-1a 64-bit prime: mixes a band's rows into one value


class Signer:
    """Turns shingle lists into band anchors with fixed parameters."""

    def __init__(self, *, bands: int, rows: int, seed: int) -> None:
        self.bands = bands
        self.rows = rows
        self.num_perm = bands * rows
        self.seed = seed

    def anchors(self, shingles: Sequence[str]) -> tuple[int, ...]:
        """One 64-bit anchor per band (the band index is part of the anchor)."""
        minhash = RMinHash(self.num_perm, self.seed)
        minhash.update(shingles)
        digest: list[int] = minhash.digest()
        if self.rows == 1:
            return tuple((band << 32) | value for band, value in enumerate(digest))
        anchors: list[int] = []
        rows = self.rows
        for band in range(self.bands):
            mixed = band + 1
            for value in digest[band * rows : (band + 1) * rows]:
                mixed = ((mixed ^ value) * _MIX) & MASK64
            anchors.append(mixed)
        return tuple(anchors)

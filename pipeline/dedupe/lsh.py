"""The LSH index: band anchor → version handles, in flat arrays (about 16 bytes per anchor).

A Python ``dict`` costs about 100 bytes per entry once its int keys and values are counted;
at 12 anchors per paragraph that alone would exceed the memory budget (1 GB per million
retained paragraphs). :class:`BandIndex` is an open-addressing hash table over two ``array``
columns instead: a 32-bit fingerprint of the anchor (``I``) and its head (``i``), where a head
``>= 0`` is the one handle filed under the anchor and a head ``< 0`` points to a bucket
(``array('i')``) of several handles in insertion order. A handle is a small integer the
caller maps to its own objects. Two anchors with the same 32-bit fingerprint share a bucket:
with N anchors filed, a query meets a stranger's bucket with probability N / 2**32 per band
(0.3 % at 12 million), an extra candidate that verification rejects. Deletion leaves a
tombstone; the table is rebuilt when tombstones and entries fill 70 % of it.

Buckets of anchors common to many paragraphs (the MinHash minimum is a frequent shingle) grow
large; callers read only their newest entries (``bucket[-limit:]``), so a query costs at most
``bands × limit`` entries and finds the most recent paragraphs first.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

_EMPTY = 0
_TOMBSTONE = 1
_GOLDEN = 0x9E3779B97F4A7C15
_MASK32 = (1 << 32) - 1
_MASK64 = (1 << 64) - 1
_MAX_LOAD = 0.7
_MIN_BITS = 10
MAX_HANDLE = (1 << 31) - 1
_FREED: array[int] = array("i")  # placeholder of a freed bucket slot, never appended to


def _fingerprint(anchor: int) -> int:
    folded = ((anchor >> 32) ^ anchor) & _MASK32
    return folded if folded > _TOMBSTONE else folded + 2


class BandIndex:
    """A multimap from 64-bit anchors to handles (0 ≤ handle ≤ MAX_HANDLE), with removal."""

    def __init__(self) -> None:
        self._reset(_MIN_BITS)
        self._buckets: list[array[int]] = []
        self._free_buckets: list[int] = []
        self._entries = 0

    def _reset(self, bits: int) -> None:
        self._bits = bits
        self._shift = 64 - bits
        self._mask = (1 << bits) - 1
        self._prints: array[int] = array("I", bytes(4 << bits))
        self._heads: array[int] = array("i", bytes(4 << bits))
        self._used = 0
        self._tombstones = 0

    def __len__(self) -> int:
        """Number of (anchor, handle) entries."""
        return self._entries

    @property
    def capacity(self) -> int:
        return 1 << self._bits

    def nbytes(self) -> int:
        """Bytes held by the table and its buckets (array buffers plus ~64 bytes a bucket)."""
        buckets = sum(len(b) * 4 + 64 for b in self._buckets)
        return (8 << self._bits) + buckets + 8 * len(self._buckets)

    def _slot(self, fingerprint: int) -> int:
        """The slot holding ``fingerprint``, or ``~slot`` of the first free slot on its path."""
        prints = self._prints
        mask = self._mask
        i = ((fingerprint * _GOLDEN) & _MASK64) >> self._shift
        free = -1
        while True:
            found = prints[i]
            if found == fingerprint:
                return i
            if found == _EMPTY:
                return ~(free if free >= 0 else i)
            if found == _TOMBSTONE and free < 0:
                free = i
            i = (i + 1) & mask

    def get(self, anchor: int) -> int | array[int] | None:
        """The handle filed under ``anchor``, or its bucket (oldest first), or None."""
        i = self._slot(_fingerprint(anchor))
        if i < 0:
            return None
        head = self._heads[i]
        if head >= 0:
            return head
        return self._buckets[~head]

    def add(self, anchor: int, handle: int) -> None:
        """File ``handle`` under ``anchor``, after any handles already there."""
        fingerprint = _fingerprint(anchor)
        i = self._slot(fingerprint)
        self._entries += 1
        if i >= 0:
            head = self._heads[i]
            if head >= 0:
                self._heads[i] = ~self._new_bucket(head, handle)
            else:
                self._buckets[~head].append(handle)
            return
        i = ~i
        if self._prints[i] == _TOMBSTONE:
            self._tombstones -= 1
        self._prints[i] = fingerprint
        self._heads[i] = handle
        self._used += 1
        if self._used + self._tombstones > _MAX_LOAD * self.capacity:
            self._rebuild()

    def remove(self, anchor: int, handle: int) -> bool:
        """Remove one ``handle`` from under ``anchor``; False if it was not there."""
        i = self._slot(_fingerprint(anchor))
        if i < 0:
            return False
        head = self._heads[i]
        if head >= 0:
            if head != handle:
                return False
            self._prints[i] = _TOMBSTONE
            self._heads[i] = 0
            self._used -= 1
            self._tombstones += 1
            self._entries -= 1
            return True
        bucket = self._buckets[~head]
        try:
            bucket.remove(handle)
        except ValueError:
            return False
        self._entries -= 1
        if len(bucket) == 1:
            self._heads[i] = bucket[0]
            self._buckets[~head] = _FREED
            self._free_buckets.append(~head)
        return True

    def _new_bucket(self, first: int, second: int) -> int:
        bucket = array("i", (first, second))
        if self._free_buckets:
            index = self._free_buckets.pop()
            self._buckets[index] = bucket
            return index
        self._buckets.append(bucket)
        return len(self._buckets) - 1

    def _rebuild(self) -> None:
        """Re-file the live slots in a table they fill at most half (drops tombstones)."""
        live = list(self._live())
        bits = _MIN_BITS
        while len(live) > (1 << bits) // 2:
            bits += 1
        self._reset(bits)
        prints, heads = self._prints, self._heads
        for fingerprint, head in live:
            i = ~self._slot(fingerprint)
            prints[i] = fingerprint
            heads[i] = head
        self._used = len(live)

    def _live(self) -> Iterator[tuple[int, int]]:
        for fingerprint, head in zip(self._prints, self._heads, strict=True):
            if fingerprint > _TOMBSTONE:
                yield fingerprint, head

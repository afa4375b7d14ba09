"""Native core of Marsad's dedupe stage (Rust, PyO3): shingles, verification, MinHash LSH.

See native/src/lib.rs for the algorithms. Texts are ``str`` or the dedupe stage's stored
encoding (``bytes``: Windows-1256, or a NUL byte then UTF-8), decoded with ``codepage`` (the
256 characters of the stored code page, in byte order).
"""

from typing import Any

class Shingler:
    def __init__(self, size: int, codepage: str) -> None: ...
    @property
    def size(self) -> int: ...
    def hashes(self, text: str | bytes) -> list[int]:
        """The sorted, distinct 64-bit hashes of the text's character ``size``-grams."""
    def similarities(
        self, text: str | bytes | Sketch, others: list[str | bytes] | list[bytes] | list[str]
    ) -> list[tuple[float, float]]:
        """(Jaccard, containment) of ``text``'s shingle set with each of ``others``'; a
        ``Sketch`` of the text (same shingle size) spares hashing it again."""

class Sketch:
    @property
    def keys(self) -> list[int]:
        """One 32-bit band fingerprint per band, in band order."""
    def __len__(self) -> int: ...

class NearIndex:
    def __init__(
        self,
        *,
        shingle_size: int,
        codepage: str,
        bands: int,
        rows: int,
        seed: int,
        bucket_limit: int,
        max_verify: int,
        rare_bucket: int,
        strong: int,
    ) -> None: ...
    def sketch(self, text: str | bytes) -> Sketch: ...
    def candidates(self, sketch: Sketch) -> list[tuple[int, int]]:
        """``(handle, shared bands)`` of the indexed handles that may be near, best first."""
    def item(self, handle: int) -> object | None:
        """The object added with ``handle``, or None (nothing there, or added without one)."""
    def nearest(
        self,
        sketch: Sketch,
        per_group: int,
        stop_at: float,
        min_jaccard: float,
        min_containment: float,
    ) -> tuple[float, list[tuple[Any, float, float]]]:
        """The candidates verified exactly against their stored texts: ``(best, near)``,
        ``best`` the highest Jaccard of all verified (0.0: none), ``near`` those whose Jaccard
        reaches ``min_jaccard`` or whose containment reaches ``min_containment``, as ``(item,
        Jaccard, containment)`` (``item``: the object added with the handle, or None), closest
        first (ties: lowest ``seq`` first). At most ``per_group`` handles of one group are
        verified, and verification stops after the first Jaccard >= ``stop_at``. Raises
        ValueError for a candidate added without a text."""
    def search(
        self,
        text: str | bytes,
        per_group: int,
        stop_at: float,
        min_jaccard: float,
        min_containment: float,
    ) -> tuple[Sketch, float, list[tuple[Any, float, float]]]:
        """``sketch(text)`` and ``nearest`` of it in one call: ``(sketch, best, near)``."""
    def add(
        self,
        handle: int,
        sketch: Sketch,
        text: bytes | None = None,
        group: int = 0,
        seq: int = 0,
        item: Any = None,
    ) -> None:
        """File ``handle`` under its bands; with its stored ``text`` (kept by reference),
        ``group``, ``seq`` and ``item`` (kept by reference; it must not refer back to the
        index), :meth:`nearest` can verify it."""
    def remove(self, handle: int, sketch: Sketch) -> int:
        """Remove ``handle`` once from under each band; returns how many entries went."""
    def __len__(self) -> int: ...
    def nbytes(self) -> int: ...

def prepare(
    texts: list[str], codepage: str
) -> list[tuple[str, int, int, bytes] | None]:
    """For each paragraph ``(canonical text, text key, number of words, stored text)`` as
    ``pipeline.dedupe.shingles`` ``joined(words(text))`` and ``text_key`` and
    ``pipeline.dedupe.state.encode_text`` give them, or None where the text has a character
    outside the fast path of ``words`` or outside the code page (``codepage``: its 256
    characters in byte order)."""

class WordingRules:
    """The event check (``pipeline.dedupe.events.compare_wording``) and the numeric difference
    (``pipeline.dedupe.numbers.numeric_diff``) in native code, on canonical texts in the stored
    encoding."""

    def __init__(
        self,
        *,
        ignored: list[str],
        place_triggers: list[str],
        actor_triggers: list[str],
        day_words: list[str],
        months: list[str],
        names: list[str],
        number_words: list[tuple[str, str]],
        function_words: list[str],
        qualifier_heads: list[str],
        max_other_changes: int,
        max_other_change_share: float,
        codepage: str,
    ) -> None: ...
    def compare(
        self, this: bytes, other: bytes
    ) -> tuple[bool, list[str], list[str], int] | None:
        """``(other_event, this_names, other_names, content_changes)``, or None when a text is
        not made of simple characters (then run the Python rule)."""
    def numeric_diff(
        self, before: bytes, after: bytes
    ) -> list[tuple[str, str | None, str | None]] | None:
        """``(subject, before, after)`` of each count that changed, or None when a text is not
        made of simple characters (then run the Python rule)."""

def untrack(object: object) -> bool:
    """Take ``object`` out of the garbage collector's scans (as CPython does for tuples and
    dicts of atomic values): for long-lived objects no reference cycle can go through. Returns
    whether it was tracked; an object of a type without collector support is left alone."""

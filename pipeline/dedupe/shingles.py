"""Words and character shingles of a paragraph, and the similarities the stage uses.

The stage itself computes shingles and similarities in the native core
(``marsad_native.Shingler`` and ``NearIndex``, over the same character n-grams as
:func:`shingle_list`, hashed); the Python functions here are the reference the unit tests
check the native core against, and what the datasketch baseline feeds its MinHash.

:func:`prepared` and :func:`words` give exactly what :func:`pipeline.text.tokens` gives (the
project's one normalizer), through the native core's fast path for the common case: text made
only of Arabic letters, harakat, digits, ASCII and common punctuation (``marsad_native.prepare``,
~4 µs instead of ~40 µs a paragraph). Anything else (presentation forms, format characters,
other marks, ...) goes through ``tokens`` itself. The unit tests check the two paths agree, on
the seeds and on generated text.

Shingles are character n-grams of the paragraph's words joined by single spaces, so
punctuation, quotes and spacing do not count, and word boundaries do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from marsad_native import prepare

from pipeline.dedupe.state import encode_text
from pipeline.text import tokens

Prepared = tuple[str, int, int, bytes]
"""A paragraph's canonical text (its normalized words joined by spaces), text key, number of
words and canonical text in the stored encoding (:func:`pipeline.dedupe.state.encode_text`);
the words are ``canonical.split(" ")`` (no word holds a space)."""

CODEPAGE = bytes(range(256)).decode("cp1256")
"""The 256 characters of Windows-1256 in byte order: how the native core reads stored texts
(:func:`pipeline.dedupe.state.encode_text`) without decoding them in Python."""


def prepared(paragraphs: Sequence[str]) -> list[Prepared]:
    """``(joined(words), text_key(joined(words)), len(words), encode_text(joined(words)))`` of
    each paragraph's words, in one native call for text the fast path of :func:`words` handles
    (the unit tests check they agree), through ``pipeline.text.tokens`` for the rest."""
    found = prepare(list(paragraphs), CODEPAGE)
    if None not in found:
        return found  # type: ignore[return-value]  # all on the fast path
    result: list[Prepared] = []
    for paragraph, fast in zip(paragraphs, found, strict=True):
        if fast is not None:
            result.append(fast)
            continue
        paragraph_words = tokens(paragraph)
        canonical = joined(paragraph_words)
        count = len(paragraph_words)
        result.append((canonical, text_key(canonical), count, encode_text(canonical)))
    return result


def words(text: str) -> list[str]:
    """The normalized, lower-cased words of ``text``: equal to ``pipeline.text.tokens(text)``."""
    canonical, _, count, _ = prepared([text])[0]
    return canonical.split(" ") if count else []


def joined(paragraph_words: Sequence[str]) -> str:
    """The canonical text of a paragraph: its words joined by single spaces."""
    return " ".join(paragraph_words)


def text_key(text: str) -> int:
    """A 64-bit key of a canonical text (BLAKE2b): equal texts, equal keys, in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def content_key64(canonicals: Iterable[str]) -> int:
    """The first 64 bits of the SHA-256 of all the article's words, from its paragraphs'
    canonical texts (empty ones skipped): the head of ``pipeline.text.content_fingerprint``."""
    flat = " ".join([c for c in canonicals if c])
    return int.from_bytes(hashlib.sha256(flat.encode("utf-8")).digest()[:8], "big")


def shingle_list(text: str, size: int) -> list[str]:
    """Character ``size``-grams of ``text`` in order (repeats kept); a short text is one shingle."""
    if len(text) <= size:
        return [text] if text else []
    return [text[i : i + size] for i in range(len(text) - size + 1)]


def shingle_set(text: str, size: int) -> frozenset[str]:
    return frozenset(shingle_list(text, size))


def similarities(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """(Jaccard, containment) of two shingle sets, one intersection for both."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b) if len(a) <= len(b) else len(b & a)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))

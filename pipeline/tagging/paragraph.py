"""A paragraph as the tagger reads it: normalized words, their offsets, their sentences.

The words are exactly :func:`pipeline.text.tokens` of the paragraph (the project's one normalizer
and tokenizer); each keeps its character span in the normalized, lower-cased text, and the index
of the sentence it belongs to (sentences end at ``. ! ? ؟ ؛ …``; commas do not end them).
:meth:`Paragraph.surface` gives a run of words back in the paragraph's *original* spelling
(hamzas, diacritics, tatweel and all) when that can be found, else in normalized form.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass

from kernel.text.normalize import normalize_arabic, token_split, tokens

_SENTENCE_END = re.compile(r"[.!?؟؛;…]")
# What normalize_arabic deletes inside a word: marks, tatweel, invisible format characters.
_DELETED = (
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff\u0640\u00ad\u061c"
    "\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_IGNORABLE = _DELETED + "*"
# Characters of the original text that have no counterpart in the normalized text.
_DROPPED = re.compile(f"{_DELETED}|(?<=\\s)\\s")
_FOLDED = {
    "ا": "[اأإآٱ]",
    "ي": "[يى]",
    "ه": "[هة]",
    **{str(d): f"[{d}{chr(0x660 + d)}{chr(0x6F0 + d)}]" for d in range(10)},
}


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph, tokenized once; every tagging step reads this."""

    text: str
    """The paragraph as given, stripped."""
    norm: str
    """``normalize_arabic(text).lower()``: the text the word offsets refer to."""
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentences: tuple[int, ...]
    """Sentence index of each word."""
    joined: str
    """``" " + " ".join(words) + " "``: what the phrase automaton scans."""
    joined_starts: tuple[int, ...]
    """Offset of each word in :attr:`joined`."""
    dropped: tuple[int, ...]
    """Offsets in :attr:`text` of characters the normalizer deleted (marks, tatweel, repeated
    whitespace): how normalized offsets map back to the original."""

    @classmethod
    def of(cls, text: str) -> Paragraph:
        text = text.strip()
        norm = normalize_arabic(text).lower()
        parts = token_split(norm)  # as a rule: tokens(norm) would normalize norm again
        if parts is not None:
            words = tuple(parts[1::2])
            bounds = list(itertools.accumulate(map(len, parts)))  # where each part ends
            starts, ends = bounds[0:-1:2], bounds[1::2]
        else:
            words = tuple(tokens(norm))
            starts, ends = _offsets(norm, words)
        stops = [m.start() for m in _SENTENCE_END.finditer(norm)]
        if stops:
            sentences = tuple(bisect.bisect_right(stops, start) for start in starts)
        else:
            sentences = (0,) * len(starts)
        joined_starts = tuple(itertools.accumulate((len(w) + 1 for w in words), initial=1))[:-1]
        joined = " " + " ".join(words) + " "
        dropped = tuple(m.start() for m in _DROPPED.finditer(text))
        return cls(
            text,
            norm,
            words,
            tuple(starts),
            tuple(ends),
            sentences,
            joined,
            joined_starts,
            dropped,
        )

    def __len__(self) -> int:
        return len(self.words)

    def word_at(self, joined_offset: int) -> int:
        """Index of the word starting at ``joined_offset`` in :attr:`joined`."""
        return bisect.bisect_left(self.joined_starts, joined_offset)

    def same_sentence(self, i: int, j: int) -> bool:
        return self.sentences[i] == self.sentences[j]

    def surface(self, first: int, end: int) -> str:
        """Words ``first`` to ``end - 1`` as written in the original text (normalized if lost)."""
        if first >= end:
            return ""
        return self.original(self.starts[first], self.ends[end - 1])

    def original(self, start: int, stop: int) -> str:
        """The original spelling of ``norm[start:stop]`` (that normalized text if not found).

        Usually the normalizer only replaced characters one for one and deleted some (marks,
        tatweel, repeated spaces): the deleted offsets map the span back. When the paragraph's
        lengths do not add up that way (NFKC ligatures and the like), a pattern of the span's
        possible spellings is searched instead.
        """
        span = self.norm[start:stop]
        if len(self.text) - len(self.dropped) == len(self.norm):  # only deletions: aligned
            first, last = self._to_text(start), self._to_text(stop - 1) + 1
            while (
                last < len(self.text) and not self.text[last].isspace() and self._dropped_at(last)
            ):
                last += 1  # a mark after the last letter ("مقاتلاً") belongs to the word
            return self.text[first:last]
        found = _pattern(span).search(self.text)
        return found.group(0) if found else span

    def _dropped_at(self, offset: int) -> bool:
        at = bisect.bisect_left(self.dropped, offset)
        return at < len(self.dropped) and self.dropped[at] == offset

    def _to_text(self, position: int) -> int:
        """Offset in :attr:`text` of the character at ``position`` of :attr:`norm`."""
        original = position
        while True:
            shifted = position + bisect.bisect_right(self.dropped, original)
            if shifted == original:
                return original
            original = shifted


def _offsets(norm: str, words: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Where each of ``words`` starts and ends in ``norm``, searched left to right."""
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0
    for word in words:
        at = norm.find(word, cursor)
        if at < 0:  # cannot happen for tokens of norm; keep offsets monotonic anyway
            at = cursor
        starts.append(at)
        cursor = at + len(word)
        ends.append(cursor)
    return starts, ends


@functools.lru_cache(maxsize=8192)
def _pattern(span: str) -> re.Pattern[str]:
    """A pattern matching every original spelling that normalizes to ``span``."""
    parts: list[str] = []
    for char in span:
        if char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(_FOLDED.get(char, re.escape(char)))
    return re.compile(_IGNORABLE.join(parts), re.IGNORECASE)

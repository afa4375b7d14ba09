"""Dictionary matching of phrases over a paragraph's words, with Arabic proclitics.

Arabic glues conjunctions, prepositions and the article to the next word ("وبالرقة" = "and in
Raqqa"). Stemming would also strip letters that belong to names, so instead every phrase is
stored with the proclitic variants of its first word (و ف ب ل ك and their pairs; "ال" + ل → لل:
"الرقة" → "للرقة"), and one Aho-Corasick automaton finds all of them in one pass over the
paragraph's words (joined by single spaces; a phrase must match whole words).

When one written form is both a phrase with a proclitic and another phrase without ("لبنان" =
ل + "بنان"), the reading with the shorter proclitic wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

import ahocorasick  # type: ignore[import-not-found,unused-ignore]

from pipeline.tagging.paragraph import Paragraph

T = TypeVar("T")

_PLAIN = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "فك")
_DEFINITE = ("", "و", "ف", "ب", "ك", "وب", "فب", "وك", "فك")  # ل + ال is written لل
_LAM_LAM = ("ل", "ول", "فل")


class Proclitics(Enum):
    """Which proclitic variants of a phrase's first word are matched."""

    NAME = "name"
    """Names of actors, places, sources: و ف ب ل ك and pairs; لل for names with ال."""
    CONJUNCTION = "conjunction"
    """Trigger words and cues: only و and ف (a ل or ب changes what the word says)."""
    EXACT = "exact"
    """Exactly as written."""


def variants(phrase: str, proclitics: Proclitics) -> list[tuple[str, str]]:
    """``(written form, proclitic)`` pairs under which ``phrase`` is matched."""
    if proclitics is Proclitics.EXACT:
        return [(phrase, "")]
    if proclitics is Proclitics.CONJUNCTION:
        return [(p + phrase, p) for p in ("", "و", "ف")]
    if phrase.startswith("ال") and len(phrase) > 3:
        forms = [(p + phrase, p) for p in _DEFINITE]
        return forms + [(p + "ل" + phrase[2:], p) for p in _LAM_LAM]
    return [(p + phrase, p) for p in _PLAIN]


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """Words ``first`` to ``end - 1`` of a paragraph matched one or more phrases."""

    first: int
    end: int
    proclitic: str
    payloads: tuple[T, ...]

    @property
    def size(self) -> int:
        return self.end - self.first

    def overlaps(self, other: Match[T]) -> bool:
        return self.first < other.end and other.first < self.end


class PhraseMatcher(Generic[T]):
    """An automaton over phrases (normalized words joined by one space), each with a payload."""

    def __init__(self, entries: Iterable[tuple[str, T, Proclitics]]) -> None:
        table: dict[str, list[tuple[str, T]]] = {}
        for phrase, payload, proclitics in entries:
            for form, proclitic in variants(phrase, proclitics):
                table.setdefault(f" {form} ", []).append((proclitic, payload))
        self._automaton = ahocorasick.Automaton()
        for key, readings in table.items():
            shortest = min(len(proclitic) for proclitic, _ in readings)
            kept = tuple(payload for p, payload in readings if len(p) == shortest)
            proclitic = next(p for p, _ in readings if len(p) == shortest)
            self._automaton.add_word(key, (key.count(" ") - 1, proclitic, kept))
        self._size = len(table)
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        """Number of written forms stored."""
        return self._size

    def find(self, paragraph: Paragraph) -> list[Match[T]]:
        """Every match in ``paragraph``, overlapping ones included, in text order."""
        if not self._size or not paragraph.words:
            return []
        found: list[Match[T]] = []
        for last_char, (size, proclitic, payloads) in self._automaton.iter(paragraph.joined):
            # last_char is the space after the match's last word
            first = paragraph.word_at(last_char) - size
            found.append(Match(first, first + size, proclitic, payloads))
        found.sort(key=lambda m: (m.first, m.first - m.end))  # longest first at each word
        return found


def longest_first(matches: Sequence[Match[T]]) -> list[Match[T]]:
    """Non-overlapping matches: longer phrases first, then leftmost; returned in text order."""
    kept: list[Match[T]] = []
    taken = [False] * (max((m.end for m in matches), default=0))  # words of the kept matches
    for match in sorted(matches, key=lambda m: (m.first - m.end, m.first)):
        if not any(taken[match.first : match.end]):  # overlaps no kept match
            kept.append(match)
            taken[match.first : match.end] = [True] * match.size
    kept.sort(key=lambda m: m.first)
    return kept


class WordSet(frozenset[str]):
    """Single words, matched with their proclitic variants: the set of their written forms (a
    set lookup per word)."""

    def __new__(cls, words: Iterable[str], proclitics: Proclitics = Proclitics.NAME) -> WordSet:
        return super().__new__(
            cls, (form for word in words for form, _ in variants(word, proclitics))
        )

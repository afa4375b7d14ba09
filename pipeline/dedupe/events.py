"""Revision or another event? Two near-identical paragraphs, compared word by word.

Bulletins reuse templates: "تعرضت قرية X لقصف مدفعي من قبل قوات الأسد" is a different event for
every X, and the same sentence on another day is another day's shelling. Near-identical wording
is therefore not enough to merge two paragraphs. The rule, on normalized words:

1. Words found on both sides are ignored; so are, among the words found on one side only,
   counts (a revised count is a revision: :mod:`pipeline.dedupe.numbers` records it), function
   words, attribution verbs, count qualifiers, and forms of a word found on the other side only
   (صاروخ / صواريخ, شديد / شديده, البوارج / البارجات: same consonant skeleton).
2. What is left is either a *name slot* word or a content change. A name slot is a word right
   after a place trigger ("قرية", "بلدة", "حي", "ريف"...) or an actor / person trigger ("فيلق",
   "تنظيم", "الطفل", "الرائد"...), a word continuing such a name ("دير سمعان"), a weekday or a
   relative day ("أمس"), a month, a number that is part of a date, or a word of ``names`` (a
   gazetteer the caller may pass). Each slot has a class: place, actor, day, date, name.
3. If no name slot differs, the paragraphs are a *revision* (numbers changed, wording touched,
   a place or a clause added or dropped).
4. If the rest of the wording changed a lot (more than ``max_other_changes`` content words, or
   ``max_other_change_share`` of the shorter paragraph), it is an editor's rewrite: a revision.
5. Otherwise the paragraphs report *another event* when a name was *replaced*, not merely added
   or dropped: both sides have differing names of the same class ("قريتي سنيسل" / "قريتي
   تلدو", in whatever order the sentences put them), or, aligning the words (difflib), a name
   on one side stands where the other side has another unexplained word.

Known limit: a bare place name without a trigger word ("في جرمانا" → "في دوما") is not a slot
unless it is in ``names``; such a pair reads as a revision.

This module is the reference; the stage runs the rule through
:class:`pipeline.dedupe.rules.WordRules`, native on the common path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum

from pipeline.dedupe.lexicon import (
    ACTOR_TRIGGERS,
    DAY_WORDS,
    FUNCTION_WORDS,
    MONTHS,
    PLACE_TRIGGERS,
    QUALIFIERS,
    REPORTING_WORDS,
    is_in,
    skeletons,
)
from pipeline.dedupe.numbers import is_date_number, number_value

IGNORED = FUNCTION_WORDS | REPORTING_WORDS | QUALIFIERS
"""Words whose change explains nothing: function words, attribution verbs, qualifiers."""


class Slot(Enum):
    PLACE = "place"
    ACTOR = "actor"
    DAY = "day"
    DATE = "date"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class WordingDiff:
    """How two near-identical paragraphs differ."""

    other_event: bool
    """True: same template, another place / actor / day; the paragraphs must not be merged."""
    this_names: tuple[str, ...]
    """Name-slot words of the first paragraph that were replaced (if ``other_event``)."""
    other_names: tuple[str, ...]
    """What replaced them in the second paragraph."""
    content_changes: int
    """Unexplained content words outside name slots, both sides together."""


REVISION = WordingDiff(False, (), (), 0)


def compare_wording(
    this: Sequence[str],
    other: Sequence[str],
    *,
    names: frozenset[str] = frozenset(),
    max_other_changes: int = 6,
    max_other_change_share: float = 0.15,
) -> WordingDiff:
    """Compare two paragraphs' normalized words: a revision, or a report of another event."""
    this_words, other_words = set(this), set(other)
    if this_words == other_words:  # no word on one side only: nothing to explain
        return REVISION
    this_side = _Side(this, this_words - other_words, names)
    other_side = _Side(other, other_words - this_words, names)
    this_side.explain(other_side.only_skeletons)
    other_side.explain(this_side.only_skeletons)
    changes = len(this_side.content) + len(other_side.content)
    if not this_side.slots and not other_side.slots:
        return WordingDiff(False, (), (), changes) if changes else REVISION
    limit = max(max_other_changes, max_other_change_share * min(len(this), len(other)))
    if changes > limit:
        return WordingDiff(False, (), (), changes)
    here, there = this_side.names_by_slot(), other_side.names_by_slot()
    for kind in Slot:
        if kind in here and kind in there:
            return WordingDiff(True, tuple(here[kind]), tuple(there[kind]), changes)
    return _aligned(this_side, other_side, changes)


def _aligned(this_side: _Side, other_side: _Side, changes: int) -> WordingDiff:
    """A name on one side where the other side has another unexplained word (difflib)."""
    if not (this_side.slots and other_side.unexplained) and not (
        other_side.slots and this_side.unexplained
    ):
        return WordingDiff(False, (), (), changes)  # no name faces an unexplained word
    this, other = this_side.words, other_side.words
    matcher = SequenceMatcher(None, list(this), list(other), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or _respelled(this[i1:i2], other[j1:j2]):
            continue
        names_here = [this[i] for i in range(i1, i2) if i in this_side.slots]
        names_there = [other[j] for j in range(j1, j2) if j in other_side.slots]
        words_here = names_here or [this[i] for i in range(i1, i2) if i in this_side.content]
        words_there = names_there or [other[j] for j in range(j1, j2) if j in other_side.content]
        if (names_here and words_there) or (names_there and words_here):
            return WordingDiff(True, tuple(words_here), tuple(words_there), changes)
    return WordingDiff(False, (), (), changes)


def _respelled(a: Sequence[str], b: Sequence[str]) -> bool:
    """Same letters spaced differently: "ديرالزور" / "دير الزور"."""
    return bool(skeletons("".join(a)) & skeletons("".join(b)))


class _Side:
    """One paragraph's words found only on its side, sorted into slots and content changes."""

    __slots__ = ("content", "names", "only", "only_skeletons", "slots", "words")

    def __init__(self, words: Sequence[str], only: set[str], names: frozenset[str]) -> None:
        """``only``: the words of ``words`` that the other paragraph does not have."""
        self.words = words
        self.only = [i for i, word in enumerate(words) if word in only] if only else []
        self.only_skeletons: frozenset[str] = frozenset().union(*map(skeletons, only))
        self.names = names
        self.slots: dict[int, Slot] = {}
        self.content: set[int] = set()

    def names_by_slot(self) -> dict[Slot, list[str]]:
        """The name-slot words of this side, in order, by slot class."""
        names: dict[Slot, list[str]] = {}
        for i, kind in self.slots.items():
            names.setdefault(kind, []).append(self.words[i])
        return names

    @property
    def unexplained(self) -> bool:
        """True if a word of this side is a name slot or a content change."""
        return bool(self.slots or self.content)

    def explain(self, other_only_skeletons: frozenset[str]) -> None:
        only = set(self.only)
        for i in self.only:
            word = self.words[i]
            number = number_value(word) is not None
            ignored = is_in(word, IGNORED)
            kind = self._slot(i, only, number=number, ignored=ignored)
            if kind is not None:
                if skeletons(word).isdisjoint(other_only_skeletons):
                    self.slots[i] = kind
                continue
            if number or ignored:
                continue
            if not skeletons(word).isdisjoint(other_only_skeletons):
                continue
            self.content.add(i)

    def _slot(self, i: int, only: set[int], *, number: bool, ignored: bool) -> Slot | None:
        """The slot of the word at ``i`` (``number``: it is a count; ``ignored``: a function
        word, attribution verb or qualifier), or None."""
        if number:
            return Slot.DATE if is_date_number(self.words, i) else None
        kind = _own_slot(self.words[i], self.names)
        if kind is not None or i == 0 or ignored:
            return kind
        previous = self.words[i - 1]
        if is_in(previous, PLACE_TRIGGERS):
            return Slot.PLACE
        if is_in(previous, ACTOR_TRIGGERS):
            return Slot.ACTOR
        return self.slots.get(i - 1) if (i - 1) in only else None


def _own_slot(word: str, names: frozenset[str]) -> Slot | None:
    """The slot a word is by itself: a day, a month, a known name; else None."""
    if is_in(word, DAY_WORDS):
        return Slot.DAY
    if is_in(word, MONTHS):
        return Slot.DATE
    if is_in(word, names):
        return Slot.NAME
    return None

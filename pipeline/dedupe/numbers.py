"""Numeric mentions of a paragraph and the structured difference between two versions.

Bulletins revise counts: "15 صاروخ فيل" becomes "أكثر من 10 صواريخ فيل" and then "أكثر من 5
صواريخ فيل". A :class:`Mention` is one count with its qualifier ("اكثر من") and the words it
counts; :func:`numeric_diff` pairs the mentions of two versions by what they count and returns
what changed, in normalized words::

    NumericChange(subject="صواريخ فيل", before="15", after="اكثر من 10")

Numbers that are part of a date ("29 اغسطس", "16 11 2014", a year) are dates, not counts:
:mod:`pipeline.dedupe.events` treats a changed date as another event.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.dedupe.lexicon import (
    FUNCTION_WORDS,
    MONTHS,
    QUALIFIERS,
    bare_forms,
    is_in,
    number_forms,
    number_word,
    skeletons,
)

_DIGITS = re.compile(r"\d+")
QUALIFIER_HEADS = QUALIFIERS - {"من", "عن", "فقط"}
"""Words that head a qualifier ("اكثر" in "اكثر من 10")."""
MAX_SUBJECT_WORDS = 2


class NumericChange(NamedTuple):
    """One count that differs between two versions of a paragraph (None: absent on that side).

    A named tuple: the native rules' answers become these without a Python-level constructor
    call (``NumericChange._make``)."""

    subject: str
    before: str | None
    after: str | None

    def as_json(self) -> dict[str, str | None]:
        return {"subject": self.subject, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class Mention:
    """A count in a paragraph: its word position, value, qualifier and what it counts."""

    position: int
    value: str
    qualifier: str
    subject: tuple[str, ...]
    lead: str
    """The word before the count and its qualifier ("وقتل" in "وقتل 17 عنصرا"), or empty."""
    date: bool

    @property
    def reading(self) -> str:
        """How the count reads: "15", "اكثر من 10"."""
        return f"{self.qualifier} {self.value}" if self.qualifier else self.value


def number_value(word: str) -> str | None:
    """The count a word stands for ("15", "ال35" → "35", "ثلاثه" → "3"), or None."""
    if word.isalpha():
        return number_word(word)
    match = _DIGITS.search(word)
    if match is not None:
        return match.group(0).lstrip("0") or "0"
    return None


def is_date_number(words: Sequence[str], position: int) -> bool:
    """True if the number at ``position`` is part of a date: a year, or next to a month or to
    another number of a d/m/y run."""
    match = _DIGITS.search(words[position])
    if match is None:
        return False
    value = int(match.group(0))
    if 1900 <= value <= 2100 and len(match.group(0)) == 4:
        return True
    for neighbour in (position - 1, position + 1):
        if 0 <= neighbour < len(words):
            other = words[neighbour]
            if is_in(other, MONTHS) or (_DIGITS.fullmatch(other) and value <= 31):
                return True
    return False


def mentions(words: Sequence[str], positions: Sequence[int] | None = None) -> list[Mention]:
    """Every count in ``words`` (normalized words, as :func:`~pipeline.dedupe.shingles.words`);
    ``positions``: their :func:`_positions`, if known."""
    found: list[Mention] = []
    for position in _positions(words) if positions is None else positions:
        value = number_value(words[position])
        if value is None:
            continue
        qualifier = _qualifier(words, position)
        found.append(
            Mention(
                position=position,
                value=value,
                qualifier=qualifier,
                subject=_subject(words, position),
                lead=_lead(words, position - len(qualifier.split())),
                date=is_date_number(words, position),
            )
        )
    return found


_REACH = 3
"""A mention reads at most this many words before its number (lead, qualifier) and
``_REACH - 1`` after it (subject, date neighbour)."""


def _positions(words: Sequence[str]) -> list[int]:
    """Where the possible counts of ``words`` are: words with a digit, and number words."""
    number_words = number_forms()
    if "".join(words).isalpha() and number_words.keys().isdisjoint(words):
        return []  # no digit and no number word (one pass in C)
    return [i for i, w in enumerate(words) if not w.isalpha() or w in number_words]


def _contexts(words: Sequence[str], positions: Sequence[int]) -> list[tuple[int, tuple[str, ...]]]:
    """The words around every possible count (at ``positions``): equal lists mean equal
    mentions (but for their positions), as a mention is a function of its number and the
    words within ``_REACH``."""
    return [(min(i, _REACH), tuple(words[max(0, i - _REACH) : i + _REACH])) for i in positions]


def _qualifier(words: Sequence[str], position: int) -> str:
    """The qualifier of a count: "اكثر من" in "باكثر من 10"; empty if none."""
    if position >= 1:
        previous = words[position - 1]
        if previous in ("من", "عن") and position >= 2:
            head = _head(words[position - 2])
            if head:
                return f"{head} {previous}"
        head = _head(previous)
        if head:
            return head
    return ""


def _lead(words: Sequence[str], position: int) -> str:
    return words[position - 1] if position >= 1 else ""


@functools.lru_cache(maxsize=1 << 12)
def _head(word: str) -> str:
    """The qualifier head ``word`` is, clitics allowed ("باكثر" → "اكثر"), or empty."""
    return next((form for form in bare_forms(word) if form in QUALIFIER_HEADS), "")


def _subject(words: Sequence[str], position: int) -> tuple[str, ...]:
    """The words a count counts: the next ones ("15 صاروخ فيل"), else the one before it
    ("قياديين اثنين", where the number follows its noun)."""
    subject: list[str] = []
    for word in words[position + 1 : position + 1 + MAX_SUBJECT_WORDS]:
        if word in FUNCTION_WORDS or number_value(word) is not None:
            break
        if subject and word.startswith("و"):  # "3 مدنيين واصيب": a new clause
            break
        subject.append(word)
    if not subject and position >= 1:
        previous = words[position - 1]
        if previous not in FUNCTION_WORDS and number_value(previous) is None:
            return (previous,)
    return tuple(subject)


def _same_subject(a: Mention, b: Mention) -> bool:
    return bool(a.subject and b.subject and skeletons(a.subject[0]) & skeletons(b.subject[0]))


def _same_lead(a: Mention, b: Mention) -> bool:
    return bool(a.lead and b.lead and skeletons(a.lead) & skeletons(b.lead))


def _same_value(a: Mention, b: Mention) -> bool:
    return a.value == b.value


def numeric_diff(before: Sequence[str], after: Sequence[str]) -> tuple[NumericChange, ...]:
    """The counts (not dates) that changed from ``before`` to ``after`` (normalized words).

    Mentions are paired in order by what they count (صاروخ pairs with صواريخ), then by the
    word before them ("وقتل 17 عنصرا" with "وقتل 17"), then by value. A count whose value or
    qualifier changed is reported with both readings; a count present on one side only, with
    None on the other. Changes come in the order of ``after``, removed counts last.
    """
    at_before, at_after = _positions(before), _positions(after)
    if _contexts(before, at_before) == _contexts(after, at_after):
        return ()  # the same counts in the same words: identical mentions, nothing changed
    old = [m for m in mentions(before, at_before) if not m.date]
    new = [m for m in mentions(after, at_after) if not m.date]
    if not old and not new:
        return ()
    pairs: dict[int, int] = {}
    for same in (_same_subject, _same_lead, _same_value):
        taken = set(pairs.values())
        start = 0
        for j, mention in enumerate(new):
            if j in pairs:
                start = pairs[j] + 1
                continue
            match = next(
                (i for i in range(start, len(old)) if i not in taken and same(old[i], mention)),
                None,
            )
            if match is not None:
                pairs[j] = match
                taken.add(match)
                start = match + 1
    changes: list[NumericChange] = []
    for j, mention in enumerate(new):
        if j not in pairs:
            changes.append(NumericChange(" ".join(mention.subject), None, mention.reading))
            continue
        previous = old[pairs[j]]
        if previous.reading != mention.reading:
            subject = " ".join(mention.subject or previous.subject)
            changes.append(NumericChange(subject, previous.reading, mention.reading))
    paired = set(pairs.values())
    for i, mention in enumerate(old):
        if i not in paired:
            changes.append(NumericChange(" ".join(mention.subject), mention.reading, None))
    return tuple(changes)

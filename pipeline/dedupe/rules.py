"""The stage's word rules on canonical texts, native on the common path.

:class:`WordRules` runs the event check (:func:`~pipeline.dedupe.events.compare_wording`) and
the numeric difference (:func:`~pipeline.dedupe.numbers.numeric_diff`) on two canonical texts
in the stored encoding (:func:`~pipeline.dedupe.state.encode_text`): in the native core
(``marsad_native.WordingRules``, native/src/wording.rs) when both texts are made of normalized
Arabic letters, ASCII letters and digits (the common case), through the Python functions
otherwise. The Python functions are the reference; both paths give the same results
(property-tested in the unit tests).

With ``actors`` (:class:`~pipeline.dedupe.actors.ActorNames`), a pair the wording rule reads as
a revision, whose changed content words are few enough for a name swap (the same limit as the
wording rule's), is also checked for a replaced actor (:func:`~pipeline.dedupe.actors.
actor_change`), in Python on either path: "الطيران الروسي" → "الطيران السوري" is another event.
"""

from __future__ import annotations

from marsad_native import WordingRules

from pipeline.dedupe.actors import ActorNames, actor_change
from pipeline.dedupe.events import IGNORED, REVISION, WordingDiff, compare_wording
from pipeline.dedupe.lexicon import (
    ACTOR_TRIGGERS,
    DAY_WORDS,
    FUNCTION_WORDS,
    MONTHS,
    PLACE_TRIGGERS,
    number_forms,
    with_clitics,
)
from pipeline.dedupe.numbers import QUALIFIER_HEADS, NumericChange, numeric_diff
from pipeline.dedupe.shingles import CODEPAGE
from pipeline.dedupe.state import decode_text, encode_text


class WordRules:
    """The event check with fixed ``names`` and limits, and the numeric difference."""

    __slots__ = (
        "_actor_vocabulary",
        "_actors",
        "_max_other_change_share",
        "_max_other_changes",
        "_names",
        "_native",
    )

    def __init__(
        self,
        *,
        names: frozenset[str] = frozenset(),
        max_other_changes: int = 6,
        max_other_change_share: float = 0.15,
        actors: ActorNames | None = None,
    ) -> None:
        self._names = names
        self._actors = actors
        self._actor_vocabulary = frozenset(
            encode_text(word)
            for word in (actors.vocabulary if actors else ())
            if word not in IGNORED  # "في" of a long name is never what was replaced
        )  # in the stored encoding, to look at two texts' words before decoding them
        self._max_other_changes = max_other_changes
        self._max_other_change_share = max_other_change_share
        self._native = WordingRules(
            ignored=sorted(with_clitics(IGNORED)),
            place_triggers=sorted(with_clitics(PLACE_TRIGGERS)),
            actor_triggers=sorted(with_clitics(ACTOR_TRIGGERS)),
            day_words=sorted(with_clitics(DAY_WORDS)),
            months=sorted(with_clitics(MONTHS)),
            names=sorted(with_clitics(names)),
            number_words=sorted(number_forms().items()),
            function_words=sorted(FUNCTION_WORDS),
            qualifier_heads=sorted(QUALIFIER_HEADS),
            max_other_changes=max_other_changes,
            max_other_change_share=max_other_change_share,
            codepage=CODEPAGE,
        )

    @property
    def native(self) -> WordingRules:
        """The native rules alone (their answer is None where the Python path is needed)."""
        return self._native

    def compare(self, this: bytes, other: bytes) -> WordingDiff:
        """:func:`~pipeline.dedupe.events.compare_wording` of two canonical texts (stored
        encoding), then the actor check (see the module doc)."""
        found = self._native.compare(this, other)
        if found is not None:
            other_event, these, those, changes = found
            if not other_event and not changes:
                return REVISION
            diff = WordingDiff(other_event, tuple(these), tuple(those), changes)
        else:
            diff = compare_wording(
                _words(this),
                _words(other),
                names=self._names,
                max_other_changes=self._max_other_changes,
                max_other_change_share=self._max_other_change_share,
            )
        if diff.other_event or not diff.content_changes or self._actors is None:
            return diff
        return self._actor_check(this, other, diff)

    def _actor_check(self, this: bytes, other: bytes, diff: WordingDiff) -> WordingDiff:
        """``diff`` (a revision with content changes), or another event if an actor was
        replaced and the content changes are few enough for a swap."""
        actors = self._actors
        assert actors is not None  # noqa: S101 - checked by the caller
        shorter = min(this.count(b" "), other.count(b" ")) + 1  # canonical: single spaces
        limit = max(self._max_other_changes, self._max_other_change_share * shorter)
        if diff.content_changes > limit:
            return diff  # an editor's rewrite, as for any other name
        if this[:1] != b"\0" and other[:1] != b"\0":  # both in one byte a letter
            here, there = set(this.split(b" ")), set(other.split(b" "))
            vocabulary = self._actor_vocabulary
            if vocabulary.isdisjoint(here - there) or vocabulary.isdisjoint(there - here):
                return diff  # no actor's word on one side only: none was replaced
        swapped = actor_change(_words(this), _words(other), actors)
        if swapped is None:
            return diff
        return WordingDiff(True, swapped[0], swapped[1], diff.content_changes)

    def numeric_diff(self, before: bytes, after: bytes) -> tuple[NumericChange, ...]:
        """:func:`~pipeline.dedupe.numbers.numeric_diff` of two canonical texts (stored
        encoding)."""
        found = self._native.numeric_diff(before, after)
        if found is not None:
            return tuple(map(NumericChange._make, found))
        return numeric_diff(_words(before), _words(after))


def _words(text: bytes) -> list[str]:
    """The words of a canonical text in the stored encoding, for the Python path."""
    return decode_text(text).split(" ")

"""Who did it: the actors two near-identical paragraphs name, for the event check.

"نفذت الطائرات التركية ثلاث ضربات..." and "نفذت الطائرات الروسية ثلاث ضربات..." differ by one
word, and report two events. A place is recognised by its trigger word or the gazetteer
(:mod:`pipeline.dedupe.events`); an actor is recognised here, by the names of the project's
actor lexicon (``deploy/lexicons/actors.yaml``: names, demonyms, blocked phrases) and the
countries and nationality adjectives of ``deploy/dedupe/nationalities.yaml``, both read by
:mod:`pipeline.dedupe.gazetteer` (this module reads no file).

:meth:`ActorNames.mentions` finds the names in a paragraph's normalized words, longest name
first at each position ("قوات النظام السوري" is one mention, not "النظام" and "السوري"), with
the proclitics news attach (و ف ب ل ك، لل for a name with ال: "للنظام السوري"). Every name
stands for its actor id, so "روسيا", "موسكو", "الروسي" and "الروس" are one actor, and a
synonym swap ("قوات النظام" / "قوات الأسد") is no change of actor.

:func:`actor_change`: the two paragraphs report another event when one of them names an actor
*more often* than the other and the other names *another* actor more often, in the same place
of the aligned words (difflib: the one's name stands where the other's is): an actor was
replaced. An actor only added or only dropped (a revision that names the aircraft's country, or
drops it) is not enough; nor is a change of wording outside the names, nor a name whose words
the other paragraph all has (a word dropped from a longer name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from difflib import SequenceMatcher

Phrase = tuple[str, ...]

_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_ARTICLE_PROCLITICS = ("لل", "ولل", "فلل")  # ل + ال → لل: "للنظام"


def name_forms(word: str) -> Iterator[str]:
    """``word`` and ``word`` with a proclitic attached ("النظام" → "والنظام", "للنظام"...)."""
    yield word
    for clitic in _PROCLITICS:
        yield clitic + word
    if word.startswith("ال") and len(word) > 3:
        for clitic in _ARTICLE_PROCLITICS:
            yield clitic + word[2:]


class ActorNames:
    """Normalized actor names → actor ids, matched longest first. Immutable once built."""

    __slots__ = ("_first", "actors", "phrases", "vocabulary")

    def __init__(self, entries: Iterable[tuple[str, frozenset[str]]]) -> None:
        """``entries``: (normalized name, actor ids), words joined by single spaces; the first
        entry of a name wins. Empty ids: a blocked phrase (it names no actor, and a shorter
        name inside it is not read: "النظام الدولي")."""
        phrases: dict[Phrase, frozenset[str]] = {}
        for phrase, ids in entries:
            key = tuple(phrase.split(" "))
            if key and all(key):
                phrases.setdefault(key, ids)
        first: dict[str, list[tuple[Phrase, frozenset[str]]]] = {}
        for key, ids in phrases.items():
            for form in name_forms(key[0]):
                first.setdefault(form, []).append((key[1:], ids))
        self._first = {
            word: tuple(sorted(found, key=lambda entry: -len(entry[0])))
            for word, found in first.items()
        }
        self.phrases = len(phrases)
        """How many distinct names."""
        self.actors = frozenset(a for ids in phrases.values() for a in ids)
        """Every actor id named."""
        self.vocabulary = frozenset(self._first).union(*(key[1:] for key in phrases))
        """Every word a name can start with (with its proclitics) or go on with: a paragraph
        with none of them among its own words names no actor the other does not."""

    def mentions(self, words: Sequence[str]) -> dict[str, list[str]]:
        """Actor id → the names of its mentions in ``words`` (normalized), in order."""
        found: dict[str, list[str]] = {}
        first = self._first
        i, count = 0, len(words)
        while i < count:
            entries = first.get(words[i])
            i += 1
            if entries is None:
                continue
            for rest, ids in entries:
                end = i + len(rest)
                if end <= count and (not rest or tuple(words[i:end]) == rest):
                    name = " ".join(words[i - 1 : end])
                    for actor in ids:
                        found.setdefault(actor, []).append(name)
                    i = end
                    break
        return found


def actor_change(
    this: Sequence[str], other: Sequence[str], actors: ActorNames
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The names of the actor(s) ``this`` names more often than ``other`` and of those
    ``other`` names more often, when both exist (an actor was replaced); else None.

    The two names must face each other in the aligned words (one actor dropped at one place
    and another at another is two edits of one text). A name whose every word is also in the
    other paragraph is not a replacement either: the same words read otherwise ("قوات سوريا
    الديمقراطية" with "قوات" dropped leaves "سوريا الديمقراطية", where "سوريا" alone would
    name another actor)."""
    here, there = actors.mentions(this), actors.mentions(other)
    this_words, other_words = set(this), set(other)
    lost = _more(here, there, other_words)
    if not lost:
        return None
    gained = _more(there, here, this_words)
    if not gained:
        return None
    lost_words = {w for a in lost for n in here[a] for w in n.split(" ")} - other_words
    gained_words = {w for a in gained for n in there[a] for w in n.split(" ")} - this_words
    matcher = SequenceMatcher(None, list(this), list(other), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if (
            op == "replace"
            and not lost_words.isdisjoint(this[i1:i2])
            and not gained_words.isdisjoint(other[j1:j2])
        ):
            return _names(lost, here, there), _names(gained, there, here)
    return None  # one actor dropped here, another there: two edits, not a replacement


def _more(
    side: dict[str, list[str]], other: dict[str, list[str]], other_words: set[str]
) -> list[str]:
    """Actors ``side`` names more often than ``other``, by a name with a word that the other
    paragraph does not have."""
    return [
        actor
        for actor, names in side.items()
        if len(names) > len(other.get(actor, ()))
        and any(not other_words.issuperset(name.split(" ")) for name in names)
    ]


def _names(
    actors: list[str], side: dict[str, list[str]], other: dict[str, list[str]]
) -> tuple[str, ...]:
    """The names by which ``side`` mentions ``actors`` beyond what ``other`` has."""
    found: list[str] = []
    for actor in actors:
        theirs = other.get(actor, ())
        extra = [n for n in side[actor] if n not in theirs] or side[actor][-1:]
        found.extend(n for n in extra if n not in found)
    return tuple(found)

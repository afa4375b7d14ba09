"""Events: ACLED event and sub-event types from trigger phrases (``events.yaml``).

A trigger fires unless it is negated, hedged, blocked or covered by a longer phrase (the rules
are written at the top of ``events.yaml``). Territory triggers ("السيطرة على", "فك الحصار")
become Government regains territory, Non-state actor overtakes territory or Non-violent
transfer of territory depending on who is named before them (not counting the side that
withdrew: "بعد انسحاب تنظيم الدولة منه"), else right after them (a verb before its subject:
"سيطرت القوات التركية على"), and on a withdrawal after them. A clash or an attack on
civilians told only by a word for "attack" or "massacre" (``attack_words``) is dropped when the
paragraph reports violence of another type: that attack is the strike or the bombing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pipeline.tagging.actors import Actor
from pipeline.tagging.entities import Mention
from pipeline.tagging.lexicon import EventsFile
from pipeline.tagging.matcher import Match, Proclitics, WordSet
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import EventTag

BLOCK_REACH = 4
SUBJECT_REACH = 2  # words between a territory verb and a subject named after it
TERRITORY = -1
STATE_FORCES = "State Forces"
GOVERNMENT_REGAINS = ("Battles", "Government regains territory")
NON_STATE_OVERTAKES = ("Battles", "Non-state actor overtakes territory")
NON_VIOLENT_TRANSFER = ("Strategic developments", "Non-violent transfer of territory")
GENERIC = (("Battles", "Armed clash"), ("Violence against civilians", "Attack"))
VIOLENCE = ("Battles", "Explosions/Remote violence", "Violence against civilians")


@dataclass(frozen=True, slots=True)
class TriggerRef:
    sub_event: int
    """Index into the lexicon's ``sub_events``, or :data:`TERRITORY`."""
    weight: float


@dataclass(frozen=True, slots=True)
class NotTrigger:
    """A phrase that contains a trigger without meaning the event."""


EventPayload = TriggerRef | NotTrigger
_Key = tuple[str, str]


class EventDetector:
    def __init__(self, lexicon: EventsFile, actors: Mapping[str, Actor]) -> None:
        self._lexicon = lexicon
        self._actors = actors
        self._hedges = WordSet(lexicon.hedges, Proclitics.CONJUNCTION)
        self._negations = WordSet(lexicon.negations, Proclitics.CONJUNCTION)
        self._blocked = [WordSet(s.blocked_by, Proclitics.CONJUNCTION) for s in lexicon.sub_events]
        self._withdrawal = WordSet(lexicon.territory.withdrawal_cues, Proclitics.CONJUNCTION)
        self._keys = [(s.event_type, s.sub_event_type) for s in lexicon.sub_events]
        self._attack_words = frozenset(lexicon.attack_words)
        self._supersedes = {
            (s.event_type, s.sub_event_type): [(s.event_type, sub) for sub in s.supersedes]
            for s in lexicon.sub_events
        }

    def entries(self) -> Iterator[tuple[str, EventPayload, Proclitics]]:
        """Phrases for the trigger automaton."""
        for index, sub_event in enumerate(self._lexicon.sub_events):
            for trigger in sub_event.triggers:
                yield trigger.phrase, TriggerRef(index, trigger.weight), Proclitics.CONJUNCTION
        for trigger in self._lexicon.territory.triggers:
            yield trigger.phrase, TriggerRef(TERRITORY, trigger.weight), Proclitics.CONJUNCTION
        for phrase in self._lexicon.not_triggers:
            yield phrase, NotTrigger(), Proclitics.CONJUNCTION

    def detect(
        self,
        paragraph: Paragraph,
        matches: Sequence[Match[EventPayload]],
        actors: Sequence[Mention],
    ) -> tuple[EventTag, ...]:
        fired: dict[_Key, dict[str, tuple[str, float]]] = {}
        for match in matches:
            refs = [p for p in match.payloads if isinstance(p, TriggerRef)]
            if not refs or self._silenced(paragraph, match):
                continue
            phrase = " ".join(paragraph.words[match.first : match.end])
            surface = paragraph.surface(match.first, match.end)
            for ref in refs:
                key = self._key(paragraph, match, ref, actors)
                if key is not None:
                    triggers = fired.setdefault(key, {})
                    triggers.setdefault(phrase, (surface, ref.weight))
        for key, superseded in self._supersedes.items():
            if key in fired:
                for other in superseded:
                    fired.pop(other, None)
        for key in GENERIC:
            said = fired.get(key)
            elsewhere = any(k[0] in VIOLENCE and k[0] != key[0] for k in fired)
            if said and elsewhere and set(said) <= self._attack_words:
                del fired[key]
        events = [
            EventTag(
                event_type=key[0],
                sub_event_type=key[1],
                triggers=tuple(surface for surface, _ in triggers.values()),
                confidence=round(1.0 - math.prod(1.0 - w for _, w in triggers.values()), 2),
            )
            for key, triggers in fired.items()
        ]
        events.sort(key=lambda e: -e.confidence)
        return tuple(events)

    def _key(
        self, paragraph: Paragraph, match: Match[EventPayload], ref: TriggerRef,
        actors: Sequence[Mention],
    ) -> _Key | None:  # fmt: skip
        if ref.sub_event != TERRITORY:
            before = range(max(0, match.first - BLOCK_REACH), match.first)
            blocked = self._blocked[ref.sub_event]
            if any(paragraph.words[i] in blocked for i in before):
                return None
            return self._keys[ref.sub_event]
        return self._territory(paragraph, match, actors)

    def _territory(
        self, paragraph: Paragraph, match: Match[EventPayload], actors: Sequence[Mention]
    ) -> _Key | None:
        window = self._lexicon.territory.window
        after = range(match.end, min(len(paragraph), match.end + window))
        if any(
            paragraph.words[i] in self._withdrawal and paragraph.same_sentence(i, match.first)
            for i in after
        ):
            return NON_VIOLENT_TRANSFER
        taker = next(
            (
                m
                for m in reversed(actors)
                if m.end <= match.first
                and paragraph.same_sentence(m.first, match.first)
                and not (m.first and paragraph.words[m.first - 1] in self._withdrawal)
            ),
            None,
        )
        if taker is None:  # verb first: "سيطرت القوات التركية على ..."
            taker = next(
                (
                    m
                    for m in actors
                    if match.end <= m.first <= match.end + SUBJECT_REACH
                    and paragraph.same_sentence(m.first, match.first)
                ),
                None,
            )
        if taker is None:
            return None
        if self._actors[taker.id].acled_type == STATE_FORCES:
            return GOVERNMENT_REGAINS
        return NON_STATE_OVERTAKES

    def _silenced(self, paragraph: Paragraph, match: Match[EventPayload]) -> bool:
        """Negated right before, or hedged within the hedge window of the same sentence."""
        first = match.first
        if first and paragraph.words[first - 1] in self._negations:
            return True
        for i in range(max(0, first - self._lexicon.hedge_window), first):
            if paragraph.words[i] in self._hedges and paragraph.same_sentence(i, first):
                return True
        return False

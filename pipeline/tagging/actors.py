"""Actors: names, demonyms and anaphors resolved to canonical actors.

A name ("قوات الأسد", "قسد", "ميدفيديف") names its actor outright. A demonym names an actor only
when it qualifies one of the force nouns within three words before it, in the same sentence
("البوارج الروسية", "وزير الخارجية الفرنسي"), not "وكالة روسية" or "الحدود التركية". An anaphor
("التنظيم", "الفيلق") is resolved to the single actor declaring it that the paragraph names; if
the paragraph names none, to the most recent one named earlier in the article (``context``); if
it names two, it is left unresolved; "الجيش" right before another actor's demonym ("الجيش
التركي") is that actor's army, not an anaphor.

A country's or capital's name (``located`` in ``actors.yaml``) names its actor when the country
acts ("نفت أنقرة", "تركيا قصفت"), not where it is a location: after a preposition of place ("في
تركيا", "إلى موسكو"), with ب ("بتركيا"), after a border word and مع ("الحدود مع العراق"),
joined by و to such a location ("في سوريا والعراق"), or in a dateline ("واشنطن (رويترز) -").

A demonym right after another actor's name qualifies that name ("قوات المعارضة السورية"), not
a force noun. A demonym's mention starts at its force noun ("وزارة الدفاع الروسية"), so an
institution is the subject of its reporting verb ("قالت وزارة الدفاع الروسية").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.tagging.entities import ActorName, Entity, Mention
from pipeline.tagging.gazetteer import PlaceName
from pipeline.tagging.lexicon import ActorsFile
from pipeline.tagging.matcher import Match, Proclitics, WordSet
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import ActorTag

DEMONYM_REACH = 3  # words between a force noun and its demonym, at most
DATELINE_WORDS = 6  # a dateline's place names end within the paragraph's first words


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name_en: str
    acled_type: str


class ActorResolver:
    """Turns entity matches into actor mentions and :class:`ActorTag` values."""

    def __init__(self, lexicon: ActorsFile) -> None:
        self.actors = {a.id: Actor(a.id, a.name_en, a.acled_type) for a in lexicon.actors}
        self._lexicon = lexicon
        self._force_nouns = WordSet(lexicon.force_nouns)
        self._located = frozenset(lexicon.located)
        self._locatives = WordSet(lexicon.locatives, Proclitics.CONJUNCTION)
        self._border = WordSet(lexicon.border_words, Proclitics.CONJUNCTION)

    def entries(self) -> Iterator[tuple[str, Entity, Proclitics]]:
        """Phrases for the entity automaton."""
        anaphors: dict[str, list[str]] = {}
        for actor in self._lexicon.actors:
            for name in actor.names:
                role: Literal["name", "country"] = "country" if name in self._located else "name"
                yield name, ActorName((actor.id,), role), Proclitics.NAME
            for demonym in actor.demonyms:
                yield demonym, ActorName((actor.id,), "demonym"), Proclitics.NAME
            for anaphor in actor.anaphors:
                anaphors.setdefault(anaphor, []).append(actor.id)
        for anaphor, ids in anaphors.items():
            yield anaphor, ActorName(tuple(ids), "anaphor"), Proclitics.NAME
        for joint in self._lexicon.joint:
            yield joint.name, ActorName(tuple(joint.actors), "name"), Proclitics.NAME

    def resolve(
        self, paragraph: Paragraph, matches: Sequence[Match[Entity]], context: Sequence[str]
    ) -> list[Mention]:
        """Actor mentions in text order; ``context`` lists actors named earlier in the article,
        oldest first."""
        named, anaphoric, armies = self._named(paragraph, matches)
        present = {m.id for m in named}
        anaphoric = [(m, p) for m, p in anaphoric if m.first not in armies]
        for match, payload in anaphoric:
            here = [a for a in payload.actor_ids if a in present]
            if len(here) == 1:
                named.append(Mention(match.first, match.end, here[0], "actor"))
            elif not here:
                earlier = next((a for a in reversed(context) if a in payload.actor_ids), None)
                if earlier is not None:
                    named.append(Mention(match.first, match.end, earlier, "actor"))
        named.sort(key=lambda m: m.first)
        return named

    def tags(self, paragraph: Paragraph, mentions: Sequence[Mention]) -> tuple[ActorTag, ...]:
        """One tag per actor, with the words of its first mention."""
        seen: dict[str, ActorTag] = {}
        for mention in mentions:
            if mention.id not in seen:
                actor = self.actors[mention.id]
                surface = paragraph.surface(mention.first, mention.end)
                seen[mention.id] = ActorTag(actor.id, actor.name_en, actor.acled_type, surface)
        return tuple(seen.values())

    def _named(
        self, paragraph: Paragraph, matches: Sequence[Match[Entity]]
    ) -> tuple[list[Mention], list[tuple[Match[Entity], ActorName]], set[int]]:
        """Mentions by name, country and demonym; the anaphor matches; where the force nouns of
        demonyms stand."""
        named: list[Mention] = []
        anaphoric: list[tuple[Match[Entity], ActorName]] = []
        locations: set[int] = set()  # where names read as a location end
        armies: set[int] = set()
        countries = any(
            isinstance(p, ActorName) and p.role == "country" for m in matches for p in m.payloads
        )
        for match in matches:
            if (
                countries
                and any(isinstance(p, PlaceName) for p in match.payloads)
                and self._location(paragraph, match, locations)
            ):
                locations.add(match.end)
            for payload in match.payloads:
                if not isinstance(payload, ActorName):
                    continue
                first = match.first
                if payload.role == "anaphor":
                    anaphoric.append((match, payload))
                    continue
                if payload.role == "country" and self._location(paragraph, match, locations):
                    locations.add(match.end)
                    continue
                if payload.role == "demonym":
                    noun = self._force_noun(paragraph, match)
                    if noun is None or any(m.end == match.first for m in named):
                        continue  # no force noun, or it qualifies the name before it
                    first = noun
                    armies.add(noun)
                party = payload.role == "country"
                named.extend(
                    Mention(first, match.end, actor_id, "actor", party=party)
                    for actor_id in payload.actor_ids
                )
        return named, anaphoric, armies

    def _force_noun(self, paragraph: Paragraph, match: Match[Entity]) -> int | None:
        """Where the force noun a demonym qualifies begins (the nearest one within reach, in the
        same sentence, with the force nouns right before it), or None: the demonym then names
        no actor."""
        words = paragraph.words
        for i in range(match.first - 1, max(0, match.first - DEMONYM_REACH) - 1, -1):
            if words[i] in self._force_nouns and paragraph.same_sentence(i, match.first):
                first = i
                while first > 0 and words[first - 1] in self._force_nouns:
                    first -= 1  # the whole title: "رئاسة أركان الجيش التركي", "وزارة الدفاع"
                return first
        return None

    def _location(self, paragraph: Paragraph, match: Match[Entity], locations: set[int]) -> bool:
        """True where a country's name is used as a location, not as a party."""
        if "ب" in match.proclitic:
            return True
        if match.end <= DATELINE_WORDS and paragraph.norm[
            paragraph.ends[match.end - 1] :
        ].lstrip().startswith(("(", "-", "–")):
            return True  # a dateline: "أتلانتا، الولايات المتحدة (CNN)--"
        words = paragraph.words
        first = match.first
        previous = words[first - 1] if first else ""
        if previous in self._locatives:
            return True
        if previous in ("مع", "بين") and first > 1 and words[first - 2] in self._border:
            return True
        if match.proclitic.startswith("و"):
            return first in locations
        return previous == "و" and first - 1 in locations

"""Actors: names, demonyms and anaphors resolved to canonical actors.

A name ("قوات الأسد", "قسد", "ميدفيديف") names its actor outright. A demonym names an actor only
when it qualifies one of the force nouns within three words before it, in the same sentence
("البوارج الروسية", "وزير الخارجية الفرنسي"), not "وكالة روسية" or "الحدود التركية". An anaphor
("التنظيم", "الفيلق") is resolved to the single actor declaring it that the paragraph names; if
the paragraph names none, to the most recent one named earlier in the article (``context``); if
it names two, it is left unresolved.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.tagging.entities import ActorName, Entity, Mention
from pipeline.tagging.lexicon import ActorsFile
from pipeline.tagging.matcher import Match, Proclitics, WordSet
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import ActorTag

DEMONYM_REACH = 3  # words between a force noun and its demonym, at most


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

    def entries(self) -> Iterator[tuple[str, Entity, Proclitics]]:
        """Phrases for the entity automaton."""
        anaphors: dict[str, list[str]] = {}
        for actor in self._lexicon.actors:
            for name in actor.names:
                yield name, ActorName((actor.id,), "name"), Proclitics.NAME
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
        named: list[Mention] = []
        anaphoric: list[tuple[Match[Entity], ActorName]] = []
        for match in matches:
            for payload in match.payloads:
                if not isinstance(payload, ActorName):
                    continue
                if payload.role == "anaphor":
                    anaphoric.append((match, payload))
                elif payload.role == "name" or self._qualifies(paragraph, match):
                    named.extend(
                        Mention(match.first, match.end, actor_id, "actor")
                        for actor_id in payload.actor_ids
                    )
        present = {m.id for m in named}
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

    def _qualifies(self, paragraph: Paragraph, match: Match[Entity]) -> bool:
        """A demonym counts if a force noun stands shortly before it in the same sentence."""
        for i in range(max(0, match.first - DEMONYM_REACH), match.first):
            if paragraph.words[i] in self._force_nouns and paragraph.same_sentence(i, match.first):
                return True
        return False

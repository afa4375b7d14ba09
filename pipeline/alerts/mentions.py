"""What the rules count: a mention is one paragraph cluster seen in one article.

The same cluster carried by twenty outlets is one mention (counted once, in the window where
it was first seen for a key); the outlets' ownership groups are kept beside it, so a rule can
ask for independent groups. A rule with ``unit: story`` counts the article's story instead
(dedupe's story id: the same normalized words whatever the outlet), so an article's several
paragraphs about one actor are one mention. The source -> group mapping comes in as a plain
dict (from ``connectors.sources.SourceRegistry.outlet_groups`` in the command line; this
package does not import the connectors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import product

from kernel.text.normalize import normalize_arabic
from pipeline.alerts.rules import FilterField, KeyField
from pipeline.dedupe import ArticleInput, ArticleVerdict
from pipeline.tagging import ArticleTags


@dataclass(frozen=True, slots=True)
class Mention:
    """One paragraph of one article, with what the tagger found in it."""

    time: datetime
    """Event time: published, else fetched."""
    source: str
    group: str
    cluster_id: str
    url: str = ""
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    governorates: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    text: str = ""
    """The paragraph, for keyword rules (normalized here, as search normalizes)."""
    story_id: str = ""
    """The article's story (same normalized words, whatever the outlet): rules with
    ``unit: story`` count these instead of paragraph clusters."""

    def unit(self, unit: str) -> str:
        """What a rule counts this mention as: its story (``unit: story``; its cluster when
        it has no story id) or its paragraph cluster."""
        return self.story_id if unit == "story" and self.story_id else self.cluster_id


def group_of(source: str, groups: Mapping[str, str]) -> str:
    """The source's outlet group; an unknown source is its own group."""
    return groups.get(source, source)


_FIELDS: dict[str, Callable[[Mention], tuple[str, ...]]] = {
    "actor": lambda m: m.actors,
    "place": lambda m: m.places,
    "governorate": lambda m: m.governorates,
    "event_type": lambda m: m.event_types,
    "source": lambda m: (m.source,),
    "group": lambda m: (m.group,),
}


def field_values(
    mention: Mention, field: KeyField, keywords: Iterable[str] = ()
) -> tuple[str, ...]:
    """The values a mention has for one key or filter field (keywords: those in its text)."""
    if field == "keyword":
        text = normalize_arabic(mention.text)
        return tuple(word for word in keywords if normalize_arabic(word) in text)
    if field == "query":
        return ()  # a watchlist's key: see key_values
    return _FIELDS[field](mention)


def key_values(
    mention: Mention,
    fields: tuple[KeyField, ...],
    match: Mapping[KeyField, tuple[str, ...]],
    keywords: tuple[str, ...] = (),
    query: str = "",
) -> list[tuple[str, ...]]:
    """Every key (one value per field, all combinations) the mention falls under; the
    ``query`` field's value is the watchlist's query (the caller matched it)."""
    columns = []
    for field in fields:
        values = (query,) if field == "query" else field_values(mention, field, keywords)
        wanted = match.get(field)
        columns.append([v for v in dict.fromkeys(values) if not wanted or v in wanted])
    return [tuple(combo) for combo in product(*columns)]


def passes(mention: Mention, filters: Mapping[FilterField, tuple[str, ...]]) -> bool:
    """Whether the mention has, for every filter field, one of the values asked for."""
    return all(set(field_values(mention, field)) & set(wanted) for field, wanted in filters.items())


def article_mentions(
    article: ArticleInput, verdict: ArticleVerdict, tags: ArticleTags, groups: Mapping[str, str]
) -> Iterator[Mention]:
    """One mention per kept paragraph: its cluster and what the tagger found in it."""
    when = article.published or article.seen_at
    group = group_of(article.source, groups)
    for paragraph, found in zip(verdict.paragraphs, tags.paragraphs, strict=True):
        yield Mention(
            time=when,
            source=article.source,
            group=group,
            cluster_id=paragraph.cluster_id,
            url=article.url,
            actors=tuple(actor.id for actor in found.actors),
            places=tuple(place.id for place in found.places),
            governorates=tuple(dict.fromkeys(p.governorate for p in found.places if p.governorate)),
            event_types=tuple(dict.fromkeys(event.event_type for event in found.events)),
            text=paragraph.text,
            story_id=verdict.story_id,
        )

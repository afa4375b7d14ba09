"""Article roll-up of paragraph tags, and the flat fields the search index stores.

:func:`rollup` merges an article's paragraphs: an event type once (its highest confidence, all
its triggers), an actor, place or source once (first mention), a casualty statement once (a
bulletin repeats its items). :func:`to_index_fields` flattens paragraph or article tags into
keyword, integer, geo_point and date fields, named in :data:`INDEX_FIELDS`.

Their mapping is written once, in the index templates (``deploy/index-templates/``, which the
sink installs): :func:`index_mapping` reads it from there, and fails if a field the tagger
writes is missing (a strict mapping would refuse the documents). :data:`INDEX_MAPPING` is the
packaged article template's, read on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from kernel.datafiles import DataFileError
from pipeline.sinks.bodies import template_body
from pipeline.tagging.tags import ArticleTags, Casualty, EventTag, ParagraphTags, PlaceTag

T = TypeVar("T")

INDEX_FIELDS = (
    "event_types", "sub_event_types", "actor_ids", "actor_types", "place_ids", "governorates",
    "locations", "killed", "injured", "attribution_sources", "event_dates",
)  # fmt: skip
"""The fields :func:`to_index_fields` returns, in its order. Names only: their types are the
index templates'."""

TEMPLATE_KINDS = ("articles", "paragraphs")
"""The index templates whose documents carry the tag fields (articles and their paragraphs)."""


def index_mapping(kind: str = "articles", data_dir: Path | None = None) -> dict[str, Any]:
    """The mapping of :data:`INDEX_FIELDS` (a ``properties`` fragment), as the ``kind`` index
    template of the data files defines it (``data_dir``: an operator's copy of ``deploy/``,
    else the packaged one).

    Raises :class:`~kernel.datafiles.DataFileError` naming the fields the template lacks: the
    templates' mappings are strict, so the engine would refuse every tagged document.
    """
    name = f"index-templates/news-{kind}.json"
    body = template_body(kind, "news", data_dir)
    properties: dict[str, Any] = body["template"]["mappings"]["properties"]
    if missing := [field for field in INDEX_FIELDS if field not in properties]:
        raise DataFileError(
            f"{name} has no mapping for {', '.join(missing)}: the tagger writes these fields"
        )
    return {field: properties[field] for field in INDEX_FIELDS}


@functools.cache
def _packaged_mapping() -> dict[str, Any]:
    return index_mapping()


class _PackagedMapping(Mapping[str, Any]):
    """:func:`index_mapping` of the packaged article template, read on first use, so that
    importing the tagger reads no file (and a missing template fails where it is used)."""

    def __getitem__(self, field: str) -> Any:
        return _packaged_mapping()[field]

    def __iter__(self) -> Iterator[str]:
        return iter(_packaged_mapping())

    def __len__(self) -> int:
        return len(_packaged_mapping())

    def __repr__(self) -> str:
        return repr(_packaged_mapping())


INDEX_MAPPING: Mapping[str, Any] = _PackagedMapping()
"""Mapping of the fields :func:`to_index_fields` returns, from the packaged article template."""


def rollup(paragraphs: Sequence[ParagraphTags]) -> ArticleTags:
    """The article's tags: every paragraph's, merged."""
    events: dict[tuple[str, str], EventTag] = {}
    for event in (e for p in paragraphs for e in p.events):
        key = (event.event_type, event.sub_event_type)
        if key in events:
            known = events[key]
            triggers = tuple(dict.fromkeys((*known.triggers, *event.triggers)))
            confidence = max(known.confidence, event.confidence)
            events[key] = replace(known, triggers=triggers, confidence=confidence)
        else:
            events[key] = event
    casualties = _distinct_casualties(c for p in paragraphs for c in p.casualties)
    return ArticleTags(
        paragraphs=tuple(paragraphs),
        events=tuple(sorted(events.values(), key=lambda e: -e.confidence)),
        actors=_first_by((a for p in paragraphs for a in p.actors), lambda a: a.id),
        places=_first_by((x for p in paragraphs for x in p.places), lambda x: x.id),
        casualties=casualties,
        attribution=_first_by(
            (a for p in paragraphs for a in p.attribution), lambda a: (a.source_id, a.kind)
        ),
        dates=tuple(
            sorted(
                _first_by((d for p in paragraphs for d in p.dates), lambda d: d.date),
                key=lambda d: d.date,
            )
        ),
        killed=_total(casualties, "killed"),
        injured=_total(casualties, "injured"),
    )


def to_index_fields(tags: ParagraphTags | ArticleTags) -> dict[str, Any]:
    """Flat index fields (:data:`INDEX_FIELDS`, mapped by the index templates), lists sorted
    and without duplicates.

    ``killed``/``injured``: the sum of the lower bounds of the distinct casualty statements.
    ``locations``: one geo_point per place finer than a country.
    """
    casualties = _distinct_casualties(tags.casualties)
    places: Sequence[PlaceTag] = tags.places
    return {
        "event_types": _sorted(e.event_type for e in tags.events),
        "sub_event_types": _sorted(e.sub_event_type for e in tags.events),
        "actor_ids": _sorted(a.id for a in tags.actors),
        "actor_types": _sorted(a.acled_type for a in tags.actors),
        "place_ids": _sorted(p.id for p in places),
        "governorates": _sorted(p.governorate for p in places if p.governorate),
        "locations": [
            {"lat": lat, "lon": lon}
            for lat, lon in dict.fromkeys(
                (p.lat, p.lon) for p in places if p.precision != "country"
            )
        ],
        "killed": _total(casualties, "killed"),
        "injured": _total(casualties, "injured"),
        "attribution_sources": _sorted(a.source_id for a in tags.attribution),
        "event_dates": _sorted(d.date.isoformat() for d in tags.dates),
    }


def lower_bound(casualty: Casualty) -> int:
    """The least number of people a casualty statement reports ("أكثر من 40" → 41)."""
    if casualty.low is not None:
        return casualty.low
    return casualty.count or 0


def _total(casualties: Iterable[Casualty], kind: str) -> int:
    return sum(lower_bound(c) for c in casualties if c.kind == kind)


def _distinct_casualties(casualties: Iterable[Casualty]) -> tuple[Casualty, ...]:
    return _first_by(casualties, lambda c: (c.kind, c.count, c.approx, c.applies_to))


def _first_by(items: Iterable[T], key: Callable[[T], Hashable]) -> tuple[T, ...]:
    """``items`` without repeats of ``key``, first occurrences, in order."""
    first: dict[Hashable, T] = {}
    for item in items:
        first.setdefault(key(item), item)
    return tuple(first.values())


def _sorted(values: Iterable[str]) -> list[str]:
    return sorted(set(values))

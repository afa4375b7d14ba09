"""Readable names for the ids the index stores, and the tags a paragraph carries.

The index keeps ids (``actor_ids``, ``place_ids``, governorates by their English name); the
lexicons the worker tagged with say what they are called in Arabic and how precise a place is.
The paragraph documents keep no offsets of their tags, so the article page tags each paragraph
again with the same :class:`~pipeline.tagging.Tagger` (the same lexicons, the same code) to find
the words that made each tag. Without a tagger (the lexicons could not be loaded) the ids are
shown as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cli.console.render import TagSpan
from pipeline.tagging import ParagraphTags, Tagger
from pipeline.tagging.gazetteer import Place

log = logging.getLogger(__name__)

SETTLEMENT_PRECISIONS = frozenset({"landmark", "neighbourhood", "settlement"})


@dataclass(frozen=True, slots=True)
class Names:
    """Display names of actors, places and governorates (ids when unknown)."""

    tagger: Tagger | None
    spelled: Mapping[str, str] = field(default_factory=dict)
    """Actor id -> its name as the lexicon file spells it (:func:`actor_spellings`)."""

    def actor(self, actor_id: str) -> str:
        if actor_id in self.spelled:
            return self.spelled[actor_id]
        if self.tagger is not None:
            for actor in self.tagger.lexicons.actors.actors:
                if actor.id == actor_id:
                    return actor.names[0]
        return actor_id

    def place(self, place_id: str) -> Place | None:
        return self.tagger.gazetteer.places.get(place_id) if self.tagger is not None else None

    def place_name(self, place_id: str) -> str:
        place = self.place(place_id)
        return place.name_ar if place is not None else place_id

    def governorate(self, name_en: str) -> str:
        if self.tagger is not None:
            for place in self.tagger.gazetteer.places.values():
                if place.precision == "governorate" and place.name_en == name_en:
                    return place.name_ar
        return name_en

    def facet_label(self, facet: str, value: str) -> str:
        if facet == "actor":
            return self.actor(value)
        if facet == "place":
            return self.place_name(value)
        if facet == "gov":
            return self.governorate(value)
        return value


def actor_spellings(lexicon_dir: Path) -> dict[str, str]:
    """Each actor's first name in ``actors.yaml`` as written there (with its ة and أ), or
    nothing when the file cannot be read (the normalized names are shown then)."""
    try:
        data = yaml.safe_load((lexicon_dir / "actors.yaml").read_text(encoding="utf-8"))
        return {
            str(actor["id"]): str(actor["names"][0])
            for actor in data.get("actors", [])
            if actor.get("id") and actor.get("names")
        }
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        log.warning("actor names not read from %s: %s", lexicon_dir, exc)
        return {}


def map_precision(place: Place) -> str:
    """The map's two precisions: a settlement (or finer) is drawn where it is; a region or a
    governorate only at its centroid."""
    return "settlement" if place.precision in SETTLEMENT_PRECISIONS else "governorate"


def tag_spans(tags: ParagraphTags) -> list[TagSpan]:
    """The words of a paragraph that made each of its tags, with their kind."""
    spans: list[TagSpan] = []
    for event in tags.events:
        spans += [
            TagSpan(t, "event", f"{event.event_type} / {event.sub_event_type}")
            for t in event.triggers
        ]
    spans += [TagSpan(a.surface, "actor", a.name_en) for a in tags.actors]
    spans += [TagSpan(p.surface, "place", f"{p.name_en} ({p.precision})") for p in tags.places]
    spans += [
        TagSpan(c.evidence, "casualty", f"{c.kind}: {c.count if c.count is not None else '?'}")
        for c in tags.casualties
    ]
    spans += [TagSpan(a.surface, "source", f"{a.kind}: {a.source_id}") for a in tags.attribution]
    return spans


__all__ = ["SETTLEMENT_PRECISIONS", "Names", "actor_spellings", "map_precision", "tag_spans"]

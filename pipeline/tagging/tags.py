"""The tagger's output: frozen values per paragraph (:class:`ParagraphTags`) and per article.

Every tag keeps the text it came from (``surface`` / ``evidence``, in the paragraph's original
spelling when it can be recovered, else its normalized form), so a lexicon editor can see why a
tag fired. :func:`as_dict` turns any of them into JSON-ready dictionaries (``marsad tag``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

CasualtyKind = Literal["killed", "injured", "captured", "executed", "missing"]
Approx = Literal[
    "exact", "more_than", "at_least", "about", "less_than", "dozens", "hundreds", "several",
    "unspecified",
]  # fmt: skip
Precision = Literal["landmark", "neighbourhood", "settlement", "region", "governorate", "country"]
ClaimKind = Literal["claim", "denial"]
DateKind = Literal["explicit", "weekday", "relative"]


@dataclass(frozen=True, slots=True)
class EventTag:
    """An ACLED event type and sub-event type, the trigger phrases that fired, a confidence."""

    event_type: str
    sub_event_type: str
    triggers: tuple[str, ...]
    confidence: float


@dataclass(frozen=True, slots=True)
class ActorTag:
    """A canonical actor (``actors.yaml``) and the words that named it."""

    id: str
    name_en: str
    acled_type: str
    surface: str


@dataclass(frozen=True, slots=True)
class PlaceTag:
    """A canonical place with its coordinates, governorate (ACLED admin1) and precision.

    ``governorate`` is None outside Syria; ``country`` is the ISO 3166 alpha-2 code;
    ``coords_approx`` marks curated coordinates (good at district scale, not street scale).
    """

    id: str
    name_ar: str
    name_en: str
    lat: float
    lon: float
    governorate: str | None
    country: str
    precision: Precision
    coords_approx: bool
    surface: str


@dataclass(frozen=True, slots=True)
class Casualty:
    """A count of people killed, injured, captured, executed or missing, and its evidence.

    ``count`` is the number written (the lower bound for "أكثر من 40"); None when the text gives
    no number ("عشرات", "جرحى"). ``low``/``high`` bound the true figure when the text does:
    "أكثر من 40" is low 41, "حوالي 40" low and high None, "عشرات" low 20 high 99, "قتيلين" 2 and 2.
    ``applies_to`` is an actor id, ``"civilians"`` or None.
    """

    kind: CasualtyKind
    count: int | None
    approx: Approx
    low: int | None
    high: int | None
    applies_to: str | None
    evidence: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the paragraph's information comes from: a source id (``attribution.yaml``) or an
    actor id (an actor that announces, claims or denies), and whether it is a denial."""

    source_id: str
    surface: str
    kind: ClaimKind


@dataclass(frozen=True, slots=True)
class DateTag:
    """A date the text gives: written out, a weekday or a relative day resolved against the
    publication date."""

    date: date
    surface: str
    kind: DateKind


@dataclass(frozen=True, slots=True)
class ParagraphTags:
    """Everything the tagger found in one paragraph; each tuple without duplicates, in text order
    (events: by confidence)."""

    events: tuple[EventTag, ...] = ()
    actors: tuple[ActorTag, ...] = ()
    places: tuple[PlaceTag, ...] = ()
    casualties: tuple[Casualty, ...] = ()
    attribution: tuple[Attribution, ...] = ()
    dates: tuple[DateTag, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleTags:
    """An article's paragraphs' tags and their roll-up (see :func:`pipeline.tagging.rollup`).

    ``killed`` and ``injured`` sum the lower bounds of the article's distinct casualty statements
    (a statement repeated in a bulletin counts once; "عشرات" counts 20, "جرحى" 0).
    """

    paragraphs: tuple[ParagraphTags, ...]
    events: tuple[EventTag, ...]
    actors: tuple[ActorTag, ...]
    places: tuple[PlaceTag, ...]
    casualties: tuple[Casualty, ...]
    attribution: tuple[Attribution, ...]
    dates: tuple[DateTag, ...]
    killed: int
    injured: int


def as_dict(value: object) -> Any:
    """``value`` (a tag, tags, or tuples of them) as JSON-ready data; dates become ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [as_dict(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value

"""The lexicon files of ``deploy/lexicons/``: one pydantic model each, one loader, clear errors.

    actors.yaml       canonical actors, their names, anaphors and demonyms
    places.yaml       governorates, countries, the curated supplement to GeoNames
    stopwords.yaml    place names that are common words (for the tagger and the dedupe stage),
                      and the words that introduce places
    events.yaml       ACLED event and sub-event types with their trigger phrases
    attribution.yaml  news sources and the verbs that attribute

Every file has a ``version``; every phrase is normalized on load with the project's normalizer
(``pipeline.text.tokens``), so editors write Arabic as it is written. A file that is missing,
is not YAML, or breaks a rule (unknown key, duplicate name, an ACLED type that does not exist,
a curated place outside Syria...) raises :class:`LexiconError` naming the file and the entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.tagging.exceptions import LexiconError
from pipeline.text import tokens


def _phrase(value: str) -> str:
    words = tokens(value)
    if not words:
        raise ValueError(f"{value!r} has no words")
    return " ".join(words)


Phrase = Annotated[str, AfterValidator(_phrase)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Weight = Annotated[float, Field(gt=0.0, le=1.0)]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

AcledActorType = Literal[
    "State Forces", "Rebel Groups", "Political Militias", "Identity Militias", "Rioters",
    "Protesters", "Civilians", "External/Other Forces",
]  # fmt: skip
ACLED_EVENTS: Mapping[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": (
        "Peaceful protest", "Protest with intervention", "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ),
}  # fmt: skip
SYRIA_BOX = ((32.2, 37.5), (35.5, 42.5))  # (lat min, lat max), (lon min, lon max)


def _single_words(values: Iterable[str], what: str) -> None:
    if phrases := sorted(v for v in values if " " in v):
        raise ValueError(f"{what} must be single words: {', '.join(phrases)}")


def _unique(values: Iterable[str], what: str) -> None:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    if repeated:
        raise ValueError(f"duplicate {what}: {', '.join(repeated)}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorEntry(_Strict):
    id: Id
    name_en: str = Field(min_length=1)
    acled_type: AcledActorType
    names: list[Phrase] = Field(min_length=1)
    anaphors: list[Phrase] = []
    demonyms: list[Phrase] = []


class JointName(_Strict):
    name: Phrase
    actors: list[Id] = Field(min_length=2)


class ActorsFile(_Strict):
    version: int = Field(ge=1)
    force_nouns: list[Phrase] = Field(min_length=1)
    actors: list[ActorEntry] = Field(min_length=1)
    joint: list[JointName] = []
    blocked: list[Phrase] = []
    located: list[Phrase] = []
    """Actor names that are also a location (a country, its capital): they name the actor only
    where the text does not use them as a location ("في تركيا", "إلى موسكو", "بطهران")."""
    locatives: list[Phrase] = []
    """Words before a country's name that make it a location, not a party ("في", "إلى")."""
    border_words: list[Phrase] = []
    """Words that make "X مع <country>" a location ("الحدود مع العراق")."""

    @model_validator(mode="after")
    def _consistent(self) -> ActorsFile:
        _unique((a.id for a in self.actors), "actor ids")
        owner: dict[str, str] = {}
        for actor in self.actors:
            for name in (*actor.names, *actor.demonyms):
                if name in owner and owner[name] != actor.id:
                    raise ValueError(
                        f"actors ({actor.id}): name {name!r} is already a name of {owner[name]!r}"
                    )
                owner[name] = actor.id
        known = {a.id for a in self.actors}
        for joint in self.joint:
            if unknown := [a for a in joint.actors if a not in known]:
                raise ValueError(f"joint name {joint.name!r} names unknown actors {unknown}")
        _unique(self.blocked, "blocked phrases")
        _single_words(self.force_nouns, "force nouns")
        _single_words((*self.locatives, *self.border_words), "locatives and border words")
        if unknown := sorted(set(self.located) - set(owner)):
            raise ValueError(f"located names that are no actor's name: {', '.join(unknown)}")
        return self


class SourceEntry(_Strict):
    id: Id
    name_en: str = Field(min_length=1)
    kind: Literal["monitor", "agency", "media", "organisation", "generic"]
    names: list[Phrase] = Field(min_length=1)


class AttributionFile(_Strict):
    version: int = Field(ge=1)
    subject_window: int = Field(ge=1, le=10)
    claim_verbs: list[Phrase] = Field(min_length=1)
    prepositions: list[Phrase] = []
    denial_verbs: list[Phrase] = Field(min_length=1)
    subject_titles: list[Phrase] = []
    subject_gap: list[Phrase] = []
    relay_words: list[Phrase] = []
    sources: list[SourceEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> AttributionFile:
        _unique((s.id for s in self.sources), "source ids")
        _unique((n for s in self.sources for n in s.names), "source names")
        verbs = (*self.claim_verbs, *self.prepositions, *self.denial_verbs)
        _unique(verbs, "verbs and prepositions")
        _single_words(verbs, "verbs and prepositions")
        _single_words(
            (*self.subject_titles, *self.subject_gap, *self.relay_words), "titles, gaps, relays"
        )
        return self


class Trigger(_Strict):
    phrase: Phrase
    weight: Weight


class SubEvent(_Strict):
    event_type: str
    sub_event_type: str
    triggers: list[Trigger] = Field(min_length=1)
    blocked_by: list[Phrase] = []
    supersedes: list[str] = []

    @model_validator(mode="after")
    def _acled(self) -> SubEvent:
        subs = ACLED_EVENTS.get(self.event_type)
        if subs is None:
            raise ValueError(f"{self.event_type!r} is not an ACLED event type")
        for sub in (self.sub_event_type, *self.supersedes):
            if sub not in subs:
                raise ValueError(f"{sub!r} is not a sub-event type of {self.event_type!r}")
        _unique((t.phrase for t in self.triggers), f"triggers of {self.sub_event_type!r}")
        return self


class Territory(_Strict):
    window: int = Field(ge=1, le=40)
    triggers: list[Trigger] = Field(min_length=1)
    withdrawal_cues: list[Phrase] = []


class EventsFile(_Strict):
    version: int = Field(ge=1)
    hedge_window: int = Field(ge=0, le=20)
    hedges: list[Phrase] = []
    negations: list[Phrase] = []
    not_triggers: list[Phrase] = []
    attack_words: list[Phrase] = []
    """Triggers that only say "attack" or "massacre": their Armed clash or Attack is dropped
    when the paragraph reports violence of another type ("الهجوم" of a strike is the strike)."""
    sub_events: list[SubEvent] = Field(min_length=1)
    territory: Territory

    @model_validator(mode="after")
    def _consistent(self) -> EventsFile:
        _unique((f"{s.event_type}/{s.sub_event_type}" for s in self.sub_events), "sub-events")
        _single_words((*self.hedges, *self.negations), "hedges and negations")
        _single_words((w for s in self.sub_events for w in s.blocked_by), "blocked_by words")
        _single_words(self.territory.withdrawal_cues, "withdrawal cues")
        return self


class GeoNamesConfig(_Strict):
    country: CountryCode
    min_population: int = Field(ge=0)
    neighbours: list[CountryCode] = []
    neighbour_min_population: int = Field(ge=0)
    world_min_population: int = Field(default=0, ge=0)
    """Cities elsewhere in the world from this size (0: none): where talks, strikes and
    attacks abroad happen."""
    world_capitals: bool = False
    """Every country's capital too, whatever its size."""
    extra_places: list[int] = []
    """GeoNames ids of places outside Syria in scope whatever their size (border towns, venues
    of talks)."""
    world_min_letters: int = Field(default=4, ge=2)
    """Shortest one-word name used for a place outside Syria and its neighbours."""
    extra_names: dict[int, list[Phrase]] = {}


class GovernorateEntry(_Strict):
    id: Id
    name_en: str = Field(min_length=1)
    name_ar: str = Field(min_length=1)
    admin1: str = Field(pattern=r"^\d\d$")
    capital: int | None = None
    names: list[Phrase] = []
    lat: Latitude
    lon: Longitude
    coords_approx: bool = True


class CountryEntry(_Strict):
    id: Id
    iso: CountryCode
    name_en: str = Field(min_length=1)
    name_ar: str = Field(min_length=1)
    names: list[Phrase] = Field(min_length=1)
    lat: Latitude
    lon: Longitude
    coords_approx: bool = True


class PlaceEntry(_Strict):
    id: Id
    name_en: str = Field(min_length=1)
    name_ar: str = Field(min_length=1)
    names: list[Phrase] = []
    precision: Literal["landmark", "neighbourhood", "settlement", "region"]
    governorate: str
    lat: Latitude
    lon: Longitude
    coords_approx: bool = True
    guarded: bool = False

    @model_validator(mode="after")
    def _in_syria(self) -> PlaceEntry:
        (lat_min, lat_max), (lon_min, lon_max) = SYRIA_BOX
        if not (lat_min <= self.lat <= lat_max and lon_min <= self.lon <= lon_max):
            raise ValueError(f"{self.id}: ({self.lat}, {self.lon}) is outside Syria")
        return self


class PlacesFile(_Strict):
    version: int = Field(ge=1)
    geonames: GeoNamesConfig
    governorates: list[GovernorateEntry] = Field(min_length=1)
    countries: list[CountryEntry] = []
    places: list[PlaceEntry] = []

    @model_validator(mode="after")
    def _consistent(self) -> PlacesFile:
        ids = [g.id for g in self.governorates] + [c.id for c in self.countries]
        _unique(ids + [p.id for p in self.places], "place ids")
        _unique((g.admin1 for g in self.governorates), "governorate admin1 codes")
        known = {g.name_en for g in self.governorates}
        for place in self.places:
            if place.governorate not in known:
                raise ValueError(f"{place.id}: unknown governorate {place.governorate!r}")
        return self


class StopwordsFile(_Strict):
    """The one stoplist of place names, for both stages that read them.

    ``guarded`` and ``never`` are the tagger's; ``dedupe_guarded`` is the dedupe stage's (the
    one-word names it does not read as a place when they stand bare). The two guard lists
    differ where the stages' lists always differed: merging them would change verdicts and
    tags, so they are kept apart, in one file, until that is decided.
    """

    version: int = Field(ge=1)
    guarded: list[Phrase] = []
    never: list[Phrase] = []
    dedupe_guarded: list[Phrase] = []
    settlement_triggers: list[Phrase] = Field(min_length=1)
    governorate_triggers: list[Phrase] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> StopwordsFile:
        _unique(self.guarded, "guarded names")
        _unique(self.never, "never-used names")
        _unique(self.dedupe_guarded, "dedupe-guarded names")
        _single_words(self.dedupe_guarded, "dedupe-guarded names")  # bare names are one word
        _single_words((*self.settlement_triggers, *self.governorate_triggers), "triggers")
        return self


@dataclass(frozen=True, slots=True)
class Lexicons:
    """All lexicon files of one directory, validated."""

    actors: ActorsFile
    places: PlacesFile
    stopwords: StopwordsFile
    events: EventsFile
    attribution: AttributionFile

    @property
    def versions(self) -> dict[str, int]:
        """``{file name: version}``: what ``marsad tag`` and the index record."""
        return {
            "actors.yaml": self.actors.version,
            "places.yaml": self.places.version,
            "stopwords.yaml": self.stopwords.version,
            "events.yaml": self.events.version,
            "attribution.yaml": self.attribution.version,
        }


M = TypeVar("M", bound=BaseModel)


def load_file(path: Path, model: type[M]) -> M:
    """Read and validate one lexicon file; :class:`LexiconError` names the file and the entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(str(path), "", f"cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(str(path), "", f"not valid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        entry = _describe(raw, error["loc"])
        reason = error["msg"].removeprefix("Value error, ")
        raise LexiconError(str(path), entry, reason) from exc


def load_lexicons(directory: Path) -> Lexicons:
    """Load and validate every lexicon file of ``directory``, and check them against each other."""
    lexicons = Lexicons(
        actors=load_file(directory / "actors.yaml", ActorsFile),
        places=load_file(directory / "places.yaml", PlacesFile),
        stopwords=load_file(directory / "stopwords.yaml", StopwordsFile),
        events=load_file(directory / "events.yaml", EventsFile),
        attribution=load_file(directory / "attribution.yaml", AttributionFile),
    )
    actor_ids = {a.id for a in lexicons.actors.actors}
    for source in lexicons.attribution.sources:
        if source.id in actor_ids:
            raise LexiconError(
                str(directory / "attribution.yaml"),
                f"sources ({source.id})",
                "a source id must not be an actor id (attributions name either)",
            )
    return lexicons


def _describe(raw: Any, loc: tuple[int | str, ...]) -> str:
    """``actors[3] (isis).names[2]`` for a pydantic error location in the raw YAML."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts.append(f" ({node['id']})")
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)

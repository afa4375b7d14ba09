"""The index template's Arabic analyzer and the search query, proven on the real engine.

Beyond the analyzer's variants (hamza, diacritics, digits...): proclitic forms (بـ لـ كـ فـ و),
an actor's other names (from the tagger's lexicons, with the name each hit matched), place
names protected from stem collisions, and place names that are common words. The labelled
out-of-sample cases of the same kinds run in test_search_oos.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from kernel.settings import Settings
from pipeline.sinks.bodies import parse_hits, search_body
from pipeline.sinks.expansion import QueryExpansion
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import Hit, IndexAction, SinkError

DOCS = {
    "ahrar": "قالت حركة أحرار الشام إن مقاتليها صدوا هجوما على ريف إدلب",
    "rockets": "سقطت صواريخ على الأحياء الشرقية من مدينة دوما",
    "shell": "سقطت قذيفة هاون على حي المزة في دمشق",
    "digits": "قتل ١٧ عنصرا من قوات النظام في المعارك",
    "ascii": "أصيب 23 مدنيا بجروح في القصف",
    "other": "افتتاح معرض الكتاب في عمان بمشاركة واسعة",
    # proclitics the light stemmer leaves on
    "bialeppo": "قتل خمسة مدنيين بقصف جوي استهدف سوقا شعبيا بحلب صباح اليوم",
    "lidamascus": "وصل وفد أممي لدمشق لبحث ملف المعتقلين",
    "lighara": "تعرضت القرية لغارة جوية عنيفة فجر اليوم",
    # one actor under three names
    "daesh": "شن عناصر داعش هجوما على نقاط للجيش قرب البادية",
    "islamic-state": "أعلن تنظيم الدولة الإسلامية مسؤوليته عن التفجير",
    "lil-islamic-state": "نسبت الوزارة الهجوم لتنظيم الدولة في بيانها",
    # stem collisions with place names
    "hama": "سقطت قذائف على أحياء مدينة حماة الشرقية",
    "protection": "طالبت المنظمة بتوفير الحماية للمدنيين في المخيمات",
    "raqqa": "تقدمت القوات نحو الرقة من ثلاثة محاور",
    "progress": "أكد الوزير على الرقي بمستوى التعليم في المدارس",
}


@pytest.fixture(scope="module")
def indexed(settings: Settings) -> Iterator[Settings]:
    async def load() -> None:
        sink = open_sink(settings)
        try:
            await sink.ensure_templates()
            await sink.bulk(
                [
                    IndexAction(
                        "articles",
                        f"search-{doc_id}",
                        {"url_id": doc_id, "title": "", "text": text},
                    )
                    for doc_id, text in DOCS.items()
                ]
            )
            await sink.refresh("articles")
        finally:
            await sink.close()

    asyncio.run(load())
    yield settings


@pytest.fixture(scope="module")
def expansion(settings: Settings) -> QueryExpansion:
    return QueryExpansion.load(settings.lexicons_path())


def hits_for(
    settings: Settings, query: str, expansion: QueryExpansion | None = None
) -> dict[str, Hit]:
    async def go() -> dict[str, Hit]:
        sink = open_sink(settings)
        try:
            response = await sink.search("articles", search_body(query, 20, expansion=expansion))
        finally:
            await sink.close()
        return {
            h.id.removeprefix("search-"): h
            for h in parse_hits(response)
            if h.id.startswith("search-")
        }

    return asyncio.run(go())


def ids_for(settings: Settings, query: str) -> set[str]:
    return set(hits_for(settings, query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("احرار الشام", "ahrar"),  # hamza-less alef finds أحرار
        ("أحرار الشام", "ahrar"),
        ("الصواريخ", "rockets"),  # the definite article is stemmed away
        ("قَذِيفَةٌ", "shell"),  # diacritics are ignored
        ("قذيـــفة", "shell"),  # so is tatweel
        ("17 عنصرا", "digits"),  # ASCII digits find Arabic-Indic ones
        ("٢٣ مدنيا", "ascii"),  # and the other way round
        ("أحرار\u200f الشام", "ahrar"),  # a stray right-to-left mark is ignored, as in Python
        ("ٱلصواريخ", "rockets"),  # alef wasla folds to alef, as in Python
    ],
)
def test_arabic_query_variants_match(indexed: Settings, query: str, expected: str) -> None:
    assert ids_for(indexed, query) == {expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("حلب", {"bialeppo"}),  # the text has بحلب
        ("وحلب", {"bialeppo"}),
        # لدمشق and في دمشق; a capital in a query is the place, not the government's other
        # names (the lexicon's located list), so not «قوات النظام»
        ("دمشق", {"lidamascus", "shell"}),
        ("غارة", {"lighara"}),  # لغارة: not a name, found by its forms
        ("الرقة", {"raqqa"}),
        ("للرقة", {"raqqa"}),
    ],
)
def test_proclitic_forms_find_each_other(
    indexed: Settings, expansion: QueryExpansion, query: str, expected: set[str]
) -> None:
    assert set(hits_for(indexed, query, expansion)) == expected


@pytest.mark.parametrize("query", ["داعش", "تنظيم الدولة الإسلامية", "الدولة الإسلامية"])
def test_an_actors_names_find_each_other_and_say_why(
    indexed: Settings, expansion: QueryExpansion, query: str
) -> None:
    hits = hits_for(indexed, query, expansion)
    assert set(hits) == {"daesh", "islamic-state", "lil-islamic-state"}
    for hit in hits.values():
        assert {m.group for m in hit.matched_aliases} == {"isis"}
        assert hit.highlights and "**" in hit.highlights[0]
    matched = {m.alias for m in hits["lil-islamic-state"].matched_aliases}
    assert "تنظيم الدوله" in matched  # written لتنظيم الدولة


def test_without_the_lexicons_a_name_is_only_its_words(indexed: Settings) -> None:
    assert ids_for(indexed, "داعش") == {"daesh"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("الحماية", {"protection"}),  # حماية and حماة (Hama) share the stem حما
        ("حماة", {"hama"}),
        ("الرقي", {"progress"}),  # الرقي and الرقة share the stem رق
    ],
)
def test_a_common_word_does_not_find_the_city_its_stem_collides_with(
    indexed: Settings, expansion: QueryExpansion, query: str, expected: set[str]
) -> None:
    assert set(hits_for(indexed, query, expansion)) == expected


def test_unrelated_query_finds_nothing(indexed: Settings) -> None:
    assert ids_for(indexed, "انتخابات بلدية") == set()


def test_strict_mapping_refuses_unknown_fields(indexed: Settings) -> None:
    async def go() -> None:
        sink = open_sink(indexed)
        try:
            await sink.bulk([IndexAction("articles", "bad", {"url_id": "x", "surprise": 1})])
        finally:
            await sink.close()

    with pytest.raises(SinkError) as info:
        asyncio.run(go())
    assert info.value.retriable is False

"""The rules added for news beyond the bulletins (issue 16), on sentences written for these tests:
countries as parties, demonyms and titles, places abroad, withdrawal and protest vocabulary,
attacks told twice, the dual and counts before the verb, diacritized numbers, institutions as
sources."""

from __future__ import annotations

import pytest

from pipeline.tagging import Tagger


def actors(tagger: Tagger, text: str) -> list[str]:
    return [a.id for a in tagger.tag(text).actors]


def places(tagger: Tagger, text: str) -> list[str]:
    return [p.name_en for p in tagger.tag(text).places]


def events(tagger: Tagger, text: str) -> set[str]:
    return {e.event_type for e in tagger.tag(text).events}


def counts(tagger: Tagger, text: str) -> list[tuple[str, int | None]]:
    return [(c.kind, c.count) for c in tagger.tag(text).casualties]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وقصفت تركيا مواقع للمقاتلين الأكراد", ["turkey", "sdf"]),
        ("ونفت أنقرة أي دور لها في الهجوم", ["turkey"]),
        ("وقالت إسرائيل إنها اعترضت صاروخا", ["israel"]),
        ("ردت بريطانيا على التصريحات", ["united-kingdom"]),
    ],
)
def test_a_country_acting_is_an_actor(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert actors(tagger, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "فر آلاف اللاجئين إلى تركيا",
        "وصل الوفد في تركيا أمس",
        "عاد اللاجئون إلى الأردن",
        "أغلقت الحدود مع العراق",
        "اجتمعوا في سوريا والعراق",
        "عمان، الأردن (رويترز) - قال مسؤول إن الحدود فتحت",
    ],
)
def test_a_country_as_a_location_is_no_actor(tagger: Tagger, text: str) -> None:
    assert not {"turkey", "iraq", "jordan"} & set(actors(tagger, text))


def test_a_capital_acting_is_not_also_a_place(tagger: Tagger) -> None:
    tags = tagger.tag("وردت موسكو على الاتهامات بينما وصل الوزير إلى موسكو")
    assert [a.id for a in tags.actors] == ["russia"]
    assert [p.name_en for p in tags.places] == ["Moscow"]  # the second one, a destination


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قصفت الطائرات التركية القرية", ["turkey"]),
        ("هاجمت الميليشيات الإيرانية البلدة", ["shia-militias"]),
        ("وتقدم الجيش التركي نحو البلدة", ["turkey"]),  # not the Syrian army's anaphor
        ("وقالت قوات المعارضة السورية إنها صدت الهجوم", ["opposition"]),  # no Syrian state
    ],
)
def test_nationality_adjectives(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert actors(tagger, text) == expected


def test_an_institution_is_the_subject_of_its_reporting_verb(tagger: Tagger) -> None:
    tags = tagger.tag("وقالت وزارة الدفاع الروسية إن طائراتها لم تشارك")
    assert [(a.source_id, a.surface) for a in tags.attribution] == [
        ("russia", "وزارة الدفاع الروسية")
    ]
    denial = tagger.tag("ونفت رئاسة الأركان التركية سقوط قتلى")
    assert [(a.source_id, a.kind) for a in denial.attribution] == [("turkey", "denial")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وعقدت جولة جديدة من المحادثات في جنيف", ["Geneva"]),
        ("وقع الانفجار في بلدة سروج التركية", ["Suruç"]),
        ("وصلت العائلات إلى مدينة كوباني", ["‘Ayn al ‘Arab"]),
        ("قصفت الطائرات بلدتي الفوعة وكفريا", ["Al-Fuah", "Kafraya"]),
    ],
)
def test_places_abroad_and_villages(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert places(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("تظاهر مئات الأشخاص في المدينة للمطالبة بالإفراج عن المعتقلين", "Protests"),
        ("بدأ خروج المسلحين من الحي بموجب التسوية", "Strategic developments"),
        ("سيطرت قوات النظام على ثلاث قرى", "Battles"),
        ("ألقت المروحيات برميلين متفجرين على البلدة", "Explosions/Remote violence"),
        ("فجر انتحاري نفسه عند الحاجز", "Explosions/Remote violence"),
    ],
)
def test_event_vocabulary(tagger: Tagger, text: str, expected: str) -> None:
    assert expected in events(tagger, text)


def test_the_attack_of_a_strike_is_not_a_clash(tagger: Tagger) -> None:
    assert events(tagger, "قتل خمسة في الهجوم الذي شنته طائرات حربية على السوق") == {
        "Explosions/Remote violence"
    }
    assert events(tagger, "صد المقاتلون الهجوم على البلدة") == {"Battles"}


def test_a_relative_clause_of_control_is_no_territory_change(tagger: Tagger) -> None:
    assert "Battles" not in events(tagger, "في المناطق التي سيطرت عليها الفصائل منذ سنوات")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أسفر القصف عن مقتل جنديين", [("killed", 2)]),
        ("قتل مدني وأصيب آخران بجروح", [("killed", 1), ("injured", 2)]),
        ("وقال المرصد إن 12 شخصا قتلوا في القصف", [("killed", 12)]),
        ("سبعة من عناصر الحاجز قد قتلوا صباحا", [("killed", 7)]),
        ("وقُتِلَ سِتَّةُ مَدَنِيِّينَ في الغارة", [("killed", 6)]),
        ("وقتل عسكري تركي وجرح ثلاثة آخرون", [("killed", 1), ("injured", 3)]),
        ("أسفرت الغارة عن مقتل خمسة وعشرين مدنيا", [("killed", 25)]),
        ("وأدى الانفجار إلى مقتل أحد عشر شخصا", [("killed", 11)]),
    ],
)
def test_casualty_counts_beyond_the_bulletins(
    tagger: Tagger, text: str, expected: list[tuple[str, int]]
) -> None:
    assert counts(tagger, text) == expected

"""Actors and places: names with proclitics, demonyms, anaphors, guards, governorates."""

from __future__ import annotations

import pytest

from pipeline.tagging import Tagger


def actors(tagger: Tagger, text: str, context: tuple[str, ...] = ()) -> list[str]:
    return [a.id for a in tagger.tag(text, context=context).actors]


def places(tagger: Tagger, text: str) -> list[str]:
    return [p.id for p in tagger.tag(text).places]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وأعلن تنظيم داعش مسؤوليته", ["isis"]),
        ("هاجم مقاتلو الدولة الإسلامية في العراق والشام المدينة", ["isis"]),
        ("قتل عناصر لتنظيم الدولة", ["isis"]),
        ("انسحبت جبهة النصرة وهيئة تحرير الشام", ["nusra", "hts"]),
        ("تقدمت قوات الأسد بدعم من حزب الله", ["syrian-regime", "hezbollah"]),
        ("اشتبكت قسد مع وحدات حماية الشعب", ["sdf"]),
        ("ورد الجيش السوري الحر", ["opposition"]),
        ("قال وزير الخارجية الفرنسي", ["france"]),
        ("أطلقته البوارج الروسية", ["russia"]),
        ("غارة أميركية قرب الحدود", ["usa"]),
        ("اعتداءات قوات الحلف السوري- الروسي", ["syrian-regime", "russia"]),
    ],
)
def test_actor_names_and_forms(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert actors(tagger, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "لعبة خبيثة من النظام الدولي",  # blocked: the international order, not the regime
        "نقلتها وكالة روسية عن مصدر",  # a demonym on a non-force noun
        "على الحدود التركية",
        "الأمين العام للجامعة",
        "هبطت الطائرة في القاعدة الجوية",
    ],
)
def test_not_actors(tagger: Tagger, text: str) -> None:
    assert actors(tagger, text) == []


def test_anaphors_resolve_in_the_paragraph_then_in_the_article(tagger: Tagger) -> None:
    assert actors(tagger, "رفض تنظيم الدولة الطلب وهدد التنظيم بالانسحاب") == ["isis"]
    assert actors(tagger, "وتمكن التنظيم من تدمير دبابة") == []
    assert actors(tagger, "وتمكن التنظيم من تدمير دبابة", ("isis", "syrian-regime")) == ["isis"]
    assert actors(tagger, "وأشار الفيلق إلى الكمين", ("faylaq-al-rahman",)) == ["faylaq-al-rahman"]


def test_article_context_carries_the_organisation(tagger: Tagger) -> None:
    article = tagger.tag_article(
        ["شن تنظيم الدولة هجوما على معاقل قوات الأسد", "وتمكن التنظيم من تدمير دبابة"]
    )
    assert [a.id for a in article.paragraphs[1].actors] == ["isis"]
    assert article.paragraphs[1].actors[0].surface == "التنظيم"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قصف على مدينة حلب", ["gn-170063"]),
        ("في ريف حلب الغربي", ["gov-aleppo"]),
        ("في محافظتي حلب والرقة", ["gov-aleppo", "gov-ar-raqqa"]),
        ("في ريفي إدلب الجنوبي وحماه الشمالي", ["gov-idleb", "gov-hama"]),
        ("في الميادين في دير الزور", ["gn-173480", "gov-deir-ez-zor"]),
        ("قرب مطار دير الزور العسكري", ["sy-deir-ez-zor-airbase"]),
        ("بلدات سقبا وحمورية وعين ترما", ["sy-saqba", "sy-hammouriyeh", "sy-ein-tarma"]),
        (
            "حرستا ودوما بالغوطة الشرقية بريف دمشق",
            ["gn-169897", "gn-170592", "sy-eastern-ghouta", "gov-rural-damascus"],
        ),
        (
            "أحياء الأمين والثكنة والمنصور في الرقة",
            ["sy-raqqa-amin", "sy-raqqa-thakna", "sy-raqqa-mansour", "gn-172955"],
        ),
        ("على الحدود مع العراق ولبنان", ["country-iq", "country-lb"]),
        ("في شمال سورية", ["country-sy"]),
    ],
)  # fmt: skip
def test_places(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert places(tagger, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "سوف تنعكس آثاره على الجميع",  # سوف: a town in Jordan
        "صور الأنفاق وبعض الجثث",  # صور: Tyre
        "وان كانت الأنباء متضاربة",  # وان: Van
        "في حديثه لإذاعة محلية",  # حديثه: Haditha
        "فتح الباب أمام الثورة السلمية",  # الباب, الثورة, سلمية: Syrian towns in GeoNames
        "طالب العمال والموظفين بحقوقهم",  # Deir ez-Zor neighbourhoods, guarded
        "اطلع الأمين العام على التقرير",
        "في جميع الميادين والمحافل",
        "أعلنت قوات سوريا الديمقراطية",  # not a mention of Syria
        "أصدرت جبهة علماء حلب بيانا",  # Aleppo inside an organisation's name
    ],
)
def test_common_words_are_not_places(tagger: Tagger, text: str) -> None:
    assert places(tagger, text) == []


def test_a_guarded_name_counts_after_a_settlement_word(tagger: Tagger) -> None:
    assert places(tagger, "سيطرت على مدينة الباب") == ["gn-174018"]


def test_a_shared_name_goes_to_the_paragraphs_governorate(tagger: Tagger) -> None:
    text = "قصف مدفعي على أحياء الشيخ ياسين وكنامات والحميدية بمدينة ديرالزور"
    assert "sy-dez-hamidiya" in places(tagger, text)


def test_place_tags_carry_coordinates_governorate_and_precision(tagger: Tagger) -> None:
    (jobar,) = tagger.tag("اشتباكات على جبهات حي جوبر").places
    assert (jobar.governorate, jobar.precision) == ("Damascus", "neighbourhood")
    assert jobar.coords_approx
    assert 33.4 < jobar.lat < 33.6 and 36.2 < jobar.lon < 36.4
    (qamishli,) = tagger.tag("في القامشلي").places
    assert (qamishli.governorate, qamishli.country) == ("Al Hasakeh", "SY")
    assert not qamishli.coords_approx  # GeoNames coordinates

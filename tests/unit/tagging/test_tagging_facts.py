"""Events, casualties, attribution and dates, one rule at a time."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging import Tagger

SATURDAY = date(2017, 9, 9)


def events(tagger: Tagger, text: str) -> list[str]:
    return [f"{e.event_type}/{e.sub_event_type}" for e in tagger.tag(text).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("دارت اشتباكات عنيفة بين الطرفين", "Battles/Armed clash"),
        ("شن الطيران الحربي غارتين على القرية", "Explosions/Remote violence/Air/drone strike"),
        ("تعرضت البلدة لقصف مدفعي", "Explosions/Remote violence/Shelling/artillery/missile attack"),
        ("نفذ عنصر عملية انتحارية بعربة مفخخة", "Explosions/Remote violence/Suicide bomb"),
        ("انفجار لغم أرضي في المدرسة", "Explosions/Remote violence/Remote explosive/landmine/IED"),
        ("أعدم التنظيم قياديا بقطع رأسه", "Violence against civilians/Attack"),
        ("أطلقوا النار لتفريق متظاهرين", "Protests/Protest with intervention"),
        ("خرجت مظاهرة في المدينة", "Protests/Peaceful protest"),
        ("شنت قوات الأسد حملة دهم واعتقالات", "Strategic developments/Arrests"),
        ("فشلت المفاوضات لوقف إطلاق النار", "Strategic developments/Agreement"),
        ("انسحبت الجماعة دون قتال", "Strategic developments/Non-violent transfer of territory"),
    ],
)
def test_event_triggers(tagger: Tagger, text: str, expected: str) -> None:
    assert expected in events(tagger, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("ويتوقع أن يبدأ هذا الهجوم من محور الصنمين", "Battles/Armed clash"),  # hedged
        ("لتفادي اشتباكات أوسع", "Battles/Armed clash"),  # avoidance
        ("مبررا عدم قصف القافلة", "Explosions/Remote violence/Shelling/artillery/missile attack"),
        ("قصف مدفعي في خرق للهدنة", "Strategic developments/Agreement"),  # a violated truce
        ("استئناف العملية السياسية في سوريا", "Battles/Armed clash"),  # not an operation
        (
            "بالإضافة للاستيلاء على مدفعين رشاشين وصواريخ موجهة",  # loot, not an attack
            "Explosions/Remote violence/Shelling/artillery/missile attack",
        ),
        ("للتفرغ لقتال النظام", "Battles/Armed clash"),  # "in order to fight"
        ("وتتهم الجبهة جيش الإسلام بتسليم مناطق والخيانة", "Battles/Armed clash"),
    ],
)
def test_silenced_triggers(tagger: Tagger, text: str, absent: str) -> None:
    assert absent not in events(tagger, text)


def test_territory_depends_on_who_takes_it(tagger: Tagger) -> None:
    assert "Battles/Government regains territory" in events(
        tagger, "أعلنت قوات الأسد السيطرة على القرية"
    )
    assert "Battles/Non-state actor overtakes territory" in events(
        tagger, "تمكنت قسد من السيطرة على منطقتي الرويشد والزراب"
    )
    assert events(tagger, "أعلنت قوات الأسد السيطرة على القرية بعد انسحاب تنظيم الدولة منها") == [
        "Strategic developments/Non-violent transfer of territory"
    ]


def test_event_tags_carry_triggers_and_confidence(tagger: Tagger) -> None:
    (event,) = tagger.tag("دارت اشتباكات عنيفة ومعارك ضارية").events
    assert event.triggers == ("اشتباكات", "ومعارك")
    assert event.confidence == pytest.approx(1 - 0.1 * 0.15, abs=0.01)


def casualties(tagger: Tagger, text: str) -> list[tuple[str, int | None, str, str | None]]:
    return [(c.kind, c.count, c.approx, c.applies_to) for c in tagger.tag(text).casualties]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سقوط قتيلين في القصف", [("killed", 2, "exact", None)]),
        ("قتل وجرح العشرات من قوات الأسد", [
            ("killed", None, "dozens", "syrian-regime"),
            ("injured", None, "dozens", "syrian-regime"),
        ]),
        ("تمكن من قتل أكثر من 40 عنصرا", [("killed", 40, "more_than", None)]),
        ("قتل 17 عنصرا بينهم أمير لتنظيم الدولة", [("killed", 17, "exact", "isis")]),
        ("أسفر عن سقوط حوالي 40 قتيلا من قوات الأسد", [("killed", 40, "about", "syrian-regime")]),
        ("مقتل قياديين اثنين من داعش", [("killed", 2, "exact", "isis")]),
        ("أعدم داعش قياديا في صفوفه", [("executed", 1, "exact", "isis")]),
        ("استشهد طفل برصاص قناص", [("killed", 1, "exact", "civilians")]),
        ("سقوط شهيد وعدد من الجرحى في صفوف المدنيين", [
            ("killed", 1, "exact", "civilians"), ("injured", None, "several", "civilians"),
        ]),
        ("بسلسلة إعدامات بحق ١٧ عنصر تابع له", [("executed", 17, "exact", None)]),
        ("وسط أنباء عن سقوط جرحى", [("injured", None, "unspecified", None)]),
        ("أسفرت الاشتباكات عن اكثر من 24 مقاتلا معارضا حسب الحصيلة", []),
        ("كانت حصيلة الاشتباكات أسفرت عن اكثر من 24 مقاتلا معارضا", [
            ("killed", 24, "more_than", "opposition"),
        ]),
        ("أفادت القناة بإصابة عسكريين اثنين", [("injured", 2, "exact", None)]),
    ],
)  # fmt: skip
def test_casualty_counts(
    tagger: Tagger, text: str, expected: list[tuple[str, int | None, str, str | None]]
) -> None:
    assert casualties(tagger, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "سقطت قذيفتا هاون من دون وقوع إصابات",
        "دون تسجيل أي إصابات بين المدنيين",
        "اعترفت القوات الحكومية بالعملية دون ذكر عدد القتلى",
        "تضاربت الأنباء عن عدد قتلى الفصائل",
        "إطلاق سراح كل أسرى التنظيم",
        "متهماً الأسد بقتل قسم من شعبه",
        "وتوفي والده حزنا عليه",
    ],
)
def test_no_casualties(tagger: Tagger, text: str) -> None:
    assert casualties(tagger, text) == []


def test_casualty_bounds_and_evidence(tagger: Tagger) -> None:
    (more,) = tagger.tag("قتل أكثر من 40 عنصرا").casualties
    assert (more.low, more.high, more.evidence) == (41, None, "قتل أكثر من 40")
    (dozens,) = tagger.tag("عشرات الشهداء").casualties
    assert (dozens.low, dozens.high) == (20, 99)


def sources(tagger: Tagger, text: str) -> list[tuple[str, str]]:
    return [(a.source_id, a.kind) for a in tagger.tag(text).attribution]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال المرصد السوري لحقوق الإنسان إن", [("sohr", "claim")]),
        ("بحسب وكالة الأنباء السورية سانا", [("sana", "claim")]),
        ("نقلت رويترز عن نشطاء معارضين", [("reuters", "claim"), ("activists", "claim")]),
        ("أكد ناشطون اليوم", [("activists", "claim")]),
        ("وأشارت المصادر، لوكالة الأناضول", [("sources", "claim"), ("anadolu", "claim")]),
        ("ونفى المتحدث باسم التحالف الدولي الخبر", [("coalition", "denial")]),
        ("أعلن فيلق الرحمن مقتل عناصر", [("faylaq-al-rahman", "claim")]),
        ("وكان المرصد قد أشار في بيان", [("sohr", "claim")]),
        ("ناشطون في المدينة", []),  # a generic source needs a reporting verb
        ("قال أنه لا يرى خليفة شرعياً للأسد، مشيراً إلى", []),  # a participle is not one
        ("يؤكد استمرار مسؤولية النظام عن الحافلات", []),  # the regime is the object here
    ],
)
def test_attribution(tagger: Tagger, text: str, expected: list[tuple[str, str]]) -> None:
    assert sources(tagger, text) == expected


def dates(tagger: Tagger, text: str, published: date | None = SATURDAY) -> list[tuple[str, str]]:
    return [(d.date.isoformat(), d.kind) for d in tagger.tag(text, published).dates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("عنب بلدي – العدد 143 – الأحد 16/11/2014", [("2014-11-16", "explicit")]),
        ("دخل حيز التنفيذ في 6/ أيار/ 2017", [("2017-05-06", "explicit")]),
        ("في 29 أغسطس/آب الماضي", [("2017-08-29", "explicit")]),
        ("التقرير الصادر الأربعاء (٦ أيلول)", [("2017-09-06", "weekday")]),  # one date, once
        ("في 3 كانون الثاني", [("2017-01-03", "explicit")]),
        ("أكد ناشطون اليوم السبت", [("2017-09-09", "relative")]),
        ("قال أمس الجمعة", [("2017-09-08", "relative")]),
        ("هز انفجار فجر الخميس", [("2017-09-07", "weekday")]),
        ("يوم الثلاثاء الماضي", [("2017-09-05", "weekday")]),
        ("يوم السبت المقبل", [("2017-09-16", "weekday")]),
        ("القياديين الاثنين", []),  # "the two", not Monday
    ],
)  # fmt: skip
def test_dates(tagger: Tagger, text: str, expected: list[tuple[str, str]]) -> None:
    assert dates(tagger, text) == expected


def test_without_publication_only_full_dates(tagger: Tagger) -> None:
    assert dates(tagger, "الأحد 16/11/2014 وأمس الجمعة و(٦ أيلول)", None) == [
        ("2014-11-16", "explicit")
    ]

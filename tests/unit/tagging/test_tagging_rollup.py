"""Article roll-up and the flat index fields."""

from __future__ import annotations

from datetime import date

from pipeline.tagging import INDEX_MAPPING, Casualty, Tagger, lower_bound, rollup, to_index_fields

BULLETIN = [
    "شن تنظيم الدولة هجوما قويا على معاقل قوات الأسد في منطقة حميمة في بادية حمص أعلن خلاله "
    "عن تمكنه من قتل أكثر من 40 عنصرا.",
    "تعرضت قرية دير سمعان قرب مدينة دارة عزة لقصف صاروخي أدى لسقوط عدد من الجرحى بين المدنيين.",
    "شن تنظيم الدولة هجوما قويا على معاقل الأسد في منطقة حميمة أعلن فيها أنه تمكن من قتل أكثر "
    "من 40 عنصرا.",
    "أكد ناشطون اليوم السبت أن قناصا قتل طفلا.",
]


def test_rollup_merges_paragraphs(tagger: Tagger) -> None:
    article = tagger.tag_article(BULLETIN, date(2017, 9, 9))
    assert len(article.paragraphs) == 4
    assert [a.id for a in article.actors] == ["isis", "syrian-regime"]
    assert [p.id for p in article.places][:2] == ["sy-humaymah", "gov-homs"]
    battles = [e for e in article.events if e.event_type == "Battles"]
    assert len(battles) == 1
    killed = [c for c in article.casualties if c.kind == "killed"]
    assert [(c.count, c.approx) for c in killed] == [(40, "more_than"), (1, "exact")]
    assert article.killed == 41 + 1  # the repeated "more than 40" counts once
    assert article.injured == 3  # "عدد من" counts three
    assert rollup(article.paragraphs) == article


def test_index_fields_match_the_mapping(tagger: Tagger) -> None:
    article = tagger.tag_article(BULLETIN, date(2017, 9, 9))
    fields = to_index_fields(article)
    assert set(fields) == set(INDEX_MAPPING)
    assert fields["actor_ids"] == ["isis", "syrian-regime"]
    assert fields["actor_types"] == ["Rebel Groups", "State Forces"]
    assert "Homs" in fields["governorates"] and "Aleppo" in fields["governorates"]
    assert {"lat": 34.55, "lon": 39.4} in fields["locations"]
    assert fields["killed"] == 42
    assert fields["event_dates"] == ["2017-09-09"]
    assert fields["attribution_sources"] == ["activists"]
    assert fields["sub_event_types"] == [
        "Armed clash", "Attack", "Shelling/artillery/missile attack",
    ]  # fmt: skip
    assert to_index_fields(article.paragraphs[0])["killed"] == 41


def test_mapping_types() -> None:
    types = {name: spec["type"] for name, spec in INDEX_MAPPING.items()}
    assert types["locations"] == "geo_point"
    assert types["killed"] == types["injured"] == "integer"
    assert types["event_dates"] == "date"
    others = {t for n, t in types.items() if n not in ("locations", "killed", "injured")}
    assert others == {"keyword", "date"}


def test_lower_bounds() -> None:
    def casualty(count: int | None, approx: str, low: int | None) -> Casualty:
        return Casualty("killed", count, approx, low, None, None, "")  # type: ignore[arg-type]

    assert lower_bound(casualty(40, "more_than", 41)) == 41
    assert lower_bound(casualty(40, "about", None)) == 40
    assert lower_bound(casualty(None, "unspecified", None)) == 0


def test_empty_paragraph(tagger: Tagger) -> None:
    tags = tagger.tag("   ")
    assert (tags.events, tags.actors, tags.places) == ((), (), ())
    assert to_index_fields(tags)["killed"] == 0

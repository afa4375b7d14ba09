"""Another actor, another event; a short report inside a longer one, related (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.dedupe import DedupeConfig, Deduplicator, Verdict, words
from pipeline.dedupe.actors import ActorNames, actor_change
from pipeline.dedupe.exceptions import ConfigError
from pipeline.dedupe.gazetteer import actor_names, read_nationalities, shipped_actors
from pipeline.dedupe.rules import WordRules
from pipeline.dedupe.state import encode_text
from tests.unit.dedupe.support import article

NAMES = ActorNames(
    [
        ("قوات النظام السوري", frozenset({"regime"})),
        ("قوات النظام", frozenset({"regime"})),
        ("النظام", frozenset({"regime"})),
        ("السوري", frozenset({"regime"})),
        ("الاسد", frozenset({"regime"})),
        ("الروسي", frozenset({"russia"})),
        ("الروسيه", frozenset({"russia"})),
        ("روسيا", frozenset({"russia"})),
        ("التركيه", frozenset({"turkey"})),
        ("النظام الدولي", frozenset()),  # blocked: names no actor
        ("الحلف السوري الروسي", frozenset({"regime", "russia"})),
    ]
)
STRIKE = "نفذت الطائرات {} فجر اليوم ثلاث ضربات على مواقع في الشريط الحدودي شمال حلب ما تسبب في مقتل تسعة عناصر"  # noqa: E501
LONG = (
    "قصفت قوات النظام السوري بالمدفعية الثقيلة الأحياء السكنية في مدينة دوما بالغوطة الشرقية"
    " صباح اليوم"
)
CASUALTIES = "، ما أدى إلى مقتل خمسة مدنيين بينهم طفلان وإصابة عشرة آخرين بجروح متفاوتة"


def test_mentions_take_the_longest_name_with_its_proclitics() -> None:
    found = NAMES.mentions(words("وقصفت قوات النظام السوري مع الطيران الروسي"))
    assert found == {"regime": ["قوات النظام السوري"], "russia": ["الروسي"]}
    assert NAMES.mentions(words("تابعة للنظام السوري")) == {"regime": ["للنظام", "السوري"]}
    assert NAMES.mentions(words("بحسب النظام الدولي")) == {}
    assert NAMES.mentions(words("غارات الحلف السوري الروسي")) == {
        "regime": ["الحلف السوري الروسي"],
        "russia": ["الحلف السوري الروسي"],
    }


def test_a_replaced_actor_is_a_change_an_added_or_synonym_one_is_not() -> None:
    russian, turkish = words(STRIKE.format("الروسية")), words(STRIKE.format("التركية"))
    assert actor_change(russian, turkish, NAMES) == (("الروسيه",), ("التركيه",))
    no_actor = words(STRIKE.format("الحربية"))
    assert actor_change(no_actor, russian, NAMES) is None  # added: the revision names it
    assert actor_change(russian, no_actor, NAMES) is None  # dropped
    regime, assad = words("قصف لقوات النظام على دوما"), words("قصف لقوات الاسد على دوما")
    assert actor_change(regime, assad, NAMES) is None  # two names of one actor
    country = words("قصف جوي تنفذه روسيا على دوما")
    assert actor_change(country, words("قصف جوي ينفذه الطيران الروسي على دوما"), NAMES) is None


def test_the_event_check_reads_a_replaced_actor_as_another_event() -> None:
    rules = WordRules(actors=NAMES)
    russian, turkish = (
        encode_text(" ".join(words(STRIKE.format(adjective))))
        for adjective in ("الروسية", "التركية")
    )
    diff = rules.compare(russian, turkish)
    assert diff.other_event and diff.this_names == ("الروسيه",)
    assert diff.other_names == ("التركيه",)
    assert not WordRules().compare(russian, turkish).other_event  # without actors: a revision
    # the Python path (a text outside the native core's characters) gives the same answer
    odd = encode_text(" ".join(words(STRIKE.format("الروسية"))) + " café")
    odd_other = encode_text(" ".join(words(STRIKE.format("التركية"))) + " café")
    assert rules.native.compare(odd, odd_other) is None
    assert rules.compare(odd, odd_other).other_event
    same = encode_text(" ".join(words(STRIKE.format("الروسية") + " وقال المرصد")))
    assert not rules.compare(same, russian).other_event


def test_an_actor_swap_inside_a_rewrite_stays_a_revision() -> None:
    """As for places: past the limit of changed content words it is an editor's rewrite."""
    rules = WordRules(actors=NAMES, max_other_changes=2, max_other_change_share=0.0)
    russian = words(STRIKE.format("الروسية"))
    rewritten = [*words(STRIKE.format("التركية"))[:-3], "واصابه", "اخرين", "بجروح"]
    diff = rules.compare(encode_text(" ".join(russian)), encode_text(" ".join(rewritten)))
    assert not diff.other_event


def test_the_shipped_lexicons_know_nationalities_and_their_countries() -> None:
    names = actor_names()
    lexicon_ids = {a.id for a in shipped_actors().actors}
    assert {"russia", "turkey", "syrian-regime", "usa", "israel"} <= lexicon_ids & names.actors
    turkish_jets = words("قصفت الطائرات التركية مواقع في عفرين")
    assert actor_change(turkish_jets, words("قصفت طائرات تركيا مواقع في عفرين"), names) is None
    israel = words("وكانت إسرائيل قد شنت ضربات صاروخية مماثلة على مواقع في سوريا")
    usa = words("وكانت الولايات المتحدة قد شنت ضربات صاروخية مماثلة على مواقع في سوريا")
    assert actor_change(israel, usa, names) == (("اسرائيل",), ("الولايات المتحده",))


def test_the_nationalities_table_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("countries:\n  - {actor: jordan, names: [الأردن], adjectives: [الأردنية]}\n")
    assert read_nationalities(good) == [
        ("الاردن", frozenset({"jordan"})),
        ("الاردنيه", frozenset({"jordan"})),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("countries:\n  - {names: [الأردن]}\n")
    with pytest.raises(ConfigError, match=r"countries\[1\] needs an `actor`"):
        read_nationalities(bad)
    bad.write_text("countries: []\n")
    with pytest.raises(ConfigError, match="non-empty"):
        read_nationalities(bad)


def test_the_stage_keeps_apart_two_perpetrators_and_says_why() -> None:
    dedup = Deduplicator(DedupeConfig(actors=NAMES))
    first = dedup.process(article("a", (STRIKE.format("الروسية"),)))
    second = dedup.process(article("b", (STRIKE.format("التركية"),), minutes=30))
    (paragraph,) = second.paragraphs
    assert paragraph.verdict is Verdict.NEW
    (event,) = paragraph.other_events
    assert event.cluster_id == first.paragraphs[0].cluster_id
    assert (event.these, event.those) == (("التركيه",), ("الروسيه",))
    assert not paragraph.related_clusters


@pytest.mark.parametrize("short_first", [True, False])
@pytest.mark.parametrize("source", ["maydan", "ofoq"])
def test_a_short_report_inside_a_longer_one_is_related_not_merged(
    short_first: bool, source: str
) -> None:
    dedup = Deduplicator()
    texts = (LONG, LONG + CASUALTIES)  # 15 and 29 words: the longer adds the casualties
    first, second = texts if short_first else texts[::-1]
    earlier = dedup.process(article("a", (first,)))
    later = dedup.process(article("b", (second,), source=source, minutes=30))
    (paragraph,) = later.paragraphs
    assert paragraph.verdict is Verdict.RELATED
    assert paragraph.related_clusters == (earlier.paragraphs[0].cluster_id,)


def test_a_short_contained_report_below_the_related_length_is_still_linked() -> None:
    dedup = Deduplicator()
    short = "قصفت الطائرات الروسية بلدة كفرنبل في ريف ادلب الجنوبي"  # 9 words
    earlier = dedup.process(article("a", (short,)))
    longer = short + " ما أدى إلى مقتل سبعة مدنيين وإصابة آخرين بجروح"
    (paragraph,) = dedup.process(article("b", (longer,), minutes=30)).paragraphs
    assert paragraph.related_clusters == (earlier.paragraphs[0].cluster_id,)


def test_a_revision_that_adds_or_drops_a_few_words_is_still_merged() -> None:
    dedup = Deduplicator()
    earlier = dedup.process(article("a", (LONG + CASUALTIES,)))
    trimmed = LONG + "، ما أدى إلى مقتل خمسة مدنيين بينهم طفلان وإصابة عشرة آخرين"
    (paragraph,) = dedup.process(article("b", (trimmed,), minutes=30)).paragraphs
    assert paragraph.verdict is Verdict.VARIANT
    assert paragraph.cluster_id == earlier.paragraphs[0].cluster_id


def test_containment_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="contained_share"):
        DedupeConfig(contained_share=1.5)
    with pytest.raises(ConfigError, match="contained_min_added"):
        DedupeConfig(contained_min_added=0)


def test_a_word_dropped_from_a_longer_name_is_no_other_actor() -> None:
    names = ActorNames(
        [("قوات سوريا الديمقراطيه", frozenset({"sdf"})), ("سوريا", frozenset({"regime"}))]
    )
    full = words("هاجمت قوات سوريا الديمقراطية مواقع التنظيم في ريف الرقة الشمالي")
    dropped = [w for w in full if w != "قوات"]
    assert names.mentions(dropped) == {"regime": ["سوريا"]}
    assert actor_change(dropped, full, names) is None
    assert actor_change(full, dropped, names) is None


def test_two_actors_dropped_at_two_places_are_two_edits_not_a_replacement() -> None:
    names = ActorNames(
        [
            ("روسيه", frozenset({"russia"})),
            ("سوريا", frozenset({"regime"})),
            ("سوريه", frozenset({"regime"})),
        ]
    )
    full = words("مقتل قياديين اثنين من داعش في غارة روسية شمالي سوريا اليوم")
    without_country = [w for w in full if w != "سوريا"]
    without_adjective = [w for w in full if w != "روسيه"]
    assert actor_change(without_country, without_adjective, names) is None
    swapped = ["سوريه" if w == "روسيه" else w for w in full]  # in its place: replaced
    assert actor_change(full, swapped, names) == (("روسيه",), ("سوريه",))

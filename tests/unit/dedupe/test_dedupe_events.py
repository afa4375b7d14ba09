"""Revision or another event: the same template about another place, actor or day is not a
revision, whatever the similarity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from pipeline.dedupe import compare_wording, words
from pipeline.dedupe.rules import WordRules
from pipeline.dedupe.shingles import joined
from pipeline.dedupe.state import encode_text
from tests.unit.dedupe.support import edited, seed, words_and_edits

# Every in-bulletin repeat of 003 (first edition, second, third): revisions.
REVISIONS = [
    ("003:10", "003:42"), ("003:42", "003:98"), ("003:10", "003:98"), ("003:11", "003:43"),
    ("003:43", "003:99"), ("003:11", "003:99"), ("003:14", "003:45"), ("003:15", "003:46"),
    ("003:17", "003:48"), ("003:19", "003:50"), ("003:22", "003:52"), ("003:25", "003:54"),
    ("003:26", "003:55"), ("003:27", "003:56"), ("003:29", "003:58"), ("003:31", "003:60"),
    ("003:37", "003:62"), ("003:38", "003:63"), ("003:40", "003:65"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), REVISIONS)
def test_in_bulletin_repeats_are_revisions(a: str, b: str) -> None:
    assert not compare_wording(words(seed(a)), words(seed(b))).other_event
    assert not compare_wording(words(seed(b)), words(seed(a))).other_event


def swapped(paragraph_id: str, old: str, new: str) -> list[str]:
    text = seed(paragraph_id)
    assert old in text
    return words(text.replace(old, new))


@pytest.mark.parametrize(
    ("paragraph_id", "old", "new", "these", "those"),
    [
        # another village after a trigger word ("قريتي", "بلدة", "قرية")
        ("003:25", "سنيسل والمحطة", "تلدو والحولة", ("تلدو", "والحوله"), ("سنيسل", "والمحطه")),
        ("003:11", "عين ترما", "زملكا", ("زملكا",), ("عين", "ترما")),
        ("003:17", "دير سمعان", "كفر حمرة", ("كفر", "حمره"), ("دير", "سمعان")),
        # another city, another road
        ("003:26", "حمص", "حماة", ("حماه",), ("حمص",)),
        ("003:12", "حرستا – دوما", "عربين – زملكا", ("عربين", "زملكا"), ("حرستا", "دوما")),
        # another day
        ("003:85", "السبت", "الأحد", ("الاحد",), ("السبت",)),
        # another actor, another person
        ("003:10", "فيلق الرحمن", "جيش الإسلام", ("الاسلام",), ("الرحمن",)),
        ("003:40", "الرائد قاسم نجم", "النقيب سامر العلي", ("سامر", "العلي"), ("قاسم", "نجم")),
    ],
)
def test_same_template_another_name_is_another_event(
    paragraph_id: str, old: str, new: str, these: tuple[str, ...], those: tuple[str, ...]
) -> None:
    diff = compare_wording(swapped(paragraph_id, old, new), words(seed(paragraph_id)))
    assert diff.other_event
    assert set(diff.this_names) >= set(these) or set(these) >= set(diff.this_names)
    assert set(diff.other_names) & set(those)


def test_another_village_in_a_reordered_edition_is_still_another_event() -> None:
    # 003:54 puts the sentence in another order than 003:25; the villages are still swapped.
    other_villages = swapped("003:25", "سنيسل والمحطة", "تلدو والحولة")
    assert compare_wording(other_villages, words(seed("003:54"))).other_event


def test_a_place_added_or_dropped_is_a_revision() -> None:
    # 003:99 drops "وبلدة عين ترما" and revises the count: the bulletin's third edition.
    assert not compare_wording(words(seed("003:43")), words(seed("003:99"))).other_event
    more = swapped("003:27", "قريتي أم صاج وخربة السبعة", "قرى أم صاج وخربة السبعة والقصير")
    assert not compare_wording(more, words(seed("003:27"))).other_event


def test_a_count_revision_alone_is_a_revision() -> None:
    diff = compare_wording(swapped("003:34", "17 عنصر", "20 عنصرا"), words(seed("003:34")))
    assert not diff.other_event
    assert diff.content_changes == 0


def test_a_bare_place_name_needs_the_gazetteer() -> None:
    # "سقطتا في جرمانا" → "في دوما": no trigger word; only a known name makes it a slot.
    other_town = swapped("000:9", "جرمانا", "دوما")
    original = words(seed("000:9"))
    assert not compare_wording(other_town, original).other_event
    diff = compare_wording(other_town, original, names=frozenset({"جرمانا", "دوما"}))
    assert diff.other_event
    assert (diff.this_names, diff.other_names) == (("دوما",), ("جرمانا",))


def test_heavy_rewording_around_a_changed_name_is_a_rewrite() -> None:
    # 003:31 → 003:60: the later edition replaced a clause (other neighbourhoods taken)
    assert not compare_wording(words(seed("003:31")), words(seed("003:60"))).other_event
    diff = compare_wording(words(seed("003:31")), words(seed("003:60")), max_other_changes=100)
    assert diff.other_event  # with no limit on rewording, the changed names would decide


# ---------------------------------------------------------------- the native rule

NAMES = frozenset({"حلب", "دوما", "جرمانا"})
WORDING_VOCABULARY = [
    "قصف", "مدفعي", "قوات", "الاسد", "قريه", "قريتي", "بلده", "وبلده", "حي", "ريف", "فيلق",
    "الرحمن", "تنظيم", "الطفل", "خالد", "سنيسل", "تلدو", "دير", "سمعان", "كفر", "حمره", "حلب",
    "دوما", "بحلب", "الاثنين", "الثلاثاء", "امس", "اليوم", "ايار", "اغسطس", "29", "16", "11",
    "2014", "2017", "15", "10", "0031", "ثلاثه", "وثلاثه", "اكثر", "من", "في", "علي", "قال",
    "وقال", "افادت", "صاروخ", "صواريخ", "شديد", "شديده", "البوارج", "البارجات", "قتل", "وقتل",
    "مدنيين", "عنصرا", "واصيب", "ال35", "news", "Reuters", "x9",
]  # fmt: skip


def check() -> WordRules:
    return WordRules(names=NAMES, max_other_changes=3, max_other_change_share=0.15)


@settings(max_examples=1500, deadline=None)
@given(*words_and_edits(WORDING_VOCABULARY))
def test_the_native_rule_gives_the_python_rule(
    this: list[str], edits: list[tuple[int, str]]
) -> None:
    other = edited(this, edits)
    expected = compare_wording(
        this, other, names=NAMES, max_other_changes=3, max_other_change_share=0.15
    )
    native = check().native.compare(encode_text(" ".join(this)), encode_text(" ".join(other)))
    assert native is not None  # simple characters only: the native rule answers
    other_event, these, those, changes = native
    assert (other_event, tuple(these), tuple(those), changes) == (
        expected.other_event,
        expected.this_names,
        expected.other_names,
        expected.content_changes,
    )
    got = check().compare(encode_text(" ".join(this)), encode_text(" ".join(other)))
    assert got == expected


def test_the_native_rule_answers_the_seed_repeats_and_swaps() -> None:
    rules = check().native
    for a, b in REVISIONS:
        this, other = (encode_text(joined(words(seed(p)))) for p in (a, b))
        found = rules.compare(this, other)
        assert found is not None and found[0] is False
    swap = swapped("003:25", "سنيسل والمحطة", "تلدو والحولة")
    found = rules.compare(encode_text(joined(swap)), encode_text(joined(words(seed("003:25")))))
    assert found == (True, ["تلدو", "والحوله"], ["سنيسل", "والمحطه"], 0)


@pytest.mark.parametrize(
    "text",
    ["قصف مدفعي على café", "قصف  مدفعي", "قَصف مدفعي", " قصف", "قصف ١٥ صاروخ"],
)
def test_texts_outside_the_simple_characters_go_to_the_python_rule(text: str) -> None:
    rules = check().native
    assert rules.compare(encode_text(text), encode_text("قصف مدفعي")) is None
    assert rules.compare(encode_text("قصف مدفعي"), encode_text(text)) is None
    assert check().compare(encode_text(text), encode_text("قصف مدفعي")) == compare_wording(
        text.split(" "), ["قصف", "مدفعي"], names=NAMES, max_other_changes=3
    )

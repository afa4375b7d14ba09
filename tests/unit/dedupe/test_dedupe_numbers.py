"""Counts and what changed between versions of a paragraph."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedupe import NumericChange, numbers, numeric_diff, words
from pipeline.dedupe.numbers import _contexts, _positions, mentions
from pipeline.dedupe.rules import WordRules
from pipeline.dedupe.shingles import joined
from pipeline.dedupe.state import encode_text
from tests.unit.dedupe.support import edited, seed, words_and_edits


def test_the_rockets_of_003_are_revised_twice() -> None:
    first, second, third = (words(seed(p)) for p in ("003:11", "003:43", "003:99"))
    assert numeric_diff(first, second) == (NumericChange("صواريخ فيل", "15", "اكثر من 10"),)
    assert numeric_diff(second, third) == (NumericChange("صواريخ فيل", "اكثر من 10", "اكثر من 5"),)


def test_a_count_whose_noun_was_dropped_is_the_same_count() -> None:
    # 003:37 "وقتل 17 عنصرا بينهم أمير" → 003:62 "وقتل 17 بينهم أمير": nothing changed.
    assert numeric_diff(words(seed("003:37")), words(seed("003:62"))) == ()


def test_counts_added_removed_and_several() -> None:
    before = words("قتل 3 مدنيين واصيب 5 اخرون")
    after = words("قتل 4 مدنيين واصيب 7 اخرون")
    assert numeric_diff(before, after) == (
        NumericChange("مدنيين", "3", "4"),
        NumericChange("اخرون", "5", "7"),
    )
    assert numeric_diff(words("سقط صاروخ"), words("سقط 3 صواريخ")) == (
        NumericChange("صواريخ", None, "3"),
    )
    assert numeric_diff(words("قتل 12 عنصرا"), words("قتل عناصر")) == (
        NumericChange("عنصرا", "12", None),
    )


def test_number_words_and_indic_digits() -> None:
    assert numeric_diff(words("مقتل قياديين اثنين"), words("مقتل ثلاثة قياديين")) == (
        NumericChange("قياديين", "2", "3"),
    )
    assert numeric_diff(words("الدورة الـ٣٥"), words("الدورة الـ36")) == (
        NumericChange("الدوره", "35", "36"),
    )


def test_dates_are_not_counts() -> None:
    found = mentions(words(seed("003:79")))  # "... حيِّز التنفيذ في 6/ أيار/ 2017"
    assert [m.value for m in found] == ["6", "2017"]
    assert all(m.date for m in found)
    assert numeric_diff(words("في 29 اغسطس قتل 5"), words("في 30 اغسطس قتل 5")) == ()


def test_qualifiers_are_part_of_the_reading() -> None:
    (mention,) = mentions(words("استهدفت بأكثر من 10 صواريخ"))
    assert (mention.qualifier, mention.value, mention.subject) == ("اكثر من", "10", ("صواريخ",))
    assert mention.reading == "اكثر من 10"
    (mention,) = mentions(words("سقوط حوالي 40 قتيلا"))
    assert mention.reading == "حوالي 40"


VOCABULARY = [
    "15", "10", "3", "2014", "29", "اكثر", "من", "نحو", "قتل", "وقتل", "صاروخ", "صواريخ", "فيل",
    "عنصرا", "مدنيين", "اغسطس", "ثلاثه", "اثنين", "في", "على", "قصف", "حلب", "واصيب",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=14),
    st.lists(st.tuples(st.integers(0, 13), st.sampled_from(VOCABULARY)), max_size=3),
)
def test_the_unchanged_context_shortcut_gives_the_full_comparison(
    before: list[str], edits: list[tuple[int, str]]
) -> None:
    after = list(before)
    for position, word in edits:  # a revision: a few words replaced
        if position < len(after):
            after[position] = word
    expected = _full_diff(before, after)
    assert numeric_diff(before, after) == expected
    if _contexts(before, _positions(before)) == _contexts(after, _positions(after)):
        assert expected == ()


def _full_diff(before: list[str], after: list[str]) -> tuple[NumericChange, ...]:
    """numeric_diff without its shortcut (the contexts never compare equal)."""
    original = numbers._contexts
    numbers._contexts = lambda words, positions: [object()]  # type: ignore[assignment,misc,return-value]
    try:
        return numeric_diff(before, after)
    finally:
        numbers._contexts = original


# ---------------------------------------------------------------- the native rule

NATIVE_VOCABULARY = [
    *VOCABULARY, "0", "007", "ال35", "36", "باكثر", "حوالي", "عن", "يزيد", "قياديين", "وثلاثه",
    "العشرات", "الاف", "مقتل", "اصابه", "ايار", "16", "11", "x9", "news",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(*words_and_edits(NATIVE_VOCABULARY))
def test_the_native_difference_gives_the_python_one(
    before: list[str], edits: list[tuple[int, str]]
) -> None:
    after = edited(before, edits)
    rules = WordRules()
    found = rules.native.numeric_diff(encode_text(" ".join(before)), encode_text(" ".join(after)))
    assert found is not None
    assert tuple(NumericChange(*change) for change in found) == numeric_diff(before, after)


def test_the_native_difference_reads_the_seed_revisions() -> None:
    rules = WordRules()
    first, second, third = (
        encode_text(joined(words(seed(p)))) for p in ("003:11", "003:43", "003:99")
    )
    assert rules.native.numeric_diff(first, second) == [("صواريخ فيل", "15", "اكثر من 10")]
    assert rules.native.numeric_diff(second, third) == [("صواريخ فيل", "اكثر من 10", "اكثر من 5")]
    assert rules.native.numeric_diff(encode_text("قتل 5 café"), first) is None
    assert rules.numeric_diff(encode_text("قتل 5 café"), encode_text("قتل 6 café")) == (
        NumericChange("café", "5", "6"),
    )  # the Python path

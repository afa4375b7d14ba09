"""Paragraph tokenization (the project's tokenizer), original spellings, and phrase matching."""

from __future__ import annotations

import pytest

from devtools.demo.catalog import SEED_IDS, seed_lines
from pipeline.tagging.matcher import PhraseMatcher, Proclitics, WordSet, longest_first, variants
from pipeline.tagging.paragraph import Paragraph
from pipeline.text import tokens


def test_words_are_the_project_tokens_on_every_seed_line() -> None:
    for seed in SEED_IDS:
        for line in seed_lines(seed):
            assert list(Paragraph.of(line).words) == tokens(line)


def test_surface_gives_the_original_spelling_back() -> None:
    p = Paragraph.of("وقال بيانٌ  للقيادة... الهيئــة   العامة أنَّ مقاتلاً")
    assert [p.surface(i, i + 1) for i in range(len(p))] == [
        "وقال", "بيانٌ", "للقيادة", "الهيئــة", "العامة", "أنَّ", "مقاتلاً",
    ]  # fmt: skip
    assert p.surface(3, 5) == "الهيئــة   العامة"


def test_surface_falls_back_to_a_pattern_when_lengths_change() -> None:
    p = Paragraph.of("ﻻ يزال الطفل في حلب")  # a ligature: NFKC makes it two letters
    assert p.words[0] == "لا"
    assert p.surface(3, 5) == "في حلب"


def test_sentences_end_at_full_stops_not_commas() -> None:
    p = Paragraph.of("قال المرصد، إن الغارة قتلت 3. وفي حلب اشتباكات")
    assert p.sentences[0] == p.sentences[5]
    assert p.sentences[0] != p.sentences[6]


def test_proclitic_variants() -> None:
    forms = dict(variants("الرقه", Proclitics.NAME))
    assert {"الرقه", "والرقه", "بالرقه", "للرقه", "وللرقه"} <= set(forms)
    assert forms["للرقه"] == "ل"
    assert "لالرقه" not in forms
    assert {"حلب", "وحلب", "بحلب", "لحلب", "وبحلب"} <= set(dict(variants("حلب", Proclitics.NAME)))
    assert set(dict(variants("قصف", Proclitics.CONJUNCTION))) == {"قصف", "وقصف", "فقصف"}


def test_matcher_matches_whole_words_with_proclitics() -> None:
    matcher: PhraseMatcher[str] = PhraseMatcher(
        [("دير الزور", "dez", Proclitics.NAME), ("حلب", "aleppo", Proclitics.NAME)]
    )
    p = Paragraph.of("من حلبا إلى ريف وحلب وبدير الزور")
    found = [(m.first, m.end, m.proclitic, m.payloads) for m in matcher.find(p)]
    assert found == [(4, 5, "و", ("aleppo",)), (5, 7, "وب", ("dez",))]


def test_the_reading_with_the_shorter_proclitic_wins() -> None:
    matcher: PhraseMatcher[str] = PhraseMatcher(
        [("لبنان", "lebanon", Proclitics.NAME), ("بنان", "banan", Proclitics.NAME)]
    )
    (match,) = matcher.find(Paragraph.of("الحدود مع لبنان"))
    assert match.payloads == ("lebanon",)


def test_longest_first_settles_overlaps() -> None:
    matcher: PhraseMatcher[str] = PhraseMatcher(
        [(p, p, Proclitics.NAME) for p in ("قوات سوريا الديمقراطيه", "سوريا", "الجيش الحر")]
    )
    p = Paragraph.of("اشتبك الجيش الحر مع قوات سوريا الديمقراطية شمال سوريا")
    kept = [m.payloads[0] for m in longest_first(matcher.find(p))]
    assert kept == ["الجيش الحر", "قوات سوريا الديمقراطيه", "سوريا"]


@pytest.mark.parametrize(("word", "inside"), [("قرية", True), ("وبقرية", True), ("قريتنا", False)])
def test_word_sets_know_proclitic_forms(word: str, inside: bool) -> None:
    assert (tokens(word)[0] in WordSet(["قريه"])) is inside

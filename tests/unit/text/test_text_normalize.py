"""The one Arabic normalizer: what it unifies, what it keeps, how it tokenizes and hashes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.text.normalize import token_split
from pipeline.text import content_fingerprint, normalize_arabic, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحرار", "احرار"),
        ("إدلب", "ادلب"),
        ("آب", "اب"),
        ("ٱلله", "الله"),  # alef wasla: folded here, not by Lucene (documented)
        ("قَذِيفَة", "قذيفه"),
        ("مستشفى", "مستشفي"),
        ("الـــقـــصـــف", "القصف"),
        ("كتائبُ الشامِ الموحَّدةُ", "كتائب الشام الموحده"),
        ("الرحمٰن", "الرحمن"),  # superscript alef U+0670
        ("١٧ قتيلاً", "17 قتيلا"),
        ("۱۷ قتيلاً", "17 قتيلا"),
        ("العدد ٢٠١٤/١١/١٦", "العدد 2014/11/16"),
    ],
)
def test_unifies_letters_strips_marks_and_maps_digits(raw: str, expected: str) -> None:
    assert normalize_arabic(raw) == expected


def test_hamza_on_waw_and_yeh_is_kept_like_lucene() -> None:
    assert normalize_arabic("مسؤول رئيس الائتلاف") == "مسؤول رئيس الائتلاف"


def test_presentation_forms_and_ligatures_become_letters() -> None:
    assert normalize_arabic("ﺃﺣﺮﺍﺭ ﺍﻟﺸﺎﻡ") == "احرار الشام"
    assert normalize_arabic("ﻻ") == "لا"
    assert normalize_arabic("ﷲ") == "الله"


def test_decomposed_hamza_is_composed_then_unified() -> None:
    assert normalize_arabic("ا\u0654حرار") == "احرار"
    assert normalize_arabic("ا\u0653ب") == "اب"


def test_invisible_format_characters_are_removed() -> None:
    assert normalize_arabic("حلب\u200f \u200eدمشق\u200c \ufeffحمص\u061c") == "حلب دمشق حمص"


def test_punctuation_is_kept_and_whitespace_collapsed() -> None:
    assert normalize_arabic("  حلب ،\u00a0دمشق؛\n\tلماذا ؟  ") == "حلب ، دمشق؛ لماذا ؟"


def test_nfkc_turns_the_ellipsis_character_into_three_dots() -> None:
    assert normalize_arabic("وقال بيانٌ للقيادة…") == "وقال بيان للقياده..."


def test_case_is_kept_by_normalize_but_not_by_tokens() -> None:
    assert normalize_arabic("BBC عربي") == "BBC عربي"
    assert tokens("BBC عربي") == ["bbc", "عربي"]


def test_empty_and_blank_text() -> None:
    assert normalize_arabic("") == ""
    assert normalize_arabic(" \n\t ") == ""
    assert tokens("، ؛ ؟") == []


def test_tokens_split_on_arabic_punctuation() -> None:
    assert tokens("حلب،دمشق؛ لماذا؟ نعم.") == ["حلب", "دمشق", "لماذا", "نعم"]


def test_tokens_keep_words_with_diacritics_whole() -> None:
    # str.isalnum() is False for 'كَتَبَ'; a \w-based split would cut it into letters.
    assert tokens("كَتَبَ الوَلَدُ") == ["كتب", "الولد"]


def test_tokens_split_on_guillemets_quotes_and_dashes() -> None:
    assert tokens("«داعش» و“النصرة” – حلب-إدلب") == ["داعش", "و", "النصره", "حلب", "ادلب"]


def test_tokens_split_dotted_acronyms_unlike_the_index_tokenizer() -> None:
    assert tokens("بي.بي.سي") == ["بي", "بي", "سي"]


def test_token_split_cuts_normalized_text_without_normalizing_it_again() -> None:
    text = "قتل 17 مدنيا، في حلب."
    assert token_split(text) == ["", "قتل", " ", "17", " ", "مدنيا", "، ", "في", " ", "حلب", "."]
    assert (token_split(text) or [])[1::2] == tokens(text)


@pytest.mark.parametrize(
    "text",
    [
        "قذيفة",  # teh marbuta: not normalized
        "حلب  دمشق",  # a whitespace run
        " حلب",
        "BBC",  # not lower-cased
        "كَتب",  # a mark
        "حلب \U0001f600",  # outside the BMP
    ],
)
def test_token_split_gives_up_where_tokens_would_change_the_text(text: str) -> None:
    assert token_split(text) is None


@given(st.text(max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once


@given(st.text(alphabet="أإآٱاىيةهـًٌٍَُِّْ٠١٢٣٤٥٦٧٨٩ ،؛؟.", max_size=80))
def test_normalized_arabic_has_no_variant_letters_marks_or_indic_digits(text: str) -> None:
    result = normalize_arabic(text)
    assert not set(result) & set("أإآٱىةـًٌٍَُِّْ٠١٢٣٤٥٦٧٨٩")


def test_fingerprint_is_sha256_of_normalized_words() -> None:
    expected = hashlib.sha256("احرار الشام في ادلب".encode()).hexdigest()
    assert content_fingerprint(["أحرارُ الشام، في إدلب."]) == expected


def test_fingerprint_ignores_paragraph_breaks_quotes_and_diacritics() -> None:
    one = content_fingerprint(['قال "المرصد" إن القصف استهدف حلب.', "وقتل ١٥ شخصاً."])
    other = content_fingerprint(["قال “المرصد” إنّ القصف استهدف حلب. وقتل 15 شخصا"])
    assert one == other


def test_fingerprint_changes_with_a_number() -> None:
    assert content_fingerprint(["قتل 15 شخصا"]) != content_fingerprint(["قتل 10 اشخاص"])
    assert content_fingerprint(["قتل 15 شخصا"]) != content_fingerprint(["قتل 16 شخصا"])


def test_fingerprint_of_nothing_is_the_hash_of_the_empty_string() -> None:
    assert content_fingerprint([]) == hashlib.sha256(b"").hexdigest()

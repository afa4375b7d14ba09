"""The fast word splitter must give exactly what the project's one tokenizer gives."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marsad_native import prepare

from devtools.demo.catalog import SEED_IDS, seed_lines
from pipeline.dedupe.shingles import (
    CODEPAGE,
    content_key64,
    joined,
    prepared,
    shingle_list,
    shingle_set,
    similarities,
    text_key,
    words,
)
from pipeline.dedupe.state import encode_text
from pipeline.text import content_fingerprint, tokens
from tests.unit.dedupe.support import seed

# Letters, harakat, tatweel, hamza forms, digits of three scripts, punctuation the fast path
# knows, and characters it must hand over to the slow path (presentation forms, ZWNJ, NBSP,
# ellipsis, a combining acute, alef wasla, superscript alef, Latin capitals).
ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" "ءآأؤإئةى" "\u064b\u064e\u064f\u0650\u0651\u0652\u0670"
    "\u0640" "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳" " \n\t.,:;!?-_\"'()«»“”،؛؟…" "\u200c\u00a0\ufefb\u0301"
    "\u0671ABCxyz"
)  # fmt: skip


def test_words_equal_tokens_on_every_seed_line() -> None:
    for seed_id in SEED_IDS:
        for line in seed_lines(seed_id):
            assert words(line) == tokens(line), line


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_words_equal_tokens(text: str) -> None:
    assert words(text) == tokens(text)


def test_content_key64_is_the_head_of_the_extract_stage_fingerprint() -> None:
    paragraphs = [seed("003:11"), "", seed("003:43")]
    canonicals = [joined(words(p)) for p in paragraphs]
    assert content_key64(canonicals) == int(content_fingerprint(paragraphs)[:16], 16)


def test_text_key_is_stable_and_63_bits_after_masking() -> None:
    key = text_key("قصف مدفعي")
    assert key == text_key("قصف مدفعي")
    assert key != text_key("قصف صاروخي")
    assert 0 <= key < 2**64


def test_shingles_and_similarities() -> None:
    assert shingle_list("abc", 5) == ["abc"]
    assert shingle_list("", 5) == []
    assert shingle_list("abcdef", 5) == ["abcde", "bcdef"]
    a = shingle_set(joined(words(seed("003:11"))), 5)
    b = shingle_set(joined(words(seed("003:43"))), 5)
    jaccard, containment = similarities(a, b)
    assert 0.7 < jaccard < 0.8  # the shared findings: in-bulletin repeats at 0.53-1.00
    assert containment > jaccard
    assert similarities(a, frozenset()) == (0.0, 0.0)
    assert similarities(a, a) == (1.0, 1.0)


def reference(text: str) -> tuple[str, int, int, bytes]:
    paragraph_words = tokens(text)
    assert all(" " not in w for w in paragraph_words)  # so the words are canonical.split(" ")
    canonical = joined(paragraph_words)
    return canonical, text_key(canonical), len(paragraph_words), encode_text(canonical)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=80), max_size=4))
def test_prepared_equals_the_normalizer(texts: list[str]) -> None:
    assert prepared(texts) == [reference(t) for t in texts]


def test_prepared_equals_the_normalizer_on_every_seed_line() -> None:
    lines = [line for seed_id in SEED_IDS for line in seed_lines(seed_id)]
    assert prepared(lines) == [reference(line) for line in lines]
    fast = prepare(lines, CODEPAGE)
    assert sum(item is not None for item in fast) > 0.9 * len(lines)  # the native path is used


def test_the_native_path_leaves_other_characters_to_python() -> None:
    assert prepare(["قصف \ufefb", "قصف"], CODEPAGE) == [
        None,
        ("قصف", text_key("قصف"), 1, "قصف".encode("cp1256")),
    ]
    # a code page without a letter of the text: Python encodes it (NUL, then UTF-8)
    latin = bytes(range(256)).decode("latin-1")
    assert prepare(["قصف"], latin) == [None]
    with pytest.raises(ValueError, match="256 characters"):
        prepare(["قصف"], "abc")


def test_a_lone_surrogate_goes_to_python_and_the_input_keeps_no_utf8_copy() -> None:
    text = "قصف \ud800 حلب"
    assert prepare([text], CODEPAGE) == [None]
    assert prepared([text]) == [reference(text)]
    paragraphs = [f"قصف مدفعي على حلب {n}" for n in range(20)]
    sizes = [sys.getsizeof(p) for p in paragraphs]
    prepared(paragraphs)
    # a str's size counts a cached UTF-8 form (PyUnicode_AsUTF8 would add ~35 bytes here)
    assert [sys.getsizeof(p) for p in paragraphs] == sizes

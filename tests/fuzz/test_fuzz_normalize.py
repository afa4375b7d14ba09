"""normalize_arabic, tokens and content_fingerprint on arbitrary text.

Contract (kernel.text.normalize): the normalizer is total on ``str`` and idempotent; its output
has no variant alef, alef maksura, teh marbuta, tatweel, Arabic nonspacing mark, invisible
format character or non-ASCII decimal digit, and no whitespace run or edge; NFKC can expand
a character (U+FDFA is the longest: 18 characters) and nothing else lengthens the text, so
the output is at most 18 times the input. Tokens are normalized, lower-cased words.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kernel.text.normalize import (
    _FORMAT_CHARS,
    ALEF_MAKSURA,
    ALEF_VARIANTS,
    TATWEEL,
    TEH_MARBUTA,
    content_fingerprint,
    normalize_arabic,
    token_split,
    tokens,
)

from .strategies import ARABIC, texts

MAX_NFKC_EXPANSION = 18  # len(unicodedata.normalize("NFKC", "\ufdfa"))
FOLDED = set(ALEF_VARIANTS + ALEF_MAKSURA + TEH_MARBUTA + TATWEEL + _FORMAT_CHARS)
ARABIC_MARK_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF))
everything = st.one_of(texts, st.text(alphabet=st.characters(codec=None), max_size=200))


def is_arabic_mark(char: str) -> bool:
    return unicodedata.category(char) == "Mn" and any(
        low <= ord(char) <= high for low, high in ARABIC_MARK_BLOCKS
    )


@given(everything)
def test_idempotent_bounded_and_folded(text: str) -> None:
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once
    assert len(once) <= MAX_NFKC_EXPANSION * len(text)
    assert once == once.strip()
    assert "  " not in once
    assert not any(c.isspace() and c != " " for c in once)
    assert not FOLDED & set(once)
    assert not any(is_arabic_mark(c) for c in once)
    assert all(c.isascii() for c in once if unicodedata.category(c) == "Nd")


@given(everything)
def test_tokens_are_normalized_lower_case_words(text: str) -> None:
    words = tokens(text)
    for word in words:
        assert word
        assert not any(c.isspace() for c in word)
        assert normalize_arabic(word) == word
    assert tokens(" ".join(words)) == words


@given(everything)
def test_token_split_gives_the_tokens_and_the_text_back(text: str) -> None:
    for candidate in (text, normalize_arabic(text).lower()):
        parts = token_split(candidate)
        if parts is not None:
            assert parts[1::2] == tokens(candidate)
            assert "".join(parts) == candidate


@given(st.lists(st.text(alphabet=ARABIC, max_size=40), max_size=5))
def test_fingerprint_ignores_paragraph_breaks(paragraphs: list[str]) -> None:
    fingerprint = content_fingerprint(paragraphs)
    assert len(fingerprint) == 64
    assert content_fingerprint([" ".join(paragraphs)]) == fingerprint

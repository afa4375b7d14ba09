"""The one Arabic normalizer of the project, its tokenizer, and the content fingerprint.

``normalize_arabic`` is what near-duplicate detection, fingerprints and gazetteer matching
compare; the search index's analyzer (``lowercase``, ``decimal_digit``,
``arabic_normalization`` from Lucene) does the same per token. Steps, in order:

1. NFKC: presentation forms and ligatures become base letters (``ﻷ`` → ``لأ``,
   ``ﷲ`` → ``الله``), compatibility spaces become spaces, and a decomposed hamza or madda
   is composed onto its seat (``ا`` + U+0654 → ``أ``) so that step 2 can unify it.
2. One ``str.translate`` table:
   - ``أ إ آ ٱ`` → ``ا``; ``ى`` → ``ي``; ``ة`` → ``ه`` (Lucene's ``ArabicNormalizer``, plus
     alef wasla ``ٱ``, which Lucene leaves alone);
   - ``ؤ`` and ``ئ`` are kept: Lucene does not fold them, and folding them on one side only
     would make the two sides disagree;
   - tatweel U+0640 and every nonspacing mark of the Arabic blocks are deleted: the eight
     harakat U+064B–U+0652 that Lucene deletes, and also U+0610–U+061A, U+0653–U+065F,
     superscript alef U+0670, the Quranic marks U+06D6–U+06ED and U+08D3–U+08FF;
   - every Unicode decimal digit (Arabic-Indic ``٠-٩``, Persian ``۰-۹``, ...) → ASCII,
     as Lucene's ``decimal_digit`` filter does;
   - invisible format characters (ZWNJ, ZWJ, LRM, RLM, ALM, BOM, soft hyphen, bidi
     embeddings) are deleted; other control characters become spaces.
3. Whitespace runs collapse to one space; the result is stripped.

Punctuation (including ``، ؛ ؟``) and letter case are kept by ``normalize_arabic``;
:func:`tokens` drops punctuation and lower-cases, like the index analyzer does.

Where the index (``standard`` tokenizer, ``lowercase``, ``decimal_digit``,
``arabic_normalization``) gives a different term for the same word, this side is the
stricter one:

- ``ٱ`` stays ``ٱ`` in the index (``ٱلله`` ≠ ``الله`` there);
- marks other than the eight harakat stay in index terms (``الرحمٰن`` ≠ ``الرحمن``);
- presentation forms and ligatures are not NFKC-folded in the index (``ﺣﻠﺐ`` ≠ ``حلب``);
- format characters that UAX#29 glues to a word stay in the index term (``حلب`` + RLM;
  read from the tokenizer grammar, not yet checked with ``_analyze``);
- the index keeps ``بي.بي.سي`` and ``1,204`` as one term, :func:`tokens` splits them.

A ``mapping`` char filter on the index side (ٱ→ا, delete U+0610–U+061A, U+0653–U+065F,
U+0670, U+06D6–U+06ED, U+08D3–U+08FF, ZWNJ/ZWJ/LRM/RLM/ALM/U+FEFF/U+00AD) or the ICU
``nfkc`` normalizer would remove all but the last difference.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import unicodedata
from collections.abc import Sequence

ALEF = "\u0627"
YEH = "\u064a"
HEH = "\u0647"
ALEF_VARIANTS = "\u0622\u0623\u0625\u0671"  # آ أ إ ٱ
ALEF_MAKSURA = "\u0649"  # ى
TEH_MARBUTA = "\u0629"  # ة
TATWEEL = "\u0640"

# Blocks whose nonspacing marks are deleted: Arabic, Arabic Supplement, Arabic Extended-A/B.
_ARABIC_MARK_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF))
# Invisible characters that split or glue words without being letters.
_FORMAT_CHARS = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff" + "".join(
    chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)

TranslationTable = dict[int, str | None]


@functools.cache
def _translation_table() -> TranslationTable:
    """Build the translate table once per process (scans Unicode for digits: ~0.2 s)."""
    table: TranslationTable = {}
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        category = unicodedata.category(char)
        if category == "Nd":
            table[cp] = str(unicodedata.decimal(char))
        elif category == "Cc" and not char.isspace():
            table[cp] = " "
    for low, high in _ARABIC_MARK_BLOCKS:
        for cp in range(low, high + 1):
            if unicodedata.category(chr(cp)) == "Mn":
                table[cp] = None
    for char in ALEF_VARIANTS:
        table[ord(char)] = ALEF
    table[ord(ALEF_MAKSURA)] = YEH
    table[ord(TEH_MARBUTA)] = HEH
    table[ord(TATWEEL)] = None
    for char in _FORMAT_CHARS:
        table[ord(char)] = None
    return table


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Words are runs of letters, digits and combining marks (``\\w`` alone misses marks)."""
    marks: list[str] = []
    start = previous = -2
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] != "M":
            continue
        if cp != previous + 1:
            if start >= 0:
                marks.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = cp
        previous = cp
    marks.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return re.compile(f"(?:[^\\W_]|[{''.join(marks)}])+")


@functools.cache
def _unsettled_pattern() -> re.Pattern[str]:
    """A character that makes :func:`token_split` give up: one the translate table changes,
    whitespace other than a space, a combining mark, or one outside the BMP (one class, a
    bitmap: a big class with characters outside the BMP is matched range by range)."""
    table = _translation_table()
    chars = [chr(cp) for cp in range(0x10000) if table.get(cp, chr(cp)) != chr(cp)]
    chars += [c for c in map(chr, range(0x10000)) if c != " " and c.isspace()]
    chars += [c for c in map(chr, range(0x10000)) if unicodedata.category(c)[0] == "M"]
    return re.compile(f"[{''.join(map(re.escape, sorted(set(chars))))}\U00010000-\U0010ffff]")


@functools.cache
def _letters_and_digits() -> re.Pattern[str]:
    return re.compile(r"([^\W_]+)")


def normalize_arabic(text: str) -> str:
    """Return ``text`` normalized for comparison and matching (see the module docstring)."""
    if not text:
        return ""
    table = _translation_table()
    text = _nfkc(text).translate(table)
    if not unicodedata.is_normalized("NFKC", text):
        # Deleting a joiner or a mark can let neighbours compose (rare): one more round
        # keeps normalize_arabic idempotent.
        text = _nfkc(text).translate(table)
    return " ".join(text.split())


def _nfkc(text: str) -> str:
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def tokens(text: str) -> list[str]:
    """Split ``text`` into normalized, lower-cased words; punctuation (``، ؛ ؟`` too) separates.

    Unlike the index's UAX#29 tokenizer, every non-word character separates: ``بي.بي.سي``
    gives three tokens here and one in the index; ``1,204`` gives two here and one there.
    """
    return _token_pattern().findall(normalize_arabic(text).lower())


def token_split(text: str) -> list[str] | None:
    """``text`` cut into what lies between words and the words, alternately (``["", "قتل", " ",
    "17", " ", "مدنيا", "."]``: the words are ``parts[1::2]``, ``"".join(parts) == text``),
    when the words are ``tokens(text)`` without normalizing ``text`` again; None when not.

    They are when ``text`` is already normalized and lower-cased (``normalize_arabic`` and
    ``lower`` would leave it as it is: NFKC, nothing for the translate table, no whitespace to
    collapse) and has neither a combining mark nor a character outside the BMP (so words are
    runs of letters and digits): a normalized Arabic news paragraph, as a rule. Several times
    cheaper than :func:`tokens`.
    """
    if (
        not unicodedata.is_normalized("NFKC", text)
        or text.lower() != text
        or "  " in text
        or text.startswith(" ")
        or text.endswith(" ")
        or _unsettled_pattern().search(text)
    ):
        return None
    return _letters_and_digits().split(text)


def content_fingerprint(paragraphs: Sequence[str]) -> str:
    """SHA-256 hex of the article's normalized words, joined by single spaces.

    Paragraph boundaries, whitespace, punctuation (typographic vs straight quotes, which CMSs
    rewrite) and case do not change the fingerprint; any change of a word or a digit does.
    An empty article hashes the empty string.
    """
    words = tokens(" ".join(paragraphs))
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()

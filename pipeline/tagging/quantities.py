"""Quantities written in Arabic news: digits, number words, and vague amounts.

``parse_quantity(words, i)`` reads one quantity starting at word ``i`` of normalized words:
"15", "أكثر من 40", "ما يزيد عن 20", "حوالي 40", "اثنين", "خمسة عشر", "أحد عشر", "خمسة
وعشرين", "ثلاثمائة", "عشرات", "مئات",
"عدد من", "العديد من". Digits are ASCII here: the normalizer maps Arabic-Indic digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.tagging.tags import Approx

NUMBER_WORDS: dict[str, int] = {
    **dict.fromkeys(("واحد", "واحدا", "واحده"), 1),
    **dict.fromkeys(("اثنان", "اثنين", "اثنتان", "اثنتين"), 2),
    **dict.fromkeys(("ثلاث", "ثلاثه"), 3),
    **dict.fromkeys(("اربع", "اربعه"), 4),
    **dict.fromkeys(("خمس", "خمسه"), 5),
    **dict.fromkeys(("ست", "سته"), 6),
    **dict.fromkeys(("سبع", "سبعه"), 7),
    **dict.fromkeys(("ثمان", "ثماني", "ثمانيه"), 8),
    **dict.fromkeys(("تسع", "تسعه"), 9),
    **dict.fromkeys(("عشر", "عشره"), 10),
    **dict.fromkeys(("عشرين", "عشرون"), 20),
    **dict.fromkeys(("ثلاثين", "ثلاثون"), 30),
    **dict.fromkeys(("اربعين", "اربعون"), 40),
    **dict.fromkeys(("خمسين", "خمسون"), 50),
    **dict.fromkeys(("ستين", "ستون"), 60),
    **dict.fromkeys(("سبعين", "سبعون"), 70),
    **dict.fromkeys(("ثمانين", "ثمانون"), 80),
    **dict.fromkeys(("تسعين", "تسعون"), 90),
    **dict.fromkeys(("مئه", "مائه"), 100),
    **dict.fromkeys(("مئتين", "مئتان", "مائتين", "مائتان"), 200),
    **{
        f"{unit}{hundred}": n * 100
        for n, unit in ((3, "ثلاث"), (4, "اربع"), (5, "خمس"), (6, "ست"), (7, "سبع"), (8, "ثمان"),
                        (9, "تسع"))
        for hundred in ("مئه", "مائه")
    },
    **dict.fromkeys(("الف", "الفا"), 1000),
    **dict.fromkeys(("الفين", "الفان"), 2000),
    **dict.fromkeys(("احد", "احدي"), 1),  # "أحد عشر"
    **dict.fromkeys(("اثنا", "اثني", "اثنتا", "اثنتي"), 2),  # "اثنا عشر"
}  # fmt: skip
ABOUT = frozenset({"نحو", "حوالي", "قرابه", "زهاء", "تقريبا"})
DOZENS = frozenset({"عشرات", "العشرات"})
HUNDREDS = frozenset({"مئات", "المئات"})
SEVERAL = frozenset({"العديد", "عديد", "بضعه", "بضع", "عده"})
SOME = frozenset({"عدد", "عددا"})
# A number followed by one of these counts something other than people.
UNITS = frozenset({
    "ساعه", "ساعات", "يوم", "يوما", "ايام", "عام", "عاما", "اعوام", "سنه", "سنوات", "شهر",
    "اشهر", "كم", "كيلومتر", "كيلومترا", "متر", "مترا", "دولار", "حادثه", "حوادث", "صاروخ",
    "صواريخ", "قذيفه", "قذائف", "اليه", "اليات", "دبابه", "دبابات", "مره", "بالمئه",
    "غاره", "غارات", "هجوما", "هجمات", "حافله", "حافلات", "فصيلا", "فصائل", "قريه", "قري",
})  # fmt: skip
MAX_DIGITS = 5


@dataclass(frozen=True, slots=True)
class Quantity:
    count: int | None
    approx: Approx
    low: int | None
    high: int | None
    end: int = -1
    """Index of the word after the quantity (-1 when implied, as in "قتيلين")."""

    @classmethod
    def exact(cls, n: int, end: int = -1) -> Quantity:
        return cls(n, "exact", n, n, end)

    @classmethod
    def unspecified(cls) -> Quantity:
        return cls(None, "unspecified", None, None)


def parse_quantity(words: Sequence[str], i: int) -> Quantity | None:
    """The quantity starting at ``words[i]``, or None."""
    if i >= len(words):
        return None
    first = words[i]
    if first.startswith("و") and _known(first[1:]):
        first = first[1:]
    approx: Approx = "exact"
    p = i
    ahead = [first, *words[i + 1 : i + 4]]
    if ahead[:2] == ["اكثر", "من"]:
        approx, p = "more_than", p + 2
    elif ahead[:2] == ["اقل", "من"]:
        approx, p = "less_than", p + 2
    elif ahead[:2] == ["ما", "يزيد"] and len(ahead) > 2 and ahead[2] in ("عن", "علي"):
        approx, p = "more_than", p + 3
    elif ahead == ["ما", "لا", "يقل", "عن"]:
        approx, p = "at_least", p + 4
    elif ahead[:2] == ["ما", "يقارب"]:
        approx, p = "about", p + 2
    elif first in ABOUT:
        approx, p = "about", p + 1
    if p >= len(words):
        return None
    word = first if p == i else words[p]
    number = _number(words, p, word)
    if number is not None:
        n, p = number
        if p < len(words) and words[p] in UNITS:
            return None
        return _bounded(n, approx, p)
    if approx != "exact":
        return None
    return _vague(words, p, word)


def _known(word: str) -> bool:
    return any(word in known for known in (NUMBER_WORDS, DOZENS, HUNDREDS, SEVERAL, SOME))


def _number(words: Sequence[str], p: int, word: str) -> tuple[int, int] | None:
    if word.isdigit() and len(word) <= MAX_DIGITS:
        return int(word), p + 1
    if word in NUMBER_WORDS:
        n = NUMBER_WORDS[word]
        following = words[p + 1] if p + 1 < len(words) else ""
        if 1 <= n <= 9 and following in ("عشر", "عشره"):
            return n + 10, p + 2
        tens = NUMBER_WORDS.get(following.removeprefix("و"), 0) if following.startswith("و") else 0
        if 1 <= n <= 9 and 20 <= tens <= 90 and tens % 10 == 0:  # "خمسة وعشرين"
            return n + tens, p + 2
        if word in ("احد", "احدي", "اثنا", "اثني", "اثنتا", "اثنتي"):
            return None  # only before عشر
        return n, p + 1
    return None


def _bounded(n: int, approx: Approx, end: int) -> Quantity:
    if approx == "more_than":
        return Quantity(n, approx, n + 1, None, end)
    if approx == "at_least":
        return Quantity(n, approx, n, None, end)
    if approx == "less_than":
        return Quantity(n, approx, None, max(0, n - 1), end)
    if approx == "about":
        return Quantity(n, approx, None, None, end)
    return Quantity.exact(n, end)


def _vague(words: Sequence[str], p: int, word: str) -> Quantity | None:
    after_of = p + 2 if p + 1 < len(words) and words[p + 1] == "من" else p + 1
    if word in DOZENS:
        return Quantity(None, "dozens", 20, 99, after_of)
    if word in HUNDREDS:
        return Quantity(None, "hundreds", 200, 999, after_of)
    if word in SEVERAL:
        return Quantity(None, "several", 3, None, after_of)
    if word in SOME and after_of == p + 2:
        return Quantity(None, "several", 3, None, after_of)
    return None

"""Small realistic edits to seed paragraphs: revised counts, other villages, other weekdays.

The seed bulletin 003 shows how outlets revise a story: "15 صاروخ" becomes "أكثر من 10 صواريخ"
and then "أكثر من 5 صواريخ". These functions make the same kind of edit, driven by a
``random.Random`` so that a generator seeded the same way makes the same edits.
"""

from __future__ import annotations

import random
import re

_LETTER = "\u0621-\u064a"
_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_LATIN = str.maketrans(_INDIC_DIGITS, "0123456789")
_TO_INDIC = str.maketrans("0123456789", _INDIC_DIGITS)

# A count, not part of a date (16/11/2014), a decimal or a year/resolution number.
_NUMBER = re.compile(r"(?<![\d٠-٩/.])([0-9]{1,3}|[٠-٩]{1,3})(?![\d٠-٩/.])")
# Counted nouns whose plural the "أكثر من N" rewrite needs when N is 10 or less.
_PLURALS = {
    "صاروخ": "صواريخ",
    "عنصر": "عناصر",
    "عنصراً": "عناصر",
    "حادثة": "حوادث",
    "حافلة": "حافلات",
    "آلية": "آليات",
    "مقاتل": "مقاتلين",
    "جنديًا": "جنود",
    "فصيلاً": "فصائل",
}
_COUNTED = re.compile(r"(\s+)(\S+)")

PLACE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("عين ترما", "حرستا", "دوما", "سقبا", "حمورية", "كفربطنا", "عربين", "زملكا", "جرمانا"),
    ("أتارب", "الدانة", "اطمة", "حارم", "دارة عزة", "سرمدا", "الأبزمو", "كفر نوران"),
    ("سنيسل", "طلف", "حربنفسه", "الجمالية", "عقرب", "الحمرات", "تلدو", "كفرلاها"),
    ("باريسا", "تل السلطان", "سنجار", "الخوين", "أم جلال"),
    ("الميادين", "البوكمال", "العشارة", "الشدادي", "القورية", "الصالحية"),
    ("الصنمين", "الكسوة", "إزرع", "نوى", "جاسم", "الحراك"),
    ("دير سمعان", "كفر حمرة", "عندان", "حريتان"),
)
_PLACE_GROUP = {name: group for group in PLACE_GROUPS for name in group}
_PLACES = re.compile(
    rf"(?<![{_LETTER}])("
    + "|".join(sorted(map(re.escape, _PLACE_GROUP), key=len, reverse=True))
    + rf")(?![{_LETTER}])"
)

WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
"""Monday first, as ``datetime.weekday()`` counts."""
_WEEKDAY = re.compile(rf"(?<![{_LETTER}])({'|'.join(WEEKDAYS)})(?![{_LETTER}])")


def revise_count(paragraph: str, rng: random.Random) -> str:
    """Revise one count in the paragraph (``n`` → ``n±k`` or "أكثر من m"); same text if none."""
    matches = list(_NUMBER.finditer(paragraph))
    if not matches:
        return paragraph
    match = rng.choice(matches)
    raw = match.group(1)
    indic = raw[0] in _INDIC_DIGITS
    value = int(raw.translate(_TO_LATIN))
    before, after = paragraph[: match.start()], paragraph[match.end() :]
    if value >= 6 and not before.endswith("أكثر من ") and rng.random() < 0.5:
        lower = (value - 1) // 5 * 5
        digits = str(lower).translate(_TO_INDIC) if indic else str(lower)
        noun = _COUNTED.match(after)
        if lower <= 10 and noun and noun.group(2) in _PLURALS:
            after = noun.group(1) + _PLURALS[noun.group(2)] + after[noun.end() :]
        if before.endswith("بـ "):  # "بـ 15 صاروخ" → "بأكثر من 10 صواريخ", as the seed writes it
            before = before[:-3] + "ب"
        return f"{before}أكثر من {digits}{after}"
    new = max(1, value + rng.choice((-3, -2, -1, 1, 2, 3, 5)))
    if new == value:
        new = value + 1
    digits = str(new).translate(_TO_INDIC) if indic else str(new)
    return before + digits + after


def swap_place(paragraph: str, rng: random.Random) -> str:
    """Replace every occurrence of one known village or town with another of its area."""
    names = [m.group(1) for m in _PLACES.finditer(paragraph)]
    if not names:
        return paragraph
    old = rng.choice(names)
    new = rng.choice([name for name in _PLACE_GROUP[old] if name != old])
    pattern = rf"(?<![{_LETTER}]){re.escape(old)}(?![{_LETTER}])"
    return re.sub(pattern, new, paragraph)


def shift_weekdays(paragraph: str, days: int) -> str:
    """Move every weekday name ``days`` forward (the story happened on another day)."""
    if days % 7 == 0:
        return paragraph
    return _WEEKDAY.sub(lambda m: WEEKDAYS[(WEEKDAYS.index(m.group(1)) + days) % 7], paragraph)


def vary(
    paragraph: str,
    rng: random.Random,
    *,
    weekday_shift: int = 0,
    count_rate: float = 0.3,
    place_rate: float = 0.25,
) -> tuple[str, tuple[str, ...]]:
    """The paragraph with zero or more edits, and the names of the edits that changed it."""
    edits: list[str] = []
    text = paragraph
    if rng.random() < count_rate:
        revised = revise_count(text, rng)
        if revised != text:
            text = revised
            edits.append("count")
    if rng.random() < place_rate:
        swapped = swap_place(text, rng)
        if swapped != text:
            text = swapped
            edits.append("place")
    shifted = shift_weekdays(text, weekday_shift)
    if shifted != text:
        text = shifted
        edits.append("weekday")
    return text, tuple(edits)

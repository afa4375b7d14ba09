"""Dates in the text: written dates, weekdays and relative days, resolved against publication.

- explicit: "16/11/2014", "6/ أيار/ 2017", "29 أغسطس/آب الماضي", "(٦ أيلول)" with either month
  system (Levantine كانون الثاني... and Egyptian/Gulf يناير...); without a year, the publication
  year (the previous one if that would put the date after publication);
- relative: "اليوم", "أمس", "أمس الأول", also with a weekday ("اليوم السبت", "أمس الجمعة");
- weekday: "فجر الخميس", "يوم الجمعة", "الثلاثاء الماضي", "الأربعاء": the latest such day on or
  before publication ("الماضي": strictly before; "المقبل"/"القادم": the next one).

Without a publication date only explicit dates with a year are returned.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import DateKind, DateTag

MONTHS: dict[str, int] = {
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7,
    "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "افريل": 4, "مايو": 5, "ماي": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5,
    "الاحد": 6,
}  # fmt: skip
AMBIGUOUS_WEEKDAYS = frozenset({"الاثنين"})  # also "the two": needs a time word
TIME_WORDS = frozenset({"يوم", "فجر", "صباح", "مساء", "ليل", "ليله", "ظهر", "عصر", "منذ"})
RELATIVE = {"اليوم": 0, "امس": -1, "غدا": 1}
PAST = frozenset({"الماضي", "المنصرم", "الفائت"})
NEXT = frozenset({"المقبل", "القادم"})
_RELATIVE_FORMS = frozenset((*RELATIVE, *(f"و{w}" for w in RELATIVE)))
_WEEKDAY_FORMS = frozenset((*WEEKDAYS, *(f"و{w}" for w in WEEKDAYS)))
_STARTS = _RELATIVE_FORMS | _WEEKDAY_FORMS
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")


def find_dates(paragraph: Paragraph, published: date | None) -> tuple[DateTag, ...]:
    if isinstance(published, datetime):
        published = published.date()
    found: list[tuple[int, DateTag]] = []
    taken: set[int] = set()
    for m in _NUMERIC.finditer(paragraph.norm):
        when = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if when is not None:
            found.append(
                (m.start(), DateTag(when, paragraph.original(m.start(), m.end()), "explicit"))
            )
            taken.update(i for i, s in enumerate(paragraph.starts) if m.start() <= s < m.end())
    words = paragraph.words
    for i in [i for i, word in enumerate(words) if word in _STARTS or word.isdigit()]:
        if i in taken:
            continue
        word = words[i]
        hit = None
        if word.isdigit():
            hit = _explicit(words, i, published)
        elif word in _RELATIVE_FORMS:
            hit = _relative(words, i, published)
        elif word in _WEEKDAY_FORMS:
            hit = _weekday(words, i, published, taken)
        if hit is None:
            continue
        when, end, kind = hit
        tag = DateTag(when, paragraph.surface(i, end), kind)
        found.append((paragraph.starts[i], tag))
        taken.update(range(i, end))
    seen: dict[date, DateTag] = {}
    for _, tag in sorted(found, key=lambda f: f[0]):
        seen.setdefault(tag.date, tag)
    return tuple(seen.values())


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(words: tuple[str, ...], i: int) -> tuple[int, int] | None:
    """``(month, index after it)`` for a month name at ``words[i]`` (one or two words)."""
    if i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in MONTHS:
        return MONTHS[f"{words[i]} {words[i + 1]}"], i + 2
    if i < len(words) and words[i] in MONTHS:
        return MONTHS[words[i]], i + 1
    return None


def _explicit(
    words: tuple[str, ...], i: int, published: date | None
) -> tuple[date, int, DateKind] | None:
    if not words[i].isdigit() or not 1 <= int(words[i]) <= 31:
        return None
    month = _month(words, i + 1)
    if month is None:
        return None
    number, end = month
    other = _month(words, end)  # "29 أغسطس/آب": the same month in the other system
    if other is not None and other[0] == number:
        end = other[1]
    if end < len(words) and words[end].isdigit() and len(words[end]) == 4:
        when = _date(int(words[end]), number, int(words[i]))
        return (when, end + 1, "explicit") if when else None
    if published is None:
        return None
    when = _date(published.year, number, int(words[i]))
    if when is not None and when > published + timedelta(days=1):
        when = _date(published.year - 1, number, int(words[i]))
    if end < len(words) and words[end] in PAST:
        end += 1
    return (when, end, "explicit") if when else None


def _relative(
    words: tuple[str, ...], i: int, published: date | None
) -> tuple[date, int, DateKind] | None:
    word = words[i].removeprefix("و")
    if word not in RELATIVE or published is None:
        return None
    offset, end = RELATIVE[word], i + 1
    if word == "امس" and end < len(words) and words[end] == "الاول":
        offset, end = -2, end + 1
    if end < len(words) and words[end] in WEEKDAYS:
        end += 1
    return published + timedelta(days=offset), end, "relative"


def _weekday(
    words: tuple[str, ...], i: int, published: date | None, taken: set[int]
) -> tuple[date, int, DateKind] | None:
    word = words[i].removeprefix("و")
    if word not in WEEKDAYS or published is None:
        return None
    if i + 1 in taken or (i and i - 1 in taken):
        return None  # the weekday of an explicit date ("الأحد 16/11/2014")
    start_context = i > 0 and words[i - 1] in TIME_WORDS
    end = i + 1
    direction = 0
    if end < len(words) and words[end] in PAST:
        direction, end = -1, end + 1
    elif end < len(words) and words[end] in NEXT:
        direction, end = 1, end + 1
    if word in AMBIGUOUS_WEEKDAYS and not start_context and not direction:
        return None
    target = WEEKDAYS[word]
    if direction > 0:
        ahead = (target - published.weekday()) % 7 or 7
        return published + timedelta(days=ahead), end, "weekday"
    back = (published.weekday() - target) % 7
    if direction < 0 and back == 0:
        back = 7
    return published - timedelta(days=back), end, "weekday"

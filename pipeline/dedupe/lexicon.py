"""Small word lists the stage reasons with, in normalized form (أ→ا, ة→ه, ى→ي, no harakat).

They are deliberately short: they only have to tell "the wording was touched" from "another
place, actor or day" between two paragraphs that are already near-identical (see
:mod:`pipeline.dedupe.events`), and to find the qualifier and the counted noun of a number
(see :mod:`pipeline.dedupe.numbers`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

FUNCTION_WORDS = frozenset(
    {
        "في", "من", "الي", "علي", "عن", "مع", "بين", "ان", "او", "ام", "و", "ف", "ثم", "لكن",
        "بل", "قد", "لقد", "كان", "كانت", "يكون", "تكون", "تم", "هذا", "هذه", "ذلك", "تلك",
        "هو", "هي", "هم", "هما", "التي", "الذي", "الذين", "اللذين", "اللتين", "حيث", "بعد",
        "قبل", "خلال", "منذ", "حتي", "عند", "لدي", "اي", "كل", "بعض", "غير", "ضد", "وسط",
        "دون", "بدون", "الا", "ما", "لا", "لم", "لن", "اذا", "اذ", "كما", "مثل", "ايضا", "فقط",
        "جدا", "عبر", "اثر", "جراء", "اثناء", "وفق", "حسب", "بحسب", "اما", "انه", "انها",
        "انهم", "به", "بها", "بهم", "له", "لها", "لهم", "منه", "منها", "منهم", "عليه", "عليها",
        "فيه", "فيها", "عنه", "عنها", "اليه", "اليها", "يوم", "ب", "ل", "ك", "ال",
    }
)  # fmt: skip
"""Prepositions, conjunctions, pronouns, auxiliaries: changing them is rewording."""

REPORTING_WORDS = frozenset(
    {
        "قال", "قالت", "اعلن", "اعلنت", "اكد", "اكدت", "ذكر", "ذكرت", "افاد", "افادت", "اشار",
        "اشارت", "اضاف", "اضافت", "نشر", "نشرت", "اوضح", "اوضحت", "لفت", "لفتت", "نوه", "كشف",
        "كشفت", "مشيرا", "مشيره", "مضيفا", "مؤكدا", "موضحا", "لافتا", "الخبر", "وفق", "بحسب",
        "حسبما", "نقل", "نقلت",
    }
)  # fmt: skip
"""Verbs and phrases that attribute a report: an editor swaps them freely."""

QUALIFIERS = frozenset(
    {
        "اكثر", "اقل", "حوالي", "نحو", "قرابه", "زهاء", "يقارب", "يزيد", "يناهز", "ما", "يقرب",
        "عن", "من", "الاقل", "الاكثر", "فقط", "قرابة",
    }
)  # fmt: skip
"""Words around a count that revise it without changing the fact ("أكثر من 10")."""

PLACE_TRIGGERS = frozenset(
    {
        "قريه", "قريتي", "قريتين", "قري", "بلده", "بلدتي", "بلدتين", "بلدات", "مدينه",
        "مدينتي", "مدينتين", "مدن", "حي", "حيي", "احياء", "منطقه", "منطقتي", "مناطق", "ناحيه",
        "محافظه", "محافظتي", "ريف", "ريفي", "مخيم", "مخيمات", "جبل", "جبال", "سهل", "تل",
        "تله", "باديه", "باديتي", "حقل", "مطار", "معبر", "حاجز", "جسر", "شارع", "ساحه",
        "ضاحيه", "بلديه", "قضاء", "مزرعه", "مزارع", "سجن", "مشفي", "مستشفي", "طريق", "محور",
        "جبهات", "اوتوستراد", "قريتا", "بلدتا", "مدينتا", "منطقتا", "ناحيتا",
        "محافظتا",
    }
)  # fmt: skip
"""Words after which comes a place name ("قرية دير سمعان", "بلدة عين ترما"); duals in both
cases ("بلدتي" / "بلدتا خراب الشحم وغرز")."""

ACTOR_TRIGGERS = frozenset(
    {
        "تنظيم", "قوات", "فصيل", "فصائل", "لواء", "الويه", "كتيبه", "كتائب", "فيلق", "حركه",
        "جبهه", "هيئه", "فرقه", "الفرقه", "ميليشيا", "ميليشيات", "مليشيا", "وحدات", "حزب",
        "مجموعه", "جماعه", "جيش", "تحالف", "الطفل", "الطبيب", "الرائد", "العقيد", "العميد",
        "المقدم", "النقيب", "الملازم", "الشيخ", "الدكتور", "الناشط", "القيادي", "المتحدث",
        "الوزير", "الرئيس", "الصحفي", "المواطن", "الشاب", "الشهيد", "الامير", "القائد",
        "المدعو", "المعلم", "المدرس", "الطالب", "الاعلامي", "الشابه", "الطفله", "السيده",
        "الفتي", "الرجل", "المراسل", "المسعف",
    }
)  # fmt: skip
"""Words after which comes an actor's or a person's name ("فيلق الرحمن", "الطفل خالد")."""

MONTHS = frozenset(
    {
        "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "اب", "ايلول", "تشرين",
        "يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر",
        "اكتوبر", "نوفمبر", "ديسمبر",
    }
)  # fmt: skip
DAY_WORDS = frozenset(
    {
        "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت", "الاحد", "امس",
        "اليوم", "غدا", "البارحه",
    }
)  # fmt: skip
"""A different weekday or relative day is a different day: another event."""

NUMBER_WORDS = {
    "واحد": "1", "واحده": "1", "اثنين": "2", "اثنان": "2", "اثنتين": "2", "اثنتان": "2",
    "ثلاثه": "3", "ثلاث": "3", "اربعه": "4", "اربع": "4", "خمسه": "5", "خمس": "5",
    "سته": "6", "ست": "6", "سبعه": "7", "سبع": "7", "ثمانيه": "8", "ثماني": "8",
    "تسعه": "9", "تسع": "9", "عشره": "10", "عشر": "10", "عشرات": "عشرات",
    "العشرات": "عشرات", "مئات": "مئات", "المئات": "مئات", "الاف": "آلاف",
}  # fmt: skip
"""Counts written as words (the value they are reported as)."""

_CLITICS = ("وبال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_SUFFIXES = ("هما", "هم", "ها", "ات", "ين", "ون", "ان", "ه", "ي")
_WEAK = str.maketrans("", "", "اويء")


def bare_forms(word: str) -> Iterator[str]:
    """``word`` and ``word`` without one leading clitic (و ف ب ل ك ال بال وال لل...)."""
    yield word
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 2:
            yield word[len(clitic) :]


def is_in(word: str, lexicon: frozenset[str]) -> bool:
    """True if ``word`` or one of its bare forms is in ``lexicon`` (one set lookup)."""
    return word in with_clitics(lexicon)


@functools.cache
def with_clitics(lexicon: frozenset[str]) -> frozenset[str]:
    """``lexicon`` and every entry with a leading clitic: ``w in with_clitics(L)`` is true
    exactly when a bare form of ``w`` is in ``L``."""
    return lexicon | {c + w for w in lexicon if len(w) >= 2 for c in _CLITICS}


@functools.cache
def number_forms() -> dict[str, str]:
    """Every number word, also with a leading clitic, and the count it stands for."""
    forms = {c + w: v for w, v in NUMBER_WORDS.items() if len(w) >= 2 for c in _CLITICS}
    return forms | NUMBER_WORDS


def number_word(word: str) -> str | None:
    """The count a number word stands for, clitics allowed ("والعشرات" → "عشرات"), or None."""
    return number_forms().get(word)


@functools.lru_cache(maxsize=1 << 15)
def skeletons(word: str) -> frozenset[str]:
    """The consonant skeletons of ``word``'s forms, clitics and a common suffix removed.

    صاروخ and صواريخ share صرخ, شديد and شديده share شدد, كمين and بكمين share كمن: two words
    sharing a skeleton (of at least two letters) are read as forms of one word (plural,
    feminine, verbal noun...), so a change between them is rewording, not another fact.
    """
    found: set[str] = set()
    for form in bare_forms(word):
        stems = [form]
        for suffix in _SUFFIXES:
            if form.endswith(suffix) and len(form) - len(suffix) >= 3:
                stems.append(form[: -len(suffix)])
        for stem in stems:
            consonants = stem.translate(_WEAK)
            if len(consonants) >= 2:
                found.add(consonants)
    return frozenset(found)

"""Casualties: who was killed, injured, captured, executed or went missing, and how many.

Two shapes carry a count. A verb or verbal noun looks *forward* for it ("قتل أكثر من 15 عنصراً",
"مقتل قياديين اثنين", "أعدم داعش قيادياً", "قتل وجرح العشرات"); a casualty noun looks *back*
("حوالي 40 قتيلاً", "عشرات الشهداء والجرحى", "عدد من الجرحى", "سقوط شهيد"). Without a count a
singular noun or intransitive verb means one ("استشهد طفل"), a dual two ("قتيلين"), a plural an
unspecified number ("سقوط جرحى"). A toll ("حصيلة ... أسفرت عن أكثر من 24 مقاتلاً") counts the
dead. Not counted: negated statements ("دون تسجيل أي إصابات"), "the number of" ("عدد القتلى"),
prisoners being released, deaths of grief, and a definite plural that only refers back to dead
already counted ("والشهداء كلهم مدنيون").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.tagging.entities import Mention
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.quantities import Quantity, parse_quantity
from pipeline.tagging.tags import Casualty, CasualtyKind

FORWARD_REACH = 5
BACK_REACH = 4
TARGET_REACH = 6
TOLL_REACH = 12

# Normalized forms (ة → ه, أ/إ → ا, ى → ي); nouns are also matched with و ف ب ل and ال.
VERBS: dict[str, CasualtyKind] = {
    **dict.fromkeys(("قتل", "مقتل", "قتلت", "قتلوا", "مصرع", "لقي", "لقوا", "قضوا"), "killed"),
    **dict.fromkeys(("يقتل", "تقتل", "قتلا", "حتفه", "حتفهم"), "killed"),
    **dict.fromkeys(("استشهد", "استشهدت", "استشهاد", "توفي", "توفيت"), "killed"),
    **dict.fromkeys(("جرح", "جرحت", "جرحوا", "اصابه", "اصيب", "اصيبت", "اصيبوا"), "injured"),
    **dict.fromkeys(("اعدم", "اعدمت", "اعدموا", "اعدام", "اعدامات", "اعدامه"), "executed"),
    **dict.fromkeys(("اسر", "اسرت", "اختطاف", "خطف", "اختطف", "اختطفت"), "captured"),
}
INTRANSITIVE_SINGULAR = frozenset({"استشهد", "استشهدت", "استشهاد", "توفي", "توفيت", "اصيب"})
NOUNS: dict[str, tuple[CasualtyKind, int | None]] = {
    **dict.fromkeys(("قتيل", "قتيلا", "شهيد", "شهيدا"), ("killed", 1)),
    **dict.fromkeys(("قتيلين", "قتيلان", "شهيدين", "شهيدان"), ("killed", 2)),
    **dict.fromkeys(("قتلي", "القتلي", "شهداء", "الشهداء"), ("killed", None)),
    **dict.fromkeys(("جريح", "جريحا", "مصاب", "مصابا"), ("injured", 1)),
    **dict.fromkeys(("جريحين", "جريحان"), ("injured", 2)),
    **dict.fromkeys(("جرحي", "الجرحي", "اصابات", "الاصابات"), ("injured", None)),
    **dict.fromkeys(("مصابين", "المصابين"), ("injured", None)),
    **dict.fromkeys(("اسير", "اسيرا"), ("captured", 1)),
    **dict.fromkeys(("اسري", "الاسري", "مختطفين", "المختطفين"), ("captured", None)),
    **dict.fromkeys(("مفقود", "مفقودا"), ("missing", 1)),
    **dict.fromkeys(("مفقودين", "المفقودين"), ("missing", None)),
}  # fmt: skip
TOLLS = frozenset({"حصيله"})
PEOPLE = frozenset({
    "عنصر", "عنصرا", "عناصر", "مقاتل", "مقاتلا", "مقاتلين", "مقاتلون", "جندي", "جنديا", "جنود",
    "قيادي", "قياديا", "قياديين", "قياديان", "مدني", "مدنيا", "مدنيين", "مدنيون", "طفل", "طفلا",
    "اطفال", "امراه", "نساء", "شخص", "شخصا", "اشخاص", "شاب", "شابا", "شبان", "رجل", "رجال",
    "طبيب", "الطبيب", "الطفل", "عسكري", "عسكريا", "عسكريين", "ضابط", "ضابطا", "ضباط", "امير",
    "مسلحا", "مسلحين", "ارهابيا", "ارهابيين", "شرطيا", "شرطيين", "مواطنا", "مواطنين", "سوريا",
    "سوريين", "مهاجرا", "لاجئا", "لاجئين", "صحفيا", "صحفيين", "عاملا", "عمال", "اشخاصا",
    "قتيلا", "داعشيا", "قادة", "القادة", "افراد",
})  # fmt: skip
SINGULAR_PEOPLE = frozenset({
    "عنصر", "عنصرا", "مقاتل", "مقاتلا", "جندي", "جنديا", "قيادي", "قياديا", "مدني", "مدنيا",
    "طفل", "طفلا", "الطفل", "امراه", "شخص", "شخصا", "شاب", "شابا", "رجل", "طبيب", "الطبيب",
    "عسكري", "عسكريا", "ضابط", "ضابطا", "طفله", "الطفله",
    "القيادي", "الجندي", "العنصر", "المقاتل", "الضابط", "الشاب", "الرجل", "المدني", "العسكري",
    "الطيار", "طيار", "طيارا", "قناص", "قناصا", "القناص", "صحفي", "صحفيا", "الصحفي", "ناشط",
    "ناشطا", "الناشط", "قائد", "قائدا", "القائد", "امير", "اميرا", "الامير", "شرطي", "شرطيا",
    "الشرطي", "مسعف", "مسعفا", "المسعف",
})  # fmt: skip
CIVILIANS = frozenset({
    "المدنيين", "مدنيين", "مدنيون", "المدنيون", "مدنيا", "مدني", "الاطفال", "اطفال", "النساء",
    "نساء", "طفل", "الطفل", "طفلا", "طفله", "الطفله", "الطبيب", "طبيب", "اطفالا",
})  # fmt: skip
# The dual states a count of two ("مقتل جنديين", "وأصيب آخران"); forms that are also plurals
# ("مقاتلين", "مدنيين") are left out: without a number they count nothing.
DUAL_PEOPLE = frozenset({
    "جنديين", "جنديان", "عنصرين", "عنصران", "شخصين", "شخصان", "طفلين", "طفلان", "ضابطين",
    "ضابطان", "عضوين", "عضوان", "شرطيين", "شرطيان", "طيارين", "طياران", "مدنيان", "رجلين",
    "رجلان", "امراتين", "امراتان", "شابين", "شابان", "اخران", "شقيقين", "شقيقان",
    "قياديان", "مسعفين", "مسعفان", "صحفيان", "عسكريان", "مقاتلان", "مواطنين", "مواطنان",
})  # fmt: skip
PLURAL_VERB_ENDING = "وا"  # "قتلوا": the count may stand before the verb ("36 شخصا قتلوا")
BACKWARD_VERB_REACH = 12
OWN = frozenset({"له", "لها", "صفوفه", "صفوفها", "لهم"})
NEGATIONS = frozenset({"دون", "بدون", "لم", "عدم", "لا", "اي"})
NUMBER_OF = frozenset({"عدد", "اعداد"})
RELEASED = frozenset({"سراح", "تبادل", "صفقه"})
GRIEF = frozenset({"حزنا", "حزن"})
CLAUSE_BREAKS = frozenset({"بعد", "اثر", "جراء", "عقب", "خلال", "حيث", "اثناء", "عندما", "وسط"})


@dataclass(frozen=True, slots=True)
class _Found:
    kind: CasualtyKind
    quantity: Quantity
    first: int
    end: int
    cue: int
    counted: int
    """Where the counted people are named ("17 عنصرا ..."): who they are is looked for here on."""


def find_casualties(paragraph: Paragraph, actors: Sequence[Mention]) -> tuple[Casualty, ...]:
    words = paragraph.words
    actor_words = {i for m in actors for i in range(m.first, m.end)}
    found: list[_Found] = []
    claimed: set[int] = set()
    after = -1
    for i in [i for i, word in enumerate(words) if word in FORMS]:
        if i <= after:
            continue  # already part of the previous group ("قتل وجرح")
        group = _group(words, i)
        found.extend(
            _counted(paragraph, group, actor_words=actor_words, found=found, claimed=claimed)
        )
        after = group[-1][0]
    found.extend(_tolls(paragraph, words, claimed))
    items: dict[tuple[str, int | None, str], Casualty] = {}
    for hit in found:
        key = (hit.kind, hit.quantity.count, hit.quantity.approx)
        if key not in items:
            q = hit.quantity
            target = _target(paragraph, words, hit, actors)
            evidence = paragraph.surface(hit.first, hit.end)
            items[key] = Casualty(hit.kind, q.count, q.approx, q.low, q.high, target, evidence)
    return tuple(items.values())


def _forms() -> dict[str, tuple[CasualtyKind, bool, int | None]]:
    """Every written form of a casualty word → ``(kind, is_verb, implied count)``, with و ف ب ل
    in front ("وبمقتل", "بإصابة") and لل for ال."""
    forms: dict[str, tuple[CasualtyKind, bool, int | None]] = {}
    for noun, (kind, implied) in NOUNS.items():
        for prefix in ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل"):
            forms.setdefault(prefix + noun, (kind, False, implied))
        if noun.startswith("ال"):
            for prefix in ("ل", "ول", "فل"):
                forms.setdefault(prefix + "ل" + noun[2:], (kind, False, implied))
    for verb, kind in VERBS.items():
        for prefix in ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل"):
            forms[prefix + verb] = (kind, True, None)
    return forms


FORMS = _forms()


def _group(words: Sequence[str], i: int) -> list[tuple[int, CasualtyKind, bool, int | None]]:
    """Casualty words starting at ``i`` joined by و ("قتل وجرح", "الشهداء والجرحى")."""
    first = FORMS.get(words[i])
    if first is None:
        return []
    group = [(i, *first)]
    j = i + 1
    while j < len(words) and words[j].startswith("و") and (nxt := FORMS.get(words[j])) is not None:
        group.append((j, *nxt))
        j += 1
    return group


def _counted(
    paragraph: Paragraph,
    group: list[tuple[int, CasualtyKind, bool, int | None]],
    *,
    actor_words: set[int],
    found: Sequence[_Found],
    claimed: set[int],
) -> list[_Found]:
    words = paragraph.words
    start, end = group[0][0], group[-1][0] + 1
    lead, _, is_verb, implied = group[0]
    if _silenced(words, start) or any(w in GRIEF for w in words[end : end + 2]):
        return []
    if group[0][1] == "captured" and any(w in RELEASED for w in words[max(0, start - 3) : start]):
        return []
    quantity: Quantity | None = None
    span = (start, end)
    if is_verb:
        quantity, span = _forward(paragraph, words, start, end, actor_words)
        if quantity is None and words[lead].endswith(PLURAL_VERB_ENDING):
            quantity, span = _before_verb(paragraph, words, start, end)
        if quantity is None and words[lead].removeprefix("و") in INTRANSITIVE_SINGULAR:
            quantity = Quantity.exact(1)
    else:
        quantity, span = _backward(words, start, end)
        if quantity is None and implied is not None:
            quantity = Quantity.exact(implied)
        if quantity is None:
            if start and words[start - 1] in NUMBER_OF:
                return []
            definite = words[start].removeprefix("و").startswith("ال")
            kinds = {k for _, k, _, _ in group}
            if definite and any(f.kind in kinds for f in found):
                return []
            quantity = Quantity.unspecified()
    if quantity is None:
        return []
    claimed.update(range(*span))
    counted = quantity.end if is_verb and quantity.end >= 0 else span[1]
    return [_Found(kind, quantity, span[0], span[1], index, counted) for index, kind, _, _ in group]


def _forward(
    paragraph: Paragraph, words: Sequence[str], start: int, end: int, actor_words: set[int]
) -> tuple[Quantity | None, tuple[int, int]]:
    j = end
    limit = min(len(words), end + FORWARD_REACH)
    while j < limit and paragraph.same_sentence(start, j):
        if words[j] in SINGULAR_PEOPLE:  # also when it heads an actor ("عسكري تركي")
            return Quantity.exact(1), (start, j + 1)
        if words[j].removeprefix("و") in DUAL_PEOPLE:
            return Quantity.exact(2), (start, j + 1)
        if words[j] in FORMS:
            break  # another casualty statement ("وقتل عسكري ... وجرح اثنان")
        if j in actor_words:
            j += 1
            continue
        quantity = parse_quantity(words, j)
        if quantity is not None:
            end = quantity.end - 1 if words[quantity.end - 1] == "من" else quantity.end
            return quantity, (start, end)
        j += 1
    return None, (start, end)


def _before_verb(
    paragraph: Paragraph, words: Sequence[str], start: int, end: int
) -> tuple[Quantity | None, tuple[int, int]]:
    """A count of people before a plural verb, in its sentence: "36 شخصا قتلوا", "ستة مدنيين على
    الأقل قتلوا", "ستة من قادة التنظيم ... قد قتلوا"."""
    for s in range(start - 1, max(0, start - BACKWARD_VERB_REACH) - 1, -1):
        if not paragraph.same_sentence(s, start):
            break
        quantity = parse_quantity(words, s)
        if quantity is None or quantity.end >= start:
            continue
        counted = words[quantity.end]
        if counted in PEOPLE or counted == "من" or counted in CIVILIANS:
            return quantity, (s, end)
    return None, (start, end)


def _backward(
    words: Sequence[str], start: int, end: int
) -> tuple[Quantity | None, tuple[int, int]]:
    for s in range(max(0, start - BACK_REACH), start):
        quantity = parse_quantity(words, s)
        if quantity is not None and quantity.end in (start, start - 1):
            if quantity.end == start - 1 and words[start - 1] != "من":
                continue
            return quantity, (s, end)
    return None, (start, end)


def _tolls(paragraph: Paragraph, words: Sequence[str], claimed: set[int]) -> list[_Found]:
    """A toll counts people killed: "حصيلة ... أسفرت عن أكثر من 24 مقاتلاً"."""
    hits: list[_Found] = []
    for i, word in enumerate(words):
        if word.removeprefix("و") not in TOLLS:
            continue
        for j in range(i + 1, min(len(words), i + TOLL_REACH)):
            if not paragraph.same_sentence(i, j) or j in claimed:
                break
            quantity = parse_quantity(words, j)
            if quantity is not None and quantity.end < len(words) and words[quantity.end] in PEOPLE:
                hits.append(_Found("killed", quantity, j, quantity.end + 1, i, quantity.end))
                break
    return hits


def _silenced(words: Sequence[str], start: int) -> bool:
    return any(w in NEGATIONS for w in words[max(0, start - 3) : start])


def _target(
    paragraph: Paragraph, words: Sequence[str], hit: _Found, actors: Sequence[Mention]
) -> str | None:
    """Who the casualties are: civilians, an actor named after the count, or the actor whose
    own members they are ("تابع له", "في صفوفه")."""
    starts = {m.first: m for m in actors}
    for j in range(hit.first, min(len(words), hit.end + TARGET_REACH)):
        named = j >= hit.counted
        if named and (words[j] in CLAUSE_BREAKS or not paragraph.same_sentence(hit.cue, j)):
            break
        if words[j] in CIVILIANS:
            return "civilians"
        if named and j in starts:
            return starts[j].id
        if named and words[j] in OWN:
            near = [m for m in actors if abs(m.first - hit.cue) <= 8]
            return min(near, key=lambda m: abs(m.first - hit.cue)).id if near else None
    return None

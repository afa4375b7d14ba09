"""Paragraph-level boilerplate filter, run after trafilatura: keep the article, say why not.

trafilatura removes navigation, tickers, share bars, related blocks and comment forms when
they sit in their own containers. What it keeps, and this filter drops, are the lines that
CMSs put *inside* the article body: "اقرأ أيضاً: ..." links, donation appeals, embedded posts,
share and follow calls, comment policies, section headings of bulletins, teasers ending in
"…", and the title repeated as the first paragraph. Each rule looks at one paragraph (its
normalized words); a donation or comment block also takes the short non-sentence lines right
next to it. Later exact repeats of a kept paragraph are dropped as ``duplicate_in_page``.

Not done yet: learning, per site, the lines that recur across many pages of that site
(footers, signatures, standing appeals); that needs state across pages and belongs to a
stage that sees a site's history.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kernel.text.normalize import normalize_arabic, tokens


class Reason(StrEnum):
    """Why a paragraph was dropped (the values are what callers count and index)."""

    TITLE_REPEAT = "title_repeat"
    READ_ALSO = "read_also"
    SHARE_BAR = "share_bar"
    EMBEDDED_POST = "embedded_post"
    COMMENT_PROMPT = "comment_prompt"
    DONATION_APPEAL = "donation_appeal"
    BREAKING_TICKER = "breaking_ticker"
    CREDIT_LINE = "credit_line"
    TEASER_ELLIPSIS = "teaser_ellipsis"
    SECTION_HEADING = "section_heading"
    SHORT_UI_LINE = "short_ui_line"
    DUPLICATE_IN_PAGE = "duplicate_in_page"


@dataclass(frozen=True, slots=True)
class DroppedParagraph:
    """A paragraph the filter removed, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class FilteredParagraphs:
    """The filter's verdict: kept paragraphs in page order, and every dropped one."""

    kept: tuple[str, ...]
    dropped: tuple[DroppedParagraph, ...]


MIN_SENTENCE_WORDS = 4  # fewer words and no full stop: a UI line ("مجانى", "عرض", "×")
MAX_UI_WORDS = 12  # share/follow calls, tickers and headings are at most this long
MAX_TEASER_WORDS = 40  # a teaser is a sentence or two cut off with "…"
MAX_BLOCK_NEIGHBOUR_WORDS = 15  # a non-sentence line this short joins an adjacent appeal
MAX_APPEAL_WORDS = 40

READ_ALSO_PREFIXES = (
    "اقرأ أيضاً", "اقرأ أيضا", "إقرأ أيضاً", "اقرأ كذلك", "اقرأ المزيد", "شاهد أيضاً",
    "شاهد المزيد", "طالع أيضاً", "يهمك أيضاً", "قد يهمك", "اخترنا لك", "للمزيد",
    "مواضيع ذات صلة", "أخبار ذات صلة", "ذات صلة", "read also", "read more", "see also",
)  # fmt: skip
SHARE_WORDS = frozenset(
    {
        "شارك", "شاركها", "انشر", "تابعونا", "تابعنا", "فيسبوك", "فيس", "بوك", "تويتر",
        "واتساب", "واتس", "اب", "تيليجرام", "تلغرام", "تليغرام", "تيليغرام", "انستغرام",
        "انستجرام", "يوتيوب", "لينكدان", "طباعه", "facebook", "twitter", "whatsapp",
        "telegram", "instagram", "youtube", "linkedin", "email", "print", "x",
    }
)  # fmt: skip
SHARE_VERBS = frozenset({"شارك", "شاركها", "انشر", "تابعونا", "تابعنا"})
COMMENT_PREFIXES = (
    "التعليقات", "تعليقات", "اترك تعليقاً", "اترك تعليق", "أضف تعليق", "أرسل تعليق",
    "اكتب تعليق", "شاركنا رأيك",
)  # fmt: skip
COMMENT_POLICY = (
    "لن يتم نشر عنوان بريدك", "الحقول الإلزامية", "الحقول المطلوبة", "سياسة التعليقات",
    "آداب الحوار", "التعليقات المنشورة", "جميع التعليقات تخضع",
)  # fmt: skip
DONATION_PREFIXES = ("ادعم", "ادعمنا", "ادعمونا", "للتبرع", "تبرع الآن", "تبرع لنا", "ساهم معنا")
DONATION_PHRASES = (
    "بحاجتك", "بحاجة لدعمك", "بحاجة إلى دعمك", "دولار واحد شهري", "هنا للمساهمة",
    "هنا للتبرع", "كن داعماً", "ادعم استقلال", "ادعم الصحافة",
)  # fmt: skip
CREDIT_PREFIXES = ("المصدر", "المصادر", "تحرير", "إعداد", "ترجمة", "تصوير", "الصورة")

_EMBED = re.compile(
    r"pic\.twitter\.com/|^[—–-]\s*[^()\n]{1,80}\(@\w{1,30}\)|instagram\.com/p/"
    r"|^(?:View this post on Instagram|عرض هذا المنشور على Instagram)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\.)[.!?؟][\"'”»)\]]*$")
_ELLIPSIS_END = re.compile(r"(?:…|\.{3,})[\"'”»)\]]*$")
_TICKER = re.compile(r"^عاجل\s*[:|\-–—]")


@functools.cache
def _normalized(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize_arabic(phrase).lower() for phrase in phrases)


def _starts_with(norm: str, phrases: tuple[str, ...]) -> bool:
    """True if ``norm`` starts with one of ``phrases`` as whole words."""
    return any(
        norm.startswith(p) and (len(norm) == len(p) or not norm[len(p)].isalnum())
        for p in _normalized(phrases)
    )


def _contains(norm: str, phrases: tuple[str, ...]) -> bool:
    return any(p in norm for p in _normalized(phrases))


def ends_like_sentence(text: str) -> bool:
    """True if ``text`` ends with one full stop, "!" or "?"/"؟" (closing quotes allowed)."""
    return _SENTENCE_END.search(text.rstrip()) is not None


@dataclass(frozen=True, slots=True)
class _Line:
    """One paragraph as the rules see it."""

    text: str  # stripped original
    norm: str  # normalized, lower-cased, leading bullets and dashes removed
    words: tuple[str, ...]  # normalized words
    sentence: bool  # ends with a full stop, "!" or "?"

    @classmethod
    def of(cls, paragraph: str) -> _Line:
        text = paragraph.strip()
        norm = normalize_arabic(text).lower().lstrip("-–—•*·|>:»« ")
        return cls(text, norm, tuple(tokens(text)), ends_like_sentence(text))


def _read_also(line: _Line) -> bool:
    return _starts_with(line.norm, READ_ALSO_PREFIXES)


def _embedded_post(line: _Line) -> bool:
    return _EMBED.search(line.text) is not None


def _donation_appeal(line: _Line) -> bool:
    return len(line.words) <= MAX_APPEAL_WORDS and (
        _starts_with(line.norm, DONATION_PREFIXES) or _contains(line.norm, DONATION_PHRASES)
    )


def _comment_prompt(line: _Line) -> bool:
    count = len(line.words)
    if count <= MAX_UI_WORDS and not line.sentence and _starts_with(line.norm, COMMENT_PREFIXES):
        return True
    return count <= MAX_APPEAL_WORDS and _contains(line.norm, COMMENT_POLICY)


def _share_bar(line: _Line) -> bool:
    if not line.words or len(line.words) > MAX_UI_WORDS or line.sentence:
        return False
    if line.words[0] in SHARE_VERBS:  # "شارك" also means "took part": hence not a sentence
        return True
    share = sum(1 for word in line.words if word in SHARE_WORDS)
    return share >= 2 and share * 2 >= len(line.words)


def _breaking_ticker(line: _Line) -> bool:
    return len(line.words) <= MAX_UI_WORDS and _TICKER.match(line.norm) is not None


def _credit_line(line: _Line) -> bool:
    return (
        len(line.words) <= MAX_UI_WORDS
        and ":" in line.norm
        and _starts_with(line.norm, CREDIT_PREFIXES)
    )


def _teaser_ellipsis(line: _Line) -> bool:
    return len(line.words) <= MAX_TEASER_WORDS and _ELLIPSIS_END.search(line.text) is not None


def _section_heading(line: _Line) -> bool:
    return len(line.words) <= MAX_UI_WORDS // 2 and line.text.endswith("::")


def _short_ui_line(line: _Line) -> bool:
    if not any(word.isalpha() for word in line.words):
        return True  # no word made of letters: "×", "|", "2014", "* * *"
    if all(len(word) == 1 for word in line.words):
        return True  # font-size buttons and the like: "ع ع ع"
    if len(line.words) >= MIN_SENTENCE_WORDS or line.sentence:
        return False
    # "وقال المتحدث:" introduces the quote that follows: keep it unless it is a lone word.
    return not (line.text.endswith(":") and len(line.words) > 1)


# First match wins: specific patterns before the generic length rules.
_RULES: tuple[tuple[Reason, Callable[[_Line], bool]], ...] = (
    (Reason.READ_ALSO, _read_also),
    (Reason.EMBEDDED_POST, _embedded_post),
    (Reason.DONATION_APPEAL, _donation_appeal),
    (Reason.COMMENT_PROMPT, _comment_prompt),
    (Reason.SHARE_BAR, _share_bar),
    (Reason.BREAKING_TICKER, _breaking_ticker),
    (Reason.CREDIT_LINE, _credit_line),
    (Reason.TEASER_ELLIPSIS, _teaser_ellipsis),
    (Reason.SECTION_HEADING, _section_heading),
    (Reason.SHORT_UI_LINE, _short_ui_line),
)


def classify(paragraph: str, title: str | None = None) -> Reason | None:
    """The reason to drop ``paragraph`` on its own merits, or None to keep it."""
    return _classify(_Line.of(paragraph), tuple(tokens(title)) if title else ())


def _classify(line: _Line, title_words: tuple[str, ...]) -> Reason | None:
    if title_words and line.words == title_words:
        return Reason.TITLE_REPEAT
    return next((reason for reason, rule in _RULES if rule(line)), None)


def filter_paragraphs(
    paragraphs: Sequence[str], title: str | None = None, embedded: Sequence[str] = ()
) -> FilteredParagraphs:
    """Split ``paragraphs`` into kept and dropped; blank ones are skipped, order is kept.

    ``title`` is the page title (a paragraph repeating it is dropped); ``embedded`` holds the
    text of each post embedded in the page (tweets...): a paragraph whose words form a run
    of words of one of them is dropped as ``embedded_post``.
    """
    lines = [_Line.of(p) for p in paragraphs if p.strip()]
    title_words = tuple(tokens(title)) if title else ()
    embeds = [f" {' '.join(tokens(text))} " for text in embedded]
    reasons = [
        Reason.EMBEDDED_POST if _inside_any(line, embeds) else _classify(line, title_words)
        for line in lines
    ]
    _extend_blocks(lines, reasons)
    kept: list[str] = []
    dropped: list[DroppedParagraph] = []
    seen: set[tuple[str, ...]] = set()
    for line, reason in zip(lines, reasons, strict=True):
        duplicate = reason is None and line.words in seen
        verdict = Reason.DUPLICATE_IN_PAGE if duplicate else reason
        if verdict is None:
            seen.add(line.words)
            kept.append(line.text)
        else:
            dropped.append(DroppedParagraph(line.text, verdict.value))
    return FilteredParagraphs(tuple(kept), tuple(dropped))


def _inside_any(line: _Line, embeds: list[str]) -> bool:
    if not line.words or not embeds:
        return False
    needle = f" {' '.join(line.words)} "
    return any(needle in embed for embed in embeds)


def _extend_blocks(lines: list[_Line], reasons: list[Reason | None]) -> None:
    """Give a donation or comment block the short non-sentence lines adjacent to it.

    Kept lines and short UI lines ("الاسم *" under "اترك تعليقاً") are taken.

    An appeal's lead-in ("الإعلام الموجّه يشوه الحقيقة في بلادنا ويطيل أمد الحرب..") names no
    donation word; sitting next to the appeal, short, and not ending with a full stop, it is
    part of it. A body paragraph next to an appeal ends with a full stop and stays.
    """
    blocks = (Reason.DONATION_APPEAL, Reason.COMMENT_PROMPT)
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            if reasons[i] not in (None, Reason.SHORT_UI_LINE) or line.sentence:
                continue
            if len(line.words) > MAX_BLOCK_NEIGHBOUR_WORDS:
                continue
            neighbours = [reasons[j] for j in (i - 1, i + 1) if 0 <= j < len(reasons)]
            joined = next((n for n in neighbours if n in blocks), None)
            if joined is not None:
                reasons[i] = joined
                changed = True

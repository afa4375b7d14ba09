"""The fictional outlets of the demo: who they are and what their page chrome says.

Everything here is data. :mod:`devtools.demo.pages` turns an :class:`Outlet` into HTML; the
differences between outlets (layout, menus, ticker, share bar, related blocks, comment policy,
donation appeal, charset, feed flavour, date style) are what an extractor has to see through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Layout = Literal["daily", "weekly", "network", "agency"]
FeedKind = Literal["rss", "atom"]

WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
MONTHS_LEVANT = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
MONTHS_EGYPT = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True, slots=True)
class Outlet:
    """One fictional news site."""

    id: str
    name_ar: str
    name_latin: str
    domain: str
    """Domain used in generated (not served) URLs; ``.example`` is reserved, never resolves."""
    country: str
    layout: Layout
    charset: str
    feed_kind: FeedKind
    article_prefix: str
    """First path segment of article URLs, e.g. ``news`` in ``/news/2014/11/slug-101.html``."""
    nav: tuple[str, ...]
    ticker: tuple[str, ...]
    share_label: str
    share_targets: tuple[str, ...]
    related_heading: str
    comment_heading: str
    comment_policy: str
    footer: str
    levantine_months: bool
    indic_digits: bool
    feed_tracking: str = ""
    """Query string appended to article links in the feed (``utm_source=rss``...), or empty."""
    donation: tuple[str, ...] = ()
    """Donation appeal injected inside the article body (one outlet only)."""

    @property
    def feed_path(self) -> str:
        return "/atom.xml" if self.feed_kind == "atom" else "/feed.xml"

    def article_path(self, published: datetime, slug: str, number: int) -> str:
        return f"/{self.article_prefix}/{published:%Y/%m}/{slug}-{number}.html"

    def date_line(self, when: datetime) -> str:
        months = MONTHS_LEVANT if self.levantine_months else MONTHS_EGYPT
        text = (
            f"{WEEKDAYS_AR[when.weekday()]} {when.day} {months[when.month - 1]} {when.year}"
            f" - {when:%H:%M}"
        )
        return text.translate(_INDIC) if self.indic_digits else text


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        id="ofoq",
        name_ar="الأفق العربي",
        name_latin="Al-Ofoq al-Arabi",
        domain="alofoq.example",
        country="LB",
        layout="daily",
        charset="utf-8",
        feed_kind="rss",
        article_prefix="news",
        nav=("الرئيسية", "سياسة", "عربي ودولي", "اقتصاد", "رياضة", "ثقافة", "رأي", "منوعات"),
        ticker=("مقتل قياديين اثنين من “داعش” في غارة أميركية شمالي سوريا",),
        share_label="شارك:",
        share_targets=("فيسبوك", "تويتر", "واتساب", "تلغرام"),
        related_heading="شاهد أيضاً",
        comment_heading="اترك تعليقاً",
        comment_policy="لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        footer="© الأفق العربي 2024. جميع الحقوق محفوظة.",
        levantine_months=False,
        indic_digits=False,
        feed_tracking="utm_source=rss&utm_medium=feed&utm_campaign=alofoq",
    ),
    Outlet(
        id="nabd",
        name_ar="نبض سوريا",
        name_latin="Nabd Souria",
        domain="nabdsouria.example",
        country="SY",
        layout="weekly",
        charset="utf-8",
        feed_kind="rss",
        article_prefix="syria",
        nav=("أخبار سوريا", "تقارير", "تحقيقات", "رأي وتحليل", "مجتمع", "فيديو", "English"),
        ticker=("المعارضة السورية المسلحة تحاصر المقر الرئيسي لتنظيم الدولة بالرقة",),
        share_label="شارك:",
        share_targets=("فيسبوك", "تويتر", "واتساب"),
        related_heading="اقرأ أيضاً",
        comment_heading="أضف تعليقك",
        comment_policy="التعليقات المسيئة أو الخارجة عن موضوع المقال لن تُنشر.",
        footer="جميع الحقوق محفوظة © نبض سوريا 2024",
        levantine_months=True,
        indic_digits=False,
        donation=(
            "الإعلام الموجّه يشوه الحقيقة في بلادنا ويطيل أمد الحرب..",
            "سوريا بحاجة للصحافة الحرة.. ونحن بحاجتك لنبقى مستقلين",
            "ادعم نبض سوريا",
            "دولار واحد شهريًا يصنع الفرق",
            "اضغط هنا للمساهمة",
        ),
    ),
    Outlet(
        id="maydan",
        name_ar="شبكة الميدان الإخبارية",
        name_latin="Al-Maydan News Network",
        domain="almaydan-news.example",
        country="SY",
        layout="network",
        charset="utf-8",
        feed_kind="atom",
        article_prefix="akhbar",
        nav=("الرئيسية", "الحصاد اليومي", "الأخبار الميدانية", "سياسة", "تقارير", "إنفوغراف"),
        ticker=(
            "فيلق الرحمن: مقتل أكثر من 15 عنصراً من الفرقة الرابعة في كمين بجوبر",
            "قصف مدفعي على أحياء درعا المحررة في خرق لاتفاق الهدنة",
        ),
        share_label="شارك الخبر",
        share_targets=("فيسبوك", "تويتر", "واتساب", "نسخ الرابط"),
        related_heading="أخبار ذات صلة",
        comment_heading="التعليقات",
        comment_policy="نرحب بتعليقاتكم، ونحتفظ بحق حذف التعليقات المسيئة أو التي تتضمن إعلانات.",
        footer="شبكة الميدان الإخبارية © 2024 | سياسة الخصوصية | اتصل بنا",
        levantine_months=True,
        indic_digits=True,
    ),
    Outlet(
        id="mashriq",
        name_ar="وكالة المشرق للأنباء",
        name_latin="Mashriq News Agency",
        domain="mashriq-agency.example",
        country="KW",
        layout="agency",
        charset="windows-1256",
        feed_kind="rss",
        article_prefix="news",
        nav=("أخبار سوريا", "عربي ودولي", "اقتصاد", "صور", "فيديو", "اتصل بنا"),
        ticker=("الولايات المتحدة.. إصابة عسكريين بتحطم مروحية عسكرية",),
        share_label="شارك:",
        share_targets=("فيسبوك", "تويتر", "واتساب"),
        related_heading="شاهد أيضاً",
        comment_heading="اترك تعليقاً",
        comment_policy="لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        footer="© وكالة المشرق للأنباء - جميع الحقوق محفوظة",
        levantine_months=False,
        indic_digits=False,
        feed_tracking="utm_source=rss",
    ),
)


def outlet_by_id(outlet_id: str) -> Outlet:
    for outlet in OUTLETS:
        if outlet.id == outlet_id:
            return outlet
    raise KeyError(f"no demo outlet {outlet_id!r}; known: {[o.id for o in OUTLETS]}")

"""Pages for the alerting tests: an actor in the news of many independent outlets.

Each page is its own report (another village, another weapon, another number), so each is its
own paragraph cluster; the actor (جبهة النصرة, lexicon id ``nusra``) is named in every one.
"""

from __future__ import annotations

from datetime import datetime

from connectors.urls import canonicalize, url_id
from kernel.records import RawPage

VILLAGES = (
    "كفرنبل",
    "معرة النعمان",
    "سراقب",
    "خان شيخون",
    "جسر الشغور",
    "أريحا",
    "سرمين",
    "بنش",
    "تفتناز",
    "كفرومة",
    "حيش",
    "الهبيط",
    "التمانعة",
    "كفرسجنة",
    "مورك",
    "اللطامنة",
)
WEAPONS = (
    "قذائف الهاون",
    "صواريخ غراد",
    "قذائف المدفعية",
    "الرشاشات الثقيلة",
    "صواريخ موجهة",
    "عبوة ناسفة",
    "سيارة مفخخة",
    "قذائف الدبابات",
)
TEMPLATES = (
    "هاجم مقاتلو جبهة النصرة مواقع في بلدة {village} مستخدمين {weapon}، وقالت مصادر محلية إن "
    "{n} عناصر قتلوا في الاشتباكات التي استمرت حتى ساعات الصباح الأولى.",
    "أعلنت جبهة النصرة سيطرتها على حاجز قرب {village} بعد معارك استخدمت فيها {weapon}، فيما "
    "تحدث ناشطون عن مقتل {n} أشخاص وإصابة آخرين بجروح متفاوتة.",
    "قصفت جبهة النصرة أحياء في {village} بـ{weapon} ما أدى إلى سقوط {n} قتلى بينهم أطفال، "
    "بحسب ما أفاد مراسلون في المنطقة نقلا عن الدفاع المدني.",
    "اندلعت اشتباكات عنيفة بين جبهة النصرة وفصائل أخرى في محيط {village} تخللها استخدام "
    "{weapon}، وأسفرت عن سقوط {n} قتلى من الطرفين وفق حصيلة أولية.",
)
FILLER = (
    "وتشهد المنطقة منذ أسابيع توترا متصاعدا وسط نزوح عشرات العائلات نحو المخيمات الحدودية "
    "في ظل نقص حاد في المواد الغذائية والخدمات الطبية الأساسية."
)


def surge_page(number: int, outlet: str, published: datetime, namespace: str) -> RawPage:
    """Report ``number`` (its own village, weapon and toll), published by ``outlet``."""
    paragraph = TEMPLATES[number % len(TEMPLATES)].format(
        village=VILLAGES[number % len(VILLAGES)],
        weapon=WEAPONS[(number // len(TEMPLATES)) % len(WEAPONS)],
        n=3 + number,
    )
    title = f"مواجهات في {VILLAGES[number % len(VILLAGES)]}"
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1><p>{paragraph}</p><p>{FILLER}</p></article></body></html>"
    )
    url = f"https://{outlet}.example/{namespace}/news/{number}.html"
    return RawPage(
        url_id=url_id(url),
        url=url,
        canonical_url=canonicalize(url),
        source_id=outlet,
        outlet=outlet,
        fetched_at=published,
        published_at=published,
        http_status=200,
        content_type="text/html; charset=utf-8",
        charset="utf-8",
        body_b64=RawPage.encode_body(html.encode("utf-8")),
    )

"""The demo's articles: which seed lines each outlet publishes, under what title and date.

The seeds (``devtools/demo/seeds/*.txt``, one paragraph per line, copied from real bulletins)
contain scraped chrome too (captions, "شاهد أيضاً", comment forms, a donation appeal); the specs
below pick only the body lines. Line numbers are 1-based, as an editor shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources

SEED_IDS = (
    "000_7061ab1dd97becc1",
    "001_426e1d842bda5a73",
    "002_f707e1b00d53059b",
    "003_575a162d0ffe51db",
    "004_ee8476299763b295",
)


@cache
def seed_lines(seed_id: str) -> tuple[str, ...]:
    """The lines of one seed file, exactly as stored (line ``n`` is at index ``n - 1``)."""
    if seed_id not in SEED_IDS:
        raise KeyError(f"no seed {seed_id!r}; known: {SEED_IDS}")
    text = (resources.files(__package__) / "seeds" / f"{seed_id}.txt").read_text(encoding="utf-8")
    return tuple(text.splitlines())


@dataclass(frozen=True, slots=True)
class ArticleSpec:
    outlet_id: str
    seed_id: str
    first: int
    last: int
    title: str
    slug: str
    number: int
    published: datetime
    byline: str
    embed: str = ""
    """Text of an embedded tweet placed inside the body, or empty."""


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """One article as the demo sites publish it."""

    outlet_id: str
    title: str
    slug: str
    number: int
    published: datetime
    byline: str
    paragraphs: tuple[str, ...]
    origins: tuple[str, ...]
    """``"<seed prefix>:<line>"`` for each paragraph, e.g. ``"003:42"``."""
    embed: str = ""


def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC)


_S0, _S1, _S2, _S3, _S4 = SEED_IDS
_TWEET = "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان"

SPECS: tuple[ArticleSpec, ...] = (
    # One wire story, two outlets' wordings: 000 on ofoq, 004 on nabd.
    ArticleSpec(
        "ofoq",
        _S0,
        1,
        9,
        "فشل مفاوضات «النصرة» و«داعش» لوقف القتال وانتكاسة جديدة لخطة دي ميستورا",
        "nusra-isis-talks-fail",
        1043,
        _at("2014-11-16", "06:30"),
        "بيروت – «الأفق العربي» ووكالات",
    ),
    ArticleSpec(
        "nabd",
        _S4,
        11,
        21,
        "تنظيم «الدولة» يرفض وقف القتال مع جبهة النصرة",
        "isis-rejects-truce-with-nusra",
        2207,
        _at("2014-11-16", "10:05"),
        "نبض سوريا – وكالات",
    ),
    # The same text under two URLs: the agency's story and the daily's verbatim republication.
    ArticleSpec(
        "mashriq",
        _S1,
        3,
        18,
        "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية",
        "isis-asks-for-truce",
        311,
        _at("2014-01-05", "09:15"),
        "الكويت – المشرق",
    ),
    ArticleSpec(
        "ofoq",
        _S1,
        3,
        18,
        "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية",
        "isis-truce-request",
        988,
        _at("2014-01-05", "13:40"),
        "«الأفق العربي» – المشرق",
    ),
    ArticleSpec(
        "mashriq",
        _S2,
        3,
        27,
        "ميدفيديف: محاربة «داعش» تتطلب التنسيق مع دمشق.. وانفجاران يهزان أطراف العاصمة",
        "medvedev-damascus-blasts",
        512,
        _at("2015-10-15", "08:00"),
        "موسكو، دمشق – المشرق",
    ),
    # One long bulletin in three editions on the network; some stories picked up elsewhere.
    ArticleSpec(
        "maydan",
        _S3,
        1,
        40,
        "الحصاد اليومي: هجوم لتنظيم الدولة في بادية حمص وكمين لفيلق الرحمن في جوبر",
        "daily-harvest",
        48113,
        _at("2017-09-09", "08:00"),
        "الميدان – خاص",
    ),
    ArticleSpec(
        "maydan",
        _S3,
        41,
        73,
        "الحصاد اليومي (محدّث): سباق على دير الزور وقصف على جوبر وعين ترما",
        "daily-harvest-update",
        48127,
        _at("2017-09-09", "14:30"),
        "الميدان – خاص",
    ),
    ArticleSpec(
        "maydan",
        _S3,
        74,
        110,
        "السبهان يجدد هجومه على حزب الله.. والتحالف: النظام مسؤول عن الحافلات",
        "sabhan-coalition-buses",
        48139,
        _at("2017-09-09", "19:45"),
        "الميدان – وكالات",
        _TWEET,
    ),
    ArticleSpec(
        "nabd",
        _S3,
        5,
        8,
        "قناص يقتل الطفل خالد الدقر على طريق حرستا – دوما ووالده يفارق الحياة حزناً",
        "harasta-child-sniper",
        2371,
        _at("2017-09-09", "10:20"),
        "نبض سوريا – ريف دمشق",
    ),
    ArticleSpec(
        "nabd",
        _S3,
        79,
        84,
        "الشبكة السورية لحقوق الإنسان توثق 48 حادثة اعتداء على مراكز حيوية مدنية في آب",
        "snhr-august-report",
        2374,
        _at("2017-09-09", "12:05"),
        "نبض سوريا",
    ),
    ArticleSpec(
        "mashriq",
        _S3,
        91,
        96,
        "التحالف الدولي: نظام الأسد مسؤول عن حافلات تنظيم الدولة في البادية",
        "coalition-buses-statement",
        790,
        _at("2017-09-09", "11:00"),
        "بغداد – المشرق",
    ),
    ArticleSpec(
        "ofoq",
        _S3,
        104,
        110,
        "لودريان: رحيل الأسد ليس شرطاً لاستئناف العملية السياسية في سوريا",
        "le-drian-assad-departure",
        1877,
        _at("2017-09-09", "09:30"),
        "باريس – «الأفق العربي»",
    ),
)


def _article(spec: ArticleSpec, published: datetime) -> DemoArticle:
    lines = seed_lines(spec.seed_id)
    picked = [(n, lines[n - 1].strip()) for n in range(spec.first, spec.last + 1)]
    kept = [(n, text) for n, text in picked if text]
    prefix = spec.seed_id[:3]
    return DemoArticle(
        outlet_id=spec.outlet_id,
        title=spec.title,
        slug=spec.slug,
        number=spec.number,
        published=published,
        byline=spec.byline,
        paragraphs=tuple(text for _, text in kept),
        origins=tuple(f"{prefix}:{n}" for n, _ in kept),
        embed=spec.embed,
    )


def build_articles(now: datetime | None = None) -> tuple[DemoArticle, ...]:
    """All demo articles, oldest first.

    With ``now`` (tz-aware), the articles keep their order but are re-dated 47 minutes apart,
    the newest 10 minutes before ``now``, so that a live demo shows "recent" news; without it
    they carry their historical dates (2014–2017) and the result is fully deterministic.
    """
    ordered = sorted(SPECS, key=lambda s: s.published)
    if now is None:
        return tuple(_article(s, s.published) for s in ordered)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    newest = now.astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    count = len(ordered)
    return tuple(
        _article(s, newest - timedelta(minutes=47 * (count - 1 - i))) for i, s in enumerate(ordered)
    )

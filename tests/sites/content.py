"""Fixture bodies: feeds of every dialect, sitemaps, listing pages, Arabic articles in several
charsets, and the hostile documents a crawler meets (entity bombs, external entities, gzip
bombs, binary files, HTML where a feed should be)."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

ARABIC_TITLES = (
    "قصف مدفعي على ريف إدلب الجنوبي",
    "اشتباكات بين فصائل المعارضة وقوات النظام في ريف حلب",
    "الأمم المتحدة تدعو إلى وقف إطلاق النار في سوريا",
    "انفجار سيارة مفخخة في مدينة أعزاز",
    "مفاوضات جديدة في جنيف حول الدستور السوري",
    "غارات جوية على دير الزور والبوكمال",
)


@dataclass(frozen=True, slots=True)
class Item:
    url: str
    title: str
    published: datetime


def items(base: str, count: int, *, prefix: str = "/news/", start: int = 1) -> list[Item]:
    """``count`` articles under ``base``, newest first, an hour apart."""
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        Item(
            f"{base}{prefix}{n}.html",
            ARABIC_TITLES[n % len(ARABIC_TITLES)] + f" ({n})",
            now - timedelta(hours=i),
        )
        for i, n in enumerate(range(start + count - 1, start - 1, -1))
    ]


def one_feed_sources(
    path: Path, source_id: str, name_ar: str, name_latin: str, base_url: str, per_poll: int
) -> Path:
    """A sources file (``marsad connect --sources``) of one loopback outlet whose one feed is
    ``<base_url>/feed.xml``, taking up to ``per_poll`` items a poll."""
    entry = {
        "id": source_id,
        "name_ar": name_ar,
        "name_latin": name_latin,
        "home": base_url + "/",
        "country": "SY",
        "affiliation": "demo",
        "feeds": [base_url + "/feed.xml"],
        "allow_private": True,
        "max_items_per_poll": per_poll,
    }
    path.write_text(yaml.safe_dump({"version": 1, "sources": [entry]}), encoding="utf-8")
    return path


def rss(entries: Sequence[Item], *, encoding: str = "utf-8", declare: bool = True) -> bytes:
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.url)}?utm_source=rss</link>"
        f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
        for i in entries
    )
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    text = (
        f'{prolog}<rss version="2.0"><channel><title>مرصد اختبار</title>'
        f"<link>https://example.org/</link>{body}</channel></rss>"
    )
    return text.encode(encoding, errors="xmlcharrefreplace")


def atom(entries: Sequence[Item]) -> bytes:
    body = "".join(
        f'<entry><title>{escape(i.title)}</title><link rel="alternate" href="{escape(i.url)}"/>'
        f"<id>tag:example.org,2024:{n}</id><updated>{i.published.isoformat()}</updated></entry>"
        for n, i in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>اختبار</title><id>tag:example.org,2024:feed</id>"
        f"<updated>{datetime.now(UTC).isoformat()}</updated>{body}</feed>"
    ).encode()


def rdf(entries: Sequence[Item]) -> bytes:
    """RSS 1.0 (RDF), as Deutsche Welle still serves."""
    seq = "".join(f'<rdf:li rdf:resource="{escape(i.url)}"/>' for i in entries)
    body = "".join(
        f'<item rdf:about="{escape(i.url)}"><title>{escape(i.title)}</title>'
        f"<link>{escape(i.url)}</link><dc:date>{i.published.isoformat()}</dc:date></item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://example.org/"><title>اختبار</title>'
        f"<link>https://example.org/</link><items><rdf:Seq>{seq}</rdf:Seq></items></channel>"
        f"{body}</rdf:RDF>"
    ).encode()


def rss091(entries: Sequence[Item]) -> bytes:
    """RSS 0.91 with its (legitimate, external) DOCTYPE."""
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.url)}</link></item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss PUBLIC "-//Netscape '
        'Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        f'\n<rss version="0.91"><channel><title>t</title><link>https://example.org/</link>'
        f"<description>d</description><language>ar</language>{body}</channel></rss>"
    ).encode()


def news_sitemap(entries: Sequence[Item]) -> bytes:
    urls = "".join(
        f"<url><loc>{escape(i.url)}</loc><news:news><news:publication>"
        "<news:name>اختبار</news:name><news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{i.published.isoformat()}</news:publication_date>"
        f"<news:title>{escape(i.title)}</news:title></news:news></url>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def plain_sitemap(entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    urls = "".join(
        f"<url><loc>{escape(url)}</loc>"
        + (f"<lastmod>{when.date().isoformat()}</lastmod>" if when else "")
        + "</url>"
        for url, when in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def sitemap_index(children: Sequence[tuple[str, datetime]]) -> bytes:
    body = "".join(
        f"<sitemap><loc>{escape(url)}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>"
        for url, when in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    ).encode()


def listing(
    links: Sequence[tuple[str, str]], *, encoding: str = "utf-8", meta: bool = True
) -> bytes:
    anchors = "".join(
        f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in links
    )
    head = f'<meta charset="{encoding}">' if meta else ""
    html = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{head}<title>أخبار</title></head>'
        '<body><nav><a href="/">الرئيسية</a> <a href="/about">من نحن</a>'
        ' <a href="javascript:void(0)">بحث</a> <a href="mailto:news@example.org">راسلنا</a>'
        ' <a href="https://facebook.com/share/news/99.html">فيسبوك</a></nav>'
        f'<ul class="news">{anchors}</ul></body></html>'
    )
    return html.encode(encoding, errors="xmlcharrefreplace")


def article(title: str, *, encoding: str = "utf-8", meta: bool = True) -> bytes:
    head = f'<meta charset="{encoding}">' if meta else ""
    paragraph = "أعلنت مصادر محلية أن القصف استهدف الأحياء السكنية في المدينة صباح اليوم. " * 8
    html = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{head}<title>{escape(title)}</title>'
        f"</head><body><article><h1>{escape(title)}</h1><p>{paragraph}</p></article></body></html>"
    )
    return html.encode(encoding)


# hostile documents --------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
)


def billion_laughs_feed() -> bytes:
    return (
        BILLION_LAUGHS + '<rss version="2.0"><channel><title>&lol9;</title>'
        "<item><title>&lol9;</title><link>https://example.org/a.html</link></item>"
        "</channel></rss>"
    ).encode()


def billion_laughs_sitemap() -> bytes:
    return (
        BILLION_LAUGHS + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.org/&lol9;</loc></url></urlset>"
    ).encode()


def xxe_feed(secret_path: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [ <!ENTITY leak SYSTEM "file://{secret_path}"> ]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>&leak;</title>'
        "<link>https://example.org/&leak;</link></item></channel></rss>"
    ).encode()


def xxe_sitemap(secret_path: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE urlset [ <!ENTITY leak SYSTEM "file://{secret_path}"> ]>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.org/&leak;</loc></url></urlset>"
    ).encode()


def external_dtd_sitemap(dtd_path: str) -> bytes:
    """No entity declared inline: the DOCTYPE points at a local DTD that would declare one."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset SYSTEM "file://{dtd_path}">\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.org/&leak;</loc></url></urlset>"
    ).encode()


MALFORMED_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>\xd8\xa3</title><link>https://example.org/broken.html</link></item>"
    b"<item><title>unclosed<link>https://example.org/x"
)
GARBAGE_XML = b'<?xml version="1.0"?><rss version="2.0"><channel><<<>>> &&& </rss'
EMPTY_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<link>https://example.org/</link><description>nothing yet</description></channel></rss>"
)
HTML_PAGE = (
    '<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>الرئيسية</title></head>'
    '<body><h1>مرحباً</h1><a href="/news/1.html">خبر</a></body></html>'
).encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)) * 8


@cache
def gzip_bomb(size: int = 64 * 1024 * 1024) -> bytes:
    """``size`` zero bytes, gzip-compressed (~1000:1)."""
    return gzip.compress(b"\0" * size, compresslevel=9)

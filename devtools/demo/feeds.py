"""Feeds (RSS 2.0 or Atom), sitemap and robots.txt for one outlet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from devtools.demo.outlets import Outlet


@dataclass(frozen=True, slots=True)
class FeedItem:
    title: str
    url: str
    """The article's canonical URL; the feed may add tracking parameters to it."""
    number: int
    published: datetime
    author: str
    summary: str


def feed_link(outlet: Outlet, url: str) -> str:
    """The link as this outlet's feed writes it (with its tracking parameters, if any)."""
    return f"{url}?{outlet.feed_tracking}" if outlet.feed_tracking else url


def _guid(outlet: Outlet, item: FeedItem, base_url: str) -> str:
    if outlet.layout == "daily":
        return f'<guid isPermaLink="false">{outlet.id}-{item.number}</guid>'
    if outlet.layout == "weekly":
        return f'<guid isPermaLink="false">{escape(base_url)}/?p={item.number}</guid>'
    return f'<guid isPermaLink="true">{escape(item.url)}</guid>'


def render_rss(
    outlet: Outlet, items: Sequence[FeedItem], base_url: str, feed_url: str, updated: datetime
) -> str:
    """RSS 2.0, newest item first, in the outlet's charset (declared in the XML prolog)."""
    entries = "\n".join(
        "<item>"
        f"<title>{escape(item.title)}</title>"
        f"<link>{escape(feed_link(outlet, item.url))}</link>"
        f"{_guid(outlet, item, base_url)}"
        f"<pubDate>{format_datetime(item.published)}</pubDate>"
        f"<dc:creator>{escape(item.author)}</dc:creator>"
        "<category>سوريا</category>"
        f"<description>{escape(item.summary)}</description>"
        "</item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="{outlet.charset}"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(outlet.name_ar)}</title>\n<link>{escape(base_url)}/</link>\n"
        f"<description>{escape(outlet.name_ar)} – آخر الأخبار</description>\n"
        "<language>ar</language>\n"
        f"<lastBuildDate>{format_datetime(updated)}</lastBuildDate>\n"
        f'<atom:link href={quoteattr(feed_url)} rel="self" type="application/rss+xml"/>\n'
        f"{entries}\n</channel>\n</rss>\n"
    )


def render_atom(
    outlet: Outlet, items: Sequence[FeedItem], base_url: str, feed_url: str, updated: datetime
) -> str:
    """Atom 1.0, newest entry first; ids are ``tag:`` URIs that do not depend on the port."""
    tag = f"tag:{outlet.domain},2017"
    entries = "\n".join(
        "<entry>"
        f"<title>{escape(item.title)}</title>"
        f"<id>{tag}:article-{item.number}</id>"
        f'<link rel="alternate" type="text/html" href={quoteattr(feed_link(outlet, item.url))}/>'
        f"<published>{item.published.isoformat()}</published>"
        f"<updated>{item.published.isoformat()}</updated>"
        f"<author><name>{escape(item.author)}</name></author>"
        f'<summary type="text">{escape(item.summary)}</summary>'
        "</entry>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="{outlet.charset}"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">\n'
        f"<title>{escape(outlet.name_ar)}</title>\n<id>{tag}:feed</id>\n"
        f"<updated>{updated.isoformat()}</updated>\n"
        f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>\n'
        f'<link rel="alternate" type="text/html" href={quoteattr(base_url + "/")}/>\n'
        f"{entries}\n</feed>\n"
    )


def render_feed(outlet: Outlet, items: Sequence[FeedItem], base_url: str, updated: datetime) -> str:
    feed_url = base_url + outlet.feed_path
    render = render_atom if outlet.feed_kind == "atom" else render_rss
    return render(outlet, items, base_url, feed_url, updated)


def render_sitemap(items: Sequence[FeedItem]) -> str:
    urls = "\n".join(
        f"<url><loc>{escape(item.url)}</loc><lastmod>{item.published.isoformat()}</lastmod></url>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n'
    )


def render_robots(base_url: str) -> str:
    """Everything is allowed except ``/admin/``."""
    return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {base_url}/sitemap.xml\n"

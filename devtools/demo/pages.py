"""Whole HTML pages (article, home, not found) for one outlet, as text and as served bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from devtools.demo import chrome
from devtools.demo.chrome import Teaser, attr, text
from devtools.demo.outlets import Outlet

_READ_ALSO_AFTER = 2
"""The in-body "اقرأ أيضاً" line follows this many paragraphs."""


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """Everything an article page shows besides the outlet's own chrome."""

    title: str
    url: str
    """Absolute canonical URL (``<link rel="canonical">``, ``og:url``)."""
    published: datetime
    byline: str
    paragraphs: Sequence[str]
    feed_url: str
    embed: str = ""
    read_also: Teaser | None = None
    related: Sequence[Teaser] = field(default_factory=tuple)
    headlines: Sequence[Teaser] = field(default_factory=tuple)
    """Extra ticker items (the outlet's latest titles)."""


def encode(outlet: Outlet, page: str) -> bytes:
    """Page text as the outlet serves it; characters its charset lacks become references."""
    return page.encode(outlet.charset, errors="xmlcharrefreplace")


def _head(outlet: Outlet, title: str, extra: str, feed_url: str) -> str:
    feed_type = "atom" if outlet.feed_kind == "atom" else "rss"
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n'
        f'<meta charset="{outlet.charset}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)} | {text(outlet.name_ar)}</title>\n"
        f'<meta property="og:site_name" content="{attr(outlet.name_ar)}">\n{extra}'
        f'<link rel="alternate" type="application/{feed_type}+xml" title="{attr(outlet.name_ar)}"'
        f' href="{attr(feed_url)}">\n'
        f'<link rel="stylesheet" href="/static/{outlet.id}.css">\n</head>\n'
    )


def _body(outlet: Outlet, page: ArticlePage) -> str:
    parts = []
    for i, paragraph in enumerate(page.paragraphs, start=1):
        parts.append(f"<p>{text(paragraph)}</p>")
        if i == _READ_ALSO_AFTER and page.read_also is not None:
            parts.append(chrome.read_also(page.read_also))
        if i == 3 and outlet.donation:
            parts.append(chrome.donation(outlet))
        if i == 2 and page.embed:
            parts.append(
                '<blockquote class="twitter-tweet"><p lang="ar" dir="rtl">'
                f"{text(page.embed)}</p>— تغريدة على تويتر</blockquote>"
            )
    if len(page.paragraphs) < _READ_ALSO_AFTER and page.read_also is not None:
        parts.append(chrome.read_also(page.read_also))
    return "\n".join(parts)


def render_article(outlet: Outlet, page: ArticlePage) -> str:
    """A complete article page: head, chrome, ``<article>`` with the paragraphs, comments."""
    iso = page.published.isoformat()
    first = page.paragraphs[0] if page.paragraphs else page.title
    meta = (
        f'<link rel="canonical" href="{attr(page.url)}">\n'
        f'<meta name="description" content="{attr(chrome.teaser_summary(first, 30))}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{attr(page.title)}">\n'
        f'<meta property="og:url" content="{attr(page.url)}">\n'
        f'<meta property="article:published_time" content="{iso}">\n'
    )
    date_line = text(outlet.date_line(page.published))
    byline = text(page.byline)
    time_tag = f'<time datetime="{iso}">{date_line}</time>'
    body = _body(outlet, page)
    title = text(page.title)
    share = chrome.share_bar(outlet)
    if outlet.layout == "daily":
        article = (
            '<article class="post"><nav class="breadcrumb"><a href="/">الرئيسية</a> › '
            f'<a href="/section/2">سياسة</a></nav><h1 class="post-title">{title}</h1>'
            f'<div class="post-meta"><span class="byline">{byline}</span> {time_tag}</div>'
            f'{share}<div class="post-body">\n{body}\n</div>'
            '<div class="tags">وسوم: <a href="/tag/syria">سوريا</a></div></article>'
        )
    elif outlet.layout == "weekly":
        article = (
            '<article class="post type-post"><header class="entry-header">'
            f'<h1 class="entry-title">{title}</h1><div class="entry-meta">'
            f'<span class="byline">{byline}</span> – {time_tag}</div>'
            '<div class="font-size">ع ع ع</div></header>'
            f'<div class="entry-content">\n{body}\n</div>{share}'
            '<div class="recommend" hidden><p>نجاح</p><p>شكرًا لك! تم إرسال توصيتك بنجاح.</p>'
            "<p>خطأ</p><p>حدث خطأ أثناء تقديم توصيتك. يرجى المحاولة مرة أخرى.</p></div>"
            "</article>"
        )
    elif outlet.layout == "network":
        article = (
            f'<article class="news-item"><h1>{title}</h1><div class="news-meta">{byline} | '
            f'{time_tag}</div><div class="news-text">\n{body}\n</div>{share}</article>'
        )
    else:
        article = (
            f'<article><h1 class="headline">{title}</h1><p class="dateline">{byline} '
            f"{time_tag}</p>\n{body}\n</article>{share}"
        )
    return (
        _head(outlet, page.title, meta, page.feed_url)
        + f'<body class="{outlet.layout}">\n{chrome.header(outlet)}\n'
        + chrome.ticker(outlet, page.headlines)
        + f"\n<main>\n{article}\n"
        + chrome.related(outlet, page.related)
        + chrome.comments(outlet)
        + f"\n</main>\n{chrome.footer(outlet)}\n</body>\n</html>\n"
    )


def render_home(
    outlet: Outlet, latest: Sequence[tuple[Teaser, datetime]], feed_url: str, base_url: str
) -> str:
    """The home page: chrome and the latest articles, newest first."""
    items = "\n".join(
        f'<div class="card"><h2><a href="{attr(t.href)}">{text(t.title)}</a></h2>'
        f'<time datetime="{when.isoformat()}">{text(outlet.date_line(when))}</time>'
        f"<p>{text(t.summary)}</p></div>"
        for t, when in latest
    )
    meta = (
        f'<link rel="canonical" href="{attr(base_url)}/">\n'
        '<meta property="og:type" content="website">\n'
        f'<meta property="og:title" content="{attr(outlet.name_ar)}">\n'
    )
    return (
        _head(outlet, "الرئيسية", meta, feed_url)
        + f'<body class="{outlet.layout} home">\n{chrome.header(outlet)}\n'
        + chrome.ticker(outlet, [t for t, _ in latest[:2]])
        + f'\n<main>\n<h1 class="visually-hidden">{text(outlet.name_ar)}</h1>\n'
        + f'<section class="latest">\n{items}\n</section>\n</main>\n'
        + f"{chrome.footer(outlet)}\n</body>\n</html>\n"
    )


def render_not_found(outlet: Outlet, feed_url: str) -> str:
    return (
        _head(outlet, "الصفحة غير موجودة", "", feed_url)
        + f"<body>\n{chrome.header(outlet)}\n<main><h1>الصفحة غير موجودة</h1>"
        + '<p>عذراً، الصفحة التي تبحث عنها غير موجودة. <a href="/">العودة إلى الرئيسية</a></p>'
        + f"</main>\n{chrome.footer(outlet)}\n</body>\n</html>\n"
    )

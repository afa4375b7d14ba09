"""Page chrome per outlet layout: header, menus, breaking-news ticker, share bar, related
links, comment form, footer. What a real Arabic news page wraps around the article body.

Fragments that depend only on the outlet are cached; the ticker and related blocks change
with the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

from devtools.demo.outlets import Outlet


@dataclass(frozen=True, slots=True)
class Teaser:
    """A link to another article, as related blocks, tickers and home pages show it."""

    title: str
    href: str
    summary: str = ""


def text(value: str) -> str:
    return escape(value, quote=False)


def attr(value: str) -> str:
    return escape(value, quote=True)


def teaser_summary(paragraph: str, words: int = 18) -> str:
    """The first words of a paragraph and an ellipsis, the way teaser lines end."""
    return " ".join(paragraph.split()[:words]) + " …"


def _menu(outlet: Outlet, sep: str = "") -> str:
    items = [
        f'<a href="/section/{i}">{text(label)}</a>' for i, label in enumerate(outlet.nav, start=1)
    ]
    if sep:
        return sep.join(items)
    return "".join(f"<li>{item}</li>" for item in items)


@cache
def header(outlet: Outlet) -> str:
    name = text(outlet.name_ar)
    if outlet.layout == "daily":
        return (
            '<header class="site-header"><div class="top-bar"><a href="/newsletter">اشترك في '
            'النشرة البريدية</a> <a href="/epaper">النسخة الورقية</a></div>'
            f'<a class="logo" href="/">{name}</a>'
            f'<nav class="main-menu"><ul>{_menu(outlet)}</ul></nav></header>'
        )
    if outlet.layout == "weekly":
        return (
            '<div id="masthead" class="site-header"><div class="social-links">تابعونا: '
            '<a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">يوتيوب</a></div>'
            f'<p class="site-title"><a href="/" rel="home">{name}</a></p>'
            '<nav id="site-navigation" class="main-navigation">'
            f'<ul id="primary-menu" class="menu">{_menu(outlet)}</ul></nav></div>'
        )
    if outlet.layout == "network":
        return (
            '<div class="portal-top"><a class="brand" href="/">'
            f"{name}</a>"
            '<form class="search-box" action="/search"><input name="q" placeholder="ابحث في '
            'الموقع"><button>بحث</button></form></div>'
            f'<div class="menu-bar"><ul class="nav">{_menu(outlet)}</ul></div>'
        )
    return (
        '<table width="100%" class="hdr"><tr><td class="logo"><a href="/">'
        f'<img src="/img/logo.gif" alt="{attr(outlet.name_ar)}"></a></td>'
        f'<td class="menu">{_menu(outlet, " | ")}</td></tr></table>'
    )


def ticker(outlet: Outlet, headlines: Sequence[Teaser]) -> str:
    static = [f"<span>{text(item)}</span>" for item in outlet.ticker]
    linked = [f'<a href="{attr(t.href)}">{text(t.title)}</a>' for t in headlines]
    items = static + linked
    if outlet.layout == "daily":
        lis = "".join(f"<li>{item}</li>" for item in items)
        return (
            f'<div class="breaking-news"><strong>عاجل</strong><ul class="ticker">{lis}</ul></div>'
        )
    if outlet.layout == "weekly":
        inner = " • ".join(items)
        return (
            '<div class="news-ticker"><span class="ticker-title">عاجل</span>'
            f'<marquee direction="right">{inner}</marquee></div>'
        )
    if outlet.layout == "network":
        return f'<div id="urgent"><b>عاجل:</b> {" | ".join(items)}</div>'
    return f'<div class="flash">عاجل | {" | ".join(items)}</div>'


@cache
def share_bar(outlet: Outlet) -> str:
    links = " ".join(
        f'<a class="share-{i}" href="#share">{text(t)}</a>'
        for i, t in enumerate(outlet.share_targets)
    )
    return f'<div class="share-bar"><span>{text(outlet.share_label)}</span> {links}</div>'


def read_also(teaser: Teaser) -> str:
    """The in-body "اقرأ أيضاً: ..." line, a paragraph inside the article text."""
    return (
        f'<p class="read-also"><strong>اقرأ أيضاً:</strong> '
        f'<a href="{attr(teaser.href)}">{text(teaser.title)}</a></p>'
    )


def related(outlet: Outlet, teasers: Sequence[Teaser]) -> str:
    if not teasers:
        return ""
    items = "".join(
        f'<li><a href="{attr(t.href)}">{text(t.title)}</a>'
        + (f"<p>{text(t.summary)}</p>" if t.summary else "")
        + "</li>"
        for t in teasers
    )
    return (
        f'<section class="related"><h3>{text(outlet.related_heading)}</h3>'
        f'<ul class="related-list">{items}</ul></section>'
    )


@cache
def comments(outlet: Outlet) -> str:
    return (
        f'<section id="comments" class="comments-area"><h3>{text(outlet.comment_heading)}</h3>'
        f'<p class="comment-notes">{text(outlet.comment_policy)}</p>'
        '<form id="commentform" method="post" action="/comments">'
        '<p><label for="comment">التعليق</label><textarea id="comment" name="comment">'
        "</textarea></p>"
        '<p><label for="author">الاسم *</label><input id="author" name="author"></p>'
        '<p><label for="email">البريد الإلكتروني *</label><input id="email" name="email"></p>'
        '<p><input type="submit" value="إرسال التعليق"></p></form></section>'
    )


@cache
def donation(outlet: Outlet) -> str:
    """The donation appeal some outlets inject inside the article body (empty if none)."""
    if not outlet.donation:
        return ""
    *lines, call = outlet.donation
    body = "".join(f"<p>{text(line)}</p>" for line in lines)
    return f'<div class="donate-box">{body}<p><a href="/donate">{text(call)}</a></p></div>'


@cache
def footer(outlet: Outlet) -> str:
    links = " ".join(
        f'<a href="/{slug}">{label}</a>'
        for slug, label in (
            ("about", "من نحن"),
            ("contact", "اتصل بنا"),
            ("privacy", "سياسة الخصوصية"),
            ("advertise", "أعلن معنا"),
        )
    )
    newsletter = (
        '<div class="newsletter"><p>اشترك في نشرتنا البريدية ليصلك أهم الأخبار</p>'
        '<form action="/subscribe"><input name="email"><button>اشترك</button></form></div>'
    )
    return (
        f'<footer class="site-footer">{newsletter}<nav class="footer-links">{links}</nav>'
        f'<p class="copyright">{text(outlet.footer)}</p></footer>'
    )

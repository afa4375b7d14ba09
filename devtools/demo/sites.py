"""The demo sites as data: outlets, their articles, and every resource each site serves."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from devtools.demo import feeds, pages
from devtools.demo.catalog import DemoArticle, build_articles
from devtools.demo.chrome import Teaser, teaser_summary
from devtools.demo.outlets import OUTLETS, Outlet, outlet_by_id


@dataclass(frozen=True, slots=True)
class Resource:
    """One response body with the headers conditional GET needs."""

    body: bytes
    content_type: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


class DemoSites:
    """The fictional outlets and what they publish, built from the packaged seeds."""

    def __init__(self, outlets: Sequence[Outlet], articles: Sequence[DemoArticle]) -> None:
        self.outlets = tuple(outlets)
        self.articles = tuple(articles)
        known = {o.id for o in self.outlets}
        strays = sorted({a.outlet_id for a in self.articles} - known)
        if strays:
            raise ValueError(f"articles for unknown outlets: {strays}")

    @classmethod
    def from_seeds(cls, now: datetime | None = None) -> DemoSites:
        """All outlets and articles; ``now`` re-dates them as recent news (see build_articles)."""
        return cls(OUTLETS, build_articles(now))

    def outlet(self, outlet_id: str) -> Outlet:
        return outlet_by_id(outlet_id)

    def articles_of(self, outlet_id: str) -> tuple[DemoArticle, ...]:
        """One outlet's articles, newest first."""
        mine = [a for a in self.articles if a.outlet_id == outlet_id]
        return tuple(sorted(mine, key=lambda a: a.published, reverse=True))

    def article_path(self, article: DemoArticle) -> str:
        outlet = self.outlet(article.outlet_id)
        return outlet.article_path(article.published, article.slug, article.number)

    def render(self, outlet_id: str, base_url: str) -> dict[str, Resource]:
        """Every path the outlet serves at ``base_url`` (no trailing slash), with its resource."""
        outlet = self.outlet(outlet_id)
        articles = self.articles_of(outlet_id)
        if not articles:
            raise ValueError(f"outlet {outlet_id!r} has no articles")
        newest = articles[0].published
        feed_url = base_url + outlet.feed_path
        html_type = f"text/html; charset={outlet.charset}"
        teasers = [
            Teaser(a.title, base_url + self.article_path(a), teaser_summary(a.paragraphs[0]))
            for a in articles
        ]
        site: dict[str, Resource] = {}
        for i, article in enumerate(articles):
            others = [t for j, t in enumerate(teasers) if j != i]
            page = pages.ArticlePage(
                title=article.title,
                url=teasers[i].href,
                published=article.published,
                byline=article.byline,
                paragraphs=article.paragraphs,
                feed_url=feed_url,
                embed=article.embed,
                read_also=others[0] if others else None,
                related=others[:3],
                headlines=teasers[:2],
            )
            body = pages.encode(outlet, pages.render_article(outlet, page))
            site[self.article_path(article)] = Resource(body, html_type, article.published)
        home = pages.render_home(
            outlet, [(t, a.published) for t, a in zip(teasers, articles, strict=True)], feed_url,
            base_url,
        )  # fmt: skip
        site["/"] = Resource(pages.encode(outlet, home), html_type, newest)
        items = [
            feeds.FeedItem(a.title, t.href, a.number, a.published, a.byline, t.summary)
            for t, a in zip(teasers, articles, strict=True)
        ]
        feed_type = "application/atom+xml" if outlet.feed_kind == "atom" else "application/rss+xml"
        feed = feeds.render_feed(outlet, items, base_url, newest)
        site[outlet.feed_path] = Resource(
            feed.encode(outlet.charset, errors="xmlcharrefreplace"),
            f"{feed_type}; charset={outlet.charset}",
            newest,
        )
        site["/sitemap.xml"] = Resource(
            feeds.render_sitemap(items).encode("utf-8"), "application/xml; charset=utf-8", newest
        )
        site["/robots.txt"] = Resource(
            feeds.render_robots(base_url).encode("utf-8"), "text/plain; charset=utf-8", newest
        )
        return site

    def not_found(self, outlet_id: str, base_url: str) -> Resource:
        outlet = self.outlet(outlet_id)
        page = pages.render_not_found(outlet, base_url + outlet.feed_path)
        newest = self.articles_of(outlet_id)[0].published
        return Resource(pages.encode(outlet, page), f"text/html; charset={outlet.charset}", newest)

"""The demo catalog and rendered sites without sockets: which seeds go where, page chrome."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from devtools.demo import OUTLETS, DemoSites, Outlet
from devtools.demo.catalog import SEED_IDS, build_articles, seed_lines

BASE = "http://127.0.0.1:9"


def test_seeds_are_packaged() -> None:
    lengths = {seed[:3]: len(seed_lines(seed)) for seed in SEED_IDS}
    assert lengths["003"] == 110
    assert all(n > 10 for n in lengths.values())


def test_articles_per_outlet_and_seed_placement() -> None:
    articles = build_articles()
    assert Counter(a.outlet_id for a in articles) == {
        "ofoq": 3,
        "nabd": 3,
        "maydan": 3,
        "mashriq": 3,
    }
    by_seed = {(a.outlet_id, a.origins[0][:3]) for a in articles}
    assert ("ofoq", "000") in by_seed and ("nabd", "004") in by_seed
    assert sum(1 for a in articles if a.outlet_id == "maydan" and a.origins[0][:3] == "003") == 3
    twins = [a.paragraphs for a in articles if a.origins[0] == "001:3"]
    assert len(twins) == 2 and twins[0] == twins[1]


def test_paragraphs_are_seed_body_lines_only() -> None:
    for article in build_articles():
        for paragraph, origin in zip(article.paragraphs, article.origins, strict=True):
            seed, line = origin.split(":")
            seed_id = next(s for s in SEED_IDS if s.startswith(seed))
            assert paragraph == seed_lines(seed_id)[int(line) - 1].strip()
            assert paragraph not in ("شاهد أيضاً", "اترك تعليقاً", "ادعم عنب بلدي")


def test_recent_mode_redates_in_order() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    articles = build_articles(now)
    times = [a.published for a in articles]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert max(times) < now and min(times) > now.replace(hour=0)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_articles(datetime(2024, 5, 1))


@pytest.mark.parametrize("outlet", OUTLETS, ids=lambda o: o.id)
def test_article_chrome(outlet: Outlet) -> None:
    sites = DemoSites.from_seeds()
    outlet_id, charset = outlet.id, outlet.charset
    rendered = sites.render(outlet_id, BASE)
    for article in sites.articles_of(outlet_id):
        page = rendered[sites.article_path(article)].body.decode(charset)
        assert page.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
        assert f'<meta charset="{charset}">' in page
        assert f"<title>{article.title.replace('&', '&amp;')} |" in page
        for fragment in ("عاجل", "اقرأ أيضاً:", "commentform", "©", "share-bar", "<article"):
            assert fragment in page
        assert ("donate-box" in page) == (outlet_id == "nabd")
        article_part = page[page.index("<article") : page.index("</article>")]
        assert ("ادعم نبض سوريا" in article_part) == (outlet_id == "nabd")
    assert {"/", "/robots.txt", "/sitemap.xml", outlet.feed_path} <= set(rendered)


def test_resources_have_validators() -> None:
    sites = DemoSites.from_seeds()
    rendered = sites.render("maydan", BASE)
    assert "/atom.xml" in rendered
    etags = {r.etag for r in rendered.values()}
    assert len(etags) == len(rendered)
    assert all(r.last_modified.tzinfo is UTC for r in rendered.values())

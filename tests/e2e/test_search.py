"""Search in the browser: an Arabic query typed and submitted, highlighted snippets, a facet
click that narrows the results in the URL, and the back button."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page, expect

from .conftest import Shot
from .pages import facet_counts, result_count, search_url


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_an_arabic_query_finds_articles_with_highlighted_snippets(
    page: Page, console: str, shot: Shot
) -> None:
    page.goto(console + "/")
    box = page.get_by_label("نص البحث")
    box.fill("جبهة النصرة")
    box.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q="))
    assert query_of(page.url)["q"] == "جبهة النصرة"
    expect(box).to_have_value("جبهة النصرة")
    hits = page.locator(".hits .hit")
    expect(hits.first).to_be_visible()
    assert result_count(page) >= hits.count() > 0
    marks = page.locator(".hits .snippet mark")
    expect(marks.first).to_be_visible()
    words = {m.strip() for m in marks.all_inner_texts()}
    # the analyzer matches through prefixes and the ta marbuta: لجبهة, النصرة, جبهه ...
    assert all(("جبه" in w or "نصر" in w) for w in words), words
    shot("results")


def test_a_facet_click_narrows_the_results_and_back_restores_them(
    page: Page, console: str, shot: Shot
) -> None:
    start = search_url(console, q="الصواريخ")
    page.goto(start)
    total = result_count(page)
    assert total > 1
    narrower = [(i, n) for i, n in facet_counts(page) if 0 < n < total]
    assert narrower, "no facet value narrows the search"
    index, expected = narrower[0]
    shot("before")
    link = page.locator("aside.facets li").nth(index).locator("a")
    label = link.inner_text().strip()
    link.click()
    page.wait_for_url(lambda url: url != start)
    params = query_of(page.url)
    assert params["q"] == "الصواريخ"
    assert len(params) > 1, page.url  # the filter is in the URL: shareable
    assert result_count(page) == expected < total
    expect(page.locator(".active")).to_contain_text(label)
    shot("narrowed")
    page.go_back()
    page.wait_for_url(lambda url: query_of(url) == query_of(start))
    assert result_count(page) == total
    expect(page.locator(".active")).to_have_count(0)
    # the same URL opened afresh gives the narrowed page again
    page.go_forward()
    assert result_count(page) == expected

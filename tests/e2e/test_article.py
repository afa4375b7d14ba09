"""An article page: its extracted paragraphs with the tagger's findings marked in the text."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import Shot
from .pages import search_url, tag_kinds


def test_an_article_page_marks_its_tags_in_the_text(page: Page, console: str, shot: Shot) -> None:
    page.goto(search_url(console, q="جبهة النصرة"))
    first = page.locator(".hits .hit .title a").first
    title = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/article/"))
    expect(page.locator("h1")).to_contain_text(title)
    marks = page.locator("main .text mark[class*='tag-']")
    expect(marks.first).to_be_visible()
    assert all(t.strip() for t in marks.all_inner_texts())
    kinds = tag_kinds(page)
    assert "tag-actor" in kinds, kinds  # the query's own actor, at least
    shot("article")

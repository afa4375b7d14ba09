"""Accessibility basics on every page: Arabic, right to left, every control labelled."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Shot
from .pages import search_url, unlabelled_controls
from .support import HOSTILE_ID

PAGES = {
    "search": "/",
    "results": "/?q=%D8%AC%D8%A8%D9%87%D8%A9",
    "unique": "/?mode=unique&q=%D8%B5%D9%88%D8%A7%D8%B1%D9%8A%D8%AE",
    "article": f"/article/{HOSTILE_ID}",
    "map": "/map",
    "alerts": "/alerts",
    "health": "/health",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_every_page_is_arabic_right_to_left_with_labelled_controls(
    page: Page, console: str, path: str, shot: Shot
) -> None:
    response = page.goto(console + path)
    assert response is not None and response.ok, path
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main")).to_be_visible()
    assert page.title().strip()
    assert unlabelled_controls(page) == []
    shot("page")


def test_a_cluster_page_is_arabic_right_to_left(page: Page, console: str, shot: Shot) -> None:
    page.goto(search_url(console, q="صواريخ", mode="unique"))
    page.locator('.hits a[href^="/cluster/"]').first.click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert unlabelled_controls(page) == []
    shot("page")

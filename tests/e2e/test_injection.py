"""An article whose title and text carry HTML and script is shown as text, and nothing runs."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import Shot
from .pages import pwned, search_url
from .support import HOSTILE_ID, HOSTILE_TITLE, HOSTILE_WORD


def test_markup_in_an_article_is_shown_as_text(page: Page, console: str, shot: Shot) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(search_url(console, q=HOSTILE_WORD))
    hit = page.locator(".hits .hit").filter(has_text="window.__pwned")
    expect(hit).to_have_count(1)
    expect(hit.locator(".title")).to_have_text(HOSTILE_TITLE)
    expect(hit.locator(".snippet mark").first).to_be_visible()  # highlights still work
    assert page.locator("main b, main script, main img").count() == 0
    assert pwned(page) is None
    shot("search")

    hit.locator(".title a").click()
    page.wait_for_url(re.compile(rf"/article/{HOSTILE_ID}"))
    expect(page.locator("h1")).to_contain_text(HOSTILE_TITLE)
    main = page.locator("main")
    expect(main).to_contain_text("<b>بشكل ملحوظ</b>")
    expect(main).to_contain_text("<script>window.__pwned=2</script>")
    expect(main).to_contain_text('<img src=x onerror="window.__pwned=3">')
    assert page.locator("main b, main script, main img").count() == 0
    expect(page).to_have_title(re.compile(re.escape("<script>")))
    assert pwned(page) is None
    assert errors == []
    shot("article")

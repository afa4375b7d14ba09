"""What the browser tests read off the console's pages (its templates: cli/console/templates)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import Page

# Every form control that needs a name a screen reader can say.
_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => !(el.labels && [...el.labels].some(l => l.textContent.trim()))
             && !(el.getAttribute('aria-label') || '').trim()
             && !(el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id =>
                  id && document.getElementById(id)
                  && document.getElementById(id).textContent.trim()))
  .map(el => el.outerHTML)"""

# A search result's facet values: (index among the facet links, count shown beside it).
_FACET_LINKS = """() => [...document.querySelectorAll('aside.facets li')].map((li, i) => {
  const n = li.querySelector('.n');
  return [i, n ? parseInt(n.textContent.replace(/[^0-9]/g, ''), 10) : -1];
})"""


def search_url(base: str, **params: str) -> str:
    return f"{base}/?{urlencode(params)}"


def result_count(page: Page) -> int:
    """The count the results line shows ("N مقالاً" / "N مجموعة فقرات")."""
    text = page.locator(".results .count").inner_text()
    found = re.search(r"\d+", text.replace(",", "").replace("٬", ""))
    assert found, f"no count in {text!r}"
    return int(found.group())


def facet_counts(page: Page) -> list[tuple[int, int]]:
    return [(int(i), int(n)) for i, n in page.evaluate(_FACET_LINKS)]


def unlabelled_controls(page: Page) -> list[str]:
    return list(page.evaluate(_UNLABELLED))


def pwned(page: Page) -> object:
    """What the hostile page's scripts would have set, had any run (None: nothing ran)."""
    return page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")


def tag_kinds(page: Page) -> dict[str, int]:
    """How many of the marks in the article's text carry each ``tag-*`` class."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('main .text mark')].flatMap(el =>
             [...el.classList].filter(c => c.startsWith('tag-')))"""
    )
    kinds: dict[str, int] = {}
    for kind in found:
        kinds[str(kind)] = kinds.get(str(kind), 0) + 1
    return kinds

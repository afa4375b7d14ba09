"""What discovery produces: article links found in a feed, sitemap or listing page, and the
outcome of reading the document (the label it is counted by, and why, when it went wrong)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

USABLE = frozenset({"ok", "malformed_recovered", "empty"})
"""Outcomes of a document that answered as what it should be (possibly with no entries)."""


@dataclass(frozen=True, slots=True)
class Discovered:
    """An article link, with what the document said about it."""

    url: str
    title: str | None = None
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """One parsed feed, sitemap or listing page.

    ``outcome`` is ``ok``, ``empty`` (a valid document with no entries), ``malformed_recovered``
    (broken, but entries could be read) or a refusal: ``malformed``, ``not_a_feed``,
    ``not_a_sitemap``, ``no_links``, ``xml_entities``, ``xml_doctype``, ``undecodable``.
    """

    kind: str
    outcome: str
    entries: tuple[Discovered, ...] = ()
    children: tuple[str, ...] = ()
    """Child sitemaps of a sitemap index, newest first."""
    problem: str | None = None
    dialect: str | None = None
    """rss20, atom10, rss10 (RDF), rss091u, ... for feeds; urlset or sitemapindex for sitemaps."""
    skipped: int = 0
    """Entries left out: no link, too old, off-site."""

    @property
    def usable(self) -> bool:
        return self.outcome in USABLE

    def describe(self) -> str:
        """One line for an operator: ``rss20 feed, 25 entries`` or ``malformed: ...``."""
        if self.kind == "sitemap_index":
            return f"sitemap index, {len(self.children)} child sitemaps"
        what = f"{self.dialect or self.kind} {self.kind}".replace("feed feed", "feed")
        if self.usable:
            extra = f" ({self.outcome})" if self.outcome != "ok" else ""
            return f"{what}, {len(self.entries)} entries{extra}"
        return f"{self.outcome}: {self.problem or 'no detail'}"

"""What discovery produces: article links found in a feed, sitemap or listing page, and the
outcome of reading the document (the label it is counted by, and why, when it went wrong)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from connectors.outcomes import FetchOutcome


class DocumentOutcome(StrEnum):
    """How reading a feed, sitemap or listing page ended.

    Each value is the ``outcome`` label of ``marsad_connector_documents_total`` (with the
    :class:`FetchOutcome` of a document that could not be fetched), logged with, and the label
    of a poll that nothing answered: a value never changes; a member may be added. Like every
    outcome enum (:mod:`connectors.outcomes`), a member *is* its string.
    """

    # answered as what it should be (:data:`USABLE`)
    OK = "ok"
    EMPTY = "empty"
    """A valid document with no entries (or an empty body)."""
    MALFORMED_RECOVERED = "malformed_recovered"
    """Broken, but entries could be read."""
    # refused
    MALFORMED = "malformed"
    NOT_A_FEED = "not_a_feed"
    NOT_A_SITEMAP = "not_a_sitemap"
    NO_LINKS = "no_links"
    """A listing page with no link matching the source's pattern."""
    XML_ENTITIES = "xml_entities"
    XML_DOCTYPE = "xml_doctype"
    UNDECODABLE = "undecodable"
    PARSE_ERROR = "parse_error"
    """A bug of ours while parsing (logged with its traceback)."""
    # counted in marsad_connector_documents_total, never a DocumentResult's outcome
    NOT_MODIFIED = "not_modified"
    """304 Not Modified to a conditional GET: an answer, with nothing new to read."""
    NESTED_INDEX = "nested_index"
    """A sitemap index's child that is itself an index: not followed."""


USABLE = frozenset({DocumentOutcome.OK, DocumentOutcome.MALFORMED_RECOVERED, DocumentOutcome.EMPTY})
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
    ``not_a_sitemap``, ``no_links``, ``xml_entities``, ``xml_doctype``, ``undecodable``,
    ``parse_error`` (a :class:`DocumentOutcome`), or the :class:`FetchOutcome` of a compressed
    sitemap that could not be decompressed (``too_large``, ``bad_encoding``, ...).
    """

    kind: str
    outcome: DocumentOutcome | FetchOutcome
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
            extra = f" ({self.outcome})" if self.outcome != DocumentOutcome.OK else ""
            return f"{what}, {len(self.entries)} entries{extra}"
        return f"{self.outcome}: {self.problem or 'no detail'}"

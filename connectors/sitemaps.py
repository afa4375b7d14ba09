"""News sitemaps, plain sitemaps and sitemap indexes, parsed without expanding anything.

A ``.xml.gz`` body is decompressed under the same cap as any response. Entries older than the
source's ``max_age_h`` (by ``news:publication_date``, else ``lastmod``) are skipped; entries
come out newest first, undated ones last. An index yields its child sitemaps, newest first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.bodies import gunzip_capped
from connectors.documents import Discovered, DocumentOutcome, DocumentResult
from connectors.exceptions import FetchError
from connectors.xmlsafe import XMLSyntaxError, parse_xml, sitemap_problem

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
"""The sitemap protocol's own limit on an uncompressed sitemap."""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Any, name: str) -> str | None:
    for child in element.iter(f"{{*}}{name}"):
        if child.text and child.text.strip():
            return str(child.text.strip())
    return None


def parse_w3c_date(value: str | None) -> datetime | None:
    """``2024-03-02``, ``2024-03-02T10:00:00Z`` or with an offset, in UTC; None if unreadable.

    In UTC because records carry it as RFC 3339 JSON, whose offsets are whole minutes:
    Python reads ``+03:00:30`` too, and the record would lose the 30 seconds.
    """
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+01:00 is before year 1
        return None


def _newest_first(item: tuple[datetime | None, int]) -> tuple[int, float, int]:
    when, index = item
    return (0 if when else 1, -(when.timestamp() if when else 0.0), index)


def _root(body: bytes, max_bytes: int, url: str) -> Any:
    """The parsed root element, or the DocumentResult saying why there is none."""
    if body.startswith(b"\x1f\x8b"):
        try:
            body = gunzip_capped(body, max_bytes, url)
        except FetchError as exc:
            return DocumentResult("sitemap", exc.outcome, problem=str(exc))
    if not body.strip():
        return DocumentResult("sitemap", DocumentOutcome.EMPTY, problem="empty body")
    refused = sitemap_problem(body)
    if refused:
        return DocumentResult("sitemap", refused[0], problem=refused[1])
    try:
        return parse_xml(body)
    except XMLSyntaxError as exc:
        return DocumentResult(
            "sitemap", DocumentOutcome.MALFORMED, problem=f"XMLSyntaxError: {exc}"
        )


def _index(root: Any) -> DocumentResult:
    children = [
        (parse_w3c_date(_text(node, "lastmod")), i, loc)
        for i, node in enumerate(root.iter("{*}sitemap"))
        if (loc := _text(node, "loc"))
    ]
    ordered = sorted(children, key=lambda c: _newest_first((c[0], c[1])))
    return DocumentResult(
        "sitemap_index",
        DocumentOutcome.OK if ordered else DocumentOutcome.EMPTY,
        children=tuple(c[2] for c in ordered),
        dialect="sitemapindex",
    )


def _urlset(root: Any, cutoff: datetime) -> DocumentResult:
    found: list[tuple[datetime | None, int, Discovered]] = []
    skipped = 0
    for i, node in enumerate(root.iter("{*}url")):
        loc = _text(node, "loc")
        if loc is None:
            skipped += 1
            continue
        when = parse_w3c_date(_text(node, "publication_date") or _text(node, "lastmod"))
        if when is not None and when < cutoff:
            skipped += 1
            continue
        found.append((when, i, Discovered(loc, _text(node, "title"), when)))
    found.sort(key=lambda f: _newest_first((f[0], f[1])))
    entries = tuple(f[2] for f in found)
    outcome = DocumentOutcome.OK if entries or skipped else DocumentOutcome.EMPTY
    return DocumentResult("sitemap", outcome, entries, dialect="urlset", skipped=skipped)


def parse_sitemap(
    body: bytes,
    *,
    max_age_h: float = 48.0,
    now: datetime | None = None,
    max_bytes: int = MAX_SITEMAP_BYTES,
    url: str = "",
) -> DocumentResult:
    """Read a sitemap or sitemap index; never raises for bad input (the outcome says why)."""
    root = _root(body, max_bytes, url)
    if isinstance(root, DocumentResult):
        return root
    kind = _local(root.tag)
    if kind == "sitemapindex":
        return _index(root)
    if kind != "urlset":
        return DocumentResult(
            "sitemap", DocumentOutcome.NOT_A_SITEMAP, problem=f"root element <{kind}>"
        )
    return _urlset(root, (now or datetime.now(UTC)) - timedelta(hours=max_age_h))

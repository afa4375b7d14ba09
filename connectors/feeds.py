"""A typed boundary around feedparser: feed bytes in, article links out.

The body is decoded once, by the pipeline's decoder (header → XML declaration → detection),
then handed to feedparser as UTF-8 with the declaration rewritten to say so. Documents that
declare XML entities are refused before feedparser sees them.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from connectors.documents import Discovered, DocumentOutcome, DocumentResult
from connectors.xmlsafe import entity_problem
from kernel.text.decode import decode_body
from kernel.text.exceptions import DecodeError

FeedResult = DocumentResult
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_HTML = re.compile(r"<(html|body|head)[\s>]", re.IGNORECASE)
_UTF8_HEADERS = {"content-type": "application/xml; charset=utf-8"}


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return link.strip()
    guid = entry.get("id")  # an RSS guid that is a permalink
    if isinstance(guid, str) and guid.strip().startswith(("http://", "https://")):
        return guid.strip()
    return None


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> DocumentResult:
    """Parse RSS/Atom/RDF bytes; relative links are resolved against ``base_url``."""
    try:
        text = decode_body(body, content_type).text
    except DecodeError as exc:
        outcome = DocumentOutcome.EMPTY if not body.strip() else DocumentOutcome.UNDECODABLE
        return DocumentResult("feed", outcome, problem=str(exc))
    refused = entity_problem(text)
    if refused:
        return DocumentResult("feed", DocumentOutcome.XML_ENTITIES, problem=refused)
    if not text.strip():
        return DocumentResult("feed", DocumentOutcome.EMPTY, problem="empty body")
    utf8 = _DECLARED_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
    parsed = feedparser.parse(
        utf8, response_headers=_UTF8_HEADERS, sanitize_html=False, resolve_relative_uris=False
    )
    entries: list[Discovered] = []
    skipped = 0
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link is None:
            skipped += 1
            continue
        try:
            url = urljoin(base_url, link)
        except ValueError:  # e.g. "http://[broken"
            skipped += 1
            continue
        title = entry.get("title")
        entries.append(
            Discovered(
                url=url,
                title=title.strip() if isinstance(title, str) and title.strip() else None,
                published=_entry_time(entry),
            )
        )
    version = parsed.get("version") or None
    problem = None
    if parsed.get("bozo"):
        error = parsed.get("bozo_exception")
        problem = f"{type(error).__name__}: {error}"
    if entries:
        outcome = DocumentOutcome.MALFORMED_RECOVERED if problem else DocumentOutcome.OK
    elif not version:
        looks_html = _HTML.search(text[:4096]) is not None
        not_a_feed = looks_html or not problem
        outcome = DocumentOutcome.NOT_A_FEED if not_a_feed else DocumentOutcome.MALFORMED
        problem = "an HTML page, not a feed" if looks_html else problem or "no RSS/Atom structure"
    elif problem:
        outcome = DocumentOutcome.MALFORMED
    else:
        outcome = DocumentOutcome.EMPTY
    return DocumentResult(
        "feed", outcome, tuple(entries), problem=problem, dialect=version, skipped=skipped
    )

"""Listing pages: a section page's links whose absolute URL matches the source's pattern.

For outlets with neither feed nor sitemap. Only links on the source's own site count (its home
host, with or without ``www.``/``m.``, and its sub-domains). A page that yields no matching link
is reported (``no_links``): the site has probably changed its layout or the pattern is wrong.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]

from connectors.documents import Discovered, DocumentOutcome, DocumentResult
from kernel.text.decode import decode_body
from kernel.text.exceptions import DecodeError

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")
_SPACE = re.compile(r"\s+")


def site_key(host: str) -> str:
    """``www.Example.com`` → ``example.com``: the part of a host that names the site."""
    host = host.lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def on_site(url: str, home_host: str) -> bool:
    host = site_key(urlsplit(url).hostname or "")
    home = site_key(home_host)
    return host == home or host.endswith("." + home)


def parse_listing(
    body: bytes, base_url: str, pattern: str, home_host: str, content_type: str | None = None
) -> DocumentResult:
    """Article links of a listing page, in page order, without repeats."""
    try:
        text = decode_body(body, content_type).text
    except DecodeError as exc:
        outcome = DocumentOutcome.EMPTY if not body.strip() else DocumentOutcome.UNDECODABLE
        return DocumentResult("listing", outcome, problem=str(exc))
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        return DocumentResult(
            "listing", DocumentOutcome.MALFORMED, problem=f"{type(exc).__name__}: {exc}"
        )
    base = base_url
    for element in doc.iter("base"):
        if element.get("href"):
            with contextlib.suppress(ValueError):
                base = urljoin(base_url, element.get("href").strip())
            break
    wanted = re.compile(pattern)
    seen: set[str] = set()
    entries: list[Discovered] = []
    skipped = 0
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        try:
            url = urljoin(base, href).split("#", 1)[0]
            scheme = urlsplit(url).scheme
        except ValueError:  # e.g. "http://[broken"
            continue
        if url in seen or scheme not in {"http", "https"}:
            continue
        seen.add(url)
        if not wanted.search(url):
            continue
        if not on_site(url, home_host):
            skipped += 1
            continue
        title = _SPACE.sub(" ", anchor.text_content()).strip() or None
        entries.append(Discovered(url, title))
    if not entries:
        return DocumentResult(
            "listing",
            DocumentOutcome.NO_LINKS,
            problem=f"no link matches {pattern!r}",
            dialect="html",
        )
    return DocumentResult(
        "listing", DocumentOutcome.OK, tuple(entries), dialect="html", skipped=skipped
    )

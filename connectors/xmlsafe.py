"""XML that cannot hurt: documents declaring entities are refused before any parser sees them
(billion laughs, external entities reading local files), and sitemaps are parsed with a parser
that resolves no entity, loads no DTD, touches no network and refuses huge trees.

feedparser brings its own SAX parser; it already drops most entity declarations and disables
external general entities, and :func:`entity_problem` runs first anyway.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from connectors.documents import DocumentOutcome

_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY_BYTES = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_BYTES = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def entity_problem(text: str) -> str | None:
    """Why ``text`` is refused (it declares entities), or None."""
    if _ENTITY.search(text):
        return "the document declares XML entities (entity expansion / external entity refused)"
    return None


def sitemap_problem(body: bytes) -> tuple[DocumentOutcome, str] | None:
    """``(outcome, reason)`` when a sitemap must not be parsed: entities or any DOCTYPE
    (the sitemap protocol has none)."""
    probe = body
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        probe = body.decode("utf-16", errors="replace").encode("utf-8")
    if _ENTITY_BYTES.search(probe):
        return DocumentOutcome.XML_ENTITIES, "the sitemap declares XML entities: refused"
    if _DOCTYPE_BYTES.search(probe):
        return (
            DocumentOutcome.XML_DOCTYPE,
            "the sitemap has a DOCTYPE (sitemaps have none): refused",
        )
    return None


def safe_parser() -> Any:
    """An lxml parser that expands nothing and fetches nothing."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes) -> Any:
    """The root element of ``body``; raises ``etree.XMLSyntaxError`` on malformed XML."""
    return etree.fromstring(body, parser=safe_parser())


XMLSyntaxError: type[Exception] = etree.XMLSyntaxError

"""Article extraction: trafilatura behind a typed boundary, then the boilerplate filter.

trafilatura returns ``None`` or a loosely typed ``Document`` whose fields may be missing,
empty or strings in any format; :func:`extract_page` turns that into an
:class:`ExtractedPage` and never lets ``None`` or an untyped value through. Settings:
``favor_precision=True`` (the only mode that removed a donation appeal injected in the body,
see docs/arabic-nlp.md), comments excluded, metadata on, trafilatura's own deduplication off
(repeats inside one page are reported by the boilerplate filter instead).

The date comes from metadata, ``<time>`` elements and the URL only: htmldate's "extensive
search" is off. On these pages it found no Arabic text date that the metadata had not
given already, dated a page without metadata by the URL of a *linked* article, and its first
Arabic date string cost ~1.2 s (dateparser loading every locale). A page with no date
gets None; the connector's feed date is the fallback.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import trafilatura
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from kernel.text.exceptions import ExtractionError
from kernel.text.normalize import tokens
from pipeline.text.boilerplate import DroppedParagraph, filter_paragraphs
from pipeline.text.language import detect_language

logger = logging.getLogger(__name__)

# Third-party posts embedded in the body (their scripts turn them into cards). Their text
# comes out of trafilatura as ordinary paragraphs, often without any link to give it away.
EMBED_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed')] | //div[contains(@class, 'fb-post')]"
)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What an article page says, paragraph by paragraph, and what was thrown away."""

    title: str | None
    published: date | None
    site_name: str | None
    language: str | None  # "ar", "other", or None when the text has no letters
    paragraphs: tuple[str, ...]
    dropped: tuple[DroppedParagraph, ...]


@dataclass(frozen=True, slots=True)
class _Raw:
    """trafilatura's answer, typed."""

    title: str | None
    published: date | None
    site_name: str | None
    lines: tuple[str, ...]
    embedded: tuple[str, ...]  # text of each embedded post


def extract_page(html: str, url: str | None = None) -> ExtractedPage:
    """Extract the article of a decoded page; ``url`` helps date and site detection.

    Raises :class:`ExtractionError` when no paragraph survives extraction and filtering.
    """
    started = time.perf_counter()
    raw = _run_trafilatura(html, url)
    if raw is None:
        raise ExtractionError("no article text found")
    filtered = filter_paragraphs(raw.lines, title=raw.title, embedded=raw.embedded)
    if not filtered.kept:
        count = len(filtered.dropped)
        noun = "paragraph" if count == 1 else "paragraphs"
        raise ExtractionError(f"no article text found ({count} {noun}, all boilerplate)")
    page = ExtractedPage(
        title=raw.title,
        published=raw.published,
        site_name=raw.site_name,
        language=detect_language(filtered.kept),
        paragraphs=filtered.kept,
        dropped=filtered.dropped,
    )
    logger.debug(
        "extracted url=%s kept=%d dropped=%d ms=%.1f",
        url,
        len(page.paragraphs),
        len(page.dropped),
        (time.perf_counter() - started) * 1000,
    )
    return page


def _run_trafilatura(html: str, url: str | None) -> _Raw | None:
    tree = load_html(html)
    if tree is None:
        return None
    embedded = tuple(" ".join(node.text_content().split()) for node in tree.xpath(EMBED_XPATH))
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
        deduplicate=False,
        date_extraction_params=set_date_params(extensive=False),
    )
    if not isinstance(result, Document):
        return None
    lines = tuple(_clean(line) for line in _text(result.text).split("\n"))
    lines = tuple(line for line in lines if line)
    if not lines:
        return None
    return _Raw(
        title=_clean(_text(result.title)) or None,
        published=_date(result.date),
        site_name=_clean(_text(result.sitename)) or None,
        lines=lines,
        embedded=tuple(text for text in embedded if tokens(text)),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _clean(value: str) -> str:
    return " ".join(value.split())


def _date(value: object) -> date | None:
    """trafilatura gives ``YYYY-MM-DD`` (its default output format); anything else is None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None

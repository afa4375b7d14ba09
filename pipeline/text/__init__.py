"""The pure text core: decode page bytes, extract the article, normalize Arabic.

    decode_body(bytes, content_type) -> DecodedBody      BOM, header, <meta>, detection
    extract_page(html, url) -> ExtractedPage             trafilatura + boilerplate filter
    normalize_arabic(text) -> str                        the one normalizer of the project
    tokens(text) -> list[str]                            normalized, lower-cased words
    content_fingerprint(paragraphs) -> str               same words, same hash

Errors (all ``kernel.exceptions.MarsadError``)::

    TextError
    ├── DecodeError
    └── ExtractionError

No I/O, no settings, no framework imports: the worker and ``marsad extract`` call the same
functions.
"""

from kernel.text.decode import DecodedBody, DecodeMethod, decode_body
from kernel.text.exceptions import DecodeError, ExtractionError, TextError
from kernel.text.normalize import content_fingerprint, normalize_arabic, tokens
from pipeline.text.boilerplate import (
    DroppedParagraph,
    FilteredParagraphs,
    Reason,
    filter_paragraphs,
)
from pipeline.text.extract import ExtractedPage, extract_page
from pipeline.text.language import arabic_share, detect_language

__all__ = [
    "DecodeError",
    "DecodeMethod",
    "DecodedBody",
    "DroppedParagraph",
    "ExtractedPage",
    "ExtractionError",
    "FilteredParagraphs",
    "Reason",
    "TextError",
    "arabic_share",
    "content_fingerprint",
    "decode_body",
    "detect_language",
    "extract_page",
    "filter_paragraphs",
    "normalize_arabic",
    "tokens",
]

"""Turn a fetched page body into text: BOM, then HTTP header, then ``<meta>``, then detection.

Each step proposes an encoding; a proposal is used only if it decodes the body *sensibly*:
at most one undecodable byte per thousand characters (a page cut mid-character still
passes) and almost no control characters (binary content fails). A proposal that names an
unknown or non-web codec (``charset=foo``, ``charset=base64``) is skipped, and so is one that
decodes badly (a UTF-8 label on windows-1256 bytes): the next step gets its turn.

One deliberate departure from the browsers' algorithm: when a legacy single-byte or CJK
encoding is declared but the body is valid UTF-8 containing non-ASCII bytes, the body is
UTF-8 (``method="detected"``). Arabic in windows-1256 or ISO-8859-6 is practically never
valid UTF-8 (its letters are bytes 0xC1-0xFE, which UTF-8 allows only as lead bytes), while
UTF-8 pages mislabelled windows-1256 exist and would otherwise become mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from typing import Literal

import charset_normalizer

from kernel.text.exceptions import DecodeError

logger = logging.getLogger(__name__)

DecodeMethod = Literal["header", "meta", "bom", "detected"]

META_SCAN_BYTES = 4096
MAX_REPLACEMENT_RATIO = 0.001
MAX_CONTROL_RATIO = 0.01

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';,\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0e-\x1f]")
_ASCII_RUN = re.compile(b"[\x09-\x0d\x20-\x7e]{32,}")

# Codecs a web page may legitimately use (Python's canonical names). Anything else that
# Python happens to know (unicode-escape, idna, utf-7, rot-13, base64, ...) is refused.
_WEB_CODECS = frozenset(
    {
        "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "cp874", "cp720", "cp864", "cp866", "mac-arabic", "mac-roman",
        "mac-cyrillic", "koi8-r", "koi8-u", "gbk", "gb2312", "gb18030", "big5", "big5hkscs",
        "cp950", "euc_jp", "shift_jis", "cp932", "iso2022_jp", "euc_kr", "cp949", "tis-620",
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)),
    }
)  # fmt: skip
# Labels browsers (WHATWG Encoding) read as another encoding.
_WHATWG_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-cp1250": "cp1250",
    "x-cp1251": "cp1251",
}
_UNICODE_CODECS = frozenset(name for name in _WEB_CODECS if name.startswith("utf-"))


@dataclass(frozen=True, slots=True)
class DecodedBody:
    """A page body as text, with the encoding used and how it was chosen."""

    text: str
    encoding: str
    method: DecodeMethod


def codec_for_label(label: str | None) -> str | None:
    """Python's codec name for a charset label, or None if the label is unknown or unsafe."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_WHATWG_ALIASES.get(cleaned, cleaned)).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL character in it
        return None
    name = _WHATWG_ALIASES.get(name, name)
    return name if name in _WEB_CODECS else None


def display_name(codec: str) -> str:
    """The IANA-style name of a Python codec: ``cp1256`` → ``windows-1256``."""
    if codec.startswith("cp125"):
        return "windows-" + codec[2:]
    if codec.startswith("iso8859-"):
        return "iso-8859-" + codec.removeprefix("iso8859-")
    return codec.replace("_", "-")


def decode_body(body: bytes, content_type: str | None) -> DecodedBody:
    """Decode ``body``; ``content_type`` is the HTTP ``Content-Type`` header, if any.

    Raises :class:`DecodeError` for an empty body or one that no candidate decodes sensibly.
    """
    if not body:
        raise DecodeError("empty body")
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            text = _attempt(body[len(bom) :], bom_codec)
            if text is not None:
                return DecodedBody(text, bom_codec, "bom")
            break
    declared: tuple[tuple[str | None, DecodeMethod], ...] = (
        (_header_label(content_type), "header"),
        (_meta_label(body), "meta"),
    )
    for label, method in declared:
        codec = codec_for_label(label)
        if method == "meta" and codec in _UNICODE_CODECS:
            codec = "utf-8"  # a page that declares UTF-16 in ASCII bytes is not UTF-16
        if codec is None:
            if label:
                logger.debug("charset label ignored label=%r step=%s", label, method)
            continue
        utf8 = None if codec in _UNICODE_CODECS else _as_utf8_with_non_ascii(body)
        if utf8 is not None:
            logger.debug("declared charset overridden by valid UTF-8 declared=%s", codec)
            return DecodedBody(utf8, "utf-8", "detected")
        text = _attempt(body, codec)
        if text is not None:
            return DecodedBody(text, display_name(codec), method)
        logger.debug("declared charset does not decode the body codec=%s step=%s", codec, method)
    return _detect(body)


def _header_label(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _meta_label(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if match is None:
        return None
    raw = match.group(1) or match.group(2)
    return raw.decode("ascii", errors="replace")


def _as_utf8_with_non_ascii(body: bytes) -> str | None:
    if body.isascii():
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _attempt(body: bytes, codec: str) -> str | None:
    """``body`` decoded with ``codec`` if the result looks like text, else None."""
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        text = body.decode(codec, errors="replace")
        if text.count("\ufffd") > max(1, int(len(text) * MAX_REPLACEMENT_RATIO)):
            return None
    except LookupError:
        return None
    if len(_CONTROL.findall(text)) > len(text) * MAX_CONTROL_RATIO:
        return None
    return text


def _detect(body: bytes) -> DecodedBody:
    """charset_normalizer's candidates, best first; the first web codec that decodes wins."""
    # The detector samples a few chunks; on a real page they would fall in the ASCII markup.
    # Feed it the text-bearing bytes only (ASCII runs squeezed), then decode the whole body.
    sample = _ASCII_RUN.sub(b" ", body)
    guesses: list[str] = []
    for match in charset_normalizer.from_bytes(sample, preemptive_behaviour=False):
        guesses.append(match.encoding)
        codec = codec_for_label(match.encoding)
        text = _attempt(body, codec) if codec is not None else None
        if codec is not None and text is not None:
            return DecodedBody(text, display_name(codec), "detected")
    sample = body[:8192]
    control_share = len(_CONTROL_BYTES.findall(sample)) / len(sample)
    if control_share > MAX_CONTROL_RATIO:
        raise DecodeError(f"binary content: {control_share:.0%} control bytes in the first 8 KB")
    tried = ", ".join(guesses[:5]) or "none"
    raise DecodeError(f"no encoding decodes the body as text (detector's candidates: {tried})")

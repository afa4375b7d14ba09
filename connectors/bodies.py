"""Response bodies: bounded decompression (gzip bombs stop at the cap, memory stays bounded)
and recognising binary content by its declared type or its first bytes."""

from __future__ import annotations

import zlib

from connectors.exceptions import FetchError
from connectors.outcomes import FetchOutcome

BINARY_TYPES = ("image/", "audio/", "video/", "font/", "model/")
BINARY_SUBTYPES = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/msword",
        "application/x-shockwave-flash",
        "application/wasm",
        "application/java-archive",
        "application/x-msdownload",
    }
)
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/octet-stream"})
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x00\x18ftyp", "mp4"),
    (b"\x00\x00\x00\x20ftyp", "mp4"),
    (b"ID3", "mp3"),
    (b"OggS", "ogg"),
    (b"\x7fELF", "elf"),
    (b"MZ", "exe"),
    (b"wOFF", "woff"),
)


def media_type(content_type: str | None) -> str:
    """``text/html; charset=utf-8`` → ``text/html`` (empty when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_binary_type(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind.startswith(BINARY_TYPES) or kind in BINARY_SUBTYPES


def sniff_binary(body: bytes) -> str | None:
    """The kind of binary file ``body`` starts like (``pdf``, ``png``, ...), or None."""
    head = body[:16]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


class BoundedDecoder:
    """Decodes a ``Content-Encoding`` chunk by chunk, never producing more than ``limit`` bytes.

    Raises FetchError ``too_large`` past the limit, ``bad_encoding`` for a corrupt stream and
    ``unsupported_encoding`` for an encoding it does not speak (we only ask for gzip/deflate).
    """

    def __init__(self, encoding: str | None, limit: int, url: str) -> None:
        self._limit = limit
        self._url = url
        self._size = 0
        self._parts: list[bytes] = []
        codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise FetchError(
                FetchOutcome.UNSUPPORTED_ENCODING, f"{url}: Content-Encoding {encoding!r}"
            )
        self._coding = codings[0] if codings else None
        self._zlib: zlib._Decompress | None = None
        if self._coding is not None:
            self._zlib = zlib.decompressobj(47 if self._coding != "deflate" else 15)
        self._first_deflate_chunk = self._coding == "deflate"
        self._fed = False

    @property
    def size(self) -> int:
        return self._size

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise FetchError(FetchOutcome.TOO_LARGE, f"{self._url}: body over {self._limit} bytes")
        if data:
            self._parts.append(data)

    def feed(self, chunk: bytes) -> None:
        self._fed = self._fed or bool(chunk)
        if self._zlib is None:
            self._keep(chunk)
            return
        try:
            self._inflate(chunk)
        except zlib.error as exc:
            if not self._first_deflate_chunk:
                raise FetchError(FetchOutcome.BAD_ENCODING, f"{self._url}: {exc}") from exc
            # "deflate" is often sent raw, without the zlib header.
            self._zlib = zlib.decompressobj(-15)
            self._first_deflate_chunk = False
            self.feed(chunk)
        self._first_deflate_chunk = False

    def _inflate(self, data: bytes) -> None:
        assert self._zlib is not None  # noqa: S101 - only called with a decompressor
        while data:
            room = self._limit - self._size + 1
            self._keep(self._zlib.decompress(data, room))
            data = self._zlib.unconsumed_tail
            if self._zlib.eof and self._zlib.unused_data:  # a multi-member gzip stream
                data = self._zlib.unused_data
                self._zlib = zlib.decompressobj(47)

    def finish(self) -> bytes:
        if self._zlib is not None:
            try:
                self._keep(self._zlib.flush())
            except zlib.error as exc:
                raise FetchError(FetchOutcome.BAD_ENCODING, f"{self._url}: {exc}") from exc
            if not self._zlib.eof and self._fed:
                raise FetchError(
                    FetchOutcome.BAD_ENCODING, f"{self._url}: incomplete {self._coding} stream"
                )
        return b"".join(self._parts)


def gunzip_capped(body: bytes, limit: int, url: str) -> bytes:
    """Decompress a gzip *file* (``sitemap.xml.gz``) with the same cap as transfer encodings."""
    decoder = BoundedDecoder("gzip", limit, url)
    decoder.feed(body)
    return decoder.finish()

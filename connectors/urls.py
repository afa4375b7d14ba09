"""Canonical URLs and the stable ``url_id`` every record is keyed by.

Two URLs that name the same article (tracking parameters, fragment, default port, scheme and
host case, ``www.``/``m.``/``amp.`` prefixes, ``/amp`` suffixes, trailing slash, percent-encoded
or raw Arabic in the path, an internationalised host name in Unicode or punycode) canonicalize
to the same string and so to the same ``url_id``. Canonicalizing is idempotent.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ito",
        "_ga",
        "ocid",
        "amp",
        "output",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
MOBILE_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
AMP_SUFFIXES = ("/amp", "/amp.html")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


# Escapes whose decoding would change what the path means: kept, upper-cased.
_KEPT_ESCAPES = re.compile(r"(%2[fF]|%25|%3[fF]|%23)")
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if ":" in host:  # an IPv6 literal: urlsplit's hostname drops the brackets, put them back
        return f"[{host}]"
    if not host.isascii():
        with contextlib.suppress(UnicodeError):  # not a valid IDN: keep it as it is
            host = host.encode("idna").decode("ascii")
    stripped = True
    while stripped:
        stripped = False
        for prefix in MOBILE_HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                stripped = True
    return host


def _normal_escapes(path: str) -> str:
    """One spelling per path: raw and percent-encoded UTF-8 agree, hex digits upper-case."""
    pieces = _KEPT_ESCAPES.split(path)
    return "".join(
        piece.upper()
        if i % 2
        else quote(
            unquote(piece, errors="surrogateescape"), safe=_PATH_SAFE, errors="surrogateescape"
        )
        for i, piece in enumerate(pieces)
    )


def _canonical_path(path: str) -> str:
    path = _normal_escapes(path)
    while True:
        before = path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        lowered = path.lower()
        for suffix in AMP_SUFFIXES:
            if lowered.endswith(suffix) and len(path) > len(suffix):
                path = path[: -len(suffix)]
                break
        if path == before:
            return path or "/"


def canonicalize(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL.

    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = _canonical_host(parts.hostname)
    if not host:  # "http://./": only the root's dot, which the canonical host drops
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    port = parts.port
    # The canonical scheme is https, so its default port goes too (else http://h:443/ would
    # become https://h:443/, which canonicalizes to https://h/: not idempotent).
    default = port in {None, DEFAULT_PORTS[scheme], DEFAULT_PORTS["https"]}
    netloc = host if default else f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query.sort()
    # http and https name the same article on news sites; keep one scheme in the id.
    return urlunsplit(("https", netloc, _canonical_path(parts.path), urlencode(query), ""))


def url_id(url: str) -> str:
    """Stable id of an article URL: sha256 of its canonical form, first 32 hex digits."""
    return hashlib.sha256(canonicalize(url).encode("utf-8")).hexdigest()[:32]

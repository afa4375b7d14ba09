"""Inputs shared by the fuzz tests: junk, Arabic-heavy text, URLs, and valid documents
damaged by random edits (the shape of input real sites send: almost right, then broken)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st


def budget(share: float) -> settings:
    """The loaded profile with ``share`` of its examples, for the slow properties."""
    return settings(max_examples=max(10, int(settings().max_examples * share)))


ARABIC = (
    "ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىةٱـ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0654\u0655"
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳،؛؟"
    "ﻷﷲﷺﺣﻠﺐ\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad \t\n\u00a0\u3000"
)
MARKUP = "<>&;/=\"'?!#%[]-: .x"

arabic_text = st.text(alphabet=ARABIC, max_size=120)
# What a JSON "\ud800" escape decodes to in Python: text with lone surrogates.
surrogate_text = st.text(
    alphabet=st.characters(categories=["Cs", "Lo", "Zs"], max_codepoint=0xFFFF), max_size=20
)
any_text = st.text(max_size=120)
texts = st.one_of(arabic_text, any_text, st.text(alphabet=ARABIC + MARKUP, max_size=120))
junk_bytes = st.binary(max_size=1024)

ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "cp1256", "iso8859-6", "cp1252", "gb18030")
encodings = st.sampled_from(ENCODINGS)
charset_labels = st.one_of(
    st.sampled_from(
        ("utf-8", "UTF-8", "windows-1256", "iso-8859-6", "utf-16", "latin1", "ascii", "x-user")
    ),
    st.sampled_from(("base64", "rot-13", "unicode-escape", "idna", "utf-7", "zlib", "hex")),
    st.text(max_size=20),
)
content_types = st.one_of(
    st.none(),
    st.builds(lambda c: f"text/html; charset={c}", charset_labels),
    st.builds(lambda c: f'application/rss+xml;charset="{c}"', charset_labels),
    st.text(max_size=60),
)

hosts = st.one_of(
    st.from_regex(
        r"(www\.|m\.|amp\.|mobile\.){0,2}[a-z0-9-]{1,12}\.(com|net|sy|xn--mgbtf8fl)",
        fullmatch=True,
    ),
    st.sampled_from(
        ("موقع.سوريا", "EXAMPLE.COM.", "127.0.0.1", "[::1]", "[::FFFF:1.2.3.4]", "a..b", "-x-.com")
    ),
    st.text(alphabet="abc.-[]:@%1٠ا", min_size=1, max_size=20),
)
path_chars = "abc/%-._~:@!$&'()*+,;=2F5فسأ %?#\\"
paths = st.text(alphabet=path_chars + "0123456789ABCDEF", max_size=40)
queries = st.lists(
    st.tuples(
        st.sampled_from(("id", "utm_source", "UTM_x", "fbclid", "amp", "p", "", "ref", "q")),
        st.text(alphabet="ab1=&%+ ع;#", max_size=8),
    ),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    """Mostly URL-shaped strings, with everything a feed has been seen to put in a link."""
    scheme = draw(st.sampled_from(("http", "https", "HTTPS", "ftp", "", "javascript", "mailto")))
    host = draw(hosts)
    port = draw(
        st.one_of(
            st.none(),
            st.sampled_from(("80", "443", "8080", "0", "", "0443")),
            st.integers(-1, 70000).map(str),
            st.text("0123456789x", max_size=6),
        )
    )
    userinfo = draw(st.sampled_from(("", "user@", "u:p@", "@")))
    query = "&".join(f"{k}={v}" for k, v in draw(queries))
    fragment = draw(st.sampled_from(("", "#top", "#", "#a#b")))
    netloc = f"{userinfo}{host}" + (f":{port}" if port is not None else "")
    url = f"{scheme}://{netloc}/{draw(paths)}" + (f"?{query}" if query else "") + fragment
    return draw(st.one_of(st.just(url), st.just(f"  {url}\n"), any_text))


@st.composite
def damaged(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` after a few random edits: cut, inserted junk, deleted span, flipped byte."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(("cut", "insert", "delete", "flip")))
        if edit == "cut":
            del data[where:]
        elif edit == "insert":
            data[where:where] = draw(st.binary(max_size=16))
        elif edit == "delete":
            del data[where : where + draw(st.integers(1, 64))]
        elif data:
            data[min(where, len(data) - 1)] ^= draw(st.integers(1, 255))
    return bytes(data)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# Dates as feeds and sitemaps write them, including the absurd ones.
offsets = st.one_of(
    st.just(UTC),
    st.integers(-(24 * 3600) + 1, 24 * 3600 - 1).map(lambda s: timezone(timedelta(seconds=s))),
)
aware_datetimes = st.datetimes(timezones=offsets)
# What RFC 3339 (and so a record's JSON) can write: offsets of whole minutes.
rfc3339_offsets = st.one_of(
    st.just(UTC),
    st.integers(-(24 * 60) + 1, 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m))),
)
rfc3339_datetimes = st.datetimes(timezones=rfc3339_offsets)
date_strings = st.one_of(
    aware_datetimes.map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.dates().map(str),
    st.sampled_from(
        (
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "2024-02-30",
            "Sat, 02 Mar 2024 10:00:00 GMT",
            "Sun, 31 Dec 9999 23:59:59 -1200",
            "Mon, 01 Jan 0001 00:00:00 +1400",
            "2024-03-02T10:00:00Z",
            "٢٠٢٤-٠٣-٠٢",
            "",
        )
    ),
    st.text(alphabet="0123456789-:TZ+. ", max_size=30),
)

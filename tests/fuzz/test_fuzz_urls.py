"""canonicalize and url_id on arbitrary strings and URL-shaped ones.

Contract (connectors.urls): anything that is not an absolute http(s) URL raises ValueError and
nothing else; canonicalizing is idempotent; the canonical form is an https URL without
fragment or tracking parameters; ``url_id`` is 32 hex digits and the same for a URL and its
canonical form; the surface variants the docstring lists share one canonical form.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from connectors.urls import _is_tracking, canonicalize, url_id

from .strategies import any_text, urls

inputs = st.one_of(urls(), any_text)


def canonical_or_none(url: str) -> str | None:
    try:
        return canonicalize(url)
    except ValueError:
        return None


@given(inputs)
def test_only_value_error_and_idempotent(url: str) -> None:
    canonical = canonical_or_none(url)
    if canonical is None:
        return
    assert canonicalize(canonical) == canonical
    parts = urlsplit(canonical)
    assert parts.scheme == "https"
    assert parts.hostname
    assert not parts.fragment
    assert not any(_is_tracking(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    identity = url_id(url)
    assert len(identity) == 32
    assert int(identity, 16) >= 0
    assert url_id(canonical) == identity


@given(urls(), st.sampled_from(("", "#frag")), st.sampled_from(("", "utm_source=x", "fbclid=1")))
def test_surface_variants_share_the_canonical_form(url: str, fragment: str, tracking: str) -> None:
    canonical = canonical_or_none(url)
    if canonical is None:
        return
    parts = urlsplit(canonical)
    query = "&".join(q for q in (parts.query, tracking) if q)
    # ``www.`` names the same site only before a registrable name (``www.com`` is a site)
    www = "www." if "." in (parts.hostname or "") and not parts.netloc.startswith("[") else ""
    # http:// only where the port is implicit: https://h:80/ is not http://h:80/
    scheme = "https" if parts.port else "http"
    variant = (
        f"{scheme}://{www}{parts.netloc.upper()}{parts.path}"
        + (f"?{query}" if query else "")
        + fragment
    )
    assert canonicalize(variant) == canonical

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.urls import canonicalize, url_id

hosts = st.from_regex(r"[a-z]{2,10}\.(com|net|sy)", fullmatch=True)
segments = st.lists(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), min_size=0, max_size=4)
params = st.dictionaries(
    st.from_regex(r"[a-z]{1,6}", fullmatch=True).filter(
        lambda k: k not in {"ref", "amp", "ito", "output", "ocid", "cmpid"}
    ),
    st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
    max_size=3,
)


def build(host: str, path: list[str], query: dict[str, str]) -> str:
    q = f"?{urlencode(query)}" if query else ""
    return f"https://{host}/{'/'.join(path)}{q}"


@given(
    hosts,
    segments,
    params,
    st.dictionaries(
        st.sampled_from(["utm_source", "utm_medium", "fbclid", "gclid"]),
        st.text(min_size=1, max_size=5),
        max_size=3,
    ),
)
def test_tracking_parameters_do_not_change_the_id(
    host: str, path: list[str], query: dict[str, str], tracking: dict[str, str]
) -> None:
    assert url_id(build(host, path, {**query, **tracking})) == url_id(build(host, path, query))


@given(hosts, segments, params)
def test_canonicalize_is_idempotent(host: str, path: list[str], query: dict[str, str]) -> None:
    once = canonicalize(build(host, path, query))
    assert canonicalize(once) == once


@given(
    hosts,
    segments,
    params,
    st.sampled_from(["#top", "#comments", ""]),
    st.booleans(),
    st.booleans(),
)
def test_surface_variants_share_one_id(
    host: str, path: list[str], query: dict[str, str], fragment: str, upper: bool, www: bool
) -> None:
    base = build(host, path, query)
    variant_host = ("www." + host) if www else host
    variant = (
        build(
            variant_host.upper() if upper else variant_host,
            path,
            dict(reversed(list(query.items()))),
        )
        + fragment
    )
    variant = variant.replace("https://", "http://", 1)
    assert url_id(variant) == url_id(base)


@given(
    hosts,
    st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3),
    st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3),
)
def test_different_paths_get_different_ids(host: str, a: list[str], b: list[str]) -> None:
    if a != b:
        assert url_id(build(host, a, {})) != url_id(build(host, b, {}))


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("https://example.com:443/news/1", "https://example.com/news/1"),
        ("http://example.com:80/news/1/", "https://example.com/news/1"),
        ("https://m.example.com/news/1", "https://example.com/news/1"),
        ("https://example.com/news/1/amp", "https://example.com/news/1"),
        ("https://amp.example.com/news/1?utm_campaign=x", "https://example.com/news/1"),
        ("https://example.com:8443/news/1", "https://example.com:8443/news/1"),
        ("https://example.com/news/1?b=2&a=1", "https://example.com/news/1?a=1&b=2"),
    ],
)
def test_known_variants(variant: str, expected: str) -> None:
    assert canonicalize(variant) == expected


@pytest.mark.parametrize(
    "bad", ["ftp://example.com/x", "/relative/path", "javascript:alert(1)", "https:///nohost"]
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        canonicalize(bad)

from urllib.parse import quote, urlencode

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
    "bad",
    [
        "ftp://example.com/x",
        "/relative/path",
        "javascript:alert(1)",
        "https:///nohost",
        "http://./",  # found by tests/fuzz: canonicalized to "https:///", which is refused
    ],
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        canonicalize(bad)


# --- more properties: arbitrary surface variants of one article ------------------------------

arabic_segments = st.lists(
    st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهوي0123456789-", min_size=1, max_size=10),
    min_size=1,
    max_size=3,
)
prefixes = st.lists(st.sampled_from(["www.", "m.", "amp.", "mobile."]), max_size=3)


@st.composite
def variants(draw: st.DrawFn) -> tuple[str, str]:
    """(a plain URL of an article, a URL of the same article as a feed might write it)."""
    host = draw(hosts)
    path = draw(st.one_of(segments, arabic_segments))
    query = draw(params)
    plain = f"https://{host}/" + "/".join(quote(p) for p in path)
    plain += f"?{urlencode(sorted(query.items()))}" if query else ""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    prefix = "".join(draw(prefixes))
    shown_host = draw(st.sampled_from([str.lower, str.upper]))(prefix + host)
    port = {"http": ":80", "https": ":443"}[scheme.lower()] if draw(st.booleans()) else ""
    raw_path = "/".join(p if draw(st.booleans()) else quote(p).lower() for p in path)
    raw_path += draw(st.sampled_from(["", "/", "/amp", "/amp/", "/amp.html"]))
    tracking = draw(
        st.dictionaries(
            st.sampled_from(["utm_source", "fbclid", "gclid", "ocid"]), st.text(max_size=4)
        )
    )
    items = list(query.items()) + list(tracking.items())
    shown_query = urlencode(draw(st.permutations(items))) if items else ""
    fragment = draw(st.sampled_from(["", "#", "#comments", "#مقدمة"]))
    variant = f"{scheme}://{shown_host}{port}/{raw_path}" + (
        f"?{shown_query}" if shown_query else ""
    )
    return plain, variant + fragment


@given(variants())
def test_every_surface_variant_has_the_plain_urls_id(pair: tuple[str, str]) -> None:
    plain, variant = pair
    assert url_id(variant) == url_id(plain), (plain, canonicalize(plain), canonicalize(variant))


@given(variants())
def test_canonical_forms_are_fixed_points_and_ids_are_32_hex(pair: tuple[str, str]) -> None:
    for url in pair:
        once = canonicalize(url)
        assert canonicalize(once) == once
        assert "#" not in once and "utm_" not in once and "fbclid" not in once
        assert once.startswith("https://") and once.isascii()
        key = url_id(url)
        assert len(key) == 32 and int(key, 16) >= 0


@given(
    hosts,
    segments,
    st.from_regex(r"[a-z]{1,6}", fullmatch=True),
    st.text(min_size=1, max_size=5),
    st.text(min_size=1, max_size=5),
)
def test_meaningful_parameters_keep_articles_apart(
    host: str, path: list[str], name: str, a: str, b: str
) -> None:
    if name in {"ref", "amp", "ito", "output", "ocid", "cmpid"} or a == b:
        return
    url = f"https://{host}/{'/'.join(path)}?"
    assert url_id(url + urlencode({name: a})) != url_id(url + urlencode({name: b}))


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("https://www.m.example.com/news/1", "https://example.com/news/1"),
        ("https://example.com/news/1/amp/", "https://example.com/news/1"),
        (
            "https://example.com/%d8%b3%d9%88%d8%b1%d9%8a%d8%a7",
            "https://example.com/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7",
        ),
        ("https://example.com/سوريا", "https://example.com/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://مثال.example/x", "https://xn--mgbh0fb.example/x"),
    ],
)
def test_more_known_variants(variant: str, expected: str) -> None:
    assert canonicalize(variant) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # found by tests/fuzz: the brackets were dropped ("https://::1/", not a URL)
        ("http://[::1]/", "https://[::1]/"),
        ("http://[::FFFF:1.2.3.4]:8080/a", "https://[::ffff:1.2.3.4]:8080/a"),
        # found by tests/fuzz: https's default port was kept ("https://h:443/"), then dropped
        ("http://example.com:443/news/1", "https://example.com/news/1"),
    ],
)
def test_canonical_form_of_fuzzed_urls_is_stable(url: str, expected: str) -> None:
    assert canonicalize(url) == expected
    assert canonicalize(expected) == expected

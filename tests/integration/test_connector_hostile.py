"""Hostile and broken input over real loopback sockets: every case has its own outcome.

A fixture server (127.0.0.1 only) serves each case; the fetcher and the parsers must turn
each into its counted outcome, quickly, with bounded memory, without reading local files
and without connecting where the source may not go.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
import subprocess
import time
import tracemalloc
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

from connectors.exceptions import FetchError, ResolutionError
from connectors.feeds import parse_feed
from connectors.fetch import Fetcher, FetcherConfig, Validators
from connectors.listings import parse_listing
from connectors.sitemaps import parse_sitemap
from tests.sites import FixtureServer, Reply, serve_in_thread
from tests.sites import content as c

KB, MB = 1024, 1024 * 1024
SECRET = "MARSAD-SECRET-c0ffee"  # noqa: S105 - a marker, not a password


def routes(secret: Path, dtd: Path) -> dict[str, Reply]:
    arabic = "قصف على ريف حلب"
    bomb = c.gzip_bomb()
    return {
        "/robots.txt": Reply(
            body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        ),
        "/ok.html": Reply(body=c.article(arabic)),
        "/private/page.html": Reply(body=c.article(arabic)),
        "/gzip-bomb.html": Reply(body=bomb, headers=(("Content-Encoding", "gzip"),)),
        "/big-declared.html": Reply(body=b"x" * (2 * MB)),
        "/big-endless.html": Reply(body=b"<p>" + b"x" * 65533, endless=True),
        "/truncated.html": Reply(body=b"<html>short", declared_length=10_000),
        "/brotli.html": Reply(body=b"\x0b\x02\x80hello\x03", headers=(("Content-Encoding", "br"),)),
        "/corrupt-gzip.html": Reply(
            body=b"\x1f\x8b\x08\x00garbage", headers=(("Content-Encoding", "gzip"),)
        ),
        "/loop/a": Reply(301, headers=(("Location", "/loop/b"),)),
        "/loop/b": Reply(302, headers=(("Location", "/loop/a"),)),
        **{
            f"/chain/{n}": Reply(302, headers=(("Location", f"/chain/{n + 1}"),))
            for n in range(1, 12)
        },
        "/chain-end": Reply(body=c.article(arabic)),
        "/short-chain": Reply(301, headers=(("Location", "/short-chain/2"),)),
        "/short-chain/2": Reply(307, headers=(("Location", "/short-chain/3"),)),
        "/short-chain/3": Reply(308, headers=(("Location", "/chain-end"),)),
        "/to-file": Reply(302, headers=(("Location", "file:///etc/passwd"),)),
        "/to-metadata": Reply(
            302, headers=(("Location", "http://169.254.169.254/latest/meta-data/"),)
        ),
        "/to-private": Reply(302, headers=(("Location", "http://10.1.2.3/news/1.html"),)),
        "/no-location": Reply(302),
        "/hang.html": Reply(hang=True),
        "/drip.html": Reply(body=c.article(arabic), drip_s=0.05, drip_bytes=16),
        "/image.png": Reply(body=c.PNG, content_type="image/png"),
        "/octet": Reply(body=c.article(arabic), content_type="application/octet-stream"),
        "/pdf-as-html.html": Reply(body=c.PDF, content_type="text/html"),
        "/busy": Reply(429, headers=(("Retry-After", "120"),)),
        # The date is written when the request is served: 90 s ahead of then, not of import.
        "/down": lambda _request: Reply(
            503, headers=(("Retry-After", formatdate(time.time() + 90, usegmt=True)),)
        ),
        "/gone": Reply(410),
        "/conditional.xml": Reply(
            body=c.rss(c.items("https://example.org", 3)),
            conditional=True,
            content_type="application/rss+xml",
        ),
        # documents
        "/malformed.xml": Reply(body=c.MALFORMED_FEED, content_type="application/rss+xml"),
        "/garbage.xml": Reply(body=c.GARBAGE_XML, content_type="application/rss+xml"),
        "/html-feed.xml": Reply(body=c.HTML_PAGE, content_type="text/html; charset=utf-8"),
        "/empty-feed.xml": Reply(body=c.EMPTY_FEED, content_type="application/rss+xml"),
        "/zero-feed.xml": Reply(body=b"", content_type="application/rss+xml"),
        "/laughs.xml": Reply(body=c.billion_laughs_feed(), content_type="application/rss+xml"),
        "/xxe.xml": Reply(body=c.xxe_feed(str(secret)), content_type="application/rss+xml"),
        "/laughs-sitemap.xml": Reply(
            body=c.billion_laughs_sitemap(), content_type="application/xml"
        ),
        "/xxe-sitemap.xml": Reply(body=c.xxe_sitemap(str(secret)), content_type="application/xml"),
        "/dtd-sitemap.xml": Reply(
            body=c.external_dtd_sitemap(str(dtd)), content_type="application/xml"
        ),
        "/bomb-sitemap.xml.gz": Reply(body=bomb, content_type="application/x-gzip"),
        "/cp1256-prolog.xml": Reply(
            body=c.rss(c.items("https://example.org", 2), encoding="windows-1256"),
            content_type="application/rss+xml",  # no charset: the XML declaration says it
        ),
        "/cp1256-lying-header.xml": Reply(
            body=c.rss(c.items("https://example.org", 2), encoding="windows-1256", declare=False),
            content_type="application/rss+xml; charset=utf-8",
        ),
        "/iso-8859-6-listing.html": Reply(
            body=c.listing([("/news/7.html", arabic)], encoding="iso-8859-6"),
            content_type="text/html",  # only <meta charset> says ISO-8859-6
        ),
        "/nocharset-listing.html": Reply(
            body=c.listing([("/news/8.html", arabic)], encoding="windows-1256", meta=False),
            content_type="text/html",
        ),
    }


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("secrets")
    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    dtd = folder / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "file://{secret}">', encoding="utf-8")
    return secret, dtd


@pytest.fixture(scope="module")
def site(secret: tuple[Path, Path]) -> Iterator[FixtureServer]:
    with serve_in_thread(FixtureServer(routes(*secret))) as (server,):
        yield server


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureServer]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = FixtureServer({"/ok.html": Reply(body=b"<p>secret</p>")}, ssl_context=context)
    with serve_in_thread(server):
        yield server


def fetcher(**overrides: object) -> Fetcher:
    config = {
        "min_delay_s": 0.0,
        "max_bytes": 1 * MB,
        "read_timeout_s": 1.0,
        "total_timeout_s": 2.0,
        "max_redirects": 5,
        **overrides,
    }
    return Fetcher(FetcherConfig(**config))  # type: ignore[arg-type]


async def outcome_of(site: FixtureServer, path: str, **kwargs: object) -> FetchError:
    async with fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.fetch(site.url(path), allow_private=True, **kwargs)  # type: ignore[arg-type]
    return info.value


# sizes and encodings ------------------------------------------------------------------------


async def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(site: FixtureServer) -> None:
    tracemalloc.start()
    started = time.monotonic()
    error = await outcome_of(site, "/gzip-bomb.html")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.outcome == "too_large"
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MiB for a 1 MiB cap"  # 64 MiB inflated
    assert time.monotonic() - started < 2


async def test_declared_length_over_the_cap_is_refused_before_reading(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/big-declared.html")).outcome == "too_large"


async def test_endless_body_is_cut_at_the_cap(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/big-endless.html")).outcome == "too_large"


async def test_truncated_body_is_a_network_error(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/truncated.html")).outcome == "network_error"


async def test_unrequested_and_corrupt_encodings(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/brotli.html")).outcome == "unsupported_encoding"
    assert (await outcome_of(site, "/corrupt-gzip.html")).outcome == "bad_encoding"


# redirects -------------------------------------------------------------------------------


async def test_redirect_loop(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/loop/a")).outcome == "redirect_loop"


async def test_redirect_chain_longer_than_the_limit(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/chain/1")).outcome == "too_many_redirects"


async def test_short_redirect_chain_is_followed(site: FixtureServer) -> None:
    async with fetcher() as f:
        page = await f.fetch(site.url("/short-chain"), allow_private=True)
    assert (page.status, page.redirects) == (200, 3)
    assert page.final_url == site.url("/chain-end")
    assert "ريف حلب".encode() in page.body


async def test_redirects_to_other_schemes_and_without_location(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/to-file")).outcome == "bad_redirect"
    assert (await outcome_of(site, "/no-location")).outcome == "bad_redirect"


# timeouts and TLS ---------------------------------------------------------------------------


async def test_server_that_never_answers_times_out(site: FixtureServer) -> None:
    started = time.monotonic()
    assert (await outcome_of(site, "/hang.html")).outcome == "timeout"
    assert time.monotonic() - started < 3


async def test_dripping_server_hits_the_total_deadline(site: FixtureServer) -> None:
    # each chunk arrives well within the read timeout; the whole page would take ~6 s
    started = time.monotonic()
    assert (await outcome_of(site, "/drip.html")).outcome == "timeout"
    assert time.monotonic() - started < 3


async def test_untrusted_certificate_is_a_tls_error(tls_site: FixtureServer) -> None:
    async with fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.fetch(tls_site.url("/ok.html"), allow_private=True)
    assert info.value.outcome == "tls_error"
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


# binary content -------------------------------------------------------------------------------


async def test_binary_content_types_and_disguised_binaries(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/image.png")).outcome == "binary_content"
    assert (await outcome_of(site, "/octet")).outcome == "binary_content"
    pdf = await outcome_of(site, "/pdf-as-html.html")
    assert pdf.outcome == "binary_content"
    assert "pdf" in str(pdf)


# addresses -------------------------------------------------------------------------------------


async def test_loopback_is_refused_unless_the_source_allows_it(site: FixtureServer) -> None:
    before = len(site.hits("/ok.html"))
    async with fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.fetch(site.url("/ok.html"))
        assert info.value.outcome == "blocked_address"
        assert "loopback" in str(info.value)
        assert len(site.hits("/ok.html")) == before  # no request reached the server
        page = await f.fetch(site.url("/ok.html"), allow_private=True)
    assert page.status == 200


async def test_redirect_to_the_metadata_address_is_refused_even_when_private_is_allowed(
    site: FixtureServer,
) -> None:
    error = await outcome_of(site, "/to-metadata")
    assert error.outcome == "blocked_address"
    assert "metadata" in str(error)


async def test_redirect_to_a_private_address_is_refused_after_the_first_hop(
    site: FixtureServer,
) -> None:
    # 127.0.0.1 trusted (standing in for a public server), the redirect target is not
    async with fetcher(trusted_networks=("127.0.0.1/32",)) as f:
        with pytest.raises(FetchError) as info:
            await f.fetch(site.url("/to-private"))
    assert info.value.outcome == "blocked_address"
    assert "10.1.2.3 (private)" in str(info.value)


async def test_names_resolving_to_internal_addresses_are_refused() -> None:
    table = {
        "intranet.example": ["192.168.1.20"],
        "rebind.example": ["93.184.216.34", "127.0.0.1"],
        "metadata.example": ["169.254.169.254"],
        "v6.example": ["::ffff:10.0.0.1"],
    }

    async def resolver(host: str, port: int) -> list[str]:
        if host not in table:
            raise ResolutionError(f"{host}: no such host")
        return table[host]

    async with Fetcher(FetcherConfig(min_delay_s=0, obey_robots=False), resolver=resolver) as f:
        for host, category in [
            ("intranet.example", "private"),
            ("rebind.example", "loopback"),
            ("metadata.example", "metadata"),
            ("v6.example", "private"),
        ]:
            with pytest.raises(FetchError) as info:
                await f.fetch(f"http://{host}/news/1.html")
            assert info.value.outcome == "blocked_address", host
            assert f"({category})" in str(info.value), host
        with pytest.raises(FetchError) as missing:
            await f.fetch("http://nowhere.example/")
    assert missing.value.outcome == "dns_error"


# politeness signals -------------------------------------------------------------------------


async def test_429_with_retry_after_keeps_us_off_the_host(site: FixtureServer) -> None:
    async with fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.fetch(site.url("/busy"), allow_private=True)
        assert info.value.outcome == "http_429"
        assert info.value.retry_after_s == 120
        before = len(site.requests)
        with pytest.raises(FetchError) as deferred:
            await f.fetch(site.url("/ok.html"), allow_private=True)
        assert deferred.value.outcome == "deferred"
        assert deferred.value.retry_after_s is not None and deferred.value.retry_after_s > 100
        assert len(site.requests) == before  # nothing was sent


async def test_503_with_an_http_date_retry_after(site: FixtureServer) -> None:
    error = await outcome_of(site, "/down")
    assert error.outcome == "http_503"
    assert error.retry_after_s is not None and 80 <= error.retry_after_s <= 91


async def test_gone_and_robots(site: FixtureServer) -> None:
    assert (await outcome_of(site, "/gone")).outcome == "http_410"
    assert (await outcome_of(site, "/private/page.html")).outcome == "robots_disallowed"
    assert not site.hits("/private/page.html")


async def test_conditional_get_answers_304(site: FixtureServer) -> None:
    async with fetcher() as f:
        first = await f.fetch(site.url("/conditional.xml"), allow_private=True)
        assert first.status == 200 and first.validators.etag
        second = await f.fetch(
            site.url("/conditional.xml"), allow_private=True, validators=first.validators
        )
        stale = await f.fetch(
            site.url("/conditional.xml"), allow_private=True, validators=Validators('"old"')
        )
    assert second.not_modified and second.body == b""
    assert stale.status == 200
    assert site.hits("/conditional.xml")[-2].headers["if-none-match"] == first.validators.etag


# documents: feeds, sitemaps, listing pages --------------------------------------------------


async def fetched(site: FixtureServer, path: str, **kwargs: object) -> tuple[bytes, str | None]:
    async with fetcher() as f:
        page = await f.fetch(site.url(path), allow_private=True, **kwargs)  # type: ignore[arg-type]
    return page.body, page.content_type


async def test_malformed_feeds(site: FixtureServer) -> None:
    recovered = parse_feed(*(await fetched(site, "/malformed.xml"))[:1], site.url("/"))
    assert recovered.outcome == "malformed_recovered"
    assert [e.url for e in recovered.entries][:1] == ["https://example.org/broken.html"]
    garbage = parse_feed((await fetched(site, "/garbage.xml"))[0], site.url("/"))
    assert garbage.outcome == "malformed" and garbage.entries == ()


async def test_html_served_as_a_feed(site: FixtureServer) -> None:
    body, content_type = await fetched(site, "/html-feed.xml")
    result = parse_feed(body, site.url("/"), content_type)
    assert result.outcome == "not_a_feed" and result.entries == ()
    assert result.problem == "an HTML page, not a feed"


async def test_empty_feeds(site: FixtureServer) -> None:
    body, content_type = await fetched(site, "/empty-feed.xml")
    empty = parse_feed(body, site.url("/"), content_type)
    assert (empty.outcome, empty.usable, empty.dialect) == ("empty", True, "rss20")
    body, content_type = await fetched(site, "/zero-feed.xml")
    assert parse_feed(body, site.url("/"), content_type).outcome == "empty"


async def test_entity_bombs_are_refused_fast(site: FixtureServer) -> None:
    started = time.monotonic()
    feed = parse_feed((await fetched(site, "/laughs.xml"))[0], site.url("/"))
    sitemap = parse_sitemap((await fetched(site, "/laughs-sitemap.xml", binary_ok=True))[0])
    assert feed.outcome == "xml_entities" and feed.entries == ()
    assert sitemap.outcome == "xml_entities" and sitemap.entries == ()
    assert time.monotonic() - started < 2


async def test_external_entities_never_read_local_files(site: FixtureServer) -> None:
    feed = parse_feed((await fetched(site, "/xxe.xml"))[0], site.url("/"))
    sitemap = parse_sitemap((await fetched(site, "/xxe-sitemap.xml", binary_ok=True))[0])
    dtd = parse_sitemap((await fetched(site, "/dtd-sitemap.xml", binary_ok=True))[0])
    assert (feed.outcome, sitemap.outcome, dtd.outcome) == (
        "xml_entities",
        "xml_entities",
        "xml_doctype",
    )
    for result in (feed, sitemap, dtd):
        assert SECRET not in repr(result)


async def test_gzipped_sitemap_bomb_stops_at_the_cap(site: FixtureServer) -> None:
    body, _ = await fetched(site, "/bomb-sitemap.xml.gz", binary_ok=True)
    result = parse_sitemap(body, max_bytes=2 * MB)
    assert result.outcome == "too_large"


EXPECTED_TITLES = [i.title for i in c.items("https://example.org", 2)]


async def test_feed_charset_from_the_xml_declaration(site: FixtureServer) -> None:
    body, content_type = await fetched(site, "/cp1256-prolog.xml")
    assert EXPECTED_TITLES[0].encode("cp1256") in body
    result = parse_feed(body, site.url("/"), content_type)
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == EXPECTED_TITLES


async def test_feed_with_a_wrong_charset_header_is_decoded_anyway(site: FixtureServer) -> None:
    body, content_type = await fetched(site, "/cp1256-lying-header.xml")
    assert content_type == "application/rss+xml; charset=utf-8"
    result = parse_feed(body, site.url("/"), content_type)
    assert result.outcome == "ok"
    assert [e.title for e in result.entries] == EXPECTED_TITLES


async def test_listing_charsets_meta_only_and_undeclared(site: FixtureServer) -> None:
    base = site.url("/")
    body, content_type = await fetched(site, "/iso-8859-6-listing.html")
    meta = parse_listing(body, base, r"/news/\d+\.html$", "127.0.0.1", content_type)
    assert [(e.url, e.title) for e in meta.entries] == [
        (site.url("/news/7.html"), "قصف على ريف حلب")
    ]
    body, content_type = await fetched(site, "/nocharset-listing.html")
    detected = parse_listing(body, base, r"/news/\d+\.html$", "127.0.0.1", content_type)
    assert [e.title for e in detected.entries] == ["قصف على ريف حلب"]


async def test_one_request_at_a_time_per_host_with_the_minimum_delay(site: FixtureServer) -> None:
    start = len(site.finished)
    async with fetcher(min_delay_s=0.2) as f:
        await asyncio.gather(*(f.fetch(site.url("/ok.html"), allow_private=True) for _ in range(4)))
    spans = sorted((r.started, end) for r, end in site.finished[start:] if r.path == "/ok.html")
    assert len(spans) == 4
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert begin >= end, "two requests to one host overlapped"
        assert begin - end >= 0.18, f"only {begin - end:.3f}s between requests"
    assert {r.headers["user-agent"] for r, _ in site.finished[start:]} == {
        FetcherConfig().user_agent
    }


async def test_urls_the_client_cannot_even_request_are_bad_urls() -> None:
    async with fetcher() as f:
        for url in ("http://127.0.0.1:99999/x", "ftp://127.0.0.1/x", "http://[::1/x"):
            with pytest.raises(FetchError) as info:
                await f.fetch(url, allow_private=True)
            assert info.value.outcome == "bad_url", url

"""The demo sites over real loopback sockets: feeds, pages, charsets, robots, conditional GET."""

from __future__ import annotations

import http.client
import io
import threading
from collections.abc import Iterator
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html  # type: ignore[import-untyped]
import pytest
import yaml

from devtools.demo import RunningDemo, run_demo_sites, serve_demo_sites, write_sources_yaml
from devtools.demo.runner import demo_sources


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningDemo]:
    with serve_demo_sites() as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[
    int, http.client.HTTPMessage, bytes
]:  # fmt: skip
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def endpoint(demo: RunningDemo, outlet_id: str) -> tuple[str, str]:
    found = [e for e in demo.outlets if e.outlet_id == outlet_id]
    assert found, outlet_id
    return found[0].base_url, found[0].feed_url


def article_paragraphs(html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [p.text_content() for p in tree.xpath("//article//p")]


def seed_line(seed: str, line: int) -> str:
    folder = resources.files("devtools.demo") / "seeds"
    name = next(f.name for f in folder.iterdir() if f.name.startswith(seed))
    return (folder / name).read_text(encoding="utf-8").splitlines()[line - 1].strip()


def test_every_outlet_is_on_loopback_with_its_own_port(demo: RunningDemo) -> None:
    assert [e.outlet_id for e in demo.outlets] == ["ofoq", "nabd", "maydan", "mashriq"]
    ports = {urlsplit(e.base_url).port for e in demo.outlets}
    assert len(ports) == 4
    assert all(urlsplit(e.base_url).hostname == "127.0.0.1" for e in demo.outlets)
    assert endpoint(demo, "maydan")[1].endswith("/atom.xml")


@pytest.mark.parametrize("outlet_id", ["ofoq", "nabd", "maydan", "mashriq"])
def test_feed_parses_and_every_link_resolves_to_its_page(demo: RunningDemo, outlet_id: str) -> None:
    _, feed_url = endpoint(demo, outlet_id)
    status, headers, body = get(feed_url)
    assert status == 200
    assert "charset=" in headers["Content-Type"]
    assert headers["ETag"] and headers["Last-Modified"]
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    expected = demo.sites.articles_of(outlet_id)
    assert [e.title for e in feed.entries] == [a.title for a in expected]
    for entry, article in zip(feed.entries, expected, strict=True):
        assert entry.published_parsed is not None
        status, headers, page = get(entry.link)
        assert status == 200, entry.link
        assert headers["Content-Type"].startswith("text/html; charset=")
        charset = headers["Content-Type"].split("charset=")[1]
        tree = lxml.html.fromstring(page.decode(charset))
        assert tree.get("lang") == "ar" and tree.get("dir") == "rtl"
        assert tree.xpath("string(//h1)") == article.title
        assert tree.xpath("string(//meta[@property='og:title']/@content)") == article.title
        published = tree.xpath("string(//meta[@property='article:published_time']/@content)")
        assert published == article.published.isoformat()


def test_feed_kinds_and_tracking_parameters(demo: RunningDemo) -> None:
    links = {}
    for e in demo.outlets:
        feed = feedparser.parse(get(e.feed_url)[2])
        links[e.outlet_id] = [entry.link for entry in feed.entries]
        assert feed.version == ("atom10" if e.outlet_id == "maydan" else "rss20")
    assert all("utm_source=rss" in link for link in links["ofoq"] + links["mashriq"])
    assert not any("?" in link for link in links["nabd"] + links["maydan"])


def test_windows_1256_outlet_declares_and_decodes(demo: RunningDemo) -> None:
    _, feed_url = endpoint(demo, "mashriq")
    status, headers, body = get(feed_url)
    assert status == 200
    assert headers["Content-Type"] == "application/rss+xml; charset=windows-1256"
    assert body.startswith(b'<?xml version="1.0" encoding="windows-1256"?>')
    link = feedparser.parse(body).entries[-1].link  # the oldest: seed 001
    _, headers, page = get(link)
    assert headers["Content-Type"] == "text/html; charset=windows-1256"
    assert b'<meta charset="windows-1256">' in page
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    paragraphs = article_paragraphs(page.decode("windows-1256"))
    seed = [seed_line("001", n) for n in (3, 4, 6, 8, 10, 12, 14, 16, 18)]
    assert [p for p in paragraphs if p in seed] == seed


def test_utf8_page_carries_the_seed_paragraphs_and_the_chrome(demo: RunningDemo) -> None:
    base_url, _ = endpoint(demo, "ofoq")
    article = next(a for a in demo.sites.articles_of("ofoq") if a.origins[0] == "000:1")
    _, _, page = get(base_url + demo.sites.article_path(article))
    text = page.decode("utf-8")
    assert [p for p in article_paragraphs(text) if not p.startswith("اقرأ أيضاً")] == [
        seed_line("000", n) for n in range(1, 10)
    ]
    for chrome in ("عاجل", "شارك:", "واتساب", "شاهد أيضاً", "اقرأ أيضاً:", "اترك تعليقاً", "©"):
        assert chrome in text


def test_conditional_get_answers_304(demo: RunningDemo) -> None:
    base_url, feed_url = endpoint(demo, "nabd")
    for url in (feed_url, base_url + "/"):
        status, headers, _ = get(url)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        status, headers, body = get(url, {"If-None-Match": etag})
        assert (status, body) == (304, b"")
        assert headers["ETag"] == etag
        assert get(url, {"If-None-Match": '"other"'})[0] == 200
        assert get(url, {"If-Modified-Since": modified})[0] == 304
        earlier = format_datetime(
            demo.sites.articles_of("nabd")[-1].published.replace(year=2000), usegmt=True
        )
        assert get(url, {"If-Modified-Since": earlier})[0] == 200


def test_robots_admin_head_and_not_found(demo: RunningDemo) -> None:
    base_url, _ = endpoint(demo, "maydan")
    status, headers, body = get(base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *\nDisallow: /admin/\n" in body.decode()
    assert f"Sitemap: {base_url}/sitemap.xml" in body.decode()
    assert get(base_url + "/sitemap.xml")[0] == 200
    assert get(base_url + "/admin/login")[0] == 403
    status, headers, body = get(base_url + "/news/2099/01/missing-1.html")
    assert status == 404 and "الصفحة غير موجودة" in body.decode()
    status, headers, body = get(base_url + "/atom.xml", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_sources_file_lists_running_outlets(demo: RunningDemo, tmp_path: Path) -> None:
    path = tmp_path / "demo-sources.yaml"
    write_sources_yaml(demo.outlets, path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["sources"] == demo_sources(demo.outlets)
    first = document["sources"][0]
    assert first["id"] == "ofoq" and first["allow_private"] is True
    assert first["feeds"] == [demo.outlets[0].feed_url]
    assert "الأفق العربي" in path.read_text(encoding="utf-8")


def test_fixed_ports_by_outlet_id() -> None:
    with serve_demo_sites(ports={"ofoq": 0}) as running:
        assert len(running.outlets) == 4
        assert get(running.outlets[0].base_url + "/")[0] == 200


def test_foreground_runner_prints_feed_urls_and_writes_sources(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    out = io.StringIO()
    run_demo_sites(sources_path=tmp_path / "sources.yaml", out=out, stop=stop)
    printed = out.getvalue()
    assert printed.count("/feed.xml") == 3 and printed.count("/atom.xml") == 1
    sources = yaml.safe_load((tmp_path / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert [s["feeds"][0] in printed for s in sources] == [True] * 4

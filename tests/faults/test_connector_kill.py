"""(2) SIGKILL of a connector in the middle of its run against a loopback site serving the
corpus's pages, then ``marsad connect --once`` on the same state: every page the site serves
is indexed exactly once (a page the killed connector published but had not yet marked
fetched is published again, and must not become a second document)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from connectors.urls import url_id
from devtools.stack import StackInfo
from tests.sites import FixtureServer, Reply, Request, serve_in_thread
from tests.sites import content as c

from .scenario import faulted_run
from .stack import ROOT
from .support import (
    Corpus,
    assert_clean,
    audit,
    dead_letters,
    say,
    service_env,
    wait_done,
    wait_for,
)


@pytest.fixture
def site(corpus: Corpus, tmp_path: Path) -> Iterator[tuple[FixtureServer, Path, list[str]]]:
    """The corpus's pages at /a/<n>.html, all listed in one RSS feed."""
    articles = corpus.articles

    def page(request: Request) -> Reply | None:
        name = request.path.removeprefix("/a/").removesuffix(".html")
        if request.path.startswith("/a/") and name.isdigit() and 1 <= int(name) <= len(articles):
            article = articles[int(name) - 1]
            return Reply(body=article.html, content_type=f"text/html; charset={article.charset}")
        return None

    server = FixtureServer(router=page)
    with serve_in_thread(server):
        items = c.items(server.base_url, len(articles), prefix="/a/")
        server.routes["/feed.xml"] = Reply(body=c.rss(items), content_type="application/rss+xml")
        sources = tmp_path / "sources.yaml"
        entry = {
            "id": "faults-site",
            "name_ar": "موقع الأعطال",
            "name_latin": "Faults site",
            "home": server.base_url + "/",
            "country": "SY",
            "affiliation": "demo",
            "feeds": [server.base_url + "/feed.xml"],
            "allow_private": True,
            "max_items_per_poll": len(articles),
        }
        sources.write_text(yaml.safe_dump({"version": 1, "sources": [entry]}), encoding="utf-8")
        yield server, sources, [i.url for i in items]


def fetched(server: FixtureServer) -> int:
    return sum(r.path.startswith("/a/") for r in list(server.requests))


def test_sigkill_connector_mid_run(
    stack: StackInfo,
    corpus: Corpus,
    site: tuple[FixtureServer, Path, list[str]],
    tmp_path: Path,
) -> None:
    server, sources, urls = site
    state = tmp_path / "connector.sqlite"
    expected = frozenset(url_id(u) for u in urls)
    assert len(expected) == len(urls)
    command = [
        sys.executable, "-m", "cli.main", "connect", "--min-delay", "0",
        "--sources", str(sources), "--state", str(state),
    ]  # fmt: skip
    with faulted_run(stack, corpus, "connector", publish=False) as run:
        log = run.settings.home / f"{run.settings.worker_id}-connect.log"
        with log.open("ab") as out:
            first = subprocess.Popen(
                command, env=service_env(run.settings), cwd=ROOT, stdout=out, stderr=out
            )
        try:
            wait_for(
                "the connector to fetch a quarter of the site",
                lambda: fetched(server) >= len(urls) // 4,
                600,
                every_s=0.05,
                check=lambda: None if first.poll() is None else pytest.fail("connector exited"),
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        before = fetched(server)
        say(f"connector killed after fetching {before} of {len(urls)} pages")
        assert before < len(urls)
        with log.open("ab") as out:
            again = subprocess.run(
                [*command, "--once"],
                env=service_env(run.settings),
                cwd=ROOT,
                stdout=out,
                stderr=out,
                timeout=1800,
                check=False,
            )
        assert again.returncode == 0, f"marsad connect --once failed; see {log}"
        say(f"second connector run fetched {fetched(server) - before} pages")
        wait_done(run.settings, run.engine, len(urls), run.worker, 1200)
        result = audit(run.engine, expected, None)
        letters = dead_letters(run.settings)
    assert_clean(result, clusters=False)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"

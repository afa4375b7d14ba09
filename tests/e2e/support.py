"""What the browser tests run against: the sample sites ingested by a real worker into the
session's own topics and indices, plus one hostile page, and a real ``marsad console``."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from aiokafka import AIOKafkaProducer

from cli.commands.connect import connect
from devtools.demo import OutletEndpoint, serve_demo_sites, write_sources_yaml
from kernel.records import RawPage
from kernel.settings import Settings
from kernel.topics import PAGES
from pipeline.web import find_url

from ..integration.support import ROOT, service_env, wait_until_consumed

T = TypeVar("T")

# A page whose title and text carry markup as text (escaped in its HTML, so extraction keeps
# the characters): the console must show it as text, and none of it may run.
HOSTILE_WORD = "زنجبيل"
HOSTILE_TITLE = "<script>window.__pwned=1</script><b>زنجبيل عاجل</b>"
HOSTILE_URL = "https://hostile.example/ginger"
HOSTILE_HTML = """<!doctype html><html lang="ar"><head><meta charset="utf-8">
<title>&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;b&gt;زنجبيل عاجل&lt;/b&gt;</title></head>
<body><article><h1>&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;b&gt;زنجبيل عاجل&lt;/b&gt;</h1>
<p>قال مراسل في مدينة حلب إن شحنة الزنجبيل وصلت إلى السوق صباح اليوم بعد تأخير دام
أسبوعين بسبب إغلاق الطرق، وإن الأسعار انخفضت &lt;b&gt;بشكل ملحوظ&lt;/b&gt; في الأحياء الشرقية
من المدينة.</p>
<p>وأضاف أن التجار &lt;script&gt;window.__pwned=2&lt;/script&gt; طالبوا بفتح المعابر أمام الشاحنات
&lt;img src=x onerror="window.__pwned=3"&gt; وأن الزنجبيل المستورد يباع الآن بنصف السعر الذي كان
عليه في الشهر الماضي.</p>
</article></body></html>"""
HOSTILE_ID = "e2e0" + "0" * 28


def hostile_page() -> RawPage:
    return RawPage(
        url_id=HOSTILE_ID,
        url=HOSTILE_URL,
        canonical_url=HOSTILE_URL,
        source_id="hostile",
        outlet="موقع الاختبار",
        fetched_at=datetime.now(UTC),
        published_at=datetime.now(UTC),
        http_status=200,
        content_type="text/html; charset=utf-8",
        body_b64=RawPage.encode_body(HOSTILE_HTML.encode()),
    )


async def publish(settings: Settings, page: RawPage) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic(PAGES), page.to_bytes(), key=page.url_id.encode()
        )
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Corpus:
    """The ingested sample sites: the settings that reach them and the sources they came from."""

    settings: Settings
    sources: Path
    outlets: tuple[OutletEndpoint, ...]
    metrics_url: str
    """The worker's ``/metrics`` address, as it announced it in its log."""


def run_async(coroutine: Coroutine[object, object, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop
    running in the test thread once a browser has started."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def ingest(
    settings: Settings, worker: subprocess.Popen[bytes], worker_log: Path, sources: Path
) -> Corpus:
    """What ``marsad demo`` does (the same functions): serve the sample sites, poll every feed
    once, wait until the worker committed every page; and the hostile page, published as a
    connector would publish it."""
    with serve_demo_sites() as demo:
        write_sources_yaml(demo.outlets, sources)
        assert run_async(connect(settings, sources, once=True, min_delay_s=0.0)) == 0
        run_async(publish(settings, hostile_page()))
        wait_until_consumed(settings, worker)
    metrics_url = find_url(worker_log.read_text(encoding="utf-8", errors="replace"))
    assert metrics_url, f"the worker announced no metrics address (see {worker_log})"
    return Corpus(settings, sources, tuple(demo.outlets), metrics_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_console(corpus: Corpus, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``marsad console`` on a free loopback port, with the session's settings and the demo's
    sources file; its URL once it answers."""
    port = free_port()
    env = {**service_env(corpus.settings), "MARSAD_SOURCES_FILE": str(corpus.sources)}
    command = [sys.executable, "-m", "cli.main", "console", "--host", "127.0.0.1"]
    command += ["--port", f"{port}", "--metrics-url", corpus.metrics_url]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"marsad console exited with {proc.returncode} (see {log})")
        try:
            if httpx.get(url + "/", timeout=5, trust_env=False).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"marsad console did not answer on {url} within 60s (see {log})")


def stop_console(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

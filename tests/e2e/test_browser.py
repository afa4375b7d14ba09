"""The browser itself: Debian's Chromium starts offline under Playwright, renders Arabic right to
left from a loopback server, runs a page's script, and leaves a screenshot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .browser import CHROMIUM

PAGE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>مرصد</title></head><body><h1>مرصد</h1>
<label for="q">بحث</label><input id="q" name="q">
<button type="button" onclick="document.querySelector('output').textContent = 'تم'">زر</button>
<output></output></body></html>""".encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_debian_chromium_renders_a_loopback_page(
    page: Page, loopback_page: str, shots: Path
) -> None:
    assert CHROMIUM.is_file()
    assert page.context.browser is not None
    assert page.context.browser.version.split(".")[0].isdigit()
    page.goto(loopback_page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading")).to_have_text("مرصد")
    page.get_by_role("button", name="زر").click()
    expect(page.locator("output")).to_have_text("تم")
    expect(page.get_by_label("بحث")).to_be_visible()
    page.screenshot(path=shots / "page.png")
    assert (shots / "page.png").stat().st_size > 1000

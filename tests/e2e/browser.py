"""Debian's Chromium, driven by Playwright: how the browser tests launch it and keep what it shows.

The binary is the one `make browser` installs (``/usr/bin/chromium``, or ``MARSAD_CHROMIUM``);
Playwright never downloads a browser of its own. The flags keep Chromium off the network it
would otherwise call at start (this machine's closed network refuses those connections), and
let it run as root (CI) without a sandbox. Playwright gives every launch a fresh, empty
profile (``--user-data-dir`` in a temporary folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

from ..integration.support import ROOT

CHROMIUM = Path(os.environ.get("MARSAD_CHROMIUM", "/usr/bin/chromium"))
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SHOTS = ROOT / ".marsad" / "e2e"
"""Screenshots, one folder per test: ``.marsad/e2e/<test name>/<step>.png``."""


def launch(playwright: Playwright) -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium)")
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=list(FLAGS), timeout=60_000
    )


def shot_dir(test_name: str) -> Path:
    """The test's own screenshot folder, emptied (so it shows this run only)."""
    folder = SHOTS / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def screenshot(page: Page, folder: Path, step: str) -> Path:
    path = folder / f"{step}.png"
    page.screenshot(path=path, full_page=True)
    return path

"""Browser fixtures: the real stack with the sample sites ingested, a real ``marsad console``
over them, and headless Debian Chromium driven by Playwright.

The stack is reused as the integration tests reuse it (started if not running, stopped at the
end only if started here); the session works in its own topic namespace and index prefix
(``support.isolated``), removed afterwards. Every test here is marked ``e2e`` and
``integration``, so ``make test-unit`` (``-m "not integration"``) never needs a browser.
Screenshots: ``.marsad/e2e/<test name>/<step>.png`` (each test's folder emptied when it starts),
plus ``end.png`` after every test that had a page, passed or failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from devtools.stack import StackInfo
from kernel.settings import Settings

from ..integration.support import isolated, local_stack, start_worker, stop_worker
from .browser import launch, screenshot, shot_dir
from .support import Corpus, ingest, start_console, stop_console

Shot = Callable[[str], Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    with local_stack() as info:
        yield info


@pytest.fixture(scope="session")
def settings(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as s:
        yield s


@pytest.fixture(scope="session")
def corpus(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The sample sites and the hostile page, indexed by a real worker (stopped afterwards)."""
    worker = start_worker(settings, "-e2e")
    log = settings.home / f"{settings.worker_id}-e2e.log"
    try:
        yield ingest(settings, worker, log, tmp_path_factory.mktemp("e2e") / "sources.yaml")
    finally:
        stop_worker(worker)


@pytest.fixture(scope="session")
def console(corpus: Corpus) -> Iterator[str]:
    """A real ``marsad console`` over the ingested indices: its base URL."""
    log = corpus.settings.home / f"{corpus.settings.worker_id}-console.log"
    proc, url = start_console(corpus, log)
    try:
        yield url
    finally:
        stop_console(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module. Not for the session: while Playwright's sync API is started it
    marks its event loop as running in the test thread, so ``asyncio.run`` (the integration
    tests', and the fixtures') would refuse to run until it stops."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    return shot_dir(request.node.name)


@pytest.fixture
def page(browser: Browser, shots: Path) -> Iterator[Page]:
    """A fresh context (no cookies, no history) in Arabic, 1280 px wide; ``end.png`` after."""
    context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        if not page.is_closed() and page.url != "about:blank":
            screenshot(page, shots, "end")
        context.close()


@pytest.fixture
def shot(page: Page, shots: Path) -> Shot:
    """``shot("results")`` saves ``.marsad/e2e/<test name>/results.png``."""
    return lambda step: screenshot(page, shots, step)

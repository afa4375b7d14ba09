"""Integration fixtures: the real Kafka and OpenSearch of `marsad stack up`, started once.

If the stack is not running, the session starts it (and stops it again at the end); it
never skips. Each session works in its own topic namespace and index prefix, and removes
them afterwards, so runs do not see each other's data.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.stack import StackInfo, down, read_state, up
from kernel.settings import Settings

from .support import ROOT, isolated, start_worker, stop_worker


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    base = Settings(home=ROOT / ".marsad")
    info = read_state(base.home)
    started = info is None
    if info is None:
        info = up(base)
    yield info
    if started:
        down(base)


@pytest.fixture(scope="session")
def settings(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as s:
        yield s


@pytest.fixture(scope="session")
def worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """One real `marsad worker` process for the session."""
    proc = start_worker(settings)
    yield proc
    stop_worker(proc)

"""The fault-injection suite (``make faults``): its own Kafka and OpenSearch (tests/faults/
stack.py), started once per session and stopped at the end if this session started them; the
corpus and its uninterrupted reference run, computed once per session; one run of the corpus
with every fault in turn (tests/faults/campaign.py, test_campaign.py).

Every test here is marked ``faults`` (``make test`` leaves them out: ``-m "not faults"``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.stack import StackInfo

from .campaign import campaign_corpus
from .stack import base_settings, own_stack
from .support import ARTICLES, Corpus, say

_durations: dict[str, float] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.integration)  # `make test-unit` leaves them out too


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    with own_stack() as info:
        say(f"stack: kafka {info.kafka_bootstrap}, engine {info.search_url}")
        yield info


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return campaign_corpus(base_settings(), ARTICLES)


@pytest.fixture(autouse=True)
def _timing(request: pytest.FixtureRequest) -> Iterator[None]:
    started = time.monotonic()
    yield
    _durations[request.node.name] = time.monotonic() - started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _durations:
        return
    terminalreporter.section(f"fault durations (one run of {ARTICLES} articles, in phases)")
    for name, seconds in _durations.items():
        terminalreporter.write_line(f"{seconds:8.1f} s  {name}")
    terminalreporter.write_line(f"{sum(_durations.values()):8.1f} s  total (tests only)")

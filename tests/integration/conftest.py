"""Integration fixtures: the real Kafka and OpenSearch of `marsad stack up`, started once,
and the real Elasticsearch of `marsad stack up --engine elasticsearch` for the tests that ask.

If a service is not running, the session starts it (and stops it again at the end, only what
it started); it never skips. Each session works in its own topic namespace and index prefix,
and removes them afterwards, so runs do not see each other's data.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.stack import (
    StackInfo,
    status,
    stop_service,
    up_elasticsearch,
)
from devtools.stack.state import ELASTICSEARCH
from kernel.settings import Settings

from .support import (
    ROOT,
    elasticsearch_deploy_copy,
    isolated,
    local_stack,
    remove_indices,
    start_worker,
    stop_worker,
)

ENGINES = ("opensearch", "elasticsearch")
_engine_runs = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    with local_stack() as info:
        yield info


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    """The local Elasticsearch node, started on demand; stopped at the end if started here."""
    base = Settings(home=ROOT / ".marsad")
    running = any(
        s.name == ELASTICSEARCH and s.running and s.answering for s in status(base).services
    )
    url = up_elasticsearch(base)
    yield url
    if not running:
        stop_service(base, ELASTICSEARCH)


@pytest.fixture(scope="session")
def elasticsearch_deploy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/ with analyzers the Elasticsearch test distribution has (see support.py)."""
    return elasticsearch_deploy_copy(tmp_path_factory.mktemp("es") / "deploy")


@pytest.fixture(scope="session")
def settings(stack: StackInfo) -> Iterator[Settings]:
    with isolated(stack) as s:
        yield s


@pytest.fixture(params=ENGINES)
def engine_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """The session's settings pointed at one engine, with an index prefix of this test's own
    (removed afterwards); Elasticsearch reads the templates of a test-only deploy/ copy."""
    engine = str(request.param)
    update: dict[str, object] = {
        "search_engine": engine,
        "index_prefix": f"{settings.index_prefix}-{engine[:2]}{next(_engine_runs)}",
    }
    if engine == "elasticsearch":
        update["search_url"] = request.getfixturevalue("elasticsearch_url")
        update["deploy_dir"] = request.getfixturevalue("elasticsearch_deploy_dir")
    chosen = settings.model_copy(update=update)
    try:
        yield chosen
    finally:
        remove_indices(str(chosen.search_url), chosen.index_prefix)


@pytest.fixture(scope="session")
def worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """One real `marsad worker` process for the session."""
    proc = start_worker(settings)
    yield proc
    stop_worker(proc)

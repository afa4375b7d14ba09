"""Replay on the real Kafka and OpenSearch: 3,000 stored pages, a template change rolled out
by a replay and an alias switch while searches answer, and a replay killed and resumed.

The worker first indexes 3,000 generated pages into version 1 (behind the aliases). Then:

- a replay fills version 2, whose template changes a field's type (``outlet``: keyword → text
  with a keyword sub-field), while a thread searches through the alias without pause; the
  alias is switched to version 2 and the searches go on; the alias then has the new mapping;
- ``marsad replay`` into version 3 is SIGKILLed part way (after a checkpoint) and run again:
  it resumes, shows its progress, and ends with exactly the documents of version 2 and of the
  worker's own first indexing (version 1), by id and by content hash (every field but
  ``indexed_at``, the time of writing).

Versions 2 and 3 come from copies of ``deploy/`` whose templates carry those versions
(``MARSAD_DEPLOY_DIR``), as an operator's edited templates would.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch
from opensearchpy.helpers import scan

from devtools.bench import publish, raw_page
from devtools.demo import generate_articles
from devtools.stack import StackInfo
from kernel.datafiles import deploy_dir
from kernel.settings import Settings
from pipeline.replay import checkpoint_path, enricher_factory, load_checkpoint, plan_slice, replay
from pipeline.sinks.bodies import search_body
from pipeline.sinks.factory import open_sink

from .support import ROOT, isolated, service_env, start_worker, stop_worker, wait_until_consumed

PAGES = 3000


def templates_copy(root: Path, version: int, *, outlet_as_text: bool) -> Path:
    """A copy of deploy/ whose index templates are ``version``, with the field change if asked."""
    copy = root / f"deploy-v{version}"
    shutil.copytree(deploy_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (copy / "index-templates").glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        body["version"] = version
        properties = body["template"]["mappings"]["properties"]
        if outlet_as_text and "outlet" in properties:
            properties["outlet"] = {
                "type": "text",
                "analyzer": "standard",
                "fields": {"keyword": {"type": "keyword"}},
            }
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return copy


def documents(client: OpenSearch, index: str) -> dict[str, str]:
    """Every document of ``index``: id → sha256 of its source without ``indexed_at``."""
    hashes = {}
    for hit in scan(client, index=index, query={"query": {"match_all": {}}}, size=1000):
        source = {k: v for k, v in hit["_source"].items() if k != "indexed_at"}
        canonical = json.dumps(source, sort_keys=True, ensure_ascii=False)
        hashes[hit["_id"]] = hashlib.sha256(canonical.encode()).hexdigest()
    return hashes


@dataclass
class Searcher:
    """Searches the articles alias without pause in a thread; records every outcome."""

    url: str
    alias: str
    totals: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        client = OpenSearch(hosts=[self.url])
        body = search_body("قصف", 5)
        while not self.stop.is_set():
            try:
                response = client.search(index=self.alias, body=body)
                self.totals.append(int(response["hits"]["total"]["value"]))
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                self.errors.append(repr(exc))
            time.sleep(0.05)
        client.close()


@dataclass
class Indexed:
    settings: Settings
    client: OpenSearch
    worker_docs: dict[str, dict[str, str]]
    root: Path


@pytest.fixture(scope="module")
def indexed(stack: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    """3,000 pages published and indexed by a real worker into version 1 (a copy of the
    templates at version 1, whatever version deploy/ is at)."""
    root = tmp_path_factory.mktemp("replay")
    first = templates_copy(root, 1, outlet_as_text=False)
    with isolated(stack) as settings:
        pages = [raw_page(a) for a in generate_articles(seed=1403, count=PAGES)]
        worker = start_worker(settings, "-replay", env={"MARSAD_DEPLOY_DIR": str(first)})
        try:
            asyncio.run(publish(settings, pages))
            wait_until_consumed(settings, worker, deadline_s=900)
        finally:
            stop_worker(worker)
        client = OpenSearch(hosts=[stack.search_url], timeout=60)
        client.indices.refresh(index=f"{settings.index_prefix}-*")
        worker_docs = {
            kind: documents(client, f"{settings.index_prefix}-{kind}-v1")
            for kind in ("articles", "paragraphs")
        }
        yield Indexed(settings, client, worker_docs, root)
        client.close()


@dataclass
class RolledOut:
    searcher: Searcher
    searches_before_switch: int
    docs: dict[str, dict[str, str]]
    mapping: dict[str, Any]
    replayed: int


@pytest.fixture(scope="module")
def rolled_out(indexed: Indexed) -> RolledOut:
    """Version 2 (``outlet`` changed to text) filled by a replay and switched to, under search."""
    settings = indexed.settings.model_copy(
        update={"deploy_dir": templates_copy(indexed.root, 2, outlet_as_text=True)}
    )
    alias = f"{settings.index_prefix}-articles"
    searcher = Searcher(str(settings.search_url), alias)
    thread = threading.Thread(target=searcher.run, daemon=True)
    thread.start()

    async def go() -> tuple[int, int]:
        sink = open_sink(settings)
        try:
            await sink.ensure_templates()  # the worker restarted with the new templates
            report = await replay(
                settings,
                sink,
                plan_slice(settings, from_offset=0),
                2,
                make_enricher=enricher_factory(settings),
            )
            before = len(searcher.totals)
            for kind in ("articles", "paragraphs"):
                await sink.switch_alias(kind, 2)
            return report.checkpoint.done, before
        finally:
            await sink.close()

    try:
        replayed, before = asyncio.run(go())
        time.sleep(2.0)  # searches after the switch
    finally:
        searcher.stop.set()
        thread.join()
    client = indexed.client
    client.indices.refresh(index=f"{settings.index_prefix}-*")
    docs = {
        kind: documents(client, f"{settings.index_prefix}-{kind}-v2")
        for kind in ("articles", "paragraphs")
    }
    mapping = client.indices.get_mapping(index=alias)
    return RolledOut(searcher, before, docs, mapping, replayed)


def test_the_worker_indexed_every_page_into_version_one(indexed: Indexed) -> None:
    assert len(indexed.worker_docs["articles"]) == PAGES
    assert len(indexed.worker_docs["paragraphs"]) > PAGES
    aliases = indexed.client.indices.get_alias(index=f"{indexed.settings.index_prefix}-*")
    assert aliases[f"{indexed.settings.index_prefix}-articles-v1"]["aliases"].keys() == {
        f"{indexed.settings.index_prefix}-articles"
    }


def test_a_template_change_rolls_out_while_searches_answer(
    indexed: Indexed, rolled_out: RolledOut
) -> None:
    searcher = rolled_out.searcher
    assert rolled_out.replayed == PAGES
    assert searcher.errors == []
    assert rolled_out.searches_before_switch >= 20  # searched all through the replay
    assert len(searcher.totals) > rolled_out.searches_before_switch + 5  # and after the switch
    assert min(searcher.totals) > 0 and len(set(searcher.totals)) == 1  # the same answer
    # the alias now serves version 2, with the new type of the changed field
    ((index, body),) = rolled_out.mapping.items()
    assert index == f"{indexed.settings.index_prefix}-articles-v2"
    assert body["mappings"]["properties"]["outlet"]["type"] == "text"
    # same ids as the worker's first indexing
    for kind in ("articles", "paragraphs"):
        assert rolled_out.docs[kind].keys() == indexed.worker_docs[kind].keys()


def test_a_killed_replay_resumes_to_exactly_the_same_documents(
    indexed: Indexed, rolled_out: RolledOut
) -> None:
    data = templates_copy(indexed.root, 3, outlet_as_text=True)
    settings = indexed.settings.model_copy(update={"deploy_dir": data})
    env = {**service_env(settings), "MARSAD_DEPLOY_DIR": str(data)}
    command = [sys.executable, "-m", "cli.main", "replay", "--from-offset", "0", "--to-index", "3"]
    checkpoint = checkpoint_path(settings, 3)
    first = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and first.poll() is None:
        saved = load_checkpoint(checkpoint)
        if saved is not None and saved.done >= PAGES // 3:
            break
        time.sleep(0.2)
    assert first.poll() is None, first.communicate()
    first.send_signal(signal.SIGKILL)
    first.communicate()
    interrupted = load_checkpoint(checkpoint)
    assert interrupted is not None and PAGES // 3 <= interrupted.done < PAGES

    second = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"resumed after {interrupted.done}" in second.stdout
    assert f"{PAGES}/{PAGES}" in second.stderr and "page/s" in second.stderr  # the progress bar

    indexed.client.indices.refresh(index=f"{settings.index_prefix}-*")
    for kind in ("articles", "paragraphs"):
        resumed = documents(indexed.client, f"{settings.index_prefix}-{kind}-v3")
        assert len(resumed) == len(rolled_out.docs[kind])
        assert resumed == rolled_out.docs[kind]  # same ids, same content hashes
        # and exactly the worker's own first indexing: the replay follows the worker's order
        same = sum(resumed[i] == h for i, h in indexed.worker_docs[kind].items())
        print(f"{kind}: {same} of {len(resumed)} identical to the worker's own indexing")
        assert resumed == indexed.worker_docs[kind]

"""pipeline.replay without Kafka or an engine: the checkpoint, resuming after a crash to the
same documents, skipped pages, a checkpoint of other pages refused.

The replay of stored pages on the real Kafka and OpenSearch is in
tests/integration/test_replay.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from devtools.bench import raw_page
from devtools.demo import generate_articles
from kernel.settings import Settings
from pipeline.replay import (
    Checkpoint,
    ReplayError,
    Slice,
    checkpoint_path,
    enricher_factory,
    load_checkpoint,
    replay,
)
from pipeline.sinks.types import IndexAction

TOPIC = "news.pages.v1"


class VersionSink:
    """Keeps what is written into each index version; counts the bulk requests."""

    def __init__(self) -> None:
        self.docs: dict[tuple[int, str, str], dict[str, Any]] = {}
        self.created: list[tuple[str, int]] = []
        self.requests = 0

    async def create_version(self, kind: str, version: int) -> bool:
        self.created.append((kind, version))
        return True

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        assert version is not None  # a replay never writes through the alias
        self.requests += 1
        for action in actions:
            self.docs[(version, action.kind, action.doc_id)] = action.document

    def contents(self, version: int) -> dict[tuple[str, str], str]:
        return {
            (kind, doc_id): json.dumps(
                {k: v for k, v in doc.items() if k != "indexed_at"}, sort_keys=True
            )
            for (v, kind, doc_id), doc in self.docs.items()
            if v == version
        }


def stored_pages(count: int) -> list[tuple[int, int, bytes]]:
    """(partition, offset, value) of ``count`` generated pages spread over four partitions."""
    pages = [raw_page(a) for a in generate_articles(seed=7, count=count)]
    offsets = [0, 0, 0, 0]
    stored = []
    for i, page in enumerate(pages):
        partition = i % 4
        stored.append((partition, offsets[partition], page.to_bytes()))
        offsets[partition] += 1
    return stored


def records_of(stored: list[tuple[int, int, bytes]], crash_after: int | None = None) -> Any:
    from pipeline.stages import SourceRecord  # noqa: PLC0415

    def records(settings: Settings, slice_: Slice) -> Iterator[SourceRecord]:
        for n, (partition, offset, value) in enumerate(stored):
            if crash_after is not None and n == crash_after:
                raise KeyboardInterrupt  # the process is stopped part way
            yield SourceRecord(TOPIC, partition, offset, None, value)

    return records


def slice_of(stored: list[tuple[int, int, bytes]]) -> Slice:
    ends = {p: 1 + max(o for q, o, _ in stored if q == p) for p in range(4)}
    return Slice(TOPIC, dict.fromkeys(range(4), 0), ends)


@pytest.fixture(scope="module")
def make_enricher() -> Any:
    return enricher_factory(Settings())


def run(settings: Settings, sink: VersionSink, stored: Any, records: Any, **kw: Any) -> Any:
    return asyncio.run(
        replay(settings, sink, slice_of(stored), 2, records=records, bulk_actions=40, **kw)
    )


def test_a_crashed_replay_resumes_to_the_same_documents(tmp_path: Path, make_enricher: Any) -> None:
    stored = stored_pages(48)
    whole = VersionSink()
    home = Settings(home=tmp_path / "a")
    report = run(home, whole, stored, records_of(stored), make_enricher=make_enricher)
    assert report.checkpoint.done == 48 and report.resumed_from == 0
    assert whole.created == [("articles", 2), ("paragraphs", 2)]
    assert whole.requests > 3  # in batches, not one request per page

    settings = Settings(home=tmp_path / "b")
    sink = VersionSink()
    with pytest.raises(KeyboardInterrupt):
        run(settings, sink, stored, records_of(stored, crash_after=30), make_enricher=make_enricher)
    saved = load_checkpoint(checkpoint_path(settings, 2))
    assert saved is not None and 0 < saved.done <= 30
    written_before = dict(sink.docs)

    report = run(settings, sink, stored, records_of(stored), make_enricher=make_enricher)
    assert report.resumed_from == saved.done and report.checkpoint.done == 48
    assert sink.contents(2) == whole.contents(2)  # same ids, same content
    # the pages written before the crash were not written again
    assert all(sink.docs[key] is doc for key, doc in written_before.items())


def test_pages_that_cannot_be_extracted_are_counted_and_listed(
    tmp_path: Path, make_enricher: Any
) -> None:
    stored = stored_pages(6)
    stored[2] = (stored[2][0], stored[2][1], b'{"url_id": "not a page"}')
    settings = Settings(home=tmp_path)
    report = run(settings, VersionSink(), stored, records_of(stored), make_enricher=make_enricher)
    assert report.checkpoint.skipped == {"extract: bad_record": 1}
    listed = report.path.with_suffix(".dead.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(listed) == 1 and json.loads(listed[0])["offset"] == stored[2][1]


def test_an_unfinished_replay_of_other_pages_is_not_mixed_in(
    tmp_path: Path, make_enricher: Any
) -> None:
    stored = stored_pages(8)
    settings = Settings(home=tmp_path)
    path = checkpoint_path(settings, 2)
    other = Slice(TOPIC, dict.fromkeys(range(4), 1), dict.fromkeys(range(4), 9))
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(Checkpoint(2, other, done=3).to_json()), encoding="utf-8")
    with pytest.raises(ReplayError, match="unfinished replay into version 2 of other pages"):
        run(settings, VersionSink(), stored, records_of(stored), make_enricher=make_enricher)


def test_checkpoints_round_trip_and_refuse_what_they_cannot_read(tmp_path: Path) -> None:
    slice_ = Slice(TOPIC, {0: 3, 1: 0}, {0: 9, 1: 4}, "news.extracted.v1", {0: 12})
    checkpoint = Checkpoint(3, slice_, done=5, documents=40, skipped={"extract: x": 1})
    assert Checkpoint.from_json(json.loads(json.dumps(checkpoint.to_json()))) == checkpoint
    assert slice_.total == 10
    broken = tmp_path / "c.json"
    broken.write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ReplayError, match="delete it to start over"):
        load_checkpoint(broken)
    assert load_checkpoint(tmp_path / "none.json") is None

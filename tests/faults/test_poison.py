"""(8) Poison records mixed into the stream: undecodable bytes, an empty value, JSON of
another shape in news.pages.v1 (the extract stage), and broken articles in
news.extracted.v1 (the sequence stage). Each lands in news.dlq.v1 with its stage, topic,
partition, offset, key and reason, and is counted in ``marsad_dlq_records_total``; every good
page is indexed once, with the clusters of the uninterrupted run."""

from __future__ import annotations

import base64
import json

from devtools.stack import StackInfo
from kernel.topics import EXTRACTED, PAGES

from .scenario import faulted_run
from .support import (
    Corpus,
    Record,
    assert_clean,
    dead_letters,
    dlq_counted,
    page_records,
    say,
    send,
    wait_for,
)

PAGE_POISON: tuple[bytes | None, ...] = (
    b"\x00\xff\xfe not json at all \x81",  # undecodable
    None,  # a key with no value
    b'{"url_id": 5, "body_b64": []}',  # JSON of another shape
    b"{",  # truncated JSON
)
ARTICLE_POISON: tuple[bytes, ...] = (
    b"\xc3\x28 invalid utf-8",
    json.dumps({"url_id": "x" * 32, "paragraphs": "not a list"}).encode(),
)


def test_poison_records_go_to_the_dlq(stack: StackInfo, corpus: Corpus) -> None:
    good = page_records(corpus.pages)
    every = max(1, len(good) // (3 * len(PAGE_POISON)))
    records: list[Record] = []
    poison: dict[bytes, bytes | None] = {}
    for i, record in enumerate(good):
        records.append(record)
        if i % every == every - 1:
            n = len(poison)
            key = f"poison-page-{n:04d}".encode()
            poison[key] = PAGE_POISON[n % len(PAGE_POISON)]
            records.append((key, poison[key]))
    with faulted_run(stack, corpus, "poison", publish=False) as run:
        bad_articles = [(f"poison-article-{n}".encode(), v) for n, v in enumerate(ARTICLE_POISON)]
        article_offsets = send(run.settings, EXTRACTED, bad_articles)
        offsets = send(run.settings, PAGES, records)
        page_offsets = {
            key: offset for (key, _), offset in zip(records, offsets, strict=True) if key in poison
        }
        result = run.finish()
        expected = len(poison) + len(bad_articles)
        letters = wait_for(
            f"{expected} dead letters",
            lambda: found if len(found := dead_letters(run.settings)) >= expected else None,
            60,
        )
        counted = dlq_counted(run.worker.metrics())
    say(f"{len(poison)} poison pages, {len(bad_articles)} poison articles; counted {counted}")
    assert_clean(result)
    assert len(letters) == expected, [letter.key for letter in letters]
    by_key = {letter.key: letter for letter in letters}
    assert len(by_key) == expected, "a poison record was dead-lettered twice"
    for key, value in poison.items():
        letter = by_key[key.decode()]
        assert letter.stage == "extract"
        assert (letter.topic, letter.partition) == (run.settings.topic(PAGES), 0)
        assert letter.offset == page_offsets[key]
        assert letter.error_type == "bad_record"
        assert letter.reason.startswith("invalid record")
        assert base64.b64decode(letter.value_b64 or "") == (value or b"")
    for (key, value), offset in zip(bad_articles, article_offsets, strict=True):
        letter = by_key[key.decode()]
        assert letter.stage == "sequence"  # the first stage that reads news.extracted.v1
        assert (letter.topic, letter.partition, letter.offset) == (
            run.settings.topic(EXTRACTED),
            0,
            offset,
        )
        assert letter.error_type == "bad_record"
        assert letter.reason.startswith("invalid record")
        assert base64.b64decode(letter.value_b64 or "") == value
    assert counted == {
        ("extract", "bad_record"): float(len(poison)),
        ("sequence", "bad_record"): float(len(bad_articles)),
    }

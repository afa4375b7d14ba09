"""Durable state: changelog records, restore after a restart, expiry by age."""

from __future__ import annotations

import functools
import gc
import hashlib
import weakref
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from marsad_native import untrack

from devtools.demo.corpus import generate_articles
from pipeline.dedupe import ArticleInput, ArticleVerdict, DedupeConfig, Deduplicator, StateError
from pipeline.dedupe.state import Change, iso_time

# Short retention and hourly expiry, so that the stream expires state while it runs.
CONFIG = DedupeConfig(retention=timedelta(hours=5), expire_every=timedelta(hours=1))


@functools.cache
def stream() -> tuple[ArticleInput, ...]:
    """~260 articles over ~17 hours from the seeded demo generator, plus replays and
    republications, in time order."""
    articles: list[ArticleInput] = []
    for generated in generate_articles(seed=11, count=240):
        url_id = hashlib.sha256(generated.url.encode()).hexdigest()[:32]
        articles.append(
            ArticleInput(
                url_id=url_id,
                source=generated.outlet_id,
                url=generated.url,
                published=generated.published,
                seen_at=generated.published,
                title=generated.title,
                paragraphs=generated.paragraphs,
            )
        )
    extra: list[ArticleInput] = []
    for n, original in enumerate(articles[::12]):
        later = original.seen_at + timedelta(minutes=7)
        extra.append(_with(original, seen_at=later))  # a replay
        extra.append(_with(original, url_id=f"copy{n}", source="copycat", seen_at=later))
    return tuple(sorted(articles + extra, key=lambda a: a.seen_at))


def _with(article: ArticleInput, **changes: Any) -> ArticleInput:
    fields = {name: getattr(article, name) for name in ArticleInput.__dataclass_fields__}
    return ArticleInput(**(fields | changes))


def apply(table: dict[str, dict[str, Any]], changes: list[Change]) -> None:
    """What a changelog-backed table does with the changes: last value wins, None deletes."""
    for key, value in changes:
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value


def run(
    dedup: Deduplicator, articles: tuple[ArticleInput, ...], table: dict[str, Any]
) -> list[ArticleVerdict]:
    verdicts = []
    for item in articles:
        verdicts.append(dedup.process(item))
        apply(table, dedup.drain_changes())
    return verdicts


def test_restored_state_gives_the_verdicts_of_an_uninterrupted_run() -> None:
    articles = stream()
    half = len(articles) // 2
    uninterrupted = run(Deduplicator(CONFIG), articles, {})

    table: dict[str, dict[str, Any]] = {}
    run(Deduplicator(CONFIG), articles[:half], table)
    restarted = Deduplicator(CONFIG)
    restarted.restore(table.items(), now=articles[half - 1].seen_at)
    apply(table, restarted.drain_changes())
    resumed = run(restarted, articles[half:], table)

    assert resumed == uninterrupted[half:]
    assert sum(len(v.paragraphs) for v in resumed) > 800
    assert any(p.verdict == "variant" for v in resumed for p in v.paragraphs)


def test_restore_then_replay_counts_nothing_twice() -> None:
    articles = stream()
    table: dict[str, dict[str, Any]] = {}
    first = Deduplicator(CONFIG)
    verdicts = run(first, articles[:80], table)
    restarted = Deduplicator(CONFIG)
    restarted.restore(table.items(), now=articles[79].seen_at)
    restarted.drain_changes()
    replayed = [restarted.process(a) for a in articles[60:80]]  # redelivered after a restart
    assert restarted.drain_changes() == []
    for before, after in zip(verdicts[60:80], replayed, strict=True):
        assert after.status == "refetch"
        assert [p.cluster_id for p in after.paragraphs] == [p.cluster_id for p in before.paragraphs]
        assert [p.verdict for p in after.paragraphs] == [p.verdict for p in before.paragraphs]
    assert restarted.stats() == first.stats()


def test_the_table_holds_exactly_the_live_state() -> None:
    table: dict[str, dict[str, Any]] = {}
    dedup = Deduplicator(CONFIG)
    run(dedup, stream(), table)
    stats = dedup.stats()
    kinds = {kind: sum(1 for key in table if key.split(":")[0] == kind) for kind in "vcasbm"}
    assert kinds == {
        "v": stats["versions"],
        "c": stats["clusters"],
        "a": stats["articles"],
        "s": stats["stories"],
        "b": stats["lines"],
        "m": 1,
    }
    # A version seen again after its record was written has an ``l:`` record, never an orphan.
    lasts = {key.removeprefix("l:") for key in table if key.startswith("l:")}
    assert lasts
    assert lasts <= {key.removeprefix("v:") for key in table if key.startswith("v:")}
    assert all(set(value) == {"last"} for key, value in table.items() if key.startswith("l:"))


def test_expiry_bounds_the_state_and_deletes_every_record() -> None:
    articles = stream()
    table: dict[str, dict[str, Any]] = {}
    dedup = Deduplicator(CONFIG)
    sizes = []
    for item in articles:
        dedup.process(item)
        apply(table, dedup.drain_changes())
        sizes.append(dedup.stats()["versions"])
    span = articles[-1].seen_at - articles[0].seen_at
    assert span > 3 * CONFIG.retention
    assert max(sizes) < 0.6 * sum(len(a.paragraphs) for a in articles)  # bounded, not growing
    deleted = dedup.expire(articles[-1].seen_at + CONFIG.retention + timedelta(seconds=1))
    apply(table, dedup.drain_changes())
    assert deleted
    assert set(table) == {"m"}
    assert all(value == 0 for key, value in dedup.stats().items() if key != "index_bytes")


def test_restore_drops_records_older_than_the_retention() -> None:
    articles = stream()
    table: dict[str, dict[str, Any]] = {}
    run(Deduplicator(CONFIG), articles[:50], table)
    late = articles[49].seen_at + CONFIG.retention + timedelta(hours=1)
    restarted = Deduplicator(CONFIG)
    kept = restarted.restore(table.items(), now=late)
    assert kept == 1  # only the clock record
    deletions = restarted.drain_changes()
    assert {key for key, value in deletions if value is None} == set(table) - {"m"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("x:1", {}, "unknown record kind"),
        ("v:zz", {}, "not a hex key"),
        ("a:u1", {"source": "s"}, "KeyError"),
        ("s:0000000000000001", {"urls": [], "first": "yesterday", "last": "x"}, "bad ISO"),
        ("c:0000000000000001", {"founder": "1", "first": {"source": "s", "url_id": "u",
                                "time": "2024-01-01T00:00:00"}, "outlets": [], "articles": 1,
                                "last": "2024-01-01T00:00:00+00:00"}, "timezone"),
    ],
)  # fmt: skip
def test_a_malformed_record_is_a_state_error(key: str, value: dict[str, Any], message: str) -> None:
    with pytest.raises(StateError, match=message):
        Deduplicator().restore([(key, value)], now=stream()[0].seen_at)


def test_restore_needs_a_fresh_deduplicator() -> None:
    dedup = Deduplicator()
    dedup.process(stream()[0])
    with pytest.raises(RuntimeError):
        dedup.restore([], now=stream()[0].seen_at)


def test_iso_time_is_isoformat_even_for_equal_times_in_other_zones() -> None:
    """The ISO texts are remembered by object identity: an equal instant written in another
    zone, or a fresh equal object, still gets its own ``isoformat()``."""
    utc = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    beirut = utc.astimezone(timezone(timedelta(hours=2)))
    assert utc == beirut
    for when in (utc, beirut, utc, datetime(2024, 3, 1, 12, 0, tzinfo=UTC), beirut):
        assert iso_time(when) == when.isoformat()
    for minute in range(200):  # more than the cache holds
        when = utc + timedelta(minutes=minute)
        assert iso_time(when) == when.isoformat()


def test_versions_and_clusters_are_kept_out_of_the_collectors_scans() -> None:
    table: dict[str, dict[str, Any]] = {}
    articles = stream()
    running = Deduplicator(CONFIG)
    run(running, articles[:120], table)
    restored = Deduplicator(CONFIG)
    restored.restore(table.items(), now=articles[119].seen_at)
    for dedup in (running, restored):
        assert dedup.state.versions and dedup.state.clusters
        assert not any(gc.is_tracked(v) for v in dedup.state.versions.values())
        assert not any(gc.is_tracked(c) for c in dedup.state.clusters.values())


class _Slotted:
    __slots__ = ("__weakref__", "value")


def test_untrack_leaves_objects_freed_by_their_reference_count() -> None:
    held = _Slotted()
    held.value = ("atomic", 1)
    assert gc.is_tracked(held)
    assert untrack(held) is True
    assert not gc.is_tracked(held)
    assert untrack(held) is False  # already out
    assert untrack(1) is False  # a type without collector support is left alone
    assert untrack("text") is False
    gone = weakref.ref(held)
    del held
    assert gone() is None  # freed at once, with no collection

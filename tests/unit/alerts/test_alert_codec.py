"""The evaluator's state as table records: a restart from the table changes nothing.

A seeded generated stream (every rule kind, copies, late data, a silent source) is evaluated
once without interruption and once with the state written to a dict standing for the Faust
table after every mention and rebuilt from it at random cut points: the alert events are the
same. Applying an article again (a replay after a crash) changes nothing and says nothing.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from pipeline.alerts import AlertEvent, AlertState, Evaluator, Mention, RuleSet, parse_rules
from pipeline.alerts.codec import bucket_key, cluster_key, key_key, rule_key
from tests.unit.alerts.test_alert_replay import GROUPS, START, _rng, background, burst

RULES: list[dict[str, Any]] = [
    {"id": "spike", "kind": "spike", "key": ["actor"], "window": "1h", "min_count": 4,
     "min_groups": 3},
    {"id": "seasonal", "kind": "spike", "key": ["actor"], "window": "1h",
     "reference": "seasonal", "seasonal_weeks": 1, "distribution": "negbin", "min_groups": 2},
    {"id": "by-group", "kind": "threshold", "key": ["actor", "group"], "window": "3h",
     "count": 3, "min_count": 3, "cooldown": "2h"},
    {"id": "often", "kind": "frequency", "key": ["actor"], "window": "1h", "timeframe": "2h",
     "count": 6, "min_count": 6, "min_groups": 2},
    {"id": "new", "kind": "new_term", "key": ["actor"], "window": "1d", "lookback": "3d"},
    {"id": "silent", "kind": "flatline", "key": ["source"], "gap_factor": 3, "min_gaps": 10,
     "min_silence": "4h", "cooldown": "1h"},
]  # fmt: skip


def _ruleset() -> RuleSet:
    return parse_rules({"version": 1, "allowed_lateness": "30m", "rules": RULES})


def stream(seed: int) -> list[Mention]:
    """Nine days: background, surges, a wire story copied by many groups, a new actor, an
    hourly source that goes silent, and some late mentions (out of event-time order)."""
    rng = _rng(seed)
    mentions = list(background(rng, START, 24 * 9))
    for day in (2, 4, 6, 7):
        at = START + timedelta(days=day, hours=rng.randrange(24))
        mentions += burst(at, rng.randrange(8, 20), GROUPS[: rng.randrange(2, 9)], "nusra")
    wire = START + timedelta(days=5, hours=9)
    mentions += burst(wire, 15, GROUPS, "isis", cluster="wire-1")
    mentions += burst(START + timedelta(days=6, hours=3), 4, GROUPS[:3], "khorasan")
    mentions += [
        Mention(START + timedelta(hours=h, minutes=5), "sana", "syria-state", f"sana-{h}")
        for h in range(24 * 5)
    ]
    mentions.sort(key=lambda m: m.time)
    for n in rng.sample(range(len(mentions)), 25):  # late: arrives 3 hours after its time
        late = mentions[n]
        mentions.append(replace(late, cluster_id=f"late-{n}", url=f"https://late/{n}"))
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].time + _delay(i, mentions))
    return [mentions[i] for i in order]


def _delay(index: int, mentions: list[Mention]) -> timedelta:
    return timedelta(hours=3) if mentions[index].cluster_id.startswith("late-") else timedelta()


def uninterrupted(ruleset: RuleSet, mentions: list[Mention]) -> list[AlertEvent]:
    evaluator = Evaluator(ruleset)
    events = [e for m in mentions for e in evaluator.process(m)]
    return events + evaluator.advance(mentions[-1].time + timedelta(days=2))


def write(table: dict[bytes, bytes], changes: dict[bytes, bytes | None]) -> None:
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_restarts_from_the_table_give_the_same_alerts(seed: int) -> None:
    ruleset = _ruleset()
    mentions = stream(seed)
    expected = uninterrupted(ruleset, mentions)
    assert {e.rule for e in expected} >= {"spike", "by-group", "often", "new", "silent"}

    cuts = set(_rng(seed + 100).sample(range(1, len(mentions)), 8))
    table: dict[bytes, bytes] = {}
    evaluator = Evaluator(ruleset)
    events: list[AlertEvent] = []
    for n, mention in enumerate(mentions):
        if n in cuts:
            state = evaluator.state
            write(table, state.take_changes())
            assert table == state.records()  # the changes kept the table whole
            restored = AlertState.from_records(table.items())
            assert restored == state
            evaluator = Evaluator(ruleset, restored)  # a new worker
            for again in mentions[max(0, n - 3) : n]:  # not committed before the crash
                assert evaluator.process(again) == []
            assert evaluator.state == state  # nothing counted twice
        events += evaluator.process(mention)
        write(table, evaluator.state.take_changes())
    events += evaluator.advance(mentions[-1].time + timedelta(days=2))
    assert events == expected


def test_records_round_trip_byte_for_byte() -> None:
    evaluator = Evaluator(_ruleset())
    for mention in stream(4):
        evaluator.process(mention)
    state = evaluator.state
    records = state.records()
    assert any(key.startswith(b"b\x1f") for key in records)
    assert any(b'"alert"' in value for value in records.values())
    shuffled = list(records.items())
    _rng(4).shuffle(shuffled)
    restored = AlertState.from_records(shuffled)
    assert restored == state
    assert restored.records() == records
    assert AlertState.from_records([]) == AlertState()


def test_only_what_changed_is_written_and_what_is_gone_is_deleted() -> None:
    evaluator = Evaluator(parse_rules({"version": 1, "rules": [RULES[0]]}))
    first = Mention(START, "s", "g", "c1", url="u1", actors=("isis",))
    evaluator.process(first)
    changes = evaluator.state.take_changes()
    key = key_key("spike", ("isis",))
    cluster = cluster_key("spike", ("isis",), START, "c1")
    assert set(changes) == {
        b"w",
        rule_key("spike"),
        key,
        bucket_key("spike", ("isis",), START),
        cluster,
    }
    assert evaluator.state.take_changes() == {}  # nothing since
    evaluator.process(replace(first, time=START + timedelta(minutes=5), actors=("sdf",)))
    assert set(evaluator.state.take_changes()) == {
        b"w",
        key_key("spike", ("sdf",)),
        bucket_key("spike", ("sdf",), START),
        cluster_key("spike", ("sdf",), START, "c1"),
    }
    # another cluster in the same window: its own record, the bucket's small one, the key's
    evaluator.process(replace(first, cluster_id="c2", url="u2", time=START + timedelta(minutes=9)))
    assert set(evaluator.state.take_changes()) == {
        b"w",
        key,
        bucket_key("spike", ("isis",), START),
        cluster_key("spike", ("isis",), START, "c2"),
    }
    evaluator.advance(START + timedelta(days=1))  # both keys' windows pruned, keys forgotten
    gone = evaluator.state.take_changes()
    assert gone[key] is None
    assert gone[bucket_key("spike", ("isis",), START)] is None
    assert gone[cluster] is None
    assert gone[cluster_key("spike", ("isis",), START, "c2")] is None
    assert gone[rule_key("spike")] is not None


def test_the_same_article_twice_neither_counts_twice_nor_alerts_twice() -> None:
    rule = {"id": "two-groups", "kind": "threshold", "key": ["actor"], "count": 3,
            "min_count": 3, "min_groups": 2}  # fmt: skip
    ruleset = parse_rules({"version": 1, "rules": [rule]})
    evaluator = Evaluator(ruleset)
    at = START + timedelta(hours=1)
    article = list(burst(at, 3, GROUPS[:2], "nusra"))
    events = [e for m in article for e in evaluator.process(m)]
    assert [e.change.value for e in events] == ["open"]
    records = evaluator.state.records()
    table = dict(records)
    evaluator = Evaluator(ruleset, AlertState.from_records(table.items()))
    assert [e for m in article for e in evaluator.process(m)] == []
    assert evaluator.state.records() == records
    seen = evaluator.state.rules["two-groups"].keys[("nusra",)].buckets[at]
    assert [c.sightings for c in seen.clusters.values()] == [1, 1, 1]
    # a real copy (another outlet's article) is a sighting, not a count
    copy = replace(article[0], source="other", url="https://other/1")
    assert evaluator.process(copy) == []
    assert sorted(c.sightings for c in seen.clusters.values()) == [1, 1, 2]


def test_historical_reports_are_forgotten_after_the_retention() -> None:
    ruleset = parse_rules({"version": 1, "allowed_lateness": "30m", "rules": [RULES[2]]})
    evaluator = Evaluator(ruleset)
    evaluator.advance(START + timedelta(days=10))
    old = list(burst(START, 4, GROUPS[:1], "isis"))
    events = [e for m in old for e in evaluator.process(m)]
    assert events and all(e.historical for e in events)
    rs = evaluator.state.rules["by-group"]
    assert rs.historical
    assert [e for m in old for e in evaluator.process(m)] == []  # replayed: said once
    evaluator.advance(START + timedelta(days=11))
    assert rs.historical == {}
    assert rs.keys == {}


def test_a_rule_that_changed_shape_or_is_gone_starts_afresh() -> None:
    evaluator = Evaluator(_ruleset())
    for mention in stream(5)[:300]:
        evaluator.process(mention)
    evaluator.state.take_changes()
    table = evaluator.state.records()
    changed = [{**RULES[0], "window": "30m"}, *RULES[2:]]
    later = Evaluator(
        parse_rules({"version": 1, "rules": changed}), AlertState.from_records(table.items())
    )
    assert set(later.state.rules) == {"by-group", "often", "new", "silent"}
    write(table, later.state.take_changes())
    assert not [k for k in table if k.startswith((b"r\x1fseasonal", b"k\x1fspike"))]
    assert table == later.state.records()


def test_key_parts_with_separators_and_backslashes_round_trip() -> None:
    rules = {"id": "kw", "kind": "threshold", "key": ["source"], "count": 1, "min_count": 1}
    evaluator = Evaluator(parse_rules({"version": 1, "rules": [rules]}))
    for n, source in enumerate(["a\x1fb", "a\\", "a\\s", "\\\x1f", ""]):
        evaluator.process(Mention(START + timedelta(minutes=n), source, "g", f"c{n}"))
    records = evaluator.state.records()
    restored = AlertState.from_records(records.items())
    assert set(restored.rules["kw"].keys) == {("a\x1fb",), ("a\\",), ("a\\s",), ("\\\x1f",), ("",)}
    assert restored == evaluator.state


def test_buckets_written_with_their_clusters_inside_are_still_read() -> None:
    """Before clusters had records of their own, a ``b`` record held them (``clusters``)."""
    evaluator = Evaluator(parse_rules({"version": 1, "rules": RULES}))
    rng = _rng(7)
    for mention in background(rng, START, 72):
        evaluator.process(mention)
    records = dict(evaluator.state.records())
    old: dict[bytes, bytes] = {}
    for raw, value in records.items():
        parts = raw.split(b"\x1f")
        if parts[0] != b"c":
            old.setdefault(raw, value)
            continue
        bucket = b"\x1f".join([b"b", *parts[1:-1]])
        held = json.loads(old.get(bucket, records[bucket]))
        held.setdefault("clusters", {})[parts[-1].decode()] = json.loads(value)
        old[bucket] = json.dumps(held).encode()
    assert not any(raw.startswith(b"c\x1f") for raw in old)
    assert any(b'"clusters"' in value for value in old.values())
    assert AlertState.from_records(old.items()) == evaluator.state


def test_a_prune_written_only_in_part_restores_and_is_finished() -> None:
    """A worker killed (or its partition moved) in the middle of writing one change set: the
    table holds a prefix of it, in write order. A prune deletes a window's bucket record
    before its clusters' records, so the prefix can hold clusters of a bucket that is gone:
    the state is rebuilt without them, and its next changes delete them."""
    evaluator = Evaluator(_ruleset())
    mentions = stream(5)
    table: dict[bytes, bytes] = {}
    for mention in mentions:
        evaluator.process(mention)
    write(table, evaluator.state.take_changes())
    evaluator.advance(mentions[-1].time + timedelta(days=40))  # every window is forgotten
    prune = list(evaluator.state.take_changes().items())
    gone = [k for k, v in prune if v is None and k.startswith(b"b\x1f")]
    assert gone, "the advance pruned no bucket"
    first_gone = next(n for n, (k, _) in enumerate(prune) if k in gone)
    torn_at = [n for n in range(len(prune)) if n > first_gone and prune[n][0].startswith(b"c\x1f")]
    assert torn_at, "no cluster record after the first deleted bucket: nothing to tear"
    for cut in (torn_at[0], torn_at[len(torn_at) // 2], len(prune)):
        torn = dict(table)
        write(torn, dict(prune[:cut]))
        left = {k for k in torn if k.startswith(b"c\x1f")}
        restored = AlertState.from_records(torn.items())  # no "cluster of a missing bucket"
        finish = restored.take_changes()
        write(torn, finish)
        orphans = {k for k, v in finish.items() if v is None}
        assert orphans <= left
        if cut < len(prune):
            assert orphans, "the torn write left no orphan: the test tore nothing"
        assert AlertState.from_records(torn.items()).records() == torn  # whole again
        assert AlertState.from_records(torn.items()).take_changes() == {}
    assert AlertState.from_records(torn.items()) == evaluator.state  # the whole batch

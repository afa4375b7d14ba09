"""The evaluator's state as table records (bytes -> bytes), and back.

Record keys (parts joined by ``\\x1f``; a ``\\`` or ``\\x1f`` inside a part is escaped as
``\\\\`` or ``\\s``, so a key always splits back into the same parts)::

    w                                   the watermark
    r <rule>                            a rule's own fields: shape, started, pruned, checked
    k <rule> <key part>...              one key of a rule: its KeyState (without buckets), its
                                        open alert, its cooldown, its historical reports
    b <rule> <key part>... <window>     one window bucket of that key (its outlet groups, terms)
    c <rule> <key part>... <window> <cluster>
                                        one cluster counted in that bucket (URL, first seen,
                                        groups, copies)

A key's buckets, and a bucket's clusters, are records of their own so that a mention rewrites
its cluster's record, its window's small bucket record and its key's record: not a day's
clusters of a busy key, nor every window a seasonal baseline keeps (four weeks of clusters).
A cluster held in a bucket is not repeated in the key record's ``counted``: it is rebuilt
from the buckets; only clusters whose bucket was pruned (``counted`` is kept a day longer,
:attr:`KeyState.orphans`) are listed. A ``b`` record written before clusters had records of
their own (with a ``clusters`` field) is still read.

Values are compact JSON (UTF-8, sorted keys, sets sorted, datetimes in ISO 8601), so the same
state gives the same bytes. :func:`decode` is the exact inverse of :func:`encode_all`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pipeline.alerts.events import ClusterEvidence, Evidence
from pipeline.alerts.keystate import (
    Alert,
    Bucket,
    ClusterSeen,
    Key,
    KeyState,
    Reported,
    RuleState,
    Touched,
)

SEP = "\x1f"
WATERMARK = b"w"
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPE = {"\\": "\\", "s": SEP}

Records = dict[bytes, bytes]


# -- keys ---------------------------------------------------------------------------------------


def _escape(part: str) -> str:
    return part.replace("\\", "\\\\").replace(SEP, "\\s")


def _unescape(part: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), part)


def _join(*parts: str) -> bytes:
    return SEP.join(_escape(part) for part in parts).encode("utf-8")


def rule_key(rule: str) -> bytes:
    return _join("r", rule)


def key_key(rule: str, key: Key) -> bytes:
    return _join("k", rule, *key)


def bucket_key(rule: str, key: Key, start: datetime) -> bytes:
    return _join("b", rule, *key, start.isoformat())


def cluster_key(rule: str, key: Key, start: datetime, cluster: str) -> bytes:
    return _join("c", rule, *key, start.isoformat(), cluster)


def _split(raw: bytes) -> list[str]:
    return [_unescape(part) for part in raw.decode("utf-8").split(SEP)]


# -- values -------------------------------------------------------------------------------------


def _dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _rule_value(rs: RuleState) -> dict[str, Any]:
    return {
        "shape": rs.shape,
        "started": _iso(rs.started),
        "pruned": _iso(rs.pruned),
        "checked": _iso(rs.checked),
    }


def _evidence_value(ev: Evidence) -> dict[str, Any]:
    return {
        "observed": ev.observed,
        "expected": ev.expected,
        "range": None if ev.expected_range is None else list(ev.expected_range),
        "p": ev.p_value,
        "groups": list(ev.groups),
        "top": [[c.cluster_id, c.url, c.sightings, list(c.groups)] for c in ev.top_clusters],
        "first_seen": _iso(ev.first_seen),
        "reason": ev.reason,
        "notes": ev.notes,
    }


def _evidence(data: dict[str, Any]) -> Evidence:
    span = data["range"]
    return Evidence(
        observed=data["observed"],
        expected=data["expected"],
        expected_range=None if span is None else (span[0], span[1]),
        p_value=data["p"],
        groups=tuple(data["groups"]),
        top_clusters=tuple(ClusterEvidence(c, u, n, tuple(g)) for c, u, n, g in data["top"]),
        first_seen=_time(data["first_seen"]),
        reason=data["reason"],
        notes=data["notes"],
    )


def _key_value(rs: RuleState, key: Key) -> dict[str, Any] | None:
    ks = rs.keys.get(key)
    alert = rs.alerts.get(key)
    quiet = rs.quiet_until.get(key)
    reports = rs.historical.get(key)
    if ks is None and alert is None and quiet is None and not reports:
        return None
    value: dict[str, Any] = {}
    if ks is not None:
        value["state"] = {
            "last_seen": _iso(ks.last_seen),
            "gaps": ks.gaps,
            "new_window": _iso(ks.new_window),
            "recent": [[t.isoformat(), c, g] for t, c, g in ks.recent],
            "counted": {start.isoformat(): sorted(cids) for start, cids in ks.orphans.items()},
        }
    if alert is not None:
        value["alert"] = {
            "id": alert.id,
            "opened": alert.opened.isoformat(),
            "window": alert.window.isoformat(),
            "observed": alert.observed,
            "groups": sorted(alert.groups),
            "first_seen": _iso(alert.first_seen),
            "evidence": _evidence_value(alert.evidence),
        }
    if quiet is not None:
        value["quiet_until"] = quiet.isoformat()
    if reports:
        value["historical"] = {
            start.isoformat(): [r.observed, sorted(r.groups), r.noted.isoformat()]
            for start, r in reports.items()
        }
    return value


def _bucket_value(bucket: Bucket) -> dict[str, Any]:
    value: dict[str, Any] = {"groups": sorted(bucket.groups)}
    if bucket.terms:
        value["terms"] = sorted(bucket.terms)
    return value


def _cluster_value(seen: ClusterSeen) -> list[Any]:
    return [seen.url, seen.first.isoformat(), sorted(seen.groups), sorted(seen.copies)]


def _cluster(data: list[Any]) -> ClusterSeen:
    url, first, groups, copies = data
    return ClusterSeen(url, datetime.fromisoformat(first), set(groups), set(copies))


def _bucket(data: dict[str, Any]) -> Bucket:
    clusters = {cid: _cluster(seen) for cid, seen in data.get("clusters", {}).items()}
    return Bucket(clusters, set(data["groups"]), set(data.get("terms", ())))


def _dump_list(value: list[Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# -- whole state and changes --------------------------------------------------------------------


def encode_changes(
    watermark: datetime | None, rules: dict[str, RuleState], touched: Touched
) -> dict[bytes, bytes | None]:
    """The touched records' current values (``None``: the record is gone)."""
    changes: dict[bytes, bytes | None] = {}
    if touched.watermark:
        changes[WATERMARK] = _dump({"watermark": _iso(watermark)})
    for rule in sorted(touched.rules):
        rs = rules.get(rule)
        changes[rule_key(rule)] = None if rs is None else _dump(_rule_value(rs))
    for rule, key in sorted(touched.keys):
        rs = rules.get(rule)
        value = None if rs is None else _key_value(rs, key)
        changes[key_key(rule, key)] = None if value is None else _dump(value)
    for rule, key, start in sorted(touched.buckets):
        rs = rules.get(rule)
        ks = None if rs is None else rs.keys.get(key)
        bucket = None if ks is None else ks.buckets.get(start)
        changes[bucket_key(rule, key, start)] = (
            None if bucket is None else _dump(_bucket_value(bucket))
        )
    for rule, key, start, cluster in sorted(touched.clusters):
        rs = rules.get(rule)
        ks = None if rs is None else rs.keys.get(key)
        bucket = None if ks is None else ks.buckets.get(start)
        seen = None if bucket is None else bucket.clusters.get(cluster)
        changes[cluster_key(rule, key, start, cluster)] = (
            None if seen is None else _dump_list(_cluster_value(seen))
        )
    return changes


def encode_all(watermark: datetime | None, rules: dict[str, RuleState]) -> Records:
    """Every record of the state."""
    records: Records = {WATERMARK: _dump({"watermark": _iso(watermark)})}
    for rule, rs in rules.items():
        records[rule_key(rule)] = _dump(_rule_value(rs))
        for key in {*rs.keys, *rs.alerts, *rs.quiet_until, *rs.historical}:
            value = _key_value(rs, key)
            if value is not None:
                records[key_key(rule, key)] = _dump(value)
        for key, ks in rs.keys.items():
            for start, bucket in ks.buckets.items():
                records[bucket_key(rule, key, start)] = _dump(_bucket_value(bucket))
                for cluster, seen in bucket.clusters.items():
                    records[cluster_key(rule, key, start, cluster)] = _dump_list(
                        _cluster_value(seen)
                    )
    return records


ClusterRef = tuple[str, Key, datetime, str]  # rule, key, window start, cluster


def decode(
    items: Iterable[tuple[bytes, bytes]],
) -> tuple[datetime | None, dict[str, RuleState], list[ClusterRef]]:
    """The watermark and rule states the records describe (in any order), and the cluster
    records of buckets that are gone (left out of the state; see :func:`_assemble`)."""
    watermark: datetime | None = None
    rules: dict[str, RuleState] = {}
    buckets: list[tuple[str, Key, datetime, Bucket]] = []
    clusters: list[tuple[str, Key, datetime, str, ClusterSeen]] = []
    for raw_key, raw_value in items:
        parts = _split(raw_key)
        value = json.loads(raw_value)
        kind = parts[0]
        if kind == "w":
            watermark = _time(value["watermark"])
        elif kind == "r":
            rs = rules.setdefault(parts[1], RuleState())
            rs.shape = value["shape"]
            rs.started, rs.pruned = _time(value["started"]), _time(value["pruned"])
            rs.checked = _time(value["checked"])
        elif kind == "k":
            _load_key(rules.setdefault(parts[1], RuleState()), tuple(parts[2:]), value)
        elif kind == "b":
            start = datetime.fromisoformat(parts[-1])
            buckets.append((parts[1], tuple(parts[2:-1]), start, _bucket(value)))
        elif kind == "c":
            start = datetime.fromisoformat(parts[-2])
            clusters.append((parts[1], tuple(parts[2:-2]), start, parts[-1], _cluster(value)))
        else:
            raise ValueError(f"not an alert state record: {raw_key!r}")
    orphans = _assemble(rules, buckets, clusters)
    return watermark, rules, orphans


def _assemble(
    rules: dict[str, RuleState],
    buckets: list[tuple[str, Key, datetime, Bucket]],
    clusters: list[tuple[str, Key, datetime, str, ClusterSeen]],
) -> list[ClusterRef]:
    """Put buckets in their keys and clusters in their buckets; every cluster held is counted.

    A cluster record whose bucket record is gone is left out, and returned: the changes of
    one article are written in order (watermark, rules, keys, buckets, clusters) but not at
    once, and a worker killed, or a partition moved to another worker, in the middle of a
    prune leaves its window's bucket deleted and some of the bucket's clusters not yet. The
    bucket was being forgotten, so are they."""
    orphans: list[ClusterRef] = []
    for rule, key, start, bucket in buckets:
        ks = rules.setdefault(rule, RuleState()).keys.setdefault(key, KeyState())
        ks.buckets[start] = bucket
    for rule, key, start, cluster, seen in clusters:
        owner = rules.get(rule)
        holder = None if owner is None else owner.keys.get(key)
        held = None if holder is None else holder.buckets.get(start)
        if held is None:
            orphans.append((rule, key, start, cluster))
            continue
        held.clusters[cluster] = seen
    for rs in rules.values():
        for ks in rs.keys.values():
            for start, bucket in ks.buckets.items():
                for cluster in bucket.clusters:
                    ks.counted[cluster] = start
    return orphans


def _load_key(rs: RuleState, key: Key, value: dict[str, Any]) -> None:
    state = value.get("state")
    if state is not None:
        ks = rs.keys.setdefault(key, KeyState())
        ks.last_seen, ks.new_window = _time(state["last_seen"]), _time(state["new_window"])
        ks.gaps = list(state["gaps"])
        ks.recent = [(datetime.fromisoformat(t), c, g) for t, c, g in state["recent"]]
        for start, clusters in state["counted"].items():
            when = datetime.fromisoformat(start)
            ks.counted.update(dict.fromkeys(clusters, when))
            ks.orphans[when] = set(clusters)
    alert = value.get("alert")
    if alert is not None:
        rs.alerts[key] = Alert(
            id=alert["id"],
            key=key,
            opened=datetime.fromisoformat(alert["opened"]),
            window=datetime.fromisoformat(alert["window"]),
            observed=alert["observed"],
            groups=frozenset(alert["groups"]),
            first_seen=_time(alert["first_seen"]),
            evidence=_evidence(alert["evidence"]),
        )
    if "quiet_until" in value:
        rs.quiet_until[key] = datetime.fromisoformat(value["quiet_until"])
    if "historical" in value:
        rs.historical[key] = {
            datetime.fromisoformat(start): Reported(n, frozenset(g), datetime.fromisoformat(at))
            for start, (n, g, at) in value["historical"].items()
        }

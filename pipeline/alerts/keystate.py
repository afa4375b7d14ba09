"""What the evaluator remembers per rule and key: plain dataclasses, and the set of what changed.

    RuleState     per rule: its keys' states, open alerts, cooldowns, historical reports
    KeyState      per key: window buckets, counted clusters, gaps (flatline), recent (frequency)
    Bucket        one key's clusters in one tumbling window
    Alert         an open alert
    Touched       which records changed since :meth:`AlertState.take_changes` last ran

:mod:`pipeline.alerts.codec` turns these into table records and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.alerts.events import Evidence

Key = tuple[str, ...]


@dataclass(slots=True)
class ClusterSeen:
    """A cluster counted for a key: where it was first seen, and the copies seen since."""

    url: str
    first: datetime
    groups: set[str] = field(default_factory=set)
    copies: set[str] = field(default_factory=set)
    """URLs of other articles carrying it: the same article processed again (a replay after a
    crash) is no new sighting."""

    @property
    def sightings(self) -> int:
        return 1 + len(self.copies)


@dataclass(slots=True)
class Bucket:
    """One key's mentions in one tumbling window."""

    clusters: dict[str, ClusterSeen] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    """Watchlist rules: the query terms its paragraphs matched."""

    @property
    def count(self) -> int:
        return len(self.clusters)


@dataclass(slots=True)
class KeyState:
    buckets: dict[datetime, Bucket] = field(default_factory=dict)
    counted: dict[str, datetime] = field(default_factory=dict)
    """Cluster -> the window it was counted in (a cluster counts once per key). A cluster of a
    bucket still held is always in that bucket; counted outlives the bucket by a day."""
    orphans: dict[datetime, set[str]] = field(default_factory=dict)
    """The clusters of ``counted`` whose window bucket was pruned (window -> clusters): kept
    here as :func:`pipeline.alerts.evaluate._prune` drops a bucket, so writing the key's record
    does not scan every counted cluster."""
    recent: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(time, cluster, group) of newly counted clusters, for sliding frequency rules only."""
    last_seen: datetime | None = None
    gaps: list[float] = field(default_factory=list)
    """Seconds between consecutive mentions (the newest last), for flatline rules."""
    new_window: datetime | None = None
    """Window in which the key was last found new (new_term rules)."""


@dataclass(slots=True)
class Alert:
    id: str
    key: Key
    opened: datetime
    window: datetime
    """Start of the latest window in which the condition held."""
    observed: int
    groups: frozenset[str]
    first_seen: datetime | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Reported:
    """What was last reported about a historical alert (a window closed before its data)."""

    observed: int
    groups: frozenset[str]
    noted: datetime
    """The watermark when it was reported: forgotten after the rule's retention."""


@dataclass(slots=True)
class RuleState:
    keys: dict[Key, KeyState] = field(default_factory=dict)
    alerts: dict[Key, Alert] = field(default_factory=dict)
    quiet_until: dict[Key, datetime] = field(default_factory=dict)
    """Cooldown: no new alert for the key before this time."""
    historical: dict[Key, dict[datetime, Reported]] = field(default_factory=dict)
    """Alerts about windows that had closed (backfill): key -> window start -> last report."""
    shape: str = ""
    """The rule's kind, key fields and window: state kept under another shape is dropped."""
    started: datetime | None = None
    """Earliest event time seen: windows before it have no data (no reference, no baseline)."""
    pruned: datetime | None = None
    checked: datetime | None = None


@dataclass(slots=True)
class Touched:
    """Records changed since the last :meth:`AlertState.take_changes` (cheap to mark)."""

    watermark: bool = False
    rules: set[str] = field(default_factory=set)
    keys: set[tuple[str, Key]] = field(default_factory=set)
    buckets: set[tuple[str, Key, datetime]] = field(default_factory=set)
    clusters: set[tuple[str, Key, datetime, str]] = field(default_factory=set)

    def rule(self, rule: str) -> None:
        self.rules.add(rule)

    def key(self, rule: str, key: Key) -> None:
        self.keys.add((rule, key))

    def bucket(self, rule: str, key: Key, start: datetime) -> None:
        self.buckets.add((rule, key, start))

    def cluster(self, rule: str, key: Key, start: datetime, cluster: str) -> None:
        self.clusters.add((rule, key, start, cluster))

    def clear(self) -> None:
        self.watermark = False
        self.rules.clear()
        self.keys.clear()
        self.buckets.clear()
        self.clusters.clear()

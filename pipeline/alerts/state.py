"""The evaluator's state: plain values, passed in and out explicitly.

Nothing here is global: :class:`AlertState` is what a Faust table will hold per partition
(keyed by rule and key) once the evaluator is wired into the worker; in ``marsad alerts test``
it lives in memory for one replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.alerts.events import Evidence

Key = tuple[str, ...]


@dataclass(slots=True)
class ClusterSeen:
    """A cluster counted for a key: where it was first seen, how often and by whom since."""

    url: str
    first: datetime
    sightings: int = 1
    groups: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Bucket:
    """One key's mentions in one tumbling window."""

    clusters: dict[str, ClusterSeen] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.clusters)


@dataclass(slots=True)
class KeyState:
    buckets: dict[datetime, Bucket] = field(default_factory=dict)
    counted: dict[str, datetime] = field(default_factory=dict)
    """Cluster -> the window it was counted in (a cluster counts once per key)."""
    recent: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(time, cluster, group) of newly counted clusters, for sliding frequency rules."""
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


@dataclass(slots=True)
class RuleState:
    keys: dict[Key, KeyState] = field(default_factory=dict)
    alerts: dict[Key, Alert] = field(default_factory=dict)
    quiet_until: dict[Key, datetime] = field(default_factory=dict)
    """Cooldown: no new alert for the key before this time."""
    historical: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    """Alerts about windows that had closed (backfill): id -> what was last reported."""
    started: datetime | None = None
    """Earliest event time seen: windows before it have no data (no reference, no baseline)."""
    pruned: datetime | None = None
    checked: datetime | None = None


@dataclass(slots=True)
class AlertState:
    watermark: datetime | None = None
    rules: dict[str, RuleState] = field(default_factory=dict)

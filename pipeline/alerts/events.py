"""Alert events: one per change of an alert (open, update, resolve), with its evidence."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Change(StrEnum):
    OPEN = "open"
    UPDATE = "update"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class ClusterEvidence:
    cluster_id: str
    url: str
    sightings: int
    groups: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "url": self.url,
            "sightings": self.sightings,
            "groups": list(self.groups),
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the alert fired: the count, what was expected, the test, who carried it."""

    observed: int
    expected: float | None
    expected_range: tuple[int, int] | None
    p_value: float | None
    groups: tuple[str, ...]
    top_clusters: tuple[ClusterEvidence, ...]
    first_seen: datetime | None
    reason: str
    notes: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "expected": None if self.expected is None else round(self.expected, 4),
            "expected_range": None if self.expected_range is None else list(self.expected_range),
            "p_value": None if self.p_value is None else float(f"{self.p_value:.4g}"),
            "groups": list(self.groups),
            "top_clusters": [cluster.as_json() for cluster in self.top_clusters],
            "first_seen": None if self.first_seen is None else self.first_seen.isoformat(),
            "reason": self.reason,
            **({"notes": self.notes} if self.notes else {}),
        }


@dataclass(frozen=True, slots=True)
class AlertEvent:
    alert_id: str
    change: Change
    rule: str
    kind: str
    key: dict[str, str]
    window_start: datetime
    window_end: datetime
    at: datetime
    """Event time (the watermark) when the change happened."""
    historical: bool
    """The window had closed before the data arrived: a backfill, not news to page about."""
    evidence: Evidence

    def as_json(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "change": self.change.value,
            "rule": self.rule,
            "kind": self.kind,
            "key": self.key,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "at": self.at.isoformat(),
            "historical": self.historical,
            "evidence": self.evidence.as_json(),
        }


def alert_id(rule: str, key: tuple[str, ...], anchor: datetime) -> str:
    """Deterministic: the same rule, key and window start give the same id on any worker."""
    text = "\x1f".join((rule, *key, anchor.isoformat()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def coalesce(events: list[AlertEvent]) -> list[AlertEvent]:
    """One event per alert and change for a batch (an article's paragraphs): an alert opened
    and grown in the batch is one ``open`` with the latest evidence; several updates are one
    ``update``; a ``resolve`` is kept after them. Order: each alert where it first appeared."""
    by_alert: dict[str, list[AlertEvent]] = {}
    for event in events:
        by_alert.setdefault(event.alert_id, []).append(event)
    merged: list[AlertEvent] = []
    for changes in by_alert.values():
        live = [e for e in changes if e.change is not Change.RESOLVE]
        if live:
            first = Change.OPEN if live[0].change is Change.OPEN else Change.UPDATE
            merged.append(replace(live[-1], change=first))
        merged += [e for e in changes if e.change is Change.RESOLVE][-1:]
    return merged

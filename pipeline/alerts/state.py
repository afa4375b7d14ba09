"""The evaluator's state: plain values, passed in and out explicitly, and kept as table records.

Nothing here is global. :class:`AlertState` lives in memory; the worker writes what each
article changed (:meth:`AlertState.take_changes`) to a changelog-backed table, and rebuilds the
state from that table after a restart (:meth:`AlertState.from_records`). The record layout is
in :mod:`pipeline.alerts.codec`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.alerts import codec
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

log = logging.getLogger(__name__)

__all__ = [
    "Alert",
    "AlertState",
    "Bucket",
    "ClusterSeen",
    "Key",
    "KeyState",
    "Reported",
    "RuleState",
    "Touched",
]


@dataclass(slots=True)
class AlertState:
    watermark: datetime | None = None
    rules: dict[str, RuleState] = field(default_factory=dict)
    touched: Touched = field(default_factory=Touched, compare=False, repr=False)
    """What changed since the last :meth:`take_changes`; the evaluator marks it."""

    def take_changes(self) -> dict[bytes, bytes | None]:
        """The records changed since the last call (``None``: delete the record); then forget
        them. The same state always gives the same bytes."""
        changes = codec.encode_changes(self.watermark, self.rules, self.touched)
        self.touched.clear()
        return changes

    def records(self) -> dict[bytes, bytes]:
        """Every record of the state (what the table holds once all changes are written)."""
        return codec.encode_all(self.watermark, self.rules)

    @classmethod
    def from_records(cls, items: Iterable[tuple[bytes, bytes]]) -> AlertState:
        """The state the records describe: the inverse of :meth:`take_changes` applied to a
        table. Nothing is marked changed, except the cluster records of a bucket that is gone
        (left by changes written only in part, :func:`codec._assemble`): they are not in the
        state, and the next :meth:`take_changes` deletes them."""
        watermark, rules, orphans = codec.decode(items)
        state = cls(watermark=watermark, rules=rules)
        for orphan in orphans:
            state.touched.cluster(*orphan)
        if orphans:
            log.warning(
                "alert state: %d cluster record(s) of %d window(s) already forgotten, "
                "left by a write cut short; dropped",
                len(orphans),
                len({(rule, key, start) for rule, key, start, _ in orphans}),
            )
        return state

    def forget_rule(self, rule: str) -> None:
        """Drop a rule's state (the rule is gone or changed shape); its records are deleted."""
        rs = self.rules.pop(rule, None)
        if rs is None:
            return
        self.touched.rule(rule)
        for key in {*rs.keys, *rs.alerts, *rs.quiet_until, *rs.historical}:
            self.touched.key(rule, key)
        for key, ks in rs.keys.items():
            for start, bucket in ks.buckets.items():
                self.touched.bucket(rule, key, start)
                for cluster in bucket.clusters:
                    self.touched.cluster(rule, key, start, cluster)

"""Whether the worker is healthy, decided from a snapshot of its state: pure, no I/O.

The worker's event loop takes a :class:`Snapshot` every second (:mod:`pipeline.sampler`); the
web thread (:mod:`pipeline.web`) answers ``GET /health`` with :func:`evaluate` of the latest one
at the time of the request. Deciding from a snapshot, not from Faust's objects, keeps the
thread off the loop's state, and lets the thread tell a loop that stopped answering: its last
snapshot grows old.

``ok`` (HTTP 200) when the loop answers, the worker and its agents run, and no stage has been
on one record for long; ``starting`` (503) until the first snapshot, that is until the worker
joined its group and recovered its tables; ``degraded`` (503) otherwise, with the reasons.
A stage that is idle is not a problem: there may be nothing to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "starting", "degraded"]

LOOP_STALLED_AFTER_S = 15.0
"""No snapshot for this long: the event loop is blocked (the snapshot is taken every second)."""
STAGE_STUCK_AFTER_S = 120.0
"""One record in a stage for this long: a dependency retried for minutes, or a hang."""


@dataclass(slots=True)
class StageProgress:
    """What one agent's loop did; written on the event loop only (two clock reads a record)."""

    records: int = 0
    last_done: float | None = None
    """Monotonic time the last record was finished."""
    busy_since: float | None = None
    """Monotonic time the record (or batch) in hand was taken; None between them."""

    def started(self, now: float) -> None:
        self.busy_since = now

    def finished(self, now: float, records: int = 1) -> None:
        """``records`` done (a batch) at ``now``."""
        self.records += records
        self.last_done = now
        self.busy_since = None


@dataclass(frozen=True, slots=True)
class StageView:
    """A stage in a snapshot: its agent's state (mode's ``Service.state``) and its progress."""

    agent: str
    state: str
    records: int
    last_done: float | None
    busy_since: float | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The worker as the event loop saw it at monotonic time ``taken_at``."""

    taken_at: float
    state: str
    """The Faust app's state: ``running`` while it works."""
    rebalancing: bool
    stages: Mapping[str, StageView]
    lag: int | None = None
    """Records not yet committed over the worker's partitions, at the last lag sample."""


@dataclass(frozen=True, slots=True)
class Health:
    status: Status
    problems: tuple[str, ...]
    body: Mapping[str, Any] = field(default_factory=dict)
    """The JSON document answered, problems and status included."""

    @property
    def http_status(self) -> int:
        return 200 if self.status == "ok" else 503


def evaluate(
    snapshot: Snapshot | None,
    now: float,
    *,
    loop_stalled_after_s: float = LOOP_STALLED_AFTER_S,
    stage_stuck_after_s: float = STAGE_STUCK_AFTER_S,
) -> Health:
    """The health at monotonic time ``now`` given the latest snapshot (None: none taken yet)."""
    if snapshot is None:
        problem = "not started: joining the consumer group or recovering tables"
        return Health("starting", (problem,), {"status": "starting", "problems": [problem]})
    problems: list[str] = []
    age = now - snapshot.taken_at
    if age > loop_stalled_after_s:
        problems.append(f"event loop has not answered for {age:.0f}s")
    if snapshot.state != "running":
        problems.append(f"worker is {snapshot.state}")
    stages: dict[str, dict[str, Any]] = {}
    for name, stage in snapshot.stages.items():
        busy = None if stage.busy_since is None else now - stage.busy_since
        if stage.state != "running":
            problems.append(f"agent {stage.agent} is {stage.state}")
        if busy is not None and busy > stage_stuck_after_s:
            problems.append(f"stage {name} has been on one record for {busy:.0f}s")
        stages[name] = {
            "agent": stage.agent,
            "state": stage.state,
            "records": stage.records,
            "last_progress_s": _rounded(None if stage.last_done is None else now - stage.last_done),
            "busy_s": _rounded(busy),
        }
    status: Status = "degraded" if problems else "ok"
    body = {
        "status": status,
        "problems": problems,
        "snapshot_age_s": _rounded(age),
        "rebalancing": snapshot.rebalancing,
        "lag": snapshot.lag,
        "stages": stages,
    }
    return Health(status, tuple(problems), body)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)

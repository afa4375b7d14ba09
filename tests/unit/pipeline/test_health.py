"""/health decided from a snapshot of the worker: ok, starting, degraded and why."""

from __future__ import annotations

from pipeline.health import (
    LOOP_STALLED_AFTER_S,
    STAGE_STUCK_AFTER_S,
    Snapshot,
    StageProgress,
    StageView,
    evaluate,
)


def view(
    state: str = "running",
    records: int = 5,
    last_done: float | None = 90.0,
    busy_since: float | None = None,
) -> StageView:
    return StageView("extract-pages", state, records, last_done, busy_since)


def snapshot(taken_at: float = 99.5, state: str = "running", **stage: StageView) -> Snapshot:
    return Snapshot(taken_at, state, False, stage or {"extract": view()}, lag=0)


def test_no_snapshot_yet_is_starting_not_ok() -> None:
    health = evaluate(None, 100.0)
    assert (health.status, health.http_status) == ("starting", 503)
    assert health.body["status"] == "starting" and health.problems


def test_a_running_worker_is_ok_with_its_stages_progress() -> None:
    health = evaluate(snapshot(), 100.0)
    assert (health.status, health.http_status, health.problems) == ("ok", 200, ())
    assert health.body["stages"]["extract"] == {
        "agent": "extract-pages",
        "state": "running",
        "records": 5,
        "last_progress_s": 10.0,
        "busy_s": None,
    }
    assert health.body["lag"] == 0 and health.body["snapshot_age_s"] == 0.5


def test_an_idle_stage_is_not_a_problem() -> None:
    never = evaluate(snapshot(extract=view(records=0, last_done=None)), 100.0)
    assert never.status == "ok" and never.body["stages"]["extract"]["last_progress_s"] is None
    long_ago = evaluate(snapshot(extract=view(last_done=-86_400.0)), 100.0)
    assert long_ago.status == "ok"


def test_a_loop_that_stopped_answering_is_degraded() -> None:
    health = evaluate(snapshot(taken_at=100.0), 100.0 + LOOP_STALLED_AFTER_S + 1)
    assert health.http_status == 503
    assert health.problems == ("event loop has not answered for 16s",)


def test_a_crashed_agent_or_a_stopping_worker_is_degraded() -> None:
    health = evaluate(snapshot(state="stopping", extract=view(state="crashed")), 100.0)
    assert health.status == "degraded"
    assert health.problems == ("worker is stopping", "agent extract-pages is crashed")


def test_a_stage_on_one_record_for_minutes_is_degraded() -> None:
    now = 1000.0
    stuck = view(busy_since=now - STAGE_STUCK_AFTER_S - 5)
    health = evaluate(snapshot(taken_at=now, extract=stuck), now)
    assert health.problems == ("stage extract has been on one record for 125s",)
    busy = evaluate(snapshot(taken_at=now, extract=view(busy_since=now - 2)), now)
    assert busy.status == "ok" and busy.body["stages"]["extract"]["busy_s"] == 2.0


def test_stage_progress_counts_finished_records() -> None:
    progress = StageProgress()
    progress.started(1.0)
    assert (progress.busy_since, progress.records) == (1.0, 0)
    progress.finished(1.5)
    assert (progress.busy_since, progress.records, progress.last_done) == (None, 1, 1.5)

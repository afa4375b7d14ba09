"""``marsad bench``'s in-process baseline and its per-article CPU table (no services)."""

from __future__ import annotations

from devtools.bench import (
    STEP_ORDER,
    TextWork,
    breakdown,
    format_breakdown,
    raw_page,
    text_work_baseline,
)
from devtools.demo import generate_articles
from kernel.settings import Settings


def test_text_work_baseline_runs_every_step_of_the_worker_on_each_page() -> None:
    pages = [raw_page(a) for a in generate_articles(7, 12)]
    work = text_work_baseline(Settings(), pages)
    assert work.articles == 12
    assert set(STEP_ORDER) - {"alerts"} <= set(work.steps)
    assert all(work.steps[step] > 0 for step in ("extract", "decode", "dedupe", "tag", "document"))
    # the steps are parts of the process's CPU, never more than it
    assert sum(work.steps.values()) <= work.cpu_s


def test_breakdown_sets_the_rest_of_the_worker_beside_its_steps() -> None:
    steps = {"extract": 2.0, "dedupe": 1.0, "bulk_seconds_count": 50.0, "bulk_seconds_sum": 5.0}
    processes = {"worker": 5.0, "kafka": 1.0, "opensearch": 4.0}
    baseline = TextWork(articles=10, wall_s=1.0, cpu_s=0.05, steps={"extract": 0.02})
    rows = {
        label: (round(run, 6), None if base is None else round(base, 6))
        for label, run, base in breakdown(100, steps, processes, baseline)
    }
    assert rows["worker: extract"] == (20.0, 2.0)  # ms per article: the run, the baseline
    assert rows["worker: tag"] == (0.0, 0.0)
    assert rows["worker: rest (Kafka clients, Faust, HTTP)"] == (20.0, 3.0)
    assert rows["worker process, all"] == (50.0, 5.0)
    assert rows["opensearch"] == (40.0, None)
    assert rows["all processes"] == (100.0, 5.0)
    text = format_breakdown(breakdown(100, steps, processes, baseline), 100, steps)
    assert "bulk calls: 50 (0.50 per article), 100.0 ms wall each" in text

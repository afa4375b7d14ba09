"""(7) A slow consumer: the worker is throttled with SIGSTOP/SIGCONT cycles (3 s stopped, 1 s
running), once for 15 s, longer than its consumer session (10 s), so the broker takes its
partitions away and gives them back, while the second half of the corpus is published: lag
builds, then drains once the worker runs freely. Nothing lost, nothing twice, clusters as in
the uninterrupted run."""

from __future__ import annotations

import signal
import time

from devtools.stack import StackInfo

from .scenario import faulted_run
from .support import Corpus, assert_clean, dead_letters, lag, publish_pages, say, wait_for

CYCLES = (3.0, 3.0, 3.0, 15.0, 3.0, 3.0, 3.0)  # seconds stopped; 1 s running after each


def test_slow_consumer_lag_builds_then_drains(stack: StackInfo, corpus: Corpus) -> None:
    half = len(corpus.pages) // 2
    with faulted_run(stack, corpus, "slow", publish=False) as run:
        publish_pages(run.settings, corpus.pages[:half])
        run.mid_run(0.2 * half / len(corpus.pages))
        lag_before = wait_for("a lag reading", lambda: lag(run.settings), 60)
        pid = run.worker.pid
        peak = lag_before
        for n, stopped in enumerate(CYCLES):
            run.worker.proc.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
            if n == 0:
                publish_pages(run.settings, corpus.pages[half:])  # the stream goes on
            time.sleep(stopped)
            peak = max(peak, lag(run.settings) or 0)
            run.worker.proc.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
            time.sleep(1.0)
            run.worker.check()
        say(f"worker pid {pid} throttled: lag {lag_before} -> peak {peak}")
        assert peak > lag_before, "lag did not build while the worker was throttled"
        result = run.finish()
        letters = dead_letters(run.settings)
    assert run.worker.exits == []
    assert_clean(result)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"

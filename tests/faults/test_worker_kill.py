"""(1) SIGKILL of the worker in the middle of a run, then a new worker: nothing lost, nothing
indexed twice, clusters equal to the uninterrupted run."""

from __future__ import annotations

import signal

from devtools.stack import StackInfo

from .scenario import faulted_run
from .support import Corpus, assert_clean


def test_sigkill_worker_mid_run(stack: StackInfo, corpus: Corpus) -> None:
    with faulted_run(stack, corpus, "worker") as run:
        before = run.mid_run()
        run.worker.kill(signal.SIGKILL)  # a crash: no clean shutdown, no final commit
        assert run.engine.count() is not None
        run.worker.start()
        result = run.finish()
    assert before < len(corpus.pages)
    assert_clean(result)

"""(3) SIGKILL of the Kafka broker and (4) SIGKILL of the search engine, each in the middle of
a run, then restarted with the project's own ``devtools.stack.up`` on the same data.

The worker is run like an orchestrator runs it: if it exits on its own while a dependency is
down (the project's choice for a dependency gone past its deadline), it is started again; the
exits are printed. Either way: nothing lost, nothing indexed twice, clusters equal to the
uninterrupted run, nothing in the dead-letter topic."""

from __future__ import annotations

import time

from devtools.stack import StackInfo
from devtools.stack.kafka import answers as kafka_answers
from devtools.stack.state import KAFKA, OPENSEARCH

from .scenario import faulted_run
from .stack import restart_service, say, sigkill_service
from .support import Corpus, assert_clean, dead_letters, wait_for

#: How long the broker stays dead before it is started again (the fault's length).
BROKER_DOWN_S = 20.0


def test_sigkill_kafka_broker_mid_run(stack: StackInfo, corpus: Corpus) -> None:
    with faulted_run(stack, corpus, "broker", restart_on_exit=True) as run:
        run.mid_run()
        pid = sigkill_service(KAFKA)
        killed_at = time.monotonic()
        say(f"kafka pid {pid} killed")
        assert not kafka_answers(stack.kafka_bootstrap, timeout_s=2.0)
        time.sleep(BROKER_DOWN_S)  # the outage itself, not a proof of anything
        info = restart_service(KAFKA)
        say(f"kafka back after {time.monotonic() - killed_at:.1f} s")
        assert info.kafka_bootstrap == stack.kafka_bootstrap
        result = run.finish()
        letters = dead_letters(run.settings)
    assert_clean(result)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"


def test_sigkill_search_engine_mid_run(stack: StackInfo, corpus: Corpus) -> None:
    with faulted_run(stack, corpus, "engine", restart_on_exit=True) as run:
        before = run.mid_run()
        pid = sigkill_service(OPENSEARCH)
        killed_at = time.monotonic()
        say(f"opensearch pid {pid} killed")
        assert run.engine.count() is None
        info = restart_service(OPENSEARCH)
        say(f"opensearch back after {time.monotonic() - killed_at:.1f} s")
        # the worker was told the engine's address once: the node must come back on it
        assert info.search_url == stack.search_url, f"engine came back on {info.search_url}"
        # what was acknowledged before the kill survived it (the engine's translog)
        wait_for(
            "the engine to serve the run's index again",
            lambda: (run.engine.count() or 0) >= before,
            120,
            check=run.worker.check,
        )
        result = run.finish()
        letters = dead_letters(run.settings)
    assert_clean(result)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"

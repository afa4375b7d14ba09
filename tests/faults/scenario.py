"""The shape every fault run shares: publish the corpus, run a worker, inject the fault in the
middle of the run, wait until everything is indexed, audit against what was published."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from devtools.stack import StackInfo
from kernel.settings import Settings

from .support import (
    Audit,
    Corpus,
    Engine,
    Worker,
    audit,
    isolated,
    mid_run,
    publish_pages,
    say,
    wait_done,
)

#: Where a fault lands: once this share of the corpus is indexed.
FAULT_AT = 0.25
#: An upper bound on the rest of a run after a fault (not a timing test).
DRAIN_DEADLINE_S = 1200.0


@dataclass
class Run:
    settings: Settings
    engine: Engine
    worker: Worker
    corpus: Corpus
    started: float

    def mid_run(self, fraction: float = FAULT_AT) -> int:
        count = mid_run(self.engine, len(self.corpus.pages), fraction, self.worker)
        say(f"fault at {count} of {len(self.corpus.pages)} articles indexed")
        return count

    def finish(self) -> Audit:
        took = wait_done(
            self.settings, self.engine, len(self.corpus.pages), self.worker, DRAIN_DEADLINE_S
        )
        say(f"drained {took:.1f} s after the fault's end")
        return audit(self.engine, self.corpus.reference.url_ids, self.corpus.reference)


@contextmanager
def faulted_run(
    stack: StackInfo,
    corpus: Corpus,
    name: str,
    *,
    worker_search_url: str | None = None,
    restart_on_exit: bool = False,
    publish: bool = True,
) -> Iterator[Run]:
    started = time.monotonic()
    with isolated(stack, name) as settings:
        if publish:
            publish_pages(settings, corpus.pages)
        worker = Worker(settings, search_url=worker_search_url, restart_on_exit=restart_on_exit)
        worker.start()
        try:
            yield Run(
                settings, Engine(stack.search_url, settings.index_prefix), worker, corpus, started
            )
        finally:
            worker.stop()
            say(
                f"{name}: {time.monotonic() - started:.1f} s, worker starts={worker.starts} "
                f"unplanned exits={worker.exits}"
            )


Inject = Callable[[Run], None]

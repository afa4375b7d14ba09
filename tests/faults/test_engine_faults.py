"""(5) The engine unreachable for 60 s (30 s refusing connections, then 30 s accepting them
and never answering), through a proxy between the worker and the engine; (6) the engine's
disk-full block (``index.blocks.read_only_allow_delete``) on the run's indices for 30 s.

Both are shorter than the index stage's retry deadline (300 s): the worker must ride them
out without exiting, and without sending anything to the dead-letter topic."""

from __future__ import annotations

import time

from devtools.stack import StackInfo

from .proxy import fault_proxy
from .scenario import faulted_run
from .support import Corpus, assert_clean, dead_letters, say

REFUSE_S = 30.0
HANG_S = 30.0
BLOCK_S = 30.0


def test_engine_unreachable_for_60_s(stack: StackInfo, corpus: Corpus) -> None:
    with (
        fault_proxy(stack.search_url) as proxy,
        faulted_run(stack, corpus, "unreach", worker_search_url=proxy.url) as run,
    ):
        run.mid_run()
        logged = run.worker.log_size()
        proxy.set_mode("refuse")
        began = time.monotonic()
        time.sleep(REFUSE_S)  # the outage itself
        run.worker.check()
        proxy.set_mode("hang")
        time.sleep(HANG_S)
        run.worker.check()
        proxy.set_mode("forward")
        retries = run.worker.log_since(logged).count("retry what=engine")
        say(
            f"engine unreachable {time.monotonic() - began:.1f} s: the worker retried "
            f"{retries} times; connections reset or refused >= {proxy.refused_at_least}, "
            f"left hanging {proxy.hung}"
        )
        # the fault really cut the worker off: its writes failed and were retried, and it
        # kept trying while the engine hung
        assert retries > 0, "the worker never had to retry while the engine was unreachable"
        assert proxy.hung > 0, "the worker made no request while the engine hung"
        result = run.finish()
        letters = dead_letters(run.settings)
    assert run.worker.exits == []
    assert_clean(result)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"


def test_disk_full_read_only_block(stack: StackInfo, corpus: Corpus) -> None:
    with faulted_run(stack, corpus, "readonly") as run:
        run.mid_run()
        logged = run.worker.log_size()
        blocked = run.engine.set_block(True)
        time.sleep(BLOCK_S)  # the block's length
        run.worker.check()
        run.engine.set_block(False)
        during = run.worker.log_since(logged)
        refused = [
            line
            for line in during.splitlines()
            if "retry what=engine" in line and "read-only-allow-delete" in line
        ]
        say(f"indices {blocked} read-only for {BLOCK_S:.0f} s: {len(refused)} refused writes")
        # the block really refused the worker's writes (HTTP 429), which it retried
        assert refused, "no write of the worker was refused by the block"
        result = run.finish()
        letters = dead_letters(run.settings)
    assert run.worker.exits == []
    assert_clean(result)
    assert letters == [], f"{len(letters)} dead letters, first: {letters[:1]}"

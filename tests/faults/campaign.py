"""One run of the whole corpus (``MARSAD_FAULTS_ARTICLES``, at least 5,000 in CI) through one
namespace, one index and one worker, in phases: each phase publishes its slice of the corpus,
injects its fault once a quarter of the slice is indexed, ends the fault, waits until
everything published so far is indexed with no lag, and audits the whole run so far against
what was published and against the uninterrupted reference run over the same pages.

The worker always reaches the engine through the suite's proxy (forwarding, except in the
phase that cuts the engine off), so no phase has to restart it to put the proxy in place.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from devtools.stack import StackInfo
from kernel.records import DeadLetter, RawPage
from kernel.settings import Settings

from .proxy import FaultProxy, fault_proxy
from .support import (
    ARTICLES,
    Audit,
    Corpus,
    Engine,
    Worker,
    audit,
    dead_letters,
    indexed_at_least,
    isolated,
    make_corpus,
    publish_pages,
    say,
    wait_done,
    wait_for,
)

#: The phases, in the order they run (tests/faults/test_campaign.py, one test each).
PHASES = (
    "worker",
    "broker",
    "engine",
    "unreachable",
    "readonly",
    "slow",
    "poison",
    "connector",
)
#: Where a fault lands: once this share of the phase's slice is indexed.
FAULT_AT = 0.25
#: The fewest articles a phase may have.
MIN_PHASE = 250
#: An upper bound on draining a phase after its fault (not a timing test).
DRAIN_DEADLINE_S = 900.0


def slices(count: int) -> list[range]:
    """The corpus's pages of each phase, in order: equal shares, the rest to the last."""
    share = count // len(PHASES)
    # a quarter of a phase must be several of the worker's batches (64), or the whole phase
    # can be indexed between two looks at the count and the fault land after it
    assert share >= MIN_PHASE, (
        f"MARSAD_FAULTS_ARTICLES={count} leaves {share} per phase; at least {MIN_PHASE} are "
        f"needed (so at least {MIN_PHASE * len(PHASES)} articles)"
    )
    bounds = [share * n for n in range(len(PHASES))] + [count]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


def campaign_corpus(settings: Settings, count: int = ARTICLES) -> Corpus:
    """The corpus, with the reference's outlet counts kept at the end of every phase that
    publishes the corpus's pages itself (all but the connector's, whose pages are its own)."""
    return make_corpus(settings, count, marks=[r.stop for r in slices(count)])


@dataclass
class Campaign:
    settings: Settings
    engine: Engine
    worker: Worker
    proxy: FaultProxy
    corpus: Corpus
    slices: list[range]
    published: list[RawPage] = field(default_factory=list)
    #: url_ids published by the connector's phase (its own URLs, not the corpus's)
    others: set[str] = field(default_factory=set)
    #: the poison phase's records, which must be in news.dlq.v1 and nothing else
    poison: dict[str, DeadLetter] = field(default_factory=dict)
    failed: str | None = None

    def pages(self, phase: str) -> tuple[RawPage, ...]:
        share = self.slices[PHASES.index(phase)]
        return self.corpus.pages[share.start : share.stop]

    def publish(self, pages: tuple[RawPage, ...]) -> None:
        publish_pages(self.settings, pages)
        self.published += pages

    def expected(self) -> frozenset[str]:
        return frozenset(p.url_id for p in self.published) | frozenset(self.others)

    def mid_phase(self, pages: int, fraction: float = FAULT_AT) -> int:
        """Wait until ``fraction`` of this phase's ``pages`` (the last ones published) is
        indexed; the count then, short of everything (the fault lands mid-phase)."""
        before = len(self.expected()) - pages
        count = wait_for(
            f"{fraction:.0%} of the phase's {pages} articles indexed",
            indexed_at_least(self.engine, before + int(pages * fraction)),
            600,
            check=self.worker.check,
        )
        assert count < len(self.expected()), "the phase finished before its fault"
        say(f"fault at {count - before} of the phase's {pages} articles indexed ({count} in all)")
        return count

    def finish(self, *, clusters: bool = True) -> Audit:
        """Everything published so far indexed, no lag; the audit of the whole run so far."""
        expected = self.expected()
        took = wait_done(self.settings, self.engine, len(expected), self.worker, DRAIN_DEADLINE_S)
        say(f"drained {took:.1f} s after the fault's end")
        if not clusters:
            return audit(self.engine, expected, None)
        outlets = self.corpus.reference.outlets_after[len(self.published)]
        return audit(self.engine, expected, self.corpus.reference, outlets)

    def letters(self) -> list[DeadLetter]:
        return dead_letters(self.settings)

    def assert_letters_are_the_poison(self) -> None:
        letters = self.letters()
        keys = sorted(str(letter.key) for letter in letters)
        assert keys == sorted(self.poison), (
            f"{len(letters)} dead letters, expected the {len(self.poison)} poison records; "
            f"first: {letters[:1]}"
        )


@contextlib.contextmanager
def running_campaign(stack: StackInfo, corpus: Corpus) -> Iterator[Campaign]:
    with (
        isolated(stack, "campaign") as settings,
        fault_proxy(stack.search_url) as proxy,
    ):
        worker = Worker(settings, search_url=proxy.url)
        worker.start()
        campaign = Campaign(
            settings,
            Engine(stack.search_url, settings.index_prefix),
            worker,
            proxy,
            corpus,
            slices(len(corpus.pages)),
        )
        try:
            yield campaign
        finally:
            worker.stop()
            say(f"campaign: worker starts={worker.starts} unplanned exits={worker.exits}")


@contextlib.contextmanager
def phase(campaign: Campaign, name: str, *, restart_on_exit: bool = False) -> Iterator[Campaign]:
    """One phase: skipped once an earlier phase failed (its audit would inherit the failure
    and wait out every deadline); the worker restarted if it exits on its own only where the
    fault makes that the expected way to recover (``restart_on_exit``, as an orchestrator);
    any other exit fails the phase."""
    if campaign.failed is not None:
        pytest.skip(f"an earlier phase failed ({campaign.failed}): the run is no longer clean")
    started = time.monotonic()
    exits = len(campaign.worker.exits)
    campaign.worker.restart_on_exit = restart_on_exit
    say(f"---- phase {name}")
    try:
        yield campaign
        if not restart_on_exit:
            assert campaign.worker.exits[exits:] == [], "the worker exited during the phase"
    except BaseException:
        campaign.failed = name
        raise
    finally:
        campaign.worker.restart_on_exit = False
        say(
            f"phase {name}: {time.monotonic() - started:.1f} s, "
            f"worker exits {campaign.worker.exits[exits:]}"
        )

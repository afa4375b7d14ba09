"""The dedupe stage's pure core: paragraphs, clusters, stories, and what changed.

    Deduplicator(standard_config()).process(ArticleInput) -> ArticleVerdict
    Deduplicator.drain_changes() -> [(key, JSON value | None)]   for a changelog-backed table
    Deduplicator.restore(records, now)                            after a restart / rebalance
    Deduplicator.expire(now) -> deletions                         retention (default 14 days)

    words(text) -> list[str]          = pipeline.text.tokens, fast path
    numeric_diff(before, after)       counts that changed between two versions
    compare_wording(a, b)             revision, or the same template about another event

Errors (all ``kernel.exceptions.MarsadError``)::

    DedupeError
    ├── ConfigError
    └── StateError

No I/O, no settings, no framework imports: the worker and ``marsad dedupe`` call the same
code. See docs/dedupe.md for the method, the measured quality and the benchmark.
"""

from pipeline.dedupe.candidates import CandidateIndex, LshIndex
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.engine import Deduplicator
from pipeline.dedupe.events import WordingDiff, compare_wording
from pipeline.dedupe.exceptions import ConfigError, DedupeError, StateError
from pipeline.dedupe.gazetteer import place_names, standard_config
from pipeline.dedupe.numbers import NumericChange, numeric_diff
from pipeline.dedupe.shingles import words
from pipeline.dedupe.state import Change
from pipeline.dedupe.verdicts import (
    ArticleInput,
    ArticleVerdict,
    DropReason,
    FirstSeen,
    OtherEvent,
    ParagraphVerdict,
    Status,
    Verdict,
)

__all__ = [
    "ArticleInput",
    "ArticleVerdict",
    "CandidateIndex",
    "Change",
    "ConfigError",
    "DedupeConfig",
    "DedupeError",
    "Deduplicator",
    "DropReason",
    "FirstSeen",
    "LshIndex",
    "NumericChange",
    "OtherEvent",
    "ParagraphVerdict",
    "StateError",
    "Status",
    "Verdict",
    "WordingDiff",
    "compare_wording",
    "numeric_diff",
    "place_names",
    "standard_config",
    "words",
]

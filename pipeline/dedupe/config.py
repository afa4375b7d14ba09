"""The dedupe stage's parameters, one frozen value passed to :class:`Deduplicator`.

Defaults come from the measured findings (docs/dedupe.md): character 5-shingles of normalized
words; near-duplicates at Jaccard ≥ 0.4 within one outlet (its own revisions) and ≥ 0.6 across
outlets (wire copy lightly edited; a rewording scores 0.29–0.53 and is linked, not merged);
related when ≥ 60 % of the shorter paragraph's shingles are in the longer one and both have
15+ words; paragraphs under 8 words by exact match only; state kept 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from pipeline.dedupe.actors import ActorNames
from pipeline.dedupe.exceptions import ConfigError


@dataclass(frozen=True, slots=True)
class DedupeConfig:
    threshold: float = 0.6
    """Jaccard similarity at which paragraphs of *different* outlets are one cluster."""
    same_source_threshold: float = 0.4
    """Jaccard similarity at which paragraphs of *one* outlet are one cluster (its revisions)."""
    shingle_size: int = 5
    """Characters per shingle, over the normalized words joined by single spaces."""
    bands: int = 12
    rows: int = 1
    num_perm: int = 12
    """MinHash permutations; must equal ``bands × rows``."""
    seed: int = 20261122
    """MinHash seed: changing it changes every anchor (restore recomputes them)."""
    bucket_limit: int = 64
    """Newest entries read from one LSH bucket per query (common shingles make big buckets)."""
    max_verify: int = 6
    """Candidates verified exactly per paragraph, most shared bands first."""
    related_containment: float = 0.6
    """Share of the shorter paragraph's shingles found in the longer one to link them."""
    related_min_words: int = 15
    """Both paragraphs need this many words to be linked as related."""
    min_words: int = 8
    """Shorter paragraphs are matched by exact text only."""
    index_skip_similarity: float = 0.9
    """A new version at least this similar to an indexed one of its cluster is not indexed."""
    max_other_changes: int = 6
    """Changed content words up to which a name swap reads as "same template, other event"."""
    max_other_change_share: float = 0.15
    """... or up to this share of the shorter paragraph's words, if more."""
    names: frozenset[str] = field(default_factory=frozenset)
    """Extra normalized words that are names (a gazetteer): a swap of them is another event."""
    actors: ActorNames | None = None
    """Actor names (:mod:`pipeline.dedupe.actors`): near-identical paragraphs where one actor
    was replaced by another report another event. None: actors are recognised only by their
    trigger words ("فيلق الرحمن")."""
    contained_share: float = 0.97
    """A shorter paragraph with at least this share of its shingles in a longer one ..."""
    contained_min_added: int = 6
    """... which has at least this many more words ..."""
    contained_min_growth: float = 0.25
    """... and at least this share more words than the shorter one is *contained* in it: the
    longer adds details (casualties, a clause) to the same report. They are linked as related,
    never merged as a revision (a revision changes counts or words, it does not grow by a
    quarter), and the link needs only ``min_words`` words on the shorter side."""
    boilerplate_min_pages: int = 10
    """A short line seen on this many distinct pages of one site (and on no other site) is
    that site's boilerplate."""
    boilerplate_max_words: int = 20
    """Only lines of at most this many words are counted as possible site boilerplate."""
    retention: timedelta = timedelta(days=14)
    """State older than this (by last sighting) is forgotten."""
    expire_every: timedelta | None = timedelta(hours=1)
    """``process`` expires old state each time stream time passes this step; None: never."""

    def __post_init__(self) -> None:
        if self.bands * self.rows != self.num_perm:
            raise ConfigError(
                f"bands × rows must equal num_perm: {self.bands} × {self.rows} ≠ {self.num_perm}"
            )
        for name in (
            "threshold", "same_source_threshold", "related_containment", "contained_share",
        ):  # fmt: skip
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if not 0.0 < self.index_skip_similarity <= 1.0:
            raise ConfigError("index_skip_similarity must be in (0, 1]")
        positive = ("shingle_size", "bands", "rows", "bucket_limit", "max_verify")
        for name in (*positive, "boilerplate_min_pages"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.contained_min_added < 1 or self.contained_min_growth < 0.0:
            raise ConfigError("contained_min_added must be >= 1 and contained_min_growth >= 0")
        if self.retention <= timedelta(0):
            raise ConfigError("retention must be positive")
        if self.expire_every is not None and self.expire_every <= timedelta(0):
            raise ConfigError("expire_every must be positive or None")

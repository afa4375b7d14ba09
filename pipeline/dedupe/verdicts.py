"""The stage's input and output values: what goes into ``Deduplicator.process`` and comes out.

An article's :class:`ArticleVerdict` says which story it belongs to (same normalized text,
whatever the URL), whether it is an original, the same text as another URL, or a URL seen
again, and, paragraph by paragraph (:class:`ParagraphVerdict`), which cluster of
near-identical paragraphs each one joined and how.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pipeline.dedupe.numbers import NumericChange
from pipeline.text import DroppedParagraph


class Status(StrEnum):
    """What the article is, as a whole."""

    ORIGINAL = "original"
    """A URL not seen before, with a text not seen before."""
    SAME_TEXT = "same_text"
    """A URL not seen before, with a text already seen under another URL (same story)."""
    REFETCH = "refetch"
    """A URL (``url_id``) seen before: a refetch or a replay; ``version`` says if it changed."""


class Verdict(StrEnum):
    """What one paragraph is, relative to what the stage has seen."""

    NEW = "new"
    """The first paragraph of a new cluster, linked to nothing."""
    DUPLICATE = "duplicate"
    """The same normalized words as a paragraph already in the cluster."""
    VARIANT = "variant"
    """Near-identical to a paragraph of the cluster, words changed: a revision."""
    RELATED = "related"
    """A new cluster, linked to other clusters it rewords (``related_clusters``)."""


class DropReason(StrEnum):
    NO_WORDS = "no_words"
    """Nothing but punctuation or symbols."""
    SITE_BOILERPLATE = "site_boilerplate"
    """A short line seen on many distinct pages of the same site."""


_HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One article as the stage needs it (paragraphs already cleaned by the extract stage)."""

    url_id: str
    source: str
    """The outlet (``source_id`` / ``outlet``): distinct sources are what outlet counts count."""
    url: str
    published: datetime | None
    seen_at: datetime
    """When the page was fetched: the stage's clock (first seen, retention)."""
    title: str
    paragraphs: tuple[str, ...]
    content_hash: str | None = None
    """The extract stage's ``content_fingerprint`` of ``paragraphs`` (SHA-256 hex of the
    article's words), if it sent one: the story key is its head. None: the stage computes it."""

    def __post_init__(self) -> None:
        digest = self.content_hash
        if digest is not None and (len(digest) != 64 or digest.strip(_HEX)):
            raise ValueError(
                f"content_hash must be 64 hex digits (SHA-256 of the article's words), "
                f"got {digest!r}"
            )


@dataclass(slots=True)
class FirstSeen:
    """Where and when a cluster was first seen.

    Not frozen, like :class:`ParagraphVerdict`: the stage builds one per paragraph, and a
    frozen dataclass sets each field through ``object.__setattr__`` (three times slower).
    Treat it as read-only.
    """

    source: str
    url_id: str
    time: datetime

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "url_id": self.url_id, "time": self.time.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FirstSeen:
        return cls(data["source"], data["url_id"], datetime.fromisoformat(data["time"]))


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """A near-identical paragraph judged to report another event, and the names that differ."""

    cluster_id: str
    similarity: float
    these: tuple[str, ...]
    """Name-slot words of this paragraph (a place, an actor, a day)."""
    those: tuple[str, ...]
    """The words they replace in the other paragraph."""

    def as_json(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "similarity": self.similarity,
            "these": list(self.these),
            "those": list(self.those),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OtherEvent:
        return cls(
            data["cluster_id"],
            float(data["similarity"]),
            tuple(data["these"]),
            tuple(data["those"]),
        )


@dataclass(slots=True)
class ParagraphVerdict:
    """One paragraph's verdict. Built once per paragraph, so not frozen (a frozen dataclass
    sets each field through ``object.__setattr__``, three times slower); treat it as
    read-only."""

    index: int
    """Position in ``ArticleInput.paragraphs``."""
    text: str
    cluster_id: str
    verdict: Verdict
    first_seen: FirstSeen
    outlet_count: int
    """Distinct outlets that carried the cluster so far, this one included."""
    occurrences: int
    """Distinct articles (url_ids) that carried the cluster so far, this one included."""
    first_in_cluster: bool
    """True for the occurrence that founded the cluster (stable across replays)."""
    related_clusters: tuple[str, ...]
    numeric_diff: tuple[NumericChange, ...]
    """For a variant: the counts that changed from the best match to this paragraph."""
    similarity: float
    """Jaccard similarity (character shingles) of the best match; 1.0 for a duplicate."""
    other_events: tuple[OtherEvent, ...] = ()
    """Near-identical paragraphs not merged because they report another event."""

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "cluster_id": self.cluster_id,
            "verdict": self.verdict.value,
            "first_seen": self.first_seen.as_json(),
            "outlet_count": self.outlet_count,
            "occurrences": self.occurrences,
            "first_in_cluster": self.first_in_cluster,
            "related_clusters": list(self.related_clusters),
            "numeric_diff": [change.as_json() for change in self.numeric_diff],
            "similarity": self.similarity,
            "other_events": [other.as_json() for other in self.other_events],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParagraphVerdict:
        """The verdict :meth:`as_json` wrote (the dedupe stage's record for the index stage)."""
        return cls(
            index=int(data["index"]),
            text=data["text"],
            cluster_id=data["cluster_id"],
            verdict=Verdict(data["verdict"]),
            first_seen=FirstSeen.from_json(data["first_seen"]),
            outlet_count=int(data["outlet_count"]),
            occurrences=int(data["occurrences"]),
            first_in_cluster=bool(data["first_in_cluster"]),
            related_clusters=tuple(data["related_clusters"]),
            numeric_diff=tuple(
                NumericChange(c["subject"], c["before"], c["after"]) for c in data["numeric_diff"]
            ),
            similarity=float(data["similarity"]),
            other_events=tuple(OtherEvent.from_json(o) for o in data["other_events"]),
        )


@dataclass(slots=True)
class ArticleVerdict:
    """One article's verdict. Built once per article, so not frozen (see
    :class:`ParagraphVerdict`); treat it as read-only."""

    url_id: str
    story_id: str
    """Same normalized words (all paragraphs) → same story id, whatever the URL."""
    status: Status
    version: int
    """How many different texts this url_id has had (1 for the first)."""
    story_sources: tuple[str, ...]
    """Every outlet that published this story's text, first seen first."""
    story_urls: tuple[str, ...]
    """Every URL under which this story's text was seen, first seen first."""
    paragraphs: tuple[ParagraphVerdict, ...]
    dropped: tuple[DroppedParagraph, ...]
    """Paragraphs dropped by the stage (``site_boilerplate``), with the reason."""

    def as_json(self) -> dict[str, Any]:
        return {
            "url_id": self.url_id,
            "story_id": self.story_id,
            "status": self.status.value,
            "version": self.version,
            "story_sources": list(self.story_sources),
            "story_urls": list(self.story_urls),
            "paragraphs": [p.as_json() for p in self.paragraphs],
            "dropped": [{"reason": d.reason, "text": d.text} for d in self.dropped],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleVerdict:
        """The verdict :meth:`as_json` wrote: equal to the one the stage returned."""
        return cls(
            url_id=data["url_id"],
            story_id=data["story_id"],
            status=Status(data["status"]),
            version=int(data["version"]),
            story_sources=tuple(data["story_sources"]),
            story_urls=tuple(data["story_urls"]),
            paragraphs=tuple(ParagraphVerdict.from_json(p) for p in data["paragraphs"]),
            dropped=tuple(DroppedParagraph(d["text"], d["reason"]) for d in data["dropped"]),
        )

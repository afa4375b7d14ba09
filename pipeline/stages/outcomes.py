"""The stages' outcomes, one enum per concern.

Each value is the exact string the outcome is counted by (``marsad_extract_pages_total``,
``marsad_index_articles_total``, ``marsad_dlq_records_total``) and written into a dead letter's
``error_type``: dashboards, alerts and the records already in ``news.dlq.v1`` read them, so a
value never changes. A :class:`enum.StrEnum` member *is* its string
(``StageOutcome.INDEXED == "indexed"``).
"""

from __future__ import annotations

from enum import StrEnum


class StageOutcome(StrEnum):
    """How a stage finished one record (what ``process`` returns; the ``outcome`` label)."""

    EXTRACTED = "extracted"
    """The extract stage's article was acknowledged by Kafka."""
    SEQUENCED = "sequenced"
    """The sequence stage's record was acknowledged by Kafka on ``news.sequenced.v1``."""
    DEDUPED = "deduped"
    """The dedupe stage's verdict was acknowledged by Kafka on ``news.deduped.v1``."""
    INDEXED = "indexed"
    """The index stage's documents were acknowledged by the search engine."""
    DEAD_LETTER = "dead_letter"
    """The record cannot be processed; it went to ``news.dlq.v1``."""
    EVALUATED = "evaluated"
    """The alert stage ran the rules; its alert events were acknowledged by Kafka."""
    NOTIFIED = "notified"
    """The notify stage indexed the alert event and handed it to every notifier."""


class DeadLetterError(StrEnum):
    """Why a record went to the DLQ, when the reason is not an exception's class name (those
    are written as they are: ``ExtractionError``, ``KeyError``, ...)."""

    BAD_RECORD = "bad_record"
    """The record does not validate against its schema."""
    INDEX_REFUSED = "index_refused"
    """The search engine refused the documents for good (a mapping error, a bad document)."""

"""The records that travel on Marsad's topics, as typed values with JSON on the wire.

``news.pages.v1`` carries :class:`RawPage`, keyed by ``url_id``; ``news.extracted.v1``
:class:`ExtractedArticle`; ``news.articles.v1`` :class:`EnrichedArticle` (and
:class:`Tick`); ``news.dlq.v1`` carries :class:`DeadLetter`. Values are JSON so that any
consumer (and an operator with a console consumer) can read them; the raw body travels
base64-encoded, byte for byte as fetched, so that charset decoding happens in one place, in
the pipeline.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


def utcnow() -> datetime:
    return datetime.now(UTC)


class RawPage(BaseModel):
    """A page as fetched by a connector."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url_id: str = Field(min_length=16, max_length=64)
    url: str
    canonical_url: str
    source_id: str
    outlet: str
    fetched_at: datetime
    published_at: datetime | None = None
    feed_title: str | None = None
    http_status: int
    content_type: str | None = None
    charset: str | None = None
    body_b64: str

    @field_validator("body_b64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        """A body that is not base64 is a bad record (``ValidationError``), not a crash of
        :attr:`body` in the stage that reads it."""
        try:
            base64.b64decode(value, validate=True)
        except ValueError as exc:  # binascii.Error, or non-ASCII characters
            raise ValueError(f"body_b64 is not base64: {exc}") from None
        return value

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.body_b64)

    @staticmethod
    def encode_body(body: bytes) -> str:
        return base64.b64encode(body).decode("ascii")

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


class DeadLetter(BaseModel):
    """Anything that could not be processed, with where it came from and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    topic: str
    partition: int
    offset: int
    key: str | None
    error_type: str
    reason: str = Field(max_length=500)
    failed_at: datetime = Field(default_factory=utcnow)
    value_b64: str | None = None

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


class ExtractedArticle(BaseModel):
    """An article as the extract stage made it: clean paragraphs and what was dropped.

    Travels on ``news.extracted.v1`` (one partition: the dedupe stage after it keeps global
    state), keyed by ``url_id``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url_id: str
    url: str
    canonical_url: str
    source_id: str
    outlet: str
    title: str
    paragraphs: tuple[str, ...]
    dropped_reasons: tuple[str, ...]
    dropped_count: int
    language: str | None
    encoding: str
    content_hash: str
    published_at: datetime | None
    fetched_at: datetime
    extracted_at: datetime = Field(default_factory=utcnow)
    source_offset: str

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


class TaggedParagraph(BaseModel):
    """One kept paragraph of an enriched article: its dedupe cluster and what was tagged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    cluster_id: str
    text: str
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    governorates: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()


class EnrichedArticle(BaseModel):
    """An article as indexed: deduplicated and tagged, one record per article.

    Travels on ``news.articles.v1``, keyed by ``url_id``, after the engine acknowledged the
    article's documents: what the alert rules count (:mod:`pipeline.alerting`) and what any
    downstream consumer can read without querying the engine. A refetch or a replay of the
    same article gives the same clusters again, so consumers recognise it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url_id: str
    url: str
    source_id: str
    outlet: str
    title: str
    story_id: str
    published_at: datetime | None
    fetched_at: datetime
    paragraphs: tuple[TaggedParagraph, ...]

    @property
    def event_time(self) -> datetime:
        """When it happened, as the alert rules count it: published, else fetched."""
        return (self.published_at or self.fetched_at).astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


class Tick(BaseModel):
    """The wall clock, written to ``news.articles.v1`` by a worker's timer (key ``tick``) so that
    alert windows close and silences are noticed while no article arrives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tick: datetime

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

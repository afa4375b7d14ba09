"""Enrichment: deduplication and tags, with durable dedupe state.

In the worker the two are separate stages (docs/scaling.md): the dedupe stage
(:class:`DedupeDecider`) decides on one total order of articles and sends each article with
its verdict (:class:`DedupedArticle`) on; the index stage (:class:`VerdictEnricher`) tags it
and builds its documents, on any number of partitions. A replay or a benchmark does both in
one process (:class:`DedupeEnricher`); both paths build the same documents
(:func:`article_enrichment`).

The :class:`Deduplicator` keeps its state in memory; every change it makes is written, after
the next hop acknowledged what was decided, to a Faust table whose changelog topic is the
durable copy. On the first article after (re)start, or after the stage's partition was revoked,
the in-memory state is rebuilt from the table, which Faust has recovered from the changelog by
then. Replays are recognised by ``url_id``, so nothing is counted twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from kernel.records import EnrichedArticle, ExtractedArticle, TaggedParagraph, utcnow
from kernel.settings import Settings
from pipeline.dedupe import (
    ArticleInput,
    ArticleVerdict,
    DedupeConfig,
    Deduplicator,
    ParagraphVerdict,
    Status,
    standard_config,
)
from pipeline.document import article_document
from pipeline.metrics import cpu_step
from pipeline.sinks.types import IndexAction
from pipeline.stages import Enrichment
from pipeline.stages.base import BadRecord
from pipeline.stages.index import StateChange
from pipeline.tagging import ArticleTags, Tagger, to_index_fields

log = logging.getLogger(__name__)

StateTable = MutableMapping[bytes, bytes]


def enrichment_parts(settings: Settings) -> tuple[Tagger, DedupeConfig]:
    """The tagger and the deduplicator's configuration of this deployment (one gazetteer for
    both); a broken lexicon stops here, with its file and field named."""
    tagger = Tagger.load(settings.lexicons_path())
    retention = timedelta(days=settings.dedupe_retention_days)
    return tagger, dedupe_config(tagger, retention=retention)


def dedupe_config(tagger: Tagger, **overrides: Any) -> DedupeConfig:
    """The deduplicator's configuration read from the same lexicons as ``tagger``: its
    gazetteer's place names, its actors, its dedupe-guarded names (a deployment's own
    lexicons, not the packaged ones); ``overrides`` replace any field."""
    lexicons = tagger.lexicons
    return standard_config(
        tagger.gazetteer,
        actors=lexicons.actors,
        dedupe_guarded=frozenset(lexicons.stopwords.dedupe_guarded),
        **overrides,
    )


def article_input(article: ExtractedArticle) -> ArticleInput:
    """The deduplicator's input for an extracted article (the worker's, and any run that must
    give the worker's clusters)."""
    return ArticleInput(
        url_id=article.url_id,
        source=article.source_id,
        url=article.url,
        published=article.published_at,
        seen_at=article.fetched_at.astimezone(UTC),
        title=article.title,
        paragraphs=article.paragraphs,
        content_hash=article.content_hash,
    )


def paragraph_id(url_id: str, index: int) -> str:
    return f"{url_id}:{index}"


def paragraph_document(
    article: ExtractedArticle, verdict: ArticleVerdict, p: ParagraphVerdict
) -> dict[str, Any]:
    return {
        "url_id": article.url_id,
        "url": article.url,
        "source_id": article.source_id,
        "outlet": article.outlet,
        "story_id": verdict.story_id,
        "paragraph_index": p.index,
        "text": p.text,
        "cluster_id": p.cluster_id,
        "verdict": p.verdict.value,
        "first_in_cluster": p.first_in_cluster,
        "outlet_count": p.outlet_count,
        "first_seen_source": p.first_seen.source,
        "first_seen_url_id": p.first_seen.url_id,
        "first_seen_at": p.first_seen.time.isoformat(),
        "similarity": round(p.similarity, 4),
        "related_clusters": list(p.related_clusters),
        "numeric_diff": [c.as_json() for c in p.numeric_diff],
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "indexed_at": utcnow().isoformat(),
    }


def duplicate_status(verdict: ArticleVerdict, url: str) -> str:
    """original / same_text; a refetch or replay keeps what the article was the first time."""
    if verdict.status is not Status.REFETCH:
        return verdict.status.value
    first_url = verdict.story_urls[0] if verdict.story_urls else url
    return Status.ORIGINAL.value if first_url == url else Status.SAME_TEXT.value


def dedupe_fields(verdict: ArticleVerdict, url: str) -> dict[str, Any]:
    paragraphs = verdict.paragraphs
    return {
        "story_id": verdict.story_id,
        "duplicate_status": duplicate_status(verdict, url),
        "refetched": verdict.status is Status.REFETCH,
        "version": verdict.version,
        "story_sources": list(verdict.story_sources),
        "story_outlet_count": len(verdict.story_sources),
        "cluster_ids": [p.cluster_id for p in paragraphs],
        "unique_paragraphs": sum(1 for p in paragraphs if p.first_in_cluster),
        "max_outlet_count": max((p.outlet_count for p in paragraphs), default=0),
        "site_boilerplate_dropped": len(verdict.dropped),
    }


def enriched_article(
    article: ExtractedArticle, verdict: ArticleVerdict, tags: ArticleTags | None
) -> EnrichedArticle:
    """The record of ``news.articles.v1``: each kept paragraph's cluster and tags."""
    found = tags.paragraphs if tags is not None else [None] * len(verdict.paragraphs)
    paragraphs = []
    for p, t in zip(verdict.paragraphs, found, strict=True):
        paragraphs.append(
            TaggedParagraph(
                index=p.index,
                cluster_id=p.cluster_id,
                text=p.text,
                actors=tuple(dict.fromkeys(a.id for a in t.actors)) if t else (),
                places=tuple(dict.fromkeys(pl.id for pl in t.places)) if t else (),
                governorates=(
                    tuple(dict.fromkeys(pl.governorate for pl in t.places if pl.governorate))
                    if t
                    else ()
                ),
                event_types=tuple(dict.fromkeys(e.event_type for e in t.events)) if t else (),
            )
        )
    return EnrichedArticle(
        url_id=article.url_id,
        url=article.url,
        source_id=article.source_id,
        outlet=article.outlet,
        title=article.title,
        story_id=verdict.story_id,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        paragraphs=tuple(paragraphs),
    )


class DedupeDecider:
    """The dedupe decision and its durable state: a :class:`Deduplicator` rebuilt from
    ``table`` on first use (and again after :meth:`reset`), whose state changes are written to
    ``table`` by :meth:`commit` once the next hop acknowledged what was decided."""

    def __init__(
        self,
        make: Callable[[], Deduplicator],
        table: StateTable,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._make = make
        self._table = table
        self._clock = clock
        self._dedup: Deduplicator | None = None

    def _deduplicator(self) -> Deduplicator:
        if self._dedup is None:
            dedup = self._make()
            records = [(k.decode(), json.loads(v)) for k, v in self._table.items()]
            kept = dedup.restore(records, self._clock())
            log.info("dedupe state restored records=%d kept=%d", len(records), kept)
            self._dedup = dedup
        return self._dedup

    def reset(self) -> None:
        """Forget the in-memory state: the next decision rebuilds it from the table. For a
        worker that lost the stage's partition (another worker may decide meanwhile)."""
        if self._dedup is not None:
            log.info("dedupe state dropped from memory (partition revoked)")
        self._dedup = None

    def decide(self, article: ExtractedArticle) -> tuple[ArticleVerdict, tuple[StateChange, ...]]:
        dedup = self._deduplicator()
        with cpu_step("dedupe"):
            verdict = dedup.process(article_input(article))
            return verdict, tuple(dedup.drain_changes())

    def commit(self, changes: Sequence[StateChange]) -> None:
        for key, value in changes:
            raw = key.encode()
            if value is None:
                self._table.pop(raw, None)
            else:
                self._table[raw] = json.dumps(value, ensure_ascii=False).encode()


def article_enrichment(
    article: ExtractedArticle, verdict: ArticleVerdict, tagger: Tagger | None
) -> Enrichment:
    """The documents of an article and its verdict (tagged with ``tagger``), and the enriched
    article for ``news.articles.v1``; no state changes."""
    tags: ArticleTags | None = None
    if tagger is not None:
        with cpu_step("tag"):
            published = article.published_at.date() if article.published_at else None
            tags = tagger.tag_article([p.text for p in verdict.paragraphs], published)
    with cpu_step("document"):
        document = article_document(article) | dedupe_fields(verdict, article.url)
        paragraph_docs = [paragraph_document(article, verdict, p) for p in verdict.paragraphs]
        if tags is not None:
            document |= to_index_fields(tags)
            for doc, paragraph_tags in zip(paragraph_docs, tags.paragraphs, strict=True):
                doc.update(to_index_fields(paragraph_tags))
        actions = [IndexAction("articles", article.url_id, document)]
        actions += [
            IndexAction("paragraphs", paragraph_id(article.url_id, doc["paragraph_index"]), doc)
            for doc in paragraph_docs
        ]
        enriched = enriched_article(article, verdict, tags)
    return Enrichment(tuple(actions), (), enriched)


class DedupeEnricher:
    """Deduplicates (and tags) one article at a time, in one process (a replay, the benchmark's
    baselines); state changes go to ``table`` on :meth:`commit`."""

    def __init__(
        self,
        make: Callable[[], Deduplicator],
        table: StateTable,
        tagger: Tagger | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._decider = DedupeDecider(make, table, clock)
        self._tagger = tagger

    def enrich(self, article: ExtractedArticle) -> Enrichment:
        verdict, changes = self._decider.decide(article)
        return replace(article_enrichment(article, verdict, self._tagger), changes=changes)

    async def commit(self, enrichment: Enrichment) -> None:
        self._decider.commit(enrichment.changes)


@dataclass(frozen=True, slots=True)
class DedupedArticle:
    """The record of ``news.deduped.v1``: an extracted article and its dedupe verdict, from the
    dedupe stage to the index stage."""

    article: ExtractedArticle
    verdict: ArticleVerdict

    def to_bytes(self) -> bytes:
        verdict = json.dumps(self.verdict.as_json(), ensure_ascii=False).encode()
        return b'{"article":' + self.article.to_bytes() + b',"verdict":' + verdict + b"}"

    @classmethod
    def from_bytes(cls, value: bytes) -> DedupedArticle:
        """The record :meth:`to_bytes` wrote; :class:`BadRecord` (or pydantic's
        ``ValidationError`` for the article) if it is not one."""
        try:
            data = json.loads(value)
            article = ExtractedArticle.model_validate(data["article"])
            verdict = ArticleVerdict.from_json(data["verdict"])
        except ValidationError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRecord(f"not a deduped article: {type(exc).__name__}: {exc}") from exc
        return cls(article, verdict)


class VerdictEnricher:
    """The index stage's enricher in the worker: tags and documents of an article the dedupe
    stage already decided on; no state."""

    def __init__(self, tagger: Tagger | None) -> None:
        self._tagger = tagger

    def enrich(self, deduped: DedupedArticle) -> Enrichment:
        return article_enrichment(deduped.article, deduped.verdict, self._tagger)

    async def commit(self, enrichment: Enrichment) -> None:
        return None

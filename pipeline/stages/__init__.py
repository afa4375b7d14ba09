"""The worker's stages: pure-ish processors of one record, wired to Faust by pipeline.app.

news.pages.v1 ─► ExtractStage ─► news.extracted.v1 ─► SequenceStage ─► news.sequenced.v1 (1)
  ─► DedupeStage ─► news.deduped.v1 ─► IndexStage (tags, documents) ─► engine
every stage sends what it cannot process to news.dlq.v1; every topic but news.sequenced.v1 is
partitioned, so every stage but the dedupe decision runs in every worker (docs/scaling.md)
"""

from kernel.retry import RetryPolicy
from pipeline.stages.base import (
    STAGE_RETRY,
    DeadLetterSender,
    DependencyUnavailable,
    SourceRecord,
)
from pipeline.stages.dedupe import DedupeStage
from pipeline.stages.extract import ExtractStage
from pipeline.stages.index import BasicEnricher, Enricher, Enrichment, IndexStage
from pipeline.stages.outcomes import StageOutcome
from pipeline.stages.sequence import SequenceStage

__all__ = [
    "STAGE_RETRY",
    "BasicEnricher",
    "DeadLetterSender",
    "DedupeStage",
    "DependencyUnavailable",
    "Enricher",
    "Enrichment",
    "ExtractStage",
    "IndexStage",
    "RetryPolicy",
    "SequenceStage",
    "SourceRecord",
    "StageOutcome",
]

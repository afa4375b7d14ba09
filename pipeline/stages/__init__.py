"""The worker's stages: pure-ish processors of one record, wired to Faust by pipeline.app.

news.pages.v1 ─► ExtractStage ─► news.extracted.v1 ─► IndexStage (enrich: dedupe, tag) ─► engine
                     └──────────────► news.dlq.v1 ◄──────────┘
"""

from kernel.retry import RetryPolicy
from pipeline.stages.base import (
    STAGE_RETRY,
    DeadLetterSender,
    DependencyUnavailable,
    SourceRecord,
)
from pipeline.stages.extract import ExtractStage
from pipeline.stages.index import BasicEnricher, Enricher, Enrichment, IndexStage
from pipeline.stages.outcomes import StageOutcome

__all__ = [
    "STAGE_RETRY",
    "BasicEnricher",
    "DeadLetterSender",
    "DependencyUnavailable",
    "Enricher",
    "Enrichment",
    "ExtractStage",
    "IndexStage",
    "RetryPolicy",
    "SourceRecord",
    "StageOutcome",
]

"""The one narrow door to the search engine: OpenSearch or Elasticsearch, same templates,
same calls. A sink never pretends: a write either was acknowledged or raises SinkError.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from kernel.datafiles import data_file
from kernel.exceptions import MarsadError
from kernel.settings import Settings

log = logging.getLogger(__name__)

TEMPLATES = ("articles", "paragraphs")


class SinkError(MarsadError):
    """The engine refused a write or could not be reached."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class IndexAction(NamedTuple):
    """Write ``document`` under ``doc_id`` into the index of ``kind`` (replacing it)."""

    kind: str
    doc_id: str
    document: dict[str, Any]


def bulk_operations(actions: Sequence[IndexAction], prefix: str) -> list[dict[str, Any]]:
    """The bulk request body: an ``index`` operation and its document per action."""
    operations: list[dict[str, Any]] = []
    for action in actions:
        operations.append({"index": {"_index": f"{prefix}-{action.kind}", "_id": action.doc_id}})
        operations.append(action.document)
    return operations


def bulk_failure(response: dict[str, Any]) -> SinkError | None:
    """The error a bulk response carries, if any item failed (retryable if all may be)."""
    if not response.get("errors"):
        return None
    failed = [
        item.get("index", {})
        for item in response.get("items", [])
        if item.get("index", {}).get("error")
    ]
    statuses = [int(f.get("status", 0)) for f in failed]
    retryable = all(s == 429 or s >= 500 for s in statuses)
    first = failed[0] if failed else {}
    reason = first.get("error", {})
    if isinstance(reason, dict):
        reason = f"{reason.get('type')}: {reason.get('reason')}"
    return SinkError(
        f"bulk: {len(failed)} of {len(response.get('items', []))} writes failed; "
        f"first {first.get('_index')}/{first.get('_id')} HTTP {statuses[:1]}: {reason}",
        retryable=retryable,
    )


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float
    source: dict[str, Any]
    highlights: tuple[str, ...]


def template_body(kind: str, prefix: str, data_dir: Path | None = None) -> dict[str, Any]:
    """The index template for one document kind, for indices named ``{prefix}-{kind}``.

    Read from ``index-templates/`` of the data files (``data_dir``: an operator's copy of
    ``deploy/``, else the packaged one): the templates are the one definition of the fields.
    """
    text = data_file(f"index-templates/news-{kind}.json", data_dir).read_text(encoding="utf-8")
    body: dict[str, Any] = json.loads(text.replace("{prefix}", prefix))
    return body


def search_body(
    query: str, size: int, *, pre: str = "**", post: str = "**", unique: bool = False
) -> dict[str, Any]:
    """An Arabic full-text query over titles and text, with highlighted snippets.

    ``unique`` is for the paragraph index: one hit per paragraph cluster (the best match),
    with the cluster's highest outlet count so far.
    """
    fields = (
        ["text", "text.exact^1.5"]
        if unique
        else ["title^2", "text", "title.exact^3", "text.exact^1.5"]
    )
    body: dict[str, Any] = {
        "size": size,
        "query": {
            "multi_match": {
                "query": query,
                "fields": fields,
                "type": "most_fields",
                "operator": "and",
            }
        },
        "highlight": {
            "pre_tags": [pre],
            "post_tags": [post],
            "fields": {"text": {"fragment_size": 160, "number_of_fragments": 2}, "title": {}},
        },
    }
    if unique:
        body["collapse"] = {
            "field": "cluster_id",
            "inner_hits": {
                "name": "widest",
                "size": 1,
                "sort": [{"outlet_count": "desc"}],
                "_source": ["outlet_count"],
            },
        }
        body["aggs"] = {"clusters": {"cardinality": {"field": "cluster_id"}}}
    return body


def parse_hits(response: dict[str, Any]) -> list[Hit]:
    hits = []
    for raw in response.get("hits", {}).get("hits", []):
        highlight = raw.get("highlight", {})
        snippets = tuple(highlight.get("text", []) or highlight.get("title", []))
        source = dict(raw["_source"])
        widest = raw.get("inner_hits", {}).get("widest", {}).get("hits", {}).get("hits", [])
        if widest:
            source["outlet_count"] = widest[0]["_source"].get(
                "outlet_count", source.get("outlet_count")
            )
        hits.append(Hit(raw["_id"], float(raw.get("_score") or 0.0), source, snippets))
    return hits


class SearchSink(Protocol):
    async def ensure_templates(self) -> None: ...
    async def bulk(self, actions: Sequence[IndexAction]) -> None: ...
    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def count(self, kind: str) -> int: ...
    async def refresh(self, kind: str) -> None: ...
    async def close(self) -> None: ...


def open_sink(settings: Settings) -> SearchSink:
    """The sink for the configured engine (clients are imported only when chosen)."""
    if not settings.search_url:
        raise SinkError(
            "no search engine address: run `marsad stack up` or set MARSAD_SEARCH_URL",
            retryable=False,
        )
    if settings.search_engine == "elasticsearch":
        from pipeline.sinks.elasticsearch import ElasticsearchSink  # noqa: PLC0415

        return ElasticsearchSink(settings)
    from pipeline.sinks.opensearch import OpenSearchSink  # noqa: PLC0415

    return OpenSearchSink(settings)


__all__ = [
    "Hit",
    "IndexAction",
    "SearchSink",
    "SinkError",
    "bulk_failure",
    "bulk_operations",
    "open_sink",
    "parse_hits",
    "search_body",
]

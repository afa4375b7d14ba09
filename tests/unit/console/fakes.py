"""A search sink without an engine: documents in lists, a few query shapes understood."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from pipeline.sinks.types import IndexAction, IndexVersion, KindStatus, SinkError


def _terms(node: Any) -> Iterator[tuple[str, Any]]:
    """Every ``term`` and ``terms`` clause of a query, anywhere in it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("term", "terms") and isinstance(value, dict):
                yield from value.items()
            else:
                yield from _terms(value)
    elif isinstance(node, list):
        for item in node:
            yield from _terms(item)


def _values(doc: dict[str, Any], field: str) -> list[str]:
    value = doc.get(field)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class FakeSink:
    """Holds ``docs[kind]``; ``alerts=None``: no alerts index. Records every request."""

    def __init__(self, docs: dict[str, list[dict[str, Any]]], *, down: bool = False) -> None:
        self.docs = docs
        self.down = down
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.written: list[IndexAction] = []

    def _check(self) -> None:
        if self.down:
            raise SinkError("search engine unreachable: connection refused", retriable=True)

    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        self._check()
        self.requests.append((kind, body))
        docs = list(self.docs.get(kind) or [])
        for field, wanted in _terms(body.get("query")):
            values = {str(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
            docs = [d for d in docs if values & set(_values(d, field))]
        hits = []
        pre = body.get("highlight", {}).get("pre_tags", [""])[0]
        post = body.get("highlight", {}).get("post_tags", [""])[0]
        for i, doc in enumerate(docs[body.get("from", 0) :][: body.get("size", 10)]):
            hit: dict[str, Any] = {"_id": doc.get("_id", f"{kind}-{i}"), "_score": 1.0}
            hit["_source"] = {k: v for k, v in doc.items() if k != "_id"}
            if "highlight" in body:
                text = str(doc.get("text", ""))[:120]
                hit["highlight"] = {"text": [f"{pre}{text[:5]}{post}{text[5:]}"]}
            hits.append(hit)
        aggs: dict[str, Any] = {}
        for name, agg in (body.get("aggs") or {}).items():
            if "terms" in agg:
                counts = Counter(v for d in docs for v in _values(d, agg["terms"]["field"]))
                aggs[name] = {"buckets": [{"key": k, "doc_count": n} for k, n in counts.items()]}
            elif "date_histogram" in agg:
                days = Counter(str(d["published_at"])[:10] for d in docs if d.get("published_at"))
                aggs[name] = {
                    "buckets": [{"key_as_string": k, "doc_count": n} for k, n in days.items()]
                }
            elif "cardinality" in agg:
                aggs[name] = {"value": len({d.get("cluster_id") for d in docs})}
        return {"hits": {"total": {"value": len(docs)}, "hits": hits}, "aggregations": aggs}

    async def status(self, kind: str) -> KindStatus:
        self._check()
        present = self.docs.get(kind) is not None
        indices = (IndexVersion(f"news-{kind}-v1", 1, 0, True),) if present else ()
        return KindStatus(kind, f"news-{kind}", 1, indices)

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        self._check()
        self.written += actions
        for action in actions:
            kept = [d for d in self.docs.get(action.kind) or [] if d.get("_id") != action.doc_id]
            self.docs[action.kind] = [*kept, {"_id": action.doc_id, **action.document}]

    async def count(self, kind: str) -> int:
        self._check()
        return len(self.docs.get(kind) or [])

    async def refresh(self, kind: str) -> None:
        self._check()

    async def close(self) -> None:
        return None

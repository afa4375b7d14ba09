"""The search sink's vocabulary: its error, the write it is given, the hit it returns and the
protocol every engine adapter follows.

A sink never pretends: a write either was acknowledged or raises :class:`SinkError`. Nothing
here imports an engine client or another sink module: the adapters (:mod:`.opensearch`,
:mod:`.elasticsearch`) and their callers import this module, and only :mod:`.factory` imports
the adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from kernel.exceptions import MarsadError


class SinkError(MarsadError):
    """The engine refused a write or could not be reached.

    ``retriable``: the same call may succeed later (the engine was unreachable, overloaded
    (HTTP 429) or failed (5xx)); a refusal of the request itself is not retriable.
    """

    def __init__(self, message: str, *, retriable: bool) -> None:
        super().__init__(message)
        self.retriable = retriable


class IndexAction(NamedTuple):
    """Write ``document`` under ``doc_id`` into the index of ``kind`` (replacing it)."""

    kind: str
    doc_id: str
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the document's id, score, source and highlighted snippets."""

    id: str
    score: float
    source: dict[str, Any]
    highlights: tuple[str, ...]


class SearchSink(Protocol):
    """What the stages and commands need from a search engine (OpenSearch or Elasticsearch)."""

    async def ensure_templates(self) -> None: ...
    async def bulk(self, actions: Sequence[IndexAction]) -> None: ...
    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def count(self, kind: str) -> int: ...
    async def refresh(self, kind: str) -> None: ...
    async def close(self) -> None: ...


__all__ = ["Hit", "IndexAction", "SearchSink", "SinkError"]

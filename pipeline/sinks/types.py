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


ALIAS_QUERY = "alias"
"""Prefix of the named queries (``alias|<group id>|<name>``) that say which name a hit matched."""


@dataclass(frozen=True, slots=True)
class MatchedAlias:
    """Why a hit matched a query word it does not contain: it contains ``alias``, another name
    of the actor (or news source) ``group`` that the query named."""

    group: str
    alias: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the document's id, score, source, highlighted snippets, and the
    other names of a queried actor that it matched."""

    id: str
    score: float
    source: dict[str, Any]
    highlights: tuple[str, ...]
    matched_aliases: tuple[MatchedAlias, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexVersion:
    """One concrete index of a kind (``{prefix}-{kind}-v{version}``) and what it holds."""

    name: str
    version: int | None  # None: an index of the kind's own name, made before versions
    documents: int
    aliased: bool  # the kind's alias points here: it is the one searched and written


@dataclass(frozen=True, slots=True)
class KindStatus:
    """Where one kind of document lives: its alias, the template's version, every index."""

    kind: str
    alias: str
    template_version: int
    indices: tuple[IndexVersion, ...]

    @property
    def live(self) -> IndexVersion | None:
        return next((i for i in self.indices if i.aliased), None)


class SearchSink(Protocol):
    """What the stages and commands need from a search engine (OpenSearch or Elasticsearch).

    Documents are read and written through one alias per kind (``{prefix}-{kind}``) that points
    at one concrete index per template version (``{prefix}-{kind}-v{N}``): a changed template
    is a new version, filled by a replay (``bulk(..., version=N)``) and made live by
    :meth:`switch_alias`, while searches go on answering from the old one.
    """

    async def ensure_templates(self) -> None: ...
    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None: ...
    async def create_version(self, kind: str, version: int) -> bool: ...
    async def switch_alias(
        self, kind: str, version: int, *, replace_index: bool = False
    ) -> None: ...
    async def status(self, kind: str) -> KindStatus: ...
    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def count(self, kind: str) -> int: ...
    async def refresh(self, kind: str) -> None: ...
    async def close(self) -> None: ...


__all__ = [
    "ALIAS_QUERY",
    "Hit",
    "IndexAction",
    "IndexVersion",
    "KindStatus",
    "MatchedAlias",
    "SearchSink",
    "SinkError",
]

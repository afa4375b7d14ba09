"""What both engine adapters share: the flow of each call and the SinkError contract.

An adapter supplies its client's calls (``_put_template``, ``_has_index``, ``_put_mapping``,
``_bulk``, ``_search``, ``_count``, ``_refresh``, ``_close``) and :meth:`_translate`, which
turns its client's exceptions into :class:`SinkError` (or returns None for anything else).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pipeline.sinks.bodies import TEMPLATES, bulk_failure, bulk_operations, template_body
from pipeline.sinks.types import IndexAction, SinkError


class EngineSink:
    """The engine-independent half of a search sink (:class:`~pipeline.sinks.types.SearchSink`)."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def _index(self, kind: str) -> str:
        return f"{self._prefix}-{kind}"

    def _translate(self, action: str, exc: Exception) -> SinkError | None:
        raise NotImplementedError

    @asynccontextmanager
    async def _guard(self, action: str) -> AsyncIterator[None]:
        try:
            yield
        except SinkError:
            raise
        except Exception as exc:
            error = self._translate(action, exc)
            if error is None:
                raise
            raise error from exc

    async def ensure_templates(self) -> None:
        for kind in TEMPLATES:
            body = template_body(kind, self._prefix)
            async with self._guard(f"install template {kind}"):
                await self._put_template(self._index(kind), body)
                # an index made from an older template gets the fields added since
                if await self._has_index(self._index(kind)):
                    await self._put_mapping(self._index(kind), body["template"]["mappings"])

    async def bulk(self, actions: Sequence[IndexAction]) -> None:
        """Write every action; raises SinkError unless the engine acknowledged them all."""
        if not actions:
            return
        async with self._guard(f"bulk of {len(actions)}"):
            response = await self._bulk(bulk_operations(actions, self._prefix))
        failure = bulk_failure(response)
        if failure is not None:
            raise failure

    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._guard(f"search {kind}"):
            return await self._search(self._index(kind), body)

    async def count(self, kind: str) -> int:
        async with self._guard(f"count {kind}"):
            return await self._count(self._index(kind))

    async def refresh(self, kind: str) -> None:
        async with self._guard(f"refresh {kind}"):
            await self._refresh(self._index(kind))

    async def close(self) -> None:
        await self._close()

    # the engine's own calls
    async def _put_template(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _has_index(self, name: str) -> bool:
        raise NotImplementedError

    async def _put_mapping(self, name: str, mappings: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError

    async def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def _count(self, index: str) -> int:
        raise NotImplementedError

    async def _refresh(self, index: str) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        raise NotImplementedError

"""Elasticsearch 8/9 through the official client: the production path for Kibana users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from pipeline.settings import Settings
from pipeline.sink import (
    TEMPLATES,
    IndexAction,
    SinkError,
    bulk_failure,
    bulk_operations,
    template_body,
)


def _error(action: str, exc: Exception) -> SinkError:
    if isinstance(exc, ApiError):
        status = exc.meta.status
        return SinkError(
            f"{action}: HTTP {status}: {exc}", retryable=status == 429 or status >= 500
        )
    return SinkError(f"{action}: engine unreachable: {exc}", retryable=True)


class ElasticsearchSink:
    def __init__(self, settings: Settings) -> None:
        auth = None
        if settings.search_username and settings.search_password:
            auth = (settings.search_username, settings.search_password.get_secret_value())
        self._prefix = settings.index_prefix
        self._client = AsyncElasticsearch(
            hosts=[str(settings.search_url)], basic_auth=auth, request_timeout=30, max_retries=0
        )

    def _index(self, kind: str) -> str:
        return f"{self._prefix}-{kind}"

    async def ensure_templates(self) -> None:
        for kind in TEMPLATES:
            body = template_body(kind, self._prefix)
            try:
                await self._client.indices.put_index_template(
                    name=self._index(kind),
                    index_patterns=body["index_patterns"],
                    priority=body["priority"],
                    template=body["template"],
                )
                # an index made from an older template gets the fields added since
                if await self._client.indices.exists(index=self._index(kind)):
                    await self._client.indices.put_mapping(
                        index=self._index(kind), **body["template"]["mappings"]
                    )
            except (ApiError, TransportError) as exc:
                raise _error(f"install template {kind}", exc) from exc

    async def bulk(self, actions: Sequence[IndexAction]) -> None:
        """Write every action; raises SinkError unless the engine acknowledged them all."""
        if not actions:
            return
        operations = bulk_operations(actions, self._prefix)
        try:
            response = await self._client.bulk(operations=operations)
        except (ApiError, TransportError) as exc:
            raise _error(f"bulk of {len(actions)}", exc) from exc
        failure = bulk_failure(dict(response))
        if failure is not None:
            raise failure

    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.search(index=self._index(kind), **body)
        except (ApiError, TransportError) as exc:
            raise _error(f"search {kind}", exc) from exc
        return dict(response.body)

    async def count(self, kind: str) -> int:
        try:
            response = await self._client.count(index=self._index(kind))
        except (ApiError, TransportError) as exc:
            raise _error(f"count {kind}", exc) from exc
        return int(response["count"])

    async def refresh(self, kind: str) -> None:
        try:
            await self._client.indices.refresh(index=self._index(kind))
        except (ApiError, TransportError) as exc:
            raise _error(f"refresh {kind}", exc) from exc

    async def close(self) -> None:
        await self._client.close()

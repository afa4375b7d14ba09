"""Elasticsearch 8/9 through the official client: the production path for Kibana users."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError, UnsupportedProductError

from kernel.settings import Settings
from pipeline.sinks.base import EngineSink
from pipeline.sinks.compatibility import CompatibleElasticsearch
from pipeline.sinks.types import SinkError


class ElasticsearchSink(EngineSink):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.index_prefix, settings.deploy_dir)
        auth = None
        if settings.search_username and settings.search_password:
            auth = (settings.search_username, settings.search_password.get_secret_value())
        tls: dict[str, Any] = {}  # nothing unless a CA file is given: the client's defaults
        if settings.search_ca_certs is not None:
            tls = {"ca_certs": str(settings.search_ca_certs), "verify_certs": True}
        self._url = str(settings.search_url)
        # compatible-with=8 (the default) is answered by Elasticsearch 8 and 9 alike.
        self._client = CompatibleElasticsearch(
            hosts=[self._url],
            basic_auth=auth,
            request_timeout=30,
            max_retries=0,
            compatible_with=settings.elasticsearch_compatible_with,
            **tls,
        )

    def _translate(self, action: str, exc: Exception) -> SinkError | None:
        if isinstance(exc, UnsupportedProductError):  # an ApiError: answered, but not by ES
            return SinkError(
                f"{action}: the engine at {self._url} is not Elasticsearch (its answer lacks "
                "X-Elastic-Product: Elasticsearch): set MARSAD_SEARCH_ENGINE=opensearch",
                retriable=False,
            )
        if isinstance(exc, ApiError):
            status = exc.meta.status
            retriable = status == 429 or status >= 500
            return SinkError(f"{action}: HTTP {status}: {exc}", retriable=retriable)
        if isinstance(exc, TransportError):
            return SinkError(f"{action}: engine unreachable: {exc}", retriable=True)
        return None

    async def _put_template(self, name: str, body: dict[str, Any]) -> None:
        await self._client.indices.put_index_template(
            name=name,
            index_patterns=body["index_patterns"],
            priority=body["priority"],
            version=body.get("version"),
            template=body["template"],
        )

    async def _get_indices(self, name: str) -> dict[str, set[str]]:
        found = await self._client.indices.get(
            index=name, ignore_unavailable=True, allow_no_indices=True
        )
        return {index: set(body.get("aliases", {})) for index, body in found.body.items()}

    async def _create_index(self, name: str, aliases: dict[str, dict[str, Any]]) -> None:
        await self._client.indices.create(index=name, aliases=aliases)

    async def _update_aliases(self, actions: list[dict[str, Any]]) -> None:
        await self._client.indices.update_aliases(actions=actions)

    async def _put_mapping(self, name: str, mappings: dict[str, Any]) -> None:
        await self._client.indices.put_mapping(index=name, **mappings)

    async def _bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        return dict((await self._client.bulk(operations=operations)).body)

    async def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict((await self._client.search(index=index, **body)).body)

    async def _count(self, index: str) -> int:
        return int((await self._client.count(index=index))["count"])

    async def _refresh(self, index: str) -> None:
        await self._client.indices.refresh(index=index)

    async def _close(self) -> None:
        await self._client.close()

"""Elasticsearch REST API compatibility: one 9.x client for Elasticsearch 8 and 9 servers.

The 9.x Python client asks every request for ``compatible-with=9`` (``Accept`` and
``Content-Type: application/vnd.elasticsearch+json; compatible-with=9``), which an 8.x server
refuses (HTTP 400, ``media_type_header_exception``). A server accepts its own major and the one
before it (REST API compatibility), so ``compatible-with=8`` is answered by 8.x and by 9.x
(in the format of 8). The client offers no setting for it: headers given to its constructor
or to ``options()`` are overridden by each API method's own ``accept``/``content-type``. So
:class:`CompatibleElasticsearch` rewrites those two headers in ``perform_request``, the one
call every API method (and every namespaced client) goes through, into the compatibility
mimetype of the chosen major. The client's transport already (de)serializes those mimetypes
(``application/vnd.elasticsearch+json`` and ``+x-ndjson``), and leaves a header that carries
one untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from elastic_transport import ApiResponse
from elasticsearch import AsyncElasticsearch

# application/json, application/x-ndjson, or a compatibility mimetype of any major
_MIMETYPE_RE = re.compile(
    r"application/(?:vnd\.elasticsearch\+)?(json|x-ndjson)(?:\s*;\s*compatible-with=\d+)?"
)
_NEGOTIATED = ("accept", "content-type")


def compatible_mimetype(mimetype: str, major: int) -> str:
    """``mimetype`` with its JSON or NDJSON parts asking for the REST API of ``major``."""
    return _MIMETYPE_RE.sub(
        lambda match: f"application/vnd.elasticsearch+{match[1]}; compatible-with={major}",
        mimetype,
    )


def compatible_headers(headers: Mapping[str, str] | None, major: int) -> dict[str, str] | None:
    """``headers`` with ``Accept`` and ``Content-Type`` asking for the REST API of ``major``."""
    if headers is None:
        return None
    return {
        name: compatible_mimetype(value, major) if name.lower() in _NEGOTIATED else value
        for name, value in headers.items()
    }


class CompatibleElasticsearch(AsyncElasticsearch):
    """``AsyncElasticsearch`` asking every request for the REST API of ``compatible_with``."""

    def __init__(self, *args: Any, compatible_with: int = 8, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compatible_with = compatible_with

    def options(self, **kwargs: Any) -> CompatibleElasticsearch:
        client = super().options(**kwargs)
        # options() builds a new client of this class and copies a fixed list of attributes
        client._compatible_with = self._compatible_with
        return client

    async def perform_request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any | None = None,
        endpoint_id: str | None = None,
        path_parts: Mapping[str, Any] | None = None,
    ) -> ApiResponse[Any]:
        return await super().perform_request(
            method,
            path,
            params=params,
            headers=compatible_headers(headers, self._compatible_with),
            body=body,
            endpoint_id=endpoint_id,
            path_parts=path_parts,
        )


__all__ = ["CompatibleElasticsearch", "compatible_headers", "compatible_mimetype"]

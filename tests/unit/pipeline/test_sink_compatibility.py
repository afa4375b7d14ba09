"""One 9.x Elasticsearch client for 8.x and 9.x servers: the compatibility mimetype it sends,
and a non-Elasticsearch engine named as such.

Requests go to a recording node (the transport's own seam, ``node_class``): no sockets.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from elastic_transport import ApiResponseMeta, BaseAsyncNode, HttpHeaders
from elastic_transport._node import NodeApiResponse

from kernel.settings import Settings
from pipeline.sinks.compatibility import (
    CompatibleElasticsearch,
    compatible_headers,
    compatible_mimetype,
)
from pipeline.sinks.elasticsearch import ElasticsearchSink
from pipeline.sinks.types import IndexAction, SinkError


@pytest.mark.parametrize(
    ("given", "major", "expected"),
    [
        ("application/json", 8, "application/vnd.elasticsearch+json; compatible-with=8"),
        ("application/x-ndjson", 8, "application/vnd.elasticsearch+x-ndjson; compatible-with=8"),
        (
            "application/vnd.elasticsearch+json; compatible-with=9",
            8,
            "application/vnd.elasticsearch+json; compatible-with=8",
        ),
        ("application/json", 9, "application/vnd.elasticsearch+json; compatible-with=9"),
        ("text/plain", 8, "text/plain"),
        ("application/vnd.mapbox-vector-tile", 8, "application/vnd.mapbox-vector-tile"),
    ],
)
def test_compatible_mimetype(given: str, major: int, expected: str) -> None:
    assert compatible_mimetype(given, major) == expected


def test_only_accept_and_content_type_are_rewritten() -> None:
    headers = {"Accept": "application/json", "content-type": "application/x-ndjson", "x": "json"}
    assert compatible_headers(headers, 8) == {
        "Accept": "application/vnd.elasticsearch+json; compatible-with=8",
        "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
        "x": "json",
    }
    assert compatible_headers(None, 8) is None


class RecordingNode(BaseAsyncNode):
    """Answers every request with ``answer``; keeps the headers each request carried."""

    seen: ClassVar[list[HttpHeaders]] = []
    product: ClassVar[str | None] = "Elasticsearch"
    answer: ClassVar[bytes] = b'{"count": 3}'

    async def perform_request(  # type: ignore[override]
        self, method: str, target: str, body: bytes | None = None, **kwargs: Any
    ) -> NodeApiResponse:
        headers = kwargs.get("headers")
        RecordingNode.seen.append(HttpHeaders(headers or {}))
        answer = {"content-type": "application/vnd.elasticsearch+json;compatible-with=8"}
        if RecordingNode.product is not None:
            answer["x-elastic-product"] = RecordingNode.product
        meta = ApiResponseMeta(
            status=200,
            http_version="1.1",
            headers=HttpHeaders(answer),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, RecordingNode.answer)

    async def close(self) -> None:
        return None


@pytest.fixture
def node() -> type[RecordingNode]:
    RecordingNode.seen = []
    RecordingNode.product = "Elasticsearch"
    RecordingNode.answer = b'{"count": 3}'
    return RecordingNode


@pytest.mark.parametrize("major", [8, 9])
async def test_every_request_asks_for_the_chosen_major(
    node: type[RecordingNode], major: int
) -> None:
    client = CompatibleElasticsearch("http://engine:9200", node_class=node, compatible_with=major)
    try:
        assert (await client.count(index="x"))["count"] == 3
        await client.options(request_timeout=5).indices.refresh(index="x")
        node.answer = b'{"errors": false, "items": []}'
        await client.bulk(operations=[{"index": {"_index": "x", "_id": "1"}}, {"a": 1}])
    finally:
        await client.close()
    json_type = f"application/vnd.elasticsearch+json; compatible-with={major}"
    assert [h["accept"] for h in node.seen] == [json_type] * 3
    assert node.seen[0]["content-type"] == json_type
    assert node.seen[2]["content-type"] == (
        f"application/vnd.elasticsearch+x-ndjson; compatible-with={major}"
    )


def test_compatible_with_8_by_default_and_9_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().elasticsearch_compatible_with == 8
    monkeypatch.setenv("MARSAD_ELASTICSEARCH_COMPATIBLE_WITH", "9")
    assert Settings().elasticsearch_compatible_with == 9
    monkeypatch.setenv("MARSAD_ELASTICSEARCH_COMPATIBLE_WITH", "7")
    with pytest.raises(ValueError, match="greater than or equal to 8"):
        Settings()


async def test_an_engine_that_is_not_elasticsearch_is_named(node: type[RecordingNode]) -> None:
    node.product = None  # OpenSearch answers without X-Elastic-Product
    node.answer = b'{"errors": false, "items": []}'
    sink = ElasticsearchSink(Settings(search_url="http://engine:9200"))
    sink._client = CompatibleElasticsearch("http://engine:9200", node_class=node, compatible_with=8)
    try:
        with pytest.raises(SinkError) as caught:
            await sink.bulk([IndexAction("articles", "a", {"url_id": "a"})])
    finally:
        await sink.close()
    assert caught.value.retriable is False
    assert "http://engine:9200 is not Elasticsearch" in str(caught.value)
    assert "MARSAD_SEARCH_ENGINE=opensearch" in str(caught.value)

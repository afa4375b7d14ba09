"""The engine clients: built exactly as before by default; with MARSAD_SEARCH_CA_CERTS they
verify the engine's certificate against that CA file."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import certifi
import pytest

from kernel.settings import Settings
from pipeline.sinks import elasticsearch, opensearch

CA = Path(certifi.where())
URL = "https://engine:9200"


def built_with(monkeypatch: pytest.MonkeyPatch, module: Any, settings: Settings) -> dict[str, Any]:
    client = MagicMock()
    if module is opensearch:
        monkeypatch.setattr(opensearch, "AsyncOpenSearch", client)
        opensearch.OpenSearchSink(settings)
    else:
        monkeypatch.setattr(elasticsearch, "CompatibleElasticsearch", client)
        elasticsearch.ElasticsearchSink(settings)
    args, kwargs = client.call_args
    assert args == ()
    return dict(kwargs)


def test_opensearch_client_as_before_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = built_with(monkeypatch, opensearch, Settings(search_url=URL))
    assert kwargs == {"hosts": [URL], "http_auth": None, "timeout": 30, "max_retries": 0}


def test_elasticsearch_client_as_before_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = built_with(monkeypatch, elasticsearch, Settings(search_url=URL))
    assert kwargs == {
        "hosts": [URL],
        "basic_auth": None,
        "request_timeout": 30,
        "max_retries": 0,
        "compatible_with": 8,  # answered by Elasticsearch 8 and 9
    }


@pytest.mark.parametrize("module", [opensearch, elasticsearch])
def test_the_ca_file_is_given_to_the_client(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    kwargs = built_with(monkeypatch, module, Settings(search_url=URL, search_ca_certs=CA))
    assert kwargs["ca_certs"] == str(CA)
    assert kwargs["verify_certs"] is True


async def test_the_real_clients_accept_the_ca_file() -> None:
    settings = Settings(search_url=URL, search_ca_certs=CA)
    for sink in (opensearch.OpenSearchSink(settings), elasticsearch.ElasticsearchSink(settings)):
        await sink._close()

"""The worker's HTTP endpoint: routing through the WSGI app (no socket), then the port policy
on loopback (default port, or a free one when it is taken; an explicit port must be free)."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter

from pipeline.health import Health
from pipeline.web import announcement, application, find_url, serve

OK = Health("ok", (), {"status": "ok", "problems": []})
STARTING = Health("starting", ("not started",), {"status": "starting", "problems": ["x"]})


@pytest.fixture
def registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    Counter("marsad_test_pages_total", "Pages", ["outcome"], registry=registry).labels("ok").inc(3)
    return registry


def call(
    registry: CollectorRegistry, path: str, health: Health = OK, method: str = "GET"
) -> tuple[str, dict[str, str], bytes]:
    app = application(lambda: health, registry)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, dict(headers)
        return lambda data: None

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "6066",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_metrics_are_the_registry_in_prometheus_text(registry: CollectorRegistry) -> None:
    status, headers, body = call(registry, "/metrics")
    assert status.startswith("200")
    assert headers["Content-Type"].startswith("text/plain")
    assert b'marsad_test_pages_total{outcome="ok"} 3.0' in body


def test_health_is_json_with_200_only_when_ok(registry: CollectorRegistry) -> None:
    status, headers, body = call(registry, "/health")
    assert (status, headers["Content-Type"], json.loads(body)) == (
        "200 OK",
        "application/json",
        {"status": "ok", "problems": []},
    )
    status, _, body = call(registry, "/health", STARTING)
    assert status == "503 Service Unavailable" and json.loads(body)["status"] == "starting"


def test_other_paths_and_methods_are_refused(registry: CollectorRegistry) -> None:
    assert call(registry, "/table/dedupe-state")[0] == "404 Not Found"
    assert call(registry, "/health", method="POST")[0] == "405 Method Not Allowed"
    assert b"/metrics" in call(registry, "/")[2]


def test_the_announced_address_is_found_in_a_log() -> None:
    log = f"noise\n2026 INFO pipeline.web {announcement('http://127.0.0.1:40001')}\nmore\n"
    assert find_url(log) == "http://127.0.0.1:40001"
    assert find_url("nothing here") is None


@pytest.fixture
def taken() -> Iterator[int]:
    """A loopback port someone else listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_the_default_port_falls_back_to_a_free_one(registry: CollectorRegistry, taken: int) -> None:
    endpoint = serve("127.0.0.1", None, lambda: OK, registry=registry, default_port=taken)
    try:
        assert endpoint.url.startswith("http://127.0.0.1:")
        assert not endpoint.url.endswith(f":{taken}")
        with urllib.request.urlopen(f"{endpoint.url}/health", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "problems": []}
    finally:
        endpoint.close()


def test_an_explicit_port_that_is_taken_is_an_error(
    registry: CollectorRegistry, taken: int
) -> None:
    with pytest.raises(OSError, match="in use"):
        serve("127.0.0.1", taken, lambda: OK, registry=registry)

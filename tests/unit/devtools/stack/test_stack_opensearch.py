"""OpenSearch: the runner's chosen port, the node's config, the readiness checks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from devtools.stack import opensearch
from devtools.stack.config import StackSettings

RUNNER_OUTPUT = """\
Cluster Name: marsad-local
Base Path:    /work/.marsad/stack/opensearch
Num Of Node:  1
Node Name:      Node 1
HTTP Port:      9273
Data Directory: /work/.marsad/stack/opensearch/node_1/data
[2026-11-22T00:24:14,291][INFO ][o.o.t.TransportService   ] publish_address {127.0.0.1:19300}, \
bound_addresses {127.0.0.1:19300}
"""
BOUND = (
    "[2026-11-22T00:24:14,633][INFO ][o.o.h.AbstractHttpServerTransport] "
    "publish_address {127.0.0.1:9274}, bound_addresses {127.0.0.1:9274}\n"
)


def test_port_announced_by_the_runner() -> None:
    # The transport's publish_address (19300) is not the HTTP port.
    assert opensearch.parse_http_port(RUNNER_OUTPUT) == 9273


def test_port_bound_by_the_http_transport_wins() -> None:
    assert opensearch.parse_http_port(RUNNER_OUTPUT + BOUND) == 9274


def test_no_port_yet() -> None:
    assert opensearch.parse_http_port("Cluster Name: marsad-local\n") is None


def test_config_binds_loopback_single_node() -> None:
    text = opensearch.render_config("19300-19399")
    assert "network.host: 127.0.0.1" in text
    assert "discovery.type: single-node" in text
    assert 'transport.port: "19300-19399"' in text


def test_command_passes_runner_options_and_heap(tmp_path: Path) -> None:
    settings = StackSettings(opensearch_base_port=9250, heap="1g", cluster_name="marsad-test")
    command = opensearch.command(Path("/jdk/bin/java"), "/cache/os/lib/*", settings, tmp_path)
    assert command[0] == "/jdk/bin/java"
    assert {"-Xms1g", "-Xmx1g", "-Dmarsad.stack.service=opensearch"} <= set(command)
    main = command.index(opensearch.MAIN_CLASS)
    assert command[main - 2 : main] == ["-cp", "/cache/os/lib/*"]
    assert command[main + 1 :] == [
        "-basePath",
        str((tmp_path / "opensearch").resolve()),
        "-numOfNode",
        "1",
        "-baseHttpPort",
        "9250",
        "-clusterName",
        "marsad-test",
        "-printOnFailure",
    ]


def test_base_port_above_the_runner_limit_is_refused_with_advice() -> None:
    with pytest.raises(ValidationError, match="MARSAD_STACK_OPENSEARCH_BASE_PORT below 9299"):
        StackSettings(opensearch_base_port=19200)


def _node(
    cluster: str = "marsad-local", status: str = "yellow", tokens: bool = True
) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(
                200, json={"cluster_name": cluster, "version": {"number": "3.3.2"}}
            )
        if request.url.path == "/_cluster/health":
            assert request.url.params["wait_for_status"] == "yellow"
            return httpx.Response(200, json={"status": status})
        if request.url.path == "/_analyze":
            body = json.loads(request.content)
            assert body == {"analyzer": "arabic", "text": "الصواريخ"}
            if not tokens:
                return httpx.Response(400, json={"error": "failed to find analyzer [arabic]"})
            return httpx.Response(200, json={"tokens": [{"token": "صواريخ", "position": 0}]})
        return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handle))


URL = "http://127.0.0.1:9271"


def test_answers_when_yellow_with_arabic_analyzer() -> None:
    assert opensearch.answers(URL, "marsad-local", client=_node())


def test_green_is_fine_too() -> None:
    assert opensearch.answers(URL, "marsad-local", client=_node(status="green"))


def test_another_cluster_on_that_port_is_not_ours() -> None:
    assert not opensearch.answers(URL, "marsad-local", client=_node(cluster="someone-else"))


def test_red_cluster_does_not_answer() -> None:
    assert not opensearch.answers(URL, "marsad-local", client=_node(status="red"))


def test_missing_arabic_analyzer_does_not_answer() -> None:
    assert not opensearch.answers(URL, "marsad-local", client=_node(tokens=False))


def test_a_non_json_server_does_not_answer() -> None:
    client = httpx.Client(
        transport=httpx.MockTransport(lambda _request: httpx.Response(200, text="<html>"))
    )
    assert not opensearch.answers(URL, "marsad-local", client=client)

"""Kafka's configuration: rendered properties, cluster id, command lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.stack import kafka
from devtools.stack.config import StackSettings
from devtools.stack.exceptions import StackError
from kernel.datafiles import deploy_dir

REPO_TEMPLATE = deploy_dir() / "stack" / "kafka-server.properties"


def _properties(text: str) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def test_repository_template_renders_a_loopback_single_node_kraft_broker(tmp_path: Path) -> None:
    template = REPO_TEMPLATE.read_text(encoding="utf-8")
    text = kafka.render_properties(template, 29092, 29093, tmp_path / "data")
    props = _properties(text)

    assert "$" not in text
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:29093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:29092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == (tmp_path / "data").resolve().as_posix()
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    # Nothing listens beyond loopback: every host named is 127.0.0.1.
    for key in ("listeners", "advertised.listeners", "controller.quorum.voters"):
        for endpoint in props[key].split(","):
            assert endpoint.rsplit(":", 1)[0].rsplit("/", 1)[-1].split("@")[-1] == "127.0.0.1"


def test_a_broken_template_is_a_stack_error(tmp_path: Path) -> None:
    with pytest.raises(StackError, match=r"\$\$ for a dollar sign"):
        kafka.render_properties("listeners=${port} ${unknown}", 1, 2, tmp_path)


def test_cluster_id_is_created_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "kafka" / "cluster.id"
    first = kafka.cluster_id(path)
    assert len(first) == 22
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert kafka.cluster_id(path) == first
    assert path.read_text(encoding="utf-8").strip() == first
    assert kafka.new_cluster_id() != first


def test_server_command_carries_heap_logging_and_our_marker(tmp_path: Path) -> None:
    settings = StackSettings(heap="512m", deploy_dir=tmp_path / "deploy")
    layout = kafka.KafkaLayout(tmp_path / "stack" / "kafka")
    command = kafka.server_command(
        Path("/usr/bin/java"), "/cache/kafka/lib/*", settings, layout, tmp_path / "stack"
    )
    assert command[0] == "/usr/bin/java"
    assert "-Xms512m" in command
    assert "-Xmx512m" in command
    assert f"-Dkafka.logs.dir={layout.logs.resolve()}" in command
    assert (
        f"-Dlog4j2.configurationFile={(tmp_path / 'deploy' / 'kafka-log4j2.properties').resolve()}"
        in command
    )
    assert "-Dmarsad.stack.service=kafka" in command
    assert f"-Dmarsad.stack.home={(tmp_path / 'stack').resolve()}" in command
    assert command[-4:] == ["-cp", "/cache/kafka/lib/*", "kafka.Kafka", str(layout.properties)]


def test_format_command_keeps_existing_storage(tmp_path: Path) -> None:
    layout = kafka.KafkaLayout(tmp_path)
    command = kafka.format_command(
        Path("java"), "lib/*", StackSettings(), layout, "UA-UTiEyR5Wkn-Auv-82dQ"
    )
    tool = command.index("kafka.tools.StorageTool")
    assert command[tool:] == [
        "kafka.tools.StorageTool",
        "format",
        "-t",
        "UA-UTiEyR5Wkn-Auv-82dQ",
        "-c",
        str(layout.properties),
        "--ignore-formatted",
    ]


def test_the_repository_pom_pins_kafka_and_a_matching_slf4j_binding() -> None:
    pom = (REPO_TEMPLATE.parent / "kafka.pom.xml").read_text(encoding="utf-8")
    assert "<packaging>pom</packaging>" in pom
    assert "<artifactId>kafka_2.13</artifactId>" in pom
    assert "<kafka.version>4.1.1</kafka.version>" in pom
    # kafka 4.1.1 brings slf4j-api 1.7.x and log4j 2.24.3: the 1.x binding of that log4j.
    assert "<artifactId>log4j-slf4j-impl</artifactId>" in pom
    assert "<log4j.version>2.24.3</log4j.version>" in pom

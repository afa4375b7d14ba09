"""read_state, down, status and the `marsad stack` command, with stand-in processes.

Stand-in "JVMs" are Python sleepers carrying the same marker arguments the real JVMs carry;
the ports recorded for them have nothing listening, so nothing answers.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.commands import stack as command
from devtools.stack import StackInfo, StackSettings, down, process, read_state, status
from devtools.stack import state as state_file
from devtools.stack.state import KAFKA, OPENSEARCH, ServiceRecord, StackState
from kernel.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", cache_dir=tmp_path / "cache")


@pytest.fixture
def spawned() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:
        if process.is_alive(pid):
            process.stop_group(pid, 1)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stand_in(settings: Settings, service: str, spawned: list[int]) -> int:
    stack_dir = state_file.stack_dir(settings.home)
    command_line = [
        sys.executable,
        "-c",
        "import time; time.sleep(120)",
        *process.marker_args(service, stack_dir),
    ]
    pid = process.spawn(command_line, stack_dir / f"{service}.out", cwd=stack_dir.parent)
    spawned.append(pid)
    return pid


def _record(pid: int, address: str, port: int) -> ServiceRecord:
    return ServiceRecord(
        pid=pid,
        port=port,
        address=address,
        java=sys.executable,
        java_major=0,
        log="server.log",
        started_at="2026-01-01T00:00:00+00:00",
    )


def _record_both(settings: Settings, kafka_pid: int, search_pid: int) -> tuple[str, str]:
    kafka_address = f"127.0.0.1:{_closed_port()}"
    search_port = _closed_port()
    search_url = f"http://127.0.0.1:{search_port}"
    recorded = (
        StackState()
        .with_service(KAFKA, _record(kafka_pid, kafka_address, int(kafka_address.split(":")[1])))
        .with_service(OPENSEARCH, _record(search_pid, search_url, search_port))
    )
    state_file.save(settings.home, recorded)
    return kafka_address, search_url


def test_read_state_without_a_stack(settings: Settings) -> None:
    assert read_state(settings.home) is None


def test_read_state_of_a_live_stack_then_after_one_died(
    settings: Settings, spawned: list[int]
) -> None:
    kafka_pid = _stand_in(settings, KAFKA, spawned)
    search_pid = _stand_in(settings, OPENSEARCH, spawned)
    kafka_address, search_url = _record_both(settings, kafka_pid, search_pid)

    assert read_state(settings.home) == StackInfo(kafka_address, search_url)

    assert process.stop_group(search_pid, 5)
    assert read_state(settings.home) is None


def test_read_state_ignores_a_pid_that_is_now_another_program(
    settings: Settings, spawned: list[int]
) -> None:
    kafka_pid = _stand_in(settings, KAFKA, spawned)
    _record_both(settings, kafka_pid, os.getpid())  # this test process: alive, not ours
    assert read_state(settings.home) is None


def test_down_stops_ours_and_leaves_a_foreign_pid_alone(
    settings: Settings, spawned: list[int]
) -> None:
    kafka_pid = _stand_in(settings, KAFKA, spawned)
    _record_both(settings, kafka_pid, os.getpid())
    said: list[str] = []

    down(settings, StackSettings(stop_timeout_s=5), progress=said.append)

    assert not process.is_alive(kafka_pid)
    assert process.is_alive(os.getpid())
    assert f"stopping kafka (pid {kafka_pid})..." in said
    assert f"opensearch: pid {os.getpid()} now runs another program; left alone" in said
    assert state_file.load(settings.home) == StackState()


def test_down_also_stops_an_unrecorded_jvm_of_this_stack(
    settings: Settings, spawned: list[int]
) -> None:
    orphan = _stand_in(settings, OPENSEARCH, spawned)  # e.g. an `up` interrupted before saving
    said: list[str] = []
    down(settings, StackSettings(stop_timeout_s=5), progress=said.append)
    assert not process.is_alive(orphan)
    assert f"found an unrecorded opensearch JVM of this stack (pid {orphan})" in said


def test_status_of_running_but_silent_services(settings: Settings, spawned: list[int]) -> None:
    kafka_pid = _stand_in(settings, KAFKA, spawned)
    search_pid = _stand_in(settings, OPENSEARCH, spawned)
    kafka_address, search_url = _record_both(settings, kafka_pid, search_pid)

    report = status(settings, StackSettings())

    assert not report.healthy
    kafka, search = report.services
    assert (kafka.name, kafka.pid, kafka.address, kafka.running, kafka.answering) == (
        KAFKA,
        kafka_pid,
        kafka_address,
        True,
        False,
    )
    assert (search.pid, search.address, search.running, search.answering) == (
        search_pid,
        search_url,
        True,
        False,
    )
    assert (
        report.lines()[0]
        == f"kafka      pid {kafka_pid:<8} {kafka_address:<26} running, NOT answering"
    )


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="marsad")
    command.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_command_status_without_a_stack_exits_3(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARSAD_HOME", str(settings.home))
    args = _parse(["stack", "status"])
    assert args.func(args) == 3
    assert capsys.readouterr().out.splitlines() == [
        "kafka      not started",
        "opensearch not started",
    ]


def test_command_refuses_an_unusable_port_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARSAD_HOME", str(settings.home))
    monkeypatch.setenv("MARSAD_STACK_OPENSEARCH_BASE_PORT", "19200")
    args = _parse(["stack", "up"])
    assert args.func(args) == 1
    assert "set MARSAD_STACK_OPENSEARCH_BASE_PORT below 9299" in capsys.readouterr().err


def test_command_up_reports_a_taken_kafka_port(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        monkeypatch.setenv("MARSAD_HOME", str(settings.home))
        monkeypatch.setenv("MARSAD_STACK_KAFKA_PORT", str(port))
        args = _parse(["stack", "up"])
        assert args.func(args) == 1
    err = capsys.readouterr().err
    assert f"port {port} (Kafka) on 127.0.0.1 is already in use" in err
    assert "MARSAD_STACK_KAFKA_PORT=" in err
    assert state_file.load(settings.home) == StackState()  # nothing was started

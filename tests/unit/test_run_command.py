"""``marsad run`` starts the worker and the connectors with their metrics ports explicit, and
prints where each serves (the processes are recorded, not started)."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any

import pytest

from cli.commands import run as run_command
from kernel.settings import Settings


class Recorded:
    """Stands in for :class:`cli.supervisor.Children`: records, starts nothing."""

    def __init__(self) -> None:
        self.started: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []

    def start(self, name: str, *args: str, **options: Any) -> None:
        self.started.append((name, args, options))

    def failed(self) -> list[tuple[str, int]]:
        return [("worker", 1)]  # ends run() at its first check

    def stop(self) -> None:
        return None


def started(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> dict[str, tuple[tuple[str, ...], dict[str, Any]]]:
    children = Recorded()
    monkeypatch.setattr(run_command, "resolve", lambda _: settings)
    monkeypatch.setattr(run_command, "ensure_topics", lambda _: [])
    monkeypatch.setattr(run_command, "Children", lambda: children)
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    assert run_command.run(argparse.Namespace(sources=Path("sources.yaml"))) == 1
    return {name: (args, options) for name, args, options in children.started}


def test_both_processes_serve_metrics_on_known_ports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = Settings(kafka_bootstrap="127.0.0.1:9", search_url="http://127.0.0.1:9")
    children = started(monkeypatch, base)
    worker_args, worker = children["worker"]
    connector_args, connectors = children["connectors"]
    assert worker_args == ("worker",)
    assert worker["env"]["MARSAD_WORKER_WEB_PORT"] == "6066"
    assert worker["metrics"] == "http://127.0.0.1:6066"
    assert connector_args[-4:] == ("--metrics-port", "6067", "--metrics-host", "127.0.0.1")
    assert connectors["metrics"] == "http://127.0.0.1:6067"
    out = capsys.readouterr().out
    assert "worker metrics at http://127.0.0.1:6066/metrics and http://127.0.0.1:6066/health" in out
    assert "connector metrics at http://127.0.0.1:6067/metrics" in out


def test_configured_ports_and_host_are_passed_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        kafka_bootstrap="127.0.0.1:9",
        search_url="http://127.0.0.1:9",
        worker_web_host="10.1.2.3",  # passed on, never bound here
        worker_web_port=0,
        metrics_port=9464,
    )
    children = started(monkeypatch, settings)
    assert children["worker"][1]["env"]["MARSAD_WORKER_WEB_PORT"] == "0"
    assert children["worker"][1]["metrics"] is None
    connector_args = children["connectors"][0]
    assert connector_args[-4:] == ("--metrics-port", "9464", "--metrics-host", "10.1.2.3")
    assert "worker metrics at a free port" in capsys.readouterr().out

"""Detached processes: recognised by their marker, stopped as a group, SIGKILL as last resort.

The "services" here are short Python sleepers started exactly like the JVMs are.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.stack import process

SLEEPER = "import time; time.sleep(120)"
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
PARENT = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
    "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(120)"
)


@pytest.fixture
def started() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:  # never leave a sleeper behind, whatever the test did
        if process.is_alive(pid):
            process.stop_group(pid, 1)


def _spawn(
    code: str, tmp_path: Path, started: list[int], service: str = "kafka", *args: str
) -> int:
    command = [sys.executable, "-c", code, *args, *process.marker_args(service, tmp_path)]
    pid = process.spawn(command, tmp_path / f"{service}.out", cwd=tmp_path)
    started.append(pid)
    return pid


def test_spawned_process_is_recognised_as_ours(tmp_path: Path, started: list[int]) -> None:
    pid = _spawn(SLEEPER, tmp_path, started)
    assert process.is_alive(pid)
    assert process.is_ours(pid, "kafka", tmp_path)
    assert not process.is_ours(pid, "opensearch", tmp_path)
    assert not process.is_ours(pid, "kafka", tmp_path / "another-stack")
    assert process.find_marked(tmp_path) == {pid: "kafka"}


def test_a_foreign_process_is_not_ours(tmp_path: Path) -> None:
    assert process.is_alive(os.getpid())
    assert not process.is_ours(os.getpid(), "kafka", tmp_path)


def test_stop_group_ends_the_whole_group(tmp_path: Path, started: list[int]) -> None:
    child_file = tmp_path / "child.pid"
    pid = _spawn(PARENT, tmp_path, started, "kafka", str(child_file))
    deadline = time.monotonic() + 10
    while not child_file.exists() or not child_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(child_file.read_text())
    assert process.is_alive(child)

    assert process.stop_group(pid, timeout_s=10)

    assert not process.is_alive(pid)
    deadline = time.monotonic() + 5  # the orphaned child is reaped by init
    while process.is_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process.is_alive(child)
    assert process.find_marked(tmp_path) == {}


def test_sigterm_ignored_means_sigkill_after_the_timeout(
    tmp_path: Path, started: list[int]
) -> None:
    pid = _spawn(STUBBORN, tmp_path, started)
    time.sleep(0.5)  # let it install its handler
    began = time.monotonic()
    assert process.stop_group(pid, timeout_s=1.0)
    elapsed = time.monotonic() - began
    assert 1.0 <= elapsed < 5.0
    assert not process.is_alive(pid)


def test_output_goes_to_the_log_file(tmp_path: Path, started: list[int]) -> None:
    pid = _spawn(
        "print('hello from the service'); import sys; sys.stdout.flush()", tmp_path, started
    )
    deadline = time.monotonic() + 10
    while process.is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "hello from the service" in (tmp_path / "kafka.out").read_text(encoding="utf-8")


def test_tail_returns_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)), encoding="utf-8")
    assert process.tail(log, 3) == "line 97\nline 98\nline 99"
    assert process.tail(tmp_path / "missing.log") == ""

"""How any Marsad process finds the local stack that ``marsad stack up`` started.

The development tools (:mod:`devtools.stack`) start Kafka and OpenSearch and record them in
``<home>/stack/state.json``; the runtime only ever reads that file, through :func:`find_running`,
to fill in service addresses nobody configured. This module is that contract: where the file is,
how a JVM the stack started is recognised, and the reader. The file's full format (version 1) is
written and documented by :mod:`devtools.stack.state`.

Every JVM the stack starts carries ``-Dmarsad.stack.service=<name>`` and
``-Dmarsad.stack.home=<absolute stack dir>`` on its command line: a recorded pid counts as
running only while its command line still carries both, so a pid reused by another program after
a reboot is never taken for the stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.exceptions import MarsadError

STATE_VERSION = 1
KAFKA = "kafka"
OPENSEARCH = "opensearch"
ELASTICSEARCH = "elasticsearch"  # started only on demand; find_running does not require it
SERVICE_PROPERTY = "-Dmarsad.stack.service="
HOME_PROPERTY = "-Dmarsad.stack.home="


class LocalStackError(MarsadError):
    """The local stack's state file exists but cannot be read."""


@dataclass(frozen=True)
class StackInfo:
    """Where clients reach the local stack."""

    kafka_bootstrap: str
    search_url: str


def stack_dir(home: Path) -> Path:
    return home.resolve() / "stack"


def state_path(home: Path) -> Path:
    return stack_dir(home) / "state.json"


def marker_args(service: str, directory: Path) -> list[str]:
    """The JVM arguments that let :func:`is_stack_process` recognise a process later."""
    return [f"{SERVICE_PROPERTY}{service}", f"{HOME_PROPERTY}{directory.resolve()}"]


def cmdline(pid: int) -> list[str] | None:
    """The command line of ``pid``; None if unknown (no such process, a zombie, or a process
    caught between fork and exec, whose command line reads empty for a moment)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None
    return raw.rstrip(b"\0").decode("utf-8", "replace").split("\0")


def is_stack_process(pid: int, service: str, directory: Path) -> bool:
    """True if ``pid`` runs and is the ``service`` JVM started for the stack in ``directory``."""
    args = cmdline(pid)
    return args is not None and all(marker in args for marker in marker_args(service, directory))


def find_running(home: Path) -> StackInfo | None:
    """The running local stack's addresses; None if none is recorded or its JVMs are gone.

    Cheap (no network): it checks that both recorded pids still run the stack's JVMs.
    Raises :class:`LocalStackError` if the state file exists but cannot be read.
    """
    path = state_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        recorded = _recorded_addresses(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LocalStackError(
            f"the stack state file {path} is unreadable ({exc}). Stop any Marsad java processes "
            f"left running (ps aux | grep marsad.stack), delete {path} and run marsad stack up"
        ) from exc
    if recorded is None:
        return None
    (kafka_pid, kafka_address), (search_pid, search_address) = recorded
    directory = stack_dir(home)
    if not (
        is_stack_process(kafka_pid, KAFKA, directory)
        and is_stack_process(search_pid, OPENSEARCH, directory)
    ):
        return None
    return StackInfo(kafka_bootstrap=kafka_address, search_url=search_address)


def _recorded_addresses(data: Any) -> tuple[tuple[int, str], tuple[int, str]] | None:
    """(pid, address) of Kafka and of the search engine from the file; None if not both."""
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported state version {data.get('version')!r}")
    services = data.get("services", {})
    kafka, search = services.get(KAFKA), services.get(OPENSEARCH)
    if kafka is None or search is None or not search.get("port"):
        return None
    return (int(kafka["pid"]), str(kafka["address"])), (int(search["pid"]), str(search["address"]))

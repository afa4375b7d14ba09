"""The state file ``<home>/stack/state.json``: which processes the stack started, and where.

Format (version 1)::

    {
      "version": 1,
      "kafka_bootstrap": "127.0.0.1:19092",   # present while kafka is recorded
      "search_url": "http://127.0.0.1:9271",  # present once opensearch has chosen its port
      "elasticsearch_url": "http://127.0.0.1:9400",  # present while elasticsearch is recorded
      "services": {
        "kafka": {"pid": 1234, "port": 19092, "address": "127.0.0.1:19092",
                  "java": "/usr/bin/java", "java_major": 17, "log": "/abs/.../server.log",
                  "started_at": "2026-01-01T10:00:00+00:00", "extra_ports": {"controller": 19093}},
        "opensearch": {...},
        "elasticsearch": {...}                # only with `marsad stack up --engine elasticsearch`
      }
    }

Written atomically (temporary file, then rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from devtools.stack.exceptions import StackError
from kernel.localstack import (
    ELASTICSEARCH,
    KAFKA,
    OPENSEARCH,
    STATE_VERSION,
    stack_dir,
    state_path,
)

__all__ = [
    "ELASTICSEARCH",
    "KAFKA",
    "OPENSEARCH",
    "VERSION",
    "ServiceRecord",
    "StackState",
    "load",
    "lock",
    "save",
    "stack_dir",
    "state_path",
]

logger = logging.getLogger(__name__)

VERSION = STATE_VERSION


@dataclass(frozen=True)
class ServiceRecord:
    """One started service: its JVM's pid, the port it serves on and the address to give clients."""

    pid: int
    port: int
    address: str
    java: str
    java_major: int
    log: str
    started_at: str
    extra_ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceRecord:
        return cls(
            pid=int(data["pid"]),
            port=int(data["port"]),
            address=str(data["address"]),
            java=str(data["java"]),
            java_major=int(data["java_major"]),
            log=str(data["log"]),
            started_at=str(data["started_at"]),
            extra_ports={str(k): int(v) for k, v in dict(data.get("extra_ports", {})).items()},
        )


@dataclass(frozen=True)
class StackState:
    """Every service currently recorded (a stopped service is simply absent)."""

    services: dict[str, ServiceRecord] = field(default_factory=dict)

    def get(self, name: str) -> ServiceRecord | None:
        return self.services.get(name)

    def with_service(self, name: str, record: ServiceRecord) -> StackState:
        return replace(self, services={**self.services, name: record})

    def without(self, name: str) -> StackState:
        return replace(self, services={k: v for k, v in self.services.items() if k != name})

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": VERSION}
        if (kafka := self.get(KAFKA)) is not None and kafka.address:
            data["kafka_bootstrap"] = kafka.address
        if (search := self.get(OPENSEARCH)) is not None and search.address:
            data["search_url"] = search.address
        if (elastic := self.get(ELASTICSEARCH)) is not None and elastic.address:
            data["elasticsearch_url"] = elastic.address
        data["services"] = {name: asdict(record) for name, record in sorted(self.services.items())}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackState:
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported state version {data.get('version')!r}")
        services = dict(data.get("services", {}))
        return cls(services={str(n): ServiceRecord.from_json(r) for n, r in services.items()})


def load(home: Path) -> StackState:
    """The recorded state; empty when there is no state file."""
    path = state_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return StackState()
    try:
        return StackState.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise StackError(
            f"the stack state file {path} is unreadable ({exc}). Stop any Marsad java processes "
            f"left running (ps aux | grep marsad.stack), delete {path} and run marsad stack up"
        ) from exc


def save(home: Path, state: StackState) -> Path:
    path = state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state.to_json(), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


@contextlib.contextmanager
def lock(home: Path) -> Iterator[None]:
    """One ``up``/``down`` at a time per stack directory (other callers wait their turn)."""
    directory = stack_dir(home)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

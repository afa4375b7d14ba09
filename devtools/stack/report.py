"""The status of the local stack: for each service, its pid, address and whether it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from devtools.stack import elasticsearch, kafka, opensearch, process
from devtools.stack import state as state_file
from devtools.stack.config import StackSettings
from devtools.stack.state import ELASTICSEARCH, KAFKA, OPENSEARCH, ServiceRecord
from kernel.settings import Settings

SERVICES = (KAFKA, OPENSEARCH)  # always listed; Elasticsearch only while it is recorded


@dataclass(frozen=True)
class ServiceStatus:
    """One service as seen now."""

    name: str
    pid: int | None = None
    address: str | None = None
    running: bool = False
    answering: bool = False

    def line(self) -> str:
        if self.pid is None:
            return f"{self.name:<10} not started"
        if not self.running:
            condition = "not running"
        elif self.answering:
            condition = "answering"
        else:
            condition = "running, NOT answering"
        address = self.address or "(no address yet)"
        return f"{self.name:<10} pid {self.pid:<8} {address:<26} {condition}"


@dataclass(frozen=True)
class StackStatus:
    """Every service of the stack; healthy when each one runs and answers."""

    services: tuple[ServiceStatus, ...] = field(default_factory=tuple)

    @property
    def healthy(self) -> bool:
        return bool(self.services) and all(s.running and s.answering for s in self.services)

    def lines(self) -> list[str]:
        return [service.line() for service in self.services]


def _answers(name: str, record: ServiceRecord, config: StackSettings) -> bool:
    if not record.address:
        return False
    if name == KAFKA:
        return kafka.answers(record.address)
    if name == ELASTICSEARCH:
        return elasticsearch.answers(record.address, config.cluster_name)
    return opensearch.answers(record.address, config.cluster_name)


def status(settings: Settings, stack_settings: StackSettings | None = None) -> StackStatus:
    """Look at every recorded service: is its JVM ours and alive, does it answer requests?"""
    config = stack_settings if stack_settings is not None else StackSettings()
    state = state_file.load(settings.home)
    stack_dir = state_file.stack_dir(settings.home)
    services: list[ServiceStatus] = []
    shown = SERVICES + ((ELASTICSEARCH,) if state.get(ELASTICSEARCH) is not None else ())
    for name in shown:
        record = state.get(name)
        if record is None:
            services.append(ServiceStatus(name))
            continue
        running = process.is_ours(record.pid, name, stack_dir)
        services.append(
            ServiceStatus(
                name=name,
                pid=record.pid,
                address=record.address or None,
                running=running,
                answering=running and _answers(name, record, config),
            )
        )
    return StackStatus(tuple(services))

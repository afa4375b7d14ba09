"""The fault suite's own local stack: a Kafka broker and an OpenSearch node of the project's
``devtools.stack``, on ports and in a home of their own, so the suite can kill and restart
them without touching the default stack (``marsad stack up``: Kafka 19092, OpenSearch 9271)
that other people may be using at the same time.

Every process signalled here is found through this stack's own state file
(``<home>/stack/state.json``) and recognised by its JVM's markers
(:func:`devtools.stack.process.is_ours`), never by name.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devtools.stack import StackInfo, StackSettings, read_state, stop_service, up
from devtools.stack import process as stack_process
from devtools.stack import state as state_file
from devtools.stack.state import KAFKA, OPENSEARCH
from kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

#: Where the suite's stack keeps its data, logs and state (inside the ignored ``.marsad``).
HOME = Path(os.environ.get("MARSAD_FAULTS_HOME", str(ROOT / ".marsad" / "faults")))

#: Ports of the suite's stack: outside the default stack's (Kafka 19092/19093, OpenSearch
#: 9271 from base 9270, transport 19300-19399, Elasticsearch 9400 and 19400-19499). The
#: OpenSearch runner serves HTTP on the first free port from base + 1 up to 9299, so with base
#: 9280 the node lands on 9281 (or the next free one) and never takes the default's 9271.
STACK_ENV = {
    "MARSAD_STACK_KAFKA_PORT": "29092",
    "MARSAD_STACK_KAFKA_CONTROLLER_PORT": "29093",
    "MARSAD_STACK_OPENSEARCH_BASE_PORT": "9280",
    "MARSAD_STACK_OPENSEARCH_TRANSPORT_PORTS": "29300-29399",
    "MARSAD_STACK_ELASTICSEARCH_PORT": "29400",
    "MARSAD_STACK_ELASTICSEARCH_TRANSPORT_PORTS": "29500-29599",
    "MARSAD_STACK_CLUSTER_NAME": "marsad-faults",
    "MARSAD_STACK_HEAP": "768m",
}


def stack_settings() -> StackSettings:
    values = {k.removeprefix("MARSAD_STACK_").lower(): v for k, v in STACK_ENV.items()}
    return StackSettings.model_validate(values)


def base_settings() -> Settings:
    return Settings(home=HOME)


def say(line: str) -> None:
    print(f"[faults stack] {line}", flush=True)


def bring_up() -> StackInfo:
    """Start whatever part of the suite's stack is not running (the project's ``up``)."""
    return up(base_settings(), stack_settings(), progress=say)


@contextmanager
def own_stack() -> Iterator[StackInfo]:
    """The suite's stack for a session: started if not running, and stopped at the end
    (its recorded pids only) if this session started it, even when a test failed."""
    HOME.mkdir(parents=True, exist_ok=True)
    started = read_state(HOME) is None
    info = bring_up()
    try:
        yield info
    finally:
        if started:
            for name in (OPENSEARCH, KAFKA):
                stop_service(base_settings(), name, stack_settings(), progress=say)


def service_pid(name: str) -> int:
    """The recorded pid of the suite's ``name`` JVM, checked to still be ours."""
    record = state_file.load(HOME).get(name)
    assert record is not None, f"{name} is not recorded in {state_file.state_path(HOME)}"
    assert stack_process.is_ours(record.pid, name, state_file.stack_dir(HOME)), (
        f"recorded {name} pid {record.pid} is not the suite's JVM"
    )
    return record.pid


def sigkill_service(name: str, deadline_s: float = 30.0) -> int:
    """SIGKILL the suite's ``name`` JVM (by its recorded pid) and wait until it is gone."""
    pid = service_pid(name)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + deadline_s
    while stack_process.is_alive(pid):
        assert time.monotonic() < deadline, f"{name} pid {pid} survived SIGKILL"
        time.sleep(0.1)
    return pid


def restart_service(name: str) -> StackInfo:
    """Start the killed service again with the project's own ``up`` (it sees the dead pid in
    the state file, forgets it and starts only that service, on the same data)."""
    info = bring_up()
    service_pid(name)
    return info

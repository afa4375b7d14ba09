"""Bringing the local stack up, and finding the running one.

``up`` is idempotent: services recorded in the state file whose JVM is still ours and answering
are kept; the others are (re)started. Only processes recorded in the state file, or carrying this
stack directory's marker on their command line, are ever signalled.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from devtools.stack import elasticsearch, kafka, maven, opensearch, ports, process
from devtools.stack import state as state_file
from devtools.stack.config import StackSettings
from devtools.stack.console import ProgressFn, print_progress
from devtools.stack.exceptions import ServiceStartError, StackError
from devtools.stack.java import JavaFinder, JavaRuntime
from devtools.stack.state import ELASTICSEARCH, KAFKA, OPENSEARCH, ServiceRecord, StackState
from kernel.localstack import LocalStackError, StackInfo, find_running
from kernel.settings import Settings

logger = logging.getLogger(__name__)

LOG_TAIL_LINES = 30


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _rotate(console: Path) -> None:
    if console.exists():
        console.replace(console.with_name(console.name + ".1"))


def _live_records(state: StackState, stack_dir: Path, say: ProgressFn) -> StackState:
    """``state`` without the services whose recorded JVM is gone (or is no longer ours)."""
    for name, record in list(state.services.items()):
        if process.is_ours(record.pid, name, stack_dir):
            continue
        if process.is_alive(record.pid):
            say(f"{name}: pid {record.pid} is now another program; forgetting it (left alone)")
        else:
            say(f"{name}: recorded pid {record.pid} is no longer running")
        state = state.without(name)
    return state


def read_state(home: Path) -> StackInfo | None:
    """The recorded stack's addresses; None if none is recorded or its JVMs are not running.

    The runtime's reader (:func:`kernel.localstack.find_running`), so the stack and the service
    agree on one format; raises :class:`StackError` if the state file cannot be read.
    """
    try:
        return find_running(home)
    except LocalStackError as exc:
        raise StackError(str(exc)) from exc


def _failure(name: str, reason: str, logs: list[Path]) -> ServiceStartError:
    parts = [f"{name} failed to start: {reason}"]
    for log in logs:
        text = process.tail(log, LOG_TAIL_LINES)
        if text.strip():
            parts.append(f"--- last {LOG_TAIL_LINES} lines of {log} ---\n{text}")
    parts.append("Fix the cause shown above, then run marsad stack up again")
    return ServiceStartError("\n".join(parts))


def _record(pid: int, port: int, address: str, java: JavaRuntime, log: Path) -> ServiceRecord:
    return ServiceRecord(
        pid=pid,
        port=port,
        address=address,
        java=str(java.path),
        java_major=java.major,
        log=str(log.resolve()),
        started_at=_now(),
    )


def up(
    settings: Settings,
    stack_settings: StackSettings | None = None,
    progress: ProgressFn | None = None,
) -> StackInfo:
    """Start whatever part of the local stack is not running, and wait until it answers."""
    config = stack_settings if stack_settings is not None else StackSettings()
    say = progress if progress is not None else print_progress
    home = settings.home
    stack_dir = state_file.stack_dir(home)
    with state_file.lock(home):
        state = _live_records(state_file.load(home), stack_dir, say)
        state_file.save(home, state)
        kafka_rec, search_rec = state.get(KAFKA), state.get(OPENSEARCH)
        if (
            kafka_rec is not None
            and search_rec is not None
            and search_rec.port
            and kafka.answers(kafka_rec.address)
            and opensearch.answers(search_rec.address, config.cluster_name)
        ):
            say(
                f"already running: kafka at {kafka_rec.address} (pid {kafka_rec.pid}), "
                f"opensearch at {search_rec.address} (pid {search_rec.pid})"
            )
            return StackInfo(kafka_rec.address, search_rec.address)
        return _Launch(settings, config, state, say).run()


class _Launch:
    """One ``up`` that has to start or wait for at least one service."""

    def __init__(
        self, settings: Settings, config: StackSettings, state: StackState, say: ProgressFn
    ) -> None:
        self.home = settings.home
        self.cache = settings.cache_dir.expanduser()
        self.config = config
        self.state = state
        self.say = say
        self.stack_dir = state_file.stack_dir(self.home)
        self.kafka_layout = kafka.KafkaLayout(self.stack_dir / KAFKA)
        self.search_layout = opensearch.OpenSearchLayout(self.stack_dir / OPENSEARCH)
        self.kafka_jars = kafka.jar_set(config)
        self.search_jars = opensearch.jar_set(config)
        self.started: dict[str, float] = {}

    def _recorded(self, name: str) -> ServiceRecord:
        record = self.state.get(name)
        if record is None:
            raise StackError(f"{name} is neither recorded nor started: run marsad stack up again")
        return record

    def _remember(self, name: str, record: ServiceRecord) -> None:
        self.state = self.state.with_service(name, record)
        state_file.save(self.home, self.state)

    def _forget(self, name: str) -> None:
        self.state = self.state.without(name)
        state_file.save(self.home, self.state)

    def run(self) -> StackInfo:
        start_kafka = self.state.get(KAFKA) is None
        start_search = self.state.get(OPENSEARCH) is None
        # Everything that can fail fast does so before anything is started.
        if start_kafka:
            ports.require_free(self.config.kafka_port, "Kafka", "MARSAD_STACK_KAFKA_PORT")
            ports.require_free(
                self.config.kafka_controller_port,
                "Kafka controller",
                "MARSAD_STACK_KAFKA_CONTROLLER_PORT",
            )
        finder = JavaFinder.from_environment()
        kafka_java = finder.require(kafka.MIN_JAVA, "Kafka") if start_kafka else None
        search_java = finder.require(opensearch.MIN_JAVA, "OpenSearch") if start_search else None
        if kafka_java is not None:
            maven.ensure(self.kafka_jars, self.cache, self.say)
        if search_java is not None:
            maven.ensure(self.search_jars, self.cache, self.say)

        # Both JVMs boot side by side; then each is awaited against its own deadline.
        try:
            if kafka_java is not None:
                self._spawn_kafka(kafka_java)
            if search_java is not None:
                self._spawn_search(search_java)
            kafka_address = self._await_kafka()
            search_address = self._await_search()
        except BaseException:
            self._abandon()
            raise
        return StackInfo(kafka_bootstrap=kafka_address, search_url=search_address)

    def _abandon(self) -> None:
        """After a failure, stop what this attempt started: no half stack is left behind."""
        for name in list(self.started):
            record = self.state.get(name)
            if record is not None:
                self.say(f"stopping {name} (pid {record.pid}), started by this failed attempt")
                self._give_up(name, record)

    def _spawn_kafka(self, java: JavaRuntime) -> None:
        config, layout = self.config, self.kafka_layout
        classpath = self.kafka_jars.classpath(self.cache)
        self.say(f"starting Kafka {kafka.VERSION} on {java.describe()}")
        kafka.prepare(config, layout, java.path, classpath)
        _rotate(layout.console)
        pid = process.spawn(
            kafka.server_command(java.path, classpath, config, layout, self.stack_dir),
            layout.console,
            cwd=layout.root,
        )
        self.started[KAFKA] = time.monotonic()
        address = f"{ports.LOOPBACK}:{config.kafka_port}"
        record = _record(pid, config.kafka_port, address, java, layout.server_log)
        self._remember(
            KAFKA, replace(record, extra_ports={"controller": config.kafka_controller_port})
        )

    def _spawn_search(self, java: JavaRuntime) -> None:
        layout = self.search_layout
        classpath = self.search_jars.classpath(self.cache)
        self.say(f"starting OpenSearch {opensearch.VERSION} on {java.describe()}")
        opensearch.prepare(self.config, layout)
        _rotate(layout.console)
        pid = process.spawn(
            opensearch.command(java.path, classpath, self.config, self.stack_dir),
            layout.console,
            cwd=layout.root,
        )
        self.started[OPENSEARCH] = time.monotonic()
        # The HTTP port is known only once the runner has chosen one: 0 until then.
        self._remember(OPENSEARCH, _record(pid, 0, "", java, layout.console))

    def _give_up(self, name: str, record: ServiceRecord) -> None:
        """Stop a service that failed to come up, so no half-started JVM holds memory."""
        if process.is_ours(record.pid, name, self.stack_dir):
            process.stop_group(record.pid, self.config.stop_timeout_s)
        self._forget(name)

    def _await_kafka(self) -> str:
        record = self._recorded(KAFKA)
        begin = self.started.get(KAFKA, time.monotonic())
        deadline = begin + self.config.kafka_timeout_s
        self.say(f"waiting for Kafka at {record.address} (up to {deadline - begin:.0f} s)...")
        try:
            kafka.wait_ready(record.pid, record.address, deadline, self.say)
        except ServiceStartError as exc:
            self._give_up(KAFKA, record)
            layout = self.kafka_layout
            raise _failure("Kafka", str(exc), [layout.server_log, layout.console]) from exc
        elapsed = time.monotonic() - begin
        self.say(f"kafka ready at {record.address} (pid {record.pid}, {elapsed:.1f} s)")
        return record.address

    def _await_search(self) -> str:
        record = self._recorded(OPENSEARCH)
        begin = self.started.get(OPENSEARCH, time.monotonic())
        deadline = begin + self.config.opensearch_timeout_s
        self.say(f"waiting for OpenSearch (up to {deadline - begin:.0f} s)...")
        try:
            port = opensearch.wait_ready(
                record.pid, self.search_layout, self.config.cluster_name, deadline, self.say
            )
        except ServiceStartError as exc:
            self._give_up(OPENSEARCH, record)
            raise _failure("OpenSearch", str(exc), [self.search_layout.console]) from exc
        address = f"http://{ports.LOOPBACK}:{port}"
        self._remember(OPENSEARCH, replace(record, port=port, address=address))
        elapsed = time.monotonic() - begin
        self.say(
            f"opensearch ready at {address} (pid {record.pid}, {elapsed:.1f} s; "
            "cluster yellow, arabic analyzer answers)"
        )
        return address


def up_elasticsearch(
    settings: Settings,
    stack_settings: StackSettings | None = None,
    progress: ProgressFn | None = None,
) -> str:
    """Start the local Elasticsearch node unless it runs and answers; return its URL.

    Idempotent like :func:`up`, and independent of it: Kafka and OpenSearch are neither
    started nor required (``marsad stack up --engine elasticsearch`` starts both).
    """
    config = stack_settings if stack_settings is not None else StackSettings()
    say = progress if progress is not None else print_progress
    home = settings.home
    stack_dir = state_file.stack_dir(home)
    layout = elasticsearch.ElasticsearchLayout(stack_dir / ELASTICSEARCH)
    with state_file.lock(home):
        state = _live_records(state_file.load(home), stack_dir, say)
        state_file.save(home, state)
        record = state.get(ELASTICSEARCH)
        if record is not None and elasticsearch.answers(record.address, config.cluster_name):
            say(f"already running: elasticsearch at {record.address} (pid {record.pid})")
            return record.address
        begin = time.monotonic()
        if record is None:
            record = _spawn_elasticsearch(settings, config, layout, say)
            state = state.with_service(ELASTICSEARCH, record)
            state_file.save(home, state)
        deadline = begin + config.elasticsearch_timeout_s
        say(f"waiting for Elasticsearch at {record.address} (up to {deadline - begin:.0f} s)...")
        try:
            elasticsearch.wait_ready(record.pid, record.address, config.cluster_name, deadline, say)
        except BaseException as exc:
            # No half-started JVM is left holding memory.
            if process.is_ours(record.pid, ELASTICSEARCH, stack_dir):
                say(f"stopping elasticsearch (pid {record.pid}), which did not come up")
                process.stop_group(record.pid, config.stop_timeout_s)
            state_file.save(home, state.without(ELASTICSEARCH))
            if isinstance(exc, ServiceStartError):
                logs = [layout.console, layout.logs / f"{config.cluster_name}.log"]
                raise _failure("Elasticsearch", str(exc), logs) from exc
            raise
        elapsed = time.monotonic() - begin
        say(
            f"elasticsearch ready at {record.address} (pid {record.pid}, {elapsed:.1f} s; "
            "cluster yellow)"
        )
        return record.address


def _spawn_elasticsearch(
    settings: Settings,
    config: StackSettings,
    layout: elasticsearch.ElasticsearchLayout,
    say: ProgressFn,
) -> ServiceRecord:
    """Fetch, configure and start the node (as an unprivileged account under root)."""
    stack_dir = state_file.stack_dir(settings.home)
    ports.require_free(
        config.elasticsearch_port, "Elasticsearch HTTP", "MARSAD_STACK_ELASTICSEARCH_PORT"
    )
    java = JavaFinder.from_environment().require(elasticsearch.MIN_JAVA, "Elasticsearch")
    account = elasticsearch.run_as(os.geteuid(), config.elasticsearch_user)
    elasticsearch.setpriv_prefix(account)  # no setpriv: fail before any download
    cache = settings.cache_dir.expanduser()
    home = maven.ensure_unpacked(elasticsearch.distribution(config), cache, say)
    home = elasticsearch.readable_home(home, account, layout, say)
    elasticsearch.prepare(config, layout, home, account)
    _rotate(layout.console)
    launcher = elasticsearch.command(home, account)
    who = f" as {account.user} (setpriv)" if account is not None else ""
    say(f"starting Elasticsearch {elasticsearch.VERSION} on {java.describe()}{who}")
    pid = process.spawn(
        launcher,
        layout.console,
        cwd=layout.root,
        env=elasticsearch.environment(
            os.environ, elasticsearch.java_home(java.path), config, layout, stack_dir
        ),
        markers=process.marker_args(ELASTICSEARCH, stack_dir),
    )
    address = f"http://{ports.LOOPBACK}:{config.elasticsearch_port}"
    return _record(pid, config.elasticsearch_port, address, java, layout.console)

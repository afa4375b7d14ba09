"""The local Kafka broker: a single KRaft node (broker and controller) on loopback."""

from __future__ import annotations

import base64
import logging
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from devtools.stack import ports, process
from devtools.stack.config import StackSettings
from devtools.stack.exceptions import ServiceStartError, StackError
from devtools.stack.java import KAFKA_MIN_JAVA
from devtools.stack.maven import JarSet

logger = logging.getLogger(__name__)

NAME = "kafka"
VERSION = "4.1.1"
MIN_JAVA = KAFKA_MIN_JAVA
FORMAT_TIMEOUT_S = 120


def jar_set(settings: StackSettings) -> JarSet:
    return JarSet(
        name=f"kafka-{VERSION}",
        label=f"Kafka {VERSION}",
        pom=settings.deploy_dir / "kafka.pom.xml",
        approx_mb=45,
    )


@dataclass(frozen=True)
class KafkaLayout:
    """Where the broker keeps its files under ``<home>/stack/kafka``."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def properties(self) -> Path:
        return self.root / "server.properties"

    @property
    def cluster_id_file(self) -> Path:
        return self.root / "cluster.id"

    @property
    def console(self) -> Path:
        """stdout/stderr of the JVM (start-up failures land here, not in the log4j2 file)."""
        return self.root / "kafka.out"

    @property
    def server_log(self) -> Path:
        return self.logs / "server.log"


def new_cluster_id() -> str:
    """A Kafka cluster id: a random UUID, URL-safe base64 without padding (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")


def cluster_id(path: Path) -> str:
    """The stable cluster id kept in ``path``, created on first use."""
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    created = new_cluster_id()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(created + "\n", encoding="utf-8")
    return created


def render_properties(template: str, port: int, controller_port: int, data_dir: Path) -> str:
    """Fill in the ``deploy/stack/kafka-server.properties`` template."""
    try:
        return Template(template).substitute(
            port=port, controller_port=controller_port, data_dir=data_dir.resolve().as_posix()
        )
    except (KeyError, ValueError) as exc:
        raise StackError(
            f"deploy/stack/kafka-server.properties is not a valid template ({exc!r}): only "
            "${port}, ${controller_port} and ${data_dir} are filled in; write $$ for a dollar sign"
        ) from exc


def logging_options(settings: StackSettings, layout: KafkaLayout) -> list[str]:
    """log4j2 writes everything to ``<kafka>/logs/server.log``."""
    config = (settings.deploy_dir / "kafka-log4j2.properties").resolve()
    return [f"-Dlog4j2.configurationFile={config}", f"-Dkafka.logs.dir={layout.logs.resolve()}"]


def jvm_options(settings: StackSettings, layout: KafkaLayout, stack_dir: Path) -> list[str]:
    return [
        f"-Xms{settings.heap}",
        f"-Xmx{settings.heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        *logging_options(settings, layout),
        *process.marker_args(NAME, stack_dir),
    ]


def format_command(
    java: Path, classpath: str, settings: StackSettings, layout: KafkaLayout, cluster: str
) -> list[str]:
    return [
        str(java),
        "-Xmx256m",
        *logging_options(settings, layout),
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster,
        "-c",
        str(layout.properties),
        "--ignore-formatted",
    ]


def server_command(
    java: Path, classpath: str, settings: StackSettings, layout: KafkaLayout, stack_dir: Path
) -> list[str]:
    return [
        str(java),
        *jvm_options(settings, layout, stack_dir),
        "-cp",
        classpath,
        "kafka.Kafka",
        str(layout.properties),
    ]


def prepare(settings: StackSettings, layout: KafkaLayout, java: Path, classpath: str) -> None:
    """Write server.properties and format the storage (kept across restarts)."""
    layout.data.mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    template = (settings.deploy_dir / "kafka-server.properties").read_text(encoding="utf-8")
    layout.properties.write_text(
        render_properties(
            template, settings.kafka_port, settings.kafka_controller_port, layout.data
        ),
        encoding="utf-8",
    )
    command = format_command(java, classpath, settings, layout, cluster_id(layout.cluster_id_file))
    completed = subprocess.run(  # noqa: S603 - a java command line we built
        command, capture_output=True, text=True, timeout=FORMAT_TIMEOUT_S, check=False
    )
    if completed.returncode != 0:
        output = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise ServiceStartError(
            f"formatting Kafka's storage in {layout.data} failed (exit {completed.returncode}):\n"
            f"{output}\nIf the data is from another Kafka version or cluster, stop the stack, "
            f"delete {layout.root} and run marsad stack up again"
        )
    logger.debug("kafka storage: %s", completed.stdout.strip())


def answers(bootstrap: str, timeout_s: float = 5.0) -> bool:
    """True when the broker at ``bootstrap`` answers a real Kafka request (DescribeCluster)."""
    host, _, port = bootstrap.rpartition(":")
    if not ports.accepts(int(port), host):
        return False
    # Imported here: importing devtools.stack (read_state) must stay cheap and quiet.
    from kafka import KafkaAdminClient  # noqa: PLC0415
    from kafka.errors import KafkaError  # noqa: PLC0415

    timeout_ms = int(timeout_s * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="marsad-stack-probe",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, OSError) as exc:
        logger.debug("kafka at %s not answering yet: %s", bootstrap, exc)
        return False
    try:
        cluster = admin.describe_cluster()
    except (KafkaError, OSError) as exc:
        logger.debug("kafka at %s not answering yet: %s", bootstrap, exc)
        return False
    finally:
        admin.close()
    brokers = cluster.get("brokers", [])
    return bool(brokers) and not any(broker.get("is_fenced") for broker in brokers)


def wait_ready(pid: int, bootstrap: str, deadline: float, say: Callable[[str], None]) -> None:
    """Block until the broker answers; raise if it dies or the deadline passes."""
    started = time.monotonic()
    next_note = started + 10
    while True:
        if not process.is_alive(pid):
            raise ServiceStartError(f"Kafka (pid {pid}) exited during start-up")
        if answers(bootstrap):
            return
        now = time.monotonic()
        if now >= deadline:
            raise ServiceStartError(
                f"Kafka did not answer at {bootstrap} within {now - started:.0f} s"
            )
        if now >= next_note:
            say(f"  still waiting for Kafka at {bootstrap} ({now - started:.0f} s)...")
            next_note = now + 10
        time.sleep(0.5)

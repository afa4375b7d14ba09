"""The local Elasticsearch node, started on demand from the integ-test-zip distribution.

Maven Central's only Elasticsearch distribution is ``integ-test-zip`` (8.19.21: server,
transport-netty4, x-pack-core/security and apm; no analysis-common, so no ``arabic`` analyzer;
no REST root, ``GET /`` answers 405). It is unpacked into the cache and started with its own
``bin/elasticsearch``, not with a java command line of ours: the server's main class reads its
arguments, serialized, from stdin written by the launcher, which also computes the JVM options
(``jvm.options``, module path, entitlement agent). The launcher's JVM stays in the foreground as
the parent of the server's and leads the process group: its pid is the one recorded, and
stopping that group stops both. Both JVMs carry the stack's marker arguments (``CLI_JAVA_OPTS``
for the launcher, ``ES_JAVA_OPTS`` for the server).

Elasticsearch refuses to run as root. Started by root (CI), it runs as an unprivileged account
(``MARSAD_STACK_ELASTICSEARCH_USER``, ``nobody``) through ``setpriv``, with its config, data,
log and temporary directories under ``<home>/stack/elasticsearch`` owned by that account. The
cache usually lives under root's home, which that account cannot enter (``/root`` is 0700): the
distribution is then mirrored (hard links, or a copy across file systems) next to the data;
nothing outside the stack directory changes mode or owner.
"""

from __future__ import annotations

import grp
import logging
import os
import pwd
import shutil
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.stack import process
from devtools.stack.config import StackSettings
from devtools.stack.exceptions import ServiceStartError, ToolMissingError
from devtools.stack.maven import MARKER, Distribution

logger = logging.getLogger(__name__)

NAME = "elasticsearch"
VERSION = "8.19.21"
MIN_JAVA = 17
PRODUCT_HEADER = "x-elastic-product"
PRODUCT = "Elasticsearch"
# The distribution's JVM options that name files relative to the working directory (the
# distribution itself, read-only to the account ES runs as): replaced by absolute paths.
_RELATIVE_JVM_OPTIONS = ("-Xlog:", "-XX:ErrorFile=", "-XX:+HeapDumpOnOutOfMemoryError")
# Variables the launcher scripts read, or warn about, that must come from us alone.
_CLEARED_ENV = ("JAVA_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS")


def distribution(settings: StackSettings) -> Distribution:
    return Distribution(
        name=f"elasticsearch-{VERSION}",
        label=f"Elasticsearch {VERSION}",
        pom=settings.deploy_dir / "elasticsearch.pom.xml",
        approx_mb=107,
        top=f"elasticsearch-{VERSION}",
    )


@dataclass(frozen=True)
class ElasticsearchLayout:
    """Where the node keeps its files under ``<home>/stack/elasticsearch``."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def mirror(self) -> Path:
        """A copy of the distribution the unprivileged account can read, when it needs one."""
        return self.root / "distribution"

    @property
    def console(self) -> Path:
        """stdout/stderr of both JVMs (start-up failures land here)."""
        return self.root / "elasticsearch.out"

    def owned(self) -> tuple[Path, ...]:
        """The directories the node writes to."""
        return (self.root, self.config, self.data, self.logs, self.tmp)


@dataclass(frozen=True)
class Account:
    """The unprivileged account Elasticsearch runs as when the stack is started by root."""

    user: str
    group: str
    uid: int
    gid: int


def run_as(euid: int, user: str) -> Account | None:
    """Who Elasticsearch must run as: None (this process's user) unless started by root."""
    if euid != 0:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError as exc:
        raise ToolMissingError(
            f"Elasticsearch refuses to run as root and the account {user!r} to run it as does "
            "not exist: create one (useradd --system marsad-es) and set "
            "MARSAD_STACK_ELASTICSEARCH_USER to it"
        ) from exc
    if entry.pw_uid == 0:
        raise ToolMissingError(
            f"MARSAD_STACK_ELASTICSEARCH_USER={user} is root: Elasticsearch refuses to run as "
            "root; name an unprivileged account (nobody)"
        )
    try:
        group = grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        group = str(entry.pw_gid)
    return Account(user=user, group=group, uid=entry.pw_uid, gid=entry.pw_gid)


def setpriv_prefix(account: Account | None) -> list[str]:
    """The command that drops to ``account`` before the launcher runs (nothing if None)."""
    if account is None:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise ToolMissingError(
            "setpriv is not on PATH; it starts Elasticsearch as an unprivileged account when "
            "the stack runs as root. Install util-linux: apt-get install -y util-linux"
        )
    return [
        setpriv,
        f"--reuid={account.uid}",
        f"--regid={account.gid}",
        "--clear-groups",
    ]


def command(home: Path, account: Account | None) -> list[str]:
    return [*setpriv_prefix(account), str(home / "bin" / "elasticsearch")]


def render_config(settings: StackSettings, layout: ElasticsearchLayout) -> str:
    """``elasticsearch.yml``: loopback, one node, no security, data and logs in the stack dir."""
    return (
        "# Written by `marsad stack up --engine elasticsearch` on every start; edits are "
        "overwritten.\n"
        f"cluster.name: {settings.cluster_name}\n"
        "node.name: marsad-elasticsearch\n"
        "network.host: 127.0.0.1\n"
        f"http.port: {settings.elasticsearch_port}\n"
        f'transport.port: "{settings.elasticsearch_transport_ports}"\n'
        "discovery.type: single-node\n"
        "xpack.security.enabled: false\n"
        f"path.data: {layout.data.resolve()}\n"
        f"path.logs: {layout.logs.resolve()}\n"
        "# A nearly full disk must not keep a development node from turning yellow.\n"
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
    )


def render_jvm_options(distributed: str, logs: Path) -> str:
    """The distribution's ``jvm.options`` with its working-directory files moved to ``logs``.

    The GC log and heap dumps are dropped (a development node), the fatal error file goes
    to the log directory; everything else is kept as shipped.
    """
    kept = [
        line
        for line in distributed.splitlines()
        if not any(option in line for option in _RELATIVE_JVM_OPTIONS)
    ]
    kept.append(f"-XX:ErrorFile={logs.resolve()}/hs_err_pid%p.log")
    return "\n".join(kept) + "\n"


def environment(
    base: Mapping[str, str],
    java_home: Path,
    settings: StackSettings,
    layout: ElasticsearchLayout,
    stack_dir: Path,
) -> dict[str, str]:
    """The launcher's environment: our Java, config, heap and markers, nothing inherited."""
    markers = " ".join(process.marker_args(NAME, stack_dir))
    env = {k: v for k, v in base.items() if k not in _CLEARED_ENV and not k.startswith("ES_")}
    env.update(
        {
            "HOME": str(layout.root.resolve()),
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(layout.config.resolve()),
            "ES_TMPDIR": str(layout.tmp.resolve()),
            "ES_JAVA_OPTS": f"-Xms{settings.heap} -Xmx{settings.heap} {markers}",
            "CLI_JAVA_OPTS": markers,
        }
    )
    return env


def java_home(java: Path) -> Path:
    """The JDK home of a ``java`` binary (``ES_JAVA_HOME``), through any symlinks."""
    return java.resolve().parent.parent


def can_reach(
    path: Path,
    uid: int,
    gid: int,
    stat_of: Callable[[Path], os.stat_result] = os.stat,
) -> bool:
    """True if the account (``uid``, ``gid``, no other groups) can enter every directory on the
    way to ``path`` and read ``path`` itself."""
    target = path.resolve()
    for directory in (*reversed(target.parents), target):
        try:
            info = stat_of(directory)
        except OSError:
            return False
        if info.st_uid == uid:
            needed = stat.S_IXUSR | (stat.S_IRUSR if directory == target else 0)
        elif info.st_gid == gid:
            needed = stat.S_IXGRP | (stat.S_IRGRP if directory == target else 0)
        else:
            needed = stat.S_IXOTH | (stat.S_IROTH if directory == target else 0)
        if info.st_mode & needed != needed:
            return False
    return True


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system: a plain copy
        shutil.copy2(source, destination)


def readable_home(
    home: Path, account: Account | None, layout: ElasticsearchLayout, say: Callable[[str], None]
) -> Path:
    """``home`` if the node's account can read it, else a mirror of it in the stack directory."""
    if account is None or can_reach(home / "lib", account.uid, account.gid):
        return home
    mirrored = layout.mirror / home.name
    source_marker = (home.parent.parent / MARKER).read_text(encoding="utf-8")
    mirror_marker = layout.mirror / MARKER
    if (
        mirrored.is_dir()
        and mirror_marker.is_file()
        and mirror_marker.read_text(encoding="utf-8") == source_marker
    ):
        return mirrored
    say(
        f"{account.user} cannot read {home} (a parent directory is closed to it): "
        f"mirroring the distribution into {layout.mirror}"
    )
    shutil.rmtree(layout.mirror, ignore_errors=True)
    layout.mirror.mkdir(parents=True)
    shutil.copytree(home, mirrored, symlinks=True, copy_function=_link_or_copy)
    mirror_marker.write_text(source_marker, encoding="utf-8")
    return mirrored


def prepare(
    settings: StackSettings, layout: ElasticsearchLayout, home: Path, account: Account | None
) -> None:
    """Write the node's config; hand its directories to ``account`` when there is one."""
    for directory in layout.owned():
        directory.mkdir(parents=True, exist_ok=True)
    shipped = home / "config"
    shutil.copy2(shipped / "log4j2.properties", layout.config / "log4j2.properties")
    (layout.config / "jvm.options").write_text(
        render_jvm_options((shipped / "jvm.options").read_text(encoding="utf-8"), layout.logs),
        encoding="utf-8",
    )
    (layout.config / "elasticsearch.yml").write_text(
        render_config(settings, layout), encoding="utf-8"
    )
    if account is None:
        return
    if not can_reach(layout.root.parent, account.uid, account.gid):
        raise ServiceStartError(
            f"{account.user} (the account Elasticsearch runs as) cannot enter "
            f"{layout.root.parent}: open its parent directories to others (chmod o+x) or set "
            "MARSAD_HOME to a directory under one that is"
        )
    for top, dirs, files in os.walk(layout.root):
        dirs[:] = [d for d in dirs if Path(top, d) != layout.mirror]  # stays root's, read-only
        for name in (Path(top), *(Path(top, f) for f in files)):
            os.chown(name, account.uid, account.gid, follow_symlinks=False)


def _client() -> httpx.Client:
    # trust_env=False: a proxy from the environment must never see loopback traffic.
    return httpx.Client(timeout=httpx.Timeout(10.0), trust_env=False)


def answers(
    url: str, cluster_name: str, health_timeout_s: int = 1, client: httpx.Client | None = None
) -> bool:
    """True when ``url`` is our Elasticsearch cluster, at least yellow.

    The test distribution has no REST root (``GET /`` answers 405): the cluster's health is
    asked instead, and the answer must carry ``X-Elastic-Product: Elasticsearch``.
    """
    health = f"{url}/_cluster/health?wait_for_status=yellow&timeout={health_timeout_s}s"
    with client if client is not None else _client() as http:
        try:
            response = http.get(health)
        except httpx.HTTPError as exc:
            logger.debug("GET %s: %s", health, exc)
            return False
    if response.status_code != 200 or response.headers.get(PRODUCT_HEADER) != PRODUCT:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("cluster_name") == cluster_name
        and body.get("status") in {"yellow", "green"}
    )


def wait_ready(
    pid: int, url: str, cluster_name: str, deadline: float, say: Callable[[str], None]
) -> None:
    """Block until the node answers at ``url``; raise if it dies or the deadline passes."""
    started = time.monotonic()
    next_note = started + 15
    while True:
        if not process.is_alive(pid):
            raise ServiceStartError(f"Elasticsearch (pid {pid}) exited during start-up")
        if answers(url, cluster_name, 5):
            return
        now = time.monotonic()
        if now >= deadline:
            raise ServiceStartError(
                f"Elasticsearch did not answer at {url} within {now - started:.0f} s"
            )
        if now >= next_note:
            say(f"  still waiting for Elasticsearch at {url} ({now - started:.0f} s)...")
            next_note = now + 15
        time.sleep(1.0)

"""Fetching a service from Maven Central with Maven itself, once per cache.

A fetch-only pom under ``deploy/stack`` lists the service. For a set of jars,
``mvn dependency:copy-dependencies`` copies it and its runtime dependencies into
``<cache>/<name>/lib``; for a packaged distribution (a zip), ``mvn dependency:unpack-dependencies``
unpacks it into ``<cache>/<name>/dist``. A marker file holding the pom's digest is written after
a complete copy: while it matches, nothing is downloaded again; when the pom changes, the
service is fetched anew.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devtools.stack.exceptions import DownloadError, ToolMissingError

logger = logging.getLogger(__name__)

MARKER = ".complete"
DOWNLOAD_TIMEOUT_S = 1800


@dataclass(frozen=True)
class JarSet:
    """The jars of one service: what to fetch and where they go."""

    name: str
    label: str
    pom: Path
    approx_mb: int

    def directory(self, cache_dir: Path) -> Path:
        return cache_dir / self.name

    def lib(self, cache_dir: Path) -> Path:
        return self.directory(cache_dir) / "lib"

    def classpath(self, cache_dir: Path) -> str:
        return str(self.lib(cache_dir) / "*")


@dataclass(frozen=True)
class Distribution:
    """A service shipped as one zip with its own layout (``bin/``, ``lib/``, ``config/``...)."""

    name: str
    label: str
    pom: Path
    approx_mb: int
    top: str  # the zip's top-level directory, e.g. "elasticsearch-8.19.21"

    def directory(self, cache_dir: Path) -> Path:
        return cache_dir / self.name

    def home(self, cache_dir: Path) -> Path:
        """The unpacked distribution's root (what the service calls its home)."""
        return self.directory(cache_dir) / "dist" / self.top


def pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def is_complete(jars: JarSet, cache_dir: Path) -> bool:
    """True when the jars were copied completely from the current pom."""
    marker = jars.directory(cache_dir) / MARKER
    try:
        recorded = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == pom_digest(jars.pom) and any(jars.lib(cache_dir).glob("*.jar"))


def find_mvn() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ToolMissingError(
            "Maven (mvn) is not on PATH; it fetches Kafka and OpenSearch from Maven Central. "
            "Install Maven: apt-get install -y maven"
        )
    return mvn


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def last_lines(text: str, count: int) -> str:
    """The last ``count`` meaningful lines of Maven's output, without colour codes."""
    plain = (_ANSI_RE.sub("", line).rstrip() for line in text.splitlines())
    lines = [line for line in plain if line.strip() and line.strip() != "[ERROR]"]
    return "\n".join(lines[-count:])


def _marked(directory: Path, pom: Path) -> bool:
    try:
        recorded = (directory / MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == pom_digest(pom)


def is_unpacked(dist: Distribution, cache_dir: Path) -> bool:
    """True when the distribution was unpacked completely from the current pom."""
    return _marked(dist.directory(cache_dir), dist.pom) and dist.home(cache_dir).is_dir()


def _fetch(label: str, pom: Path, goal: list[str], staging: Path) -> None:
    """Run Maven's ``goal`` on ``pom`` into ``staging``; raise DownloadError if it fails."""
    if not pom.is_file():
        raise DownloadError(f"the fetch-only pom {pom} is missing: restore deploy/stack/")
    mvn = find_mvn()
    command = [
        mvn,
        "-B",
        "-q",
        "-U",  # retry artifacts whose earlier failure Maven cached in ~/.m2
        "-Dstyle.color=never",
        "-f",
        str(pom),
        *goal,
        f"-DoutputDirectory={staging}",
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - mvn from PATH with fixed arguments
            command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise DownloadError(
            f"Maven did not finish fetching {label} within {DOWNLOAD_TIMEOUT_S} s; "
            "check that Maven Central is reachable and run again"
        ) from exc
    if completed.returncode != 0 or not any(staging.iterdir()):
        shutil.rmtree(staging, ignore_errors=True)
        output = last_lines(completed.stdout + "\n" + completed.stderr, 20) or "(no output)"
        raise DownloadError(
            f"Maven could not fetch {label} (exit {completed.returncode}). Its last lines:\n"
            f"{output}\nCheck that Maven Central is reachable (proxy settings in "
            f"~/.m2/settings.xml) and run again: {' '.join(command)}"
        )


def ensure(jars: JarSet, cache_dir: Path, say: Callable[[str], None]) -> Path:
    """The lib directory of ``jars``, downloading it first if it is not complete yet."""
    lib = jars.lib(cache_dir)
    if is_complete(jars, cache_dir):
        logger.debug("%s jars already in %s", jars.label, lib)
        return lib
    if not jars.pom.is_file():
        raise DownloadError(f"the fetch-only pom {jars.pom} is missing: restore deploy/stack/")
    directory = jars.directory(cache_dir)
    staging = directory / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    say(
        f"downloading {jars.label} jars from Maven Central "
        f"(first run only, ~{jars.approx_mb} MB) into {lib} ..."
    )
    started = time.monotonic()
    goal = ["dependency:copy-dependencies", "-DincludeScope=runtime"]
    _fetch(jars.label, jars.pom, goal, staging)
    if not any(staging.glob("*.jar")):
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError(f"Maven fetched no jars for {jars.label}: check {jars.pom}")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    (directory / MARKER).write_text(pom_digest(jars.pom) + "\n", encoding="utf-8")
    size_mb = sum(jar.stat().st_size for jar in lib.glob("*.jar")) / 1_000_000
    say(f"{jars.label} jars ready: {size_mb:.0f} MB in {time.monotonic() - started:.1f} s")
    return lib


def ensure_unpacked(dist: Distribution, cache_dir: Path, say: Callable[[str], None]) -> Path:
    """The home of the unpacked ``dist``, downloading and unpacking it first if needed."""
    home = dist.home(cache_dir)
    if is_unpacked(dist, cache_dir):
        logger.debug("%s already unpacked in %s", dist.label, home)
        return home
    directory = dist.directory(cache_dir)
    staging, markers = directory / "dist.partial", directory / "maven-markers"
    for leftover in (staging, markers):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    say(
        f"downloading {dist.label} from Maven Central "
        f"(first run only, ~{dist.approx_mb} MB) into {home} ..."
    )
    started = time.monotonic()
    goal = [
        "dependency:unpack-dependencies",
        "-DincludeTypes=zip",
        # the plugin's "already unpacked" markers go here, not into deploy/stack/target
        f"-DmarkersDirectory={markers}",
    ]
    try:
        _fetch(dist.label, dist.pom, goal, staging)
    finally:
        shutil.rmtree(markers, ignore_errors=True)
    if not (staging / dist.top).is_dir():
        found = ", ".join(sorted(p.name for p in staging.iterdir())) or "nothing"
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError(
            f"the {dist.label} zip unpacked into {found}, not {dist.top}: check {dist.pom}"
        )
    final = home.parent
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    (directory / MARKER).write_text(pom_digest(dist.pom) + "\n", encoding="utf-8")
    say(f"{dist.label} ready in {time.monotonic() - started:.1f} s")
    return home

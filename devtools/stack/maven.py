"""Fetching a service's jars from Maven Central with Maven itself, once per cache.

A fetch-only pom under ``deploy/stack`` lists the service; ``mvn dependency:copy-dependencies``
copies it and its runtime dependencies into ``<cache>/<name>/lib``. A marker file holding the
pom's digest is written after a complete copy: while it matches, nothing is downloaded again;
when the pom changes, the jars are fetched anew.
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


def ensure(jars: JarSet, cache_dir: Path, say: Callable[[str], None]) -> Path:
    """The lib directory of ``jars``, downloading it first if it is not complete yet."""
    lib = jars.lib(cache_dir)
    if is_complete(jars, cache_dir):
        logger.debug("%s jars already in %s", jars.label, lib)
        return lib
    if not jars.pom.is_file():
        raise DownloadError(f"the fetch-only pom {jars.pom} is missing: restore deploy/stack/")
    mvn = find_mvn()
    directory = jars.directory(cache_dir)
    staging = directory / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    say(
        f"downloading {jars.label} jars from Maven Central "
        f"(first run only, ~{jars.approx_mb} MB) into {lib} ..."
    )
    command = [
        mvn,
        "-B",
        "-q",
        "-U",  # retry artifacts whose earlier failure Maven cached in ~/.m2
        "-Dstyle.color=never",
        "-f",
        str(jars.pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    started = time.monotonic()
    try:
        completed = subprocess.run(  # noqa: S603 - mvn from PATH with fixed arguments
            command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise DownloadError(
            f"Maven did not finish fetching {jars.label} within {DOWNLOAD_TIMEOUT_S} s; "
            "check that Maven Central is reachable and run again"
        ) from exc
    if completed.returncode != 0 or not any(staging.glob("*.jar")):
        shutil.rmtree(staging, ignore_errors=True)
        output = last_lines(completed.stdout + "\n" + completed.stderr, 20) or "(no output)"
        raise DownloadError(
            f"Maven could not fetch {jars.label} (exit {completed.returncode}). Its last lines:\n"
            f"{output}\nCheck that Maven Central is reachable (proxy settings in "
            f"~/.m2/settings.xml) and run again: {' '.join(command)}"
        )
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    (directory / MARKER).write_text(pom_digest(jars.pom) + "\n", encoding="utf-8")
    size_mb = sum(jar.stat().st_size for jar in lib.glob("*.jar")) / 1_000_000
    say(f"{jars.label} jars ready: {size_mb:.0f} MB in {time.monotonic() - started:.1f} s")
    return lib

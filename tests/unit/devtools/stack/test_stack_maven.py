"""Fetching jars with Maven: reuse of a complete download, failures that say what to do.

Maven itself is replaced by a small script on PATH: nothing here touches the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.stack import maven
from devtools.stack.exceptions import DownloadError, ToolMissingError

FAKE_MVN_OK = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/calls"
for arg in "$@"; do
  case "$arg" in -DoutputDirectory=*) out="${arg#-DoutputDirectory=}";; esac
done
mkdir -p "$out"
printf 'jar' > "$out/kafka_2.13-4.1.1.jar"
printf 'jar' > "$out/kafka-clients-4.1.1.jar"
"""

FAKE_MVN_FAIL = """#!/bin/sh
echo "[INFO] Scanning for projects..."
printf '\\033[1;31m[ERROR]\\033[m Failed to execute goal: Could not resolve dependencies\\n'
echo "[ERROR] "
echo "[ERROR] Could not transfer artifact org.apache.kafka:kafka_2.13:jar:4.1.1" >&2
exit 1
"""


@pytest.fixture
def jars(tmp_path: Path) -> maven.JarSet:
    pom = tmp_path / "kafka.pom.xml"
    pom.write_text("<project>v1</project>", encoding="utf-8")
    return maven.JarSet(name="kafka-4.1.1", label="Kafka 4.1.1", pom=pom, approx_mb=45)


def _install_mvn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mvn = bin_dir / "mvn"
    mvn.write_text(script, encoding="utf-8")
    mvn.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return bin_dir


def test_first_run_downloads_then_reuses(
    jars: maven.JarSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = _install_mvn(tmp_path, monkeypatch, FAKE_MVN_OK)
    cache = tmp_path / "cache"
    said: list[str] = []

    lib = maven.ensure(jars, cache, said.append)

    assert lib == cache / "kafka-4.1.1" / "lib"
    assert sorted(p.name for p in lib.iterdir()) == [
        "kafka-clients-4.1.1.jar",
        "kafka_2.13-4.1.1.jar",
    ]
    assert not (cache / "kafka-4.1.1" / "lib.partial").exists()
    assert maven.is_complete(jars, cache)
    assert said[0].startswith(
        "downloading Kafka 4.1.1 jars from Maven Central (first run only, ~45 MB)"
    )
    calls = (bin_dir / "calls").read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1
    assert "dependency:copy-dependencies" in calls[0]
    assert "-DincludeScope=runtime" in calls[0]
    assert f"-f {jars.pom}" in calls[0]

    said.clear()
    assert maven.ensure(jars, cache, said.append) == lib
    assert said == []  # complete: no download, no progress line
    assert len((bin_dir / "calls").read_text(encoding="utf-8").splitlines()) == 1


def test_changed_pom_invalidates_the_cache(
    jars: maven.JarSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_mvn(tmp_path, monkeypatch, FAKE_MVN_OK)
    cache = tmp_path / "cache"
    maven.ensure(jars, cache, lambda _line: None)
    jars.pom.write_text("<project>v2</project>", encoding="utf-8")
    assert not maven.is_complete(jars, cache)


def test_complete_cache_needs_no_maven(
    jars: maven.JarSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    lib = jars.lib(cache)
    lib.mkdir(parents=True)
    (lib / "a.jar").write_bytes(b"jar")
    (jars.directory(cache) / maven.MARKER).write_text(maven.pom_digest(jars.pom), encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert maven.ensure(jars, cache, lambda _line: None) == lib


def test_interrupted_download_is_not_complete(jars: maven.JarSet, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    jars.lib(cache).mkdir(parents=True)
    (jars.lib(cache) / "a.jar").write_bytes(b"jar")  # jars but no marker
    assert not maven.is_complete(jars, cache)


def test_missing_maven_says_how_to_install_it(
    jars: maven.JarSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolMissingError, match=r"apt-get install -y maven"):
        maven.ensure(jars, tmp_path / "cache", lambda _line: None)


def test_refused_download_shows_mavens_last_lines(
    jars: maven.JarSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_mvn(tmp_path, monkeypatch, FAKE_MVN_FAIL)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as caught:
        maven.ensure(jars, cache, lambda _line: None)
    message = str(caught.value)
    assert "Maven could not fetch Kafka 4.1.1 (exit 1)" in message
    assert "[ERROR] Failed to execute goal: Could not resolve dependencies" in message
    assert "Could not transfer artifact org.apache.kafka:kafka_2.13:jar:4.1.1" in message
    assert "\x1b" not in message  # colour codes stripped
    assert not maven.is_complete(jars, cache)
    assert not (cache / "kafka-4.1.1" / "lib.partial").exists()

"""Elasticsearch on demand: its config, its command line, who it runs as, when it answers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from devtools.stack import elasticsearch, maven, process
from devtools.stack.config import StackSettings
from devtools.stack.exceptions import ToolMissingError
from devtools.stack.state import ELASTICSEARCH, ServiceRecord, StackState

LAYOUT = elasticsearch.ElasticsearchLayout(Path("/work/.marsad/stack/elasticsearch"))
NOBODY = elasticsearch.Account(user="nobody", group="nogroup", uid=65534, gid=65534)


def test_config_binds_loopback_single_node_without_security() -> None:
    settings = StackSettings(elasticsearch_port=9401, cluster_name="marsad-test")
    text = elasticsearch.render_config(settings, LAYOUT)
    assert "network.host: 127.0.0.1\n" in text
    assert "discovery.type: single-node\n" in text
    assert "xpack.security.enabled: false\n" in text
    assert "http.port: 9401\n" in text
    assert 'transport.port: "19400-19499"\n' in text
    assert "cluster.name: marsad-test\n" in text
    assert "path.data: /work/.marsad/stack/elasticsearch/data\n" in text
    assert "path.logs: /work/.marsad/stack/elasticsearch/logs\n" in text


def test_jvm_options_write_nothing_into_the_distribution() -> None:
    shipped = (
        "-XX:+UseG1GC\n"
        "-Djava.io.tmpdir=${ES_TMPDIR}\n"
        "-XX:+HeapDumpOnOutOfMemoryError\n"
        "-XX:ErrorFile=hs_err_pid%p.log\n"
        "-Xlog:gc*,gc+age=trace,safepoint:file=gc.log:utctime,level,pid,tags\n"
    )
    text = elasticsearch.render_jvm_options(shipped, LAYOUT.logs)
    assert text.splitlines() == [
        "-XX:+UseG1GC",
        "-Djava.io.tmpdir=${ES_TMPDIR}",
        "-XX:ErrorFile=/work/.marsad/stack/elasticsearch/logs/hs_err_pid%p.log",
    ]


def test_the_port_stays_out_of_the_opensearch_runners_scan() -> None:
    assert StackSettings().elasticsearch_port == 9400
    with pytest.raises(ValidationError, match="MARSAD_STACK_ELASTICSEARCH_PORT 9280"):
        StackSettings(elasticsearch_port=9280)
    StackSettings(elasticsearch_port=9280, opensearch_base_port=9281)  # below the scan: fine


def test_not_root_runs_as_itself() -> None:
    assert elasticsearch.run_as(1000, "nobody") is None
    assert elasticsearch.setpriv_prefix(None) == []
    assert elasticsearch.command(Path("/es"), None) == ["/es/bin/elasticsearch"]


def test_root_runs_it_as_the_unprivileged_account() -> None:
    account = elasticsearch.run_as(0, "nobody")
    assert account is not None
    assert account.user == "nobody"
    assert account.uid != 0


def test_root_without_such_an_account_says_what_to_do() -> None:
    with pytest.raises(ToolMissingError, match="MARSAD_STACK_ELASTICSEARCH_USER"):
        elasticsearch.run_as(0, "no-such-account-here")
    with pytest.raises(ToolMissingError, match="refuses to run as root"):
        elasticsearch.run_as(0, "root")


def test_setpriv_drops_every_privilege_before_the_launcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(elasticsearch.shutil, "which", lambda _name: "/usr/bin/setpriv")
    assert elasticsearch.command(Path("/es"), NOBODY) == [
        "/usr/bin/setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "/es/bin/elasticsearch",
    ]


def test_without_setpriv_root_is_told_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elasticsearch.shutil, "which", lambda _name: None)
    with pytest.raises(ToolMissingError, match="util-linux"):
        elasticsearch.setpriv_prefix(NOBODY)


def test_environment_carries_heap_markers_and_nothing_inherited(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin", "JAVA_HOME": "/other", "ES_JAVA_OPTS": "-Xmx8g", "LANG": "C"}
    layout = elasticsearch.ElasticsearchLayout(tmp_path / "elasticsearch")
    env = elasticsearch.environment(
        base, Path("/jdk17"), StackSettings(heap="1g"), layout, tmp_path
    )
    markers = process.marker_args(ELASTICSEARCH, tmp_path)
    assert env["ES_JAVA_OPTS"].split() == ["-Xms1g", "-Xmx1g", *markers]
    assert env["CLI_JAVA_OPTS"].split() == markers  # the launcher (the recorded pid) too
    assert env["ES_JAVA_HOME"] == "/jdk17"
    assert env["ES_PATH_CONF"] == str(layout.config.resolve())
    assert env["ES_TMPDIR"] == str(layout.tmp.resolve())
    assert env["HOME"] == str(layout.root.resolve())
    assert "JAVA_HOME" not in env
    assert (env["PATH"], env["LANG"]) == ("/usr/bin", "C")


def _fake_stat(modes: dict[str, tuple[int, int]]) -> object:
    def stat_of(path: Path) -> os.stat_result:
        mode, owner = modes.get(str(path), (0o755, 0))
        return os.stat_result((stat.S_IFDIR | mode, 0, 0, 0, owner, owner, 0, 0, 0, 0))

    return stat_of


def test_a_closed_home_directory_is_not_reachable() -> None:
    closed = _fake_stat({"/root": (0o700, 0)})
    path = Path("/root/.cache/marsad/elasticsearch-8.19.21/dist/elasticsearch-8.19.21/lib")
    assert not elasticsearch.can_reach(path, 65534, 65534, closed)  # type: ignore[arg-type]
    assert elasticsearch.can_reach(path, 0, 0, closed)  # type: ignore[arg-type]
    assert elasticsearch.can_reach(Path("/work/main"), 65534, 65534, closed)  # type: ignore[arg-type]


def test_an_unreadable_cache_is_mirrored_once(tmp_path: Path) -> None:
    home = tmp_path / "cache" / "elasticsearch-8.19.21" / "dist" / "elasticsearch-8.19.21"
    (home / "lib").mkdir(parents=True)
    (home / "lib" / "server.jar").write_bytes(b"jar")
    (home.parent.parent / maven.MARKER).write_text("digest\n", encoding="utf-8")
    layout = elasticsearch.ElasticsearchLayout(tmp_path / "stack" / "elasticsearch")
    stranger = elasticsearch.Account("stranger", "strangers", uid=424242, gid=424242)
    (tmp_path / "cache").chmod(0o700)
    said: list[str] = []
    try:
        mirrored = elasticsearch.readable_home(home, stranger, layout, said.append)
        again = elasticsearch.readable_home(home, stranger, layout, said.append)
    finally:
        (tmp_path / "cache").chmod(0o755)
    assert mirrored == again == layout.mirror / "elasticsearch-8.19.21"
    assert (mirrored / "lib" / "server.jar").read_bytes() == b"jar"
    assert len(said) == 1 and "mirroring the distribution" in said[0]
    assert elasticsearch.readable_home(home, None, layout, said.append) == home


def _engine(product: str | None, cluster: str = "marsad-local", code: int = 200) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/_cluster/health"
        headers = {"x-elastic-product": product} if product else {}
        return httpx.Response(
            code, json={"cluster_name": cluster, "status": "yellow"}, headers=headers
        )

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_answers_only_as_our_elasticsearch() -> None:
    url = "http://127.0.0.1:9400"
    assert elasticsearch.answers(url, "marsad-local", client=_engine("Elasticsearch"))
    assert not elasticsearch.answers(url, "marsad-local", client=_engine(None))  # OpenSearch
    assert not elasticsearch.answers(url, "marsad-local", client=_engine("Elasticsearch", "x"))
    assert not elasticsearch.answers(url, "marsad-local", client=_engine("Elasticsearch", code=408))


def test_the_state_file_names_its_url() -> None:
    record = ServiceRecord(
        pid=7,
        port=9400,
        address="http://127.0.0.1:9400",
        java="/usr/bin/java",
        java_major=17,
        log="/x/elasticsearch.out",
        started_at="2026-01-01T00:00:00+00:00",
    )
    data = StackState().with_service(ELASTICSEARCH, record).to_json()
    assert data["elasticsearch_url"] == "http://127.0.0.1:9400"
    assert StackState.from_json(data).get(ELASTICSEARCH) == record


FAKE_MVN_UNPACK = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/calls"
for arg in "$@"; do
  case "$arg" in -DoutputDirectory=*) out="${arg#-DoutputDirectory=}";; esac
done
mkdir -p "$out/elasticsearch-8.19.21/bin"
printf '#!/bin/sh' > "$out/elasticsearch-8.19.21/bin/elasticsearch"
"""


def test_the_distribution_is_unpacked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mvn").write_text(FAKE_MVN_UNPACK, encoding="utf-8")
    (bin_dir / "mvn").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    pom = tmp_path / "elasticsearch.pom.xml"
    pom.write_text("<project/>", encoding="utf-8")
    dist = maven.Distribution(
        name="elasticsearch-8.19.21",
        label="Elasticsearch 8.19.21",
        pom=pom,
        approx_mb=107,
        top="elasticsearch-8.19.21",
    )
    cache = tmp_path / "cache"
    home = maven.ensure_unpacked(dist, cache, lambda _line: None)
    assert home == cache / "elasticsearch-8.19.21" / "dist" / "elasticsearch-8.19.21"
    assert (home / "bin" / "elasticsearch").is_file()
    assert maven.is_unpacked(dist, cache)
    assert maven.ensure_unpacked(dist, cache, lambda _line: None) == home
    calls = (bin_dir / "calls").read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1
    assert "dependency:unpack-dependencies" in calls[0]
    assert "-DmarkersDirectory=" in calls[0]  # not deploy/stack/target
    assert not (cache / "elasticsearch-8.19.21" / "maven-markers").exists()


def test_the_real_pom_names_the_measured_distribution() -> None:
    pom = elasticsearch.distribution(StackSettings()).pom.read_text(encoding="utf-8")
    assert "<groupId>org.elasticsearch.distribution.integ-test-zip</groupId>" in pom
    assert f"<version>{elasticsearch.VERSION}</version>" in pom
    assert "<type>zip</type>" in pom

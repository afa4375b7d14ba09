"""The state file: round trip, absence, corruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.stack import state
from devtools.stack.exceptions import StackError
from devtools.stack.state import KAFKA, OPENSEARCH, ServiceRecord, StackState


def _record(pid: int, port: int, address: str) -> ServiceRecord:
    return ServiceRecord(
        pid=pid,
        port=port,
        address=address,
        java="/usr/bin/java",
        java_major=17,
        log="/srv/marsad/stack/kafka/logs/server.log",
        started_at="2026-01-01T10:00:00+00:00",
    )


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    kafka = ServiceRecord(
        **{**_record(101, 19092, "127.0.0.1:19092").__dict__, "extra_ports": {"controller": 19093}}
    )
    recorded = StackState().with_service(KAFKA, kafka)
    recorded = recorded.with_service(OPENSEARCH, _record(202, 9271, "http://127.0.0.1:9271"))

    path = state.save(tmp_path, recorded)

    assert path == tmp_path.resolve() / "stack" / "state.json"
    assert state.load(tmp_path) == recorded
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["kafka_bootstrap"] == "127.0.0.1:19092"
    assert data["search_url"] == "http://127.0.0.1:9271"
    assert data["services"]["kafka"]["pid"] == 101
    assert data["services"]["kafka"]["extra_ports"] == {"controller": 19093}
    assert data["services"]["opensearch"]["port"] == 9271
    assert not list(path.parent.glob("*.tmp"))  # written atomically, nothing left over


def test_missing_file_is_an_empty_state(tmp_path: Path) -> None:
    assert state.load(tmp_path) == StackState()


def test_a_service_without_an_address_yet_gives_no_url(tmp_path: Path) -> None:
    starting = StackState().with_service(OPENSEARCH, _record(5, 0, ""))
    data = starting.to_json()
    assert "search_url" not in data
    assert "kafka_bootstrap" not in data
    assert StackState.from_json(data) == starting


def test_without_removes_only_that_service() -> None:
    both = (
        StackState()
        .with_service(KAFKA, _record(1, 19092, "127.0.0.1:19092"))
        .with_service(OPENSEARCH, _record(2, 9271, "http://127.0.0.1:9271"))
    )
    only_search = both.without(KAFKA)
    assert only_search.get(KAFKA) is None
    assert only_search.get(OPENSEARCH) == both.get(OPENSEARCH)
    assert both.get(KAFKA) is not None  # frozen: the original is unchanged


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"version": 99, "services": {}}),
        json.dumps({"version": 1, "services": {"kafka": {"pid": 1}}}),
    ],
)
def test_corrupt_file_raises_a_stack_error_naming_it(tmp_path: Path, content: str) -> None:
    path = state.state_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StackError) as caught:
        state.load(tmp_path)
    assert str(path) in str(caught.value)
    assert "delete" in str(caught.value)

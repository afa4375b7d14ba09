"""The seams (pipeline.seams) against the libraries actually installed.

test_app_recovery.py mocks the Faust internals the recovery seam touches, so it would stay green
if an upgrade removed them. These tests look at the real classes instead: every private
attribute the seams use is still there with the shape they use, Faust's method the seam copies
is still the one it was copied from, and a version outside a seam's range stops the import with
a message naming the library, the version and the range.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import inspect
import textwrap
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import Any

import faust
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.consumer.fetcher import Fetcher, FetchResult
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.types import TP

import pipeline.seams
from kernel.exceptions import MarsadError
from pipeline.seams import UnsupportedLibraryVersion, aiokafka_fetching, faust_recovery, require
from pipeline.seams.faust_recovery import SeekThenResumeRecovery, SeekThenResumeTableManager

SEAMS = [(faust_recovery, "faust-streaming"), (aiokafka_fetching, "aiokafka")]

# sha256 of the dedented source of Faust's methods that the seam copies (faust-streaming 0.15.3).
# If one changes: merge the change into pipeline/seams/faust_recovery.py, then update the digest.
COPIED_FROM_FAUST = {
    "Recovery.on_recovery_completed": (
        Recovery.on_recovery_completed,
        "895e7c415a4d137997ea0e6c04f0c180d3c783cd6ef18a977a14338ca1073b59",
    ),
    "TableManager.recovery": (
        inspect.getattr_static(TableManager, "recovery").fget,
        "9e5e10447444e1dfc5682dde497b598ebf565708ff09cdfca408e1369280dd3e",
    ),
}


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


# --- the version check ------------------------------------------------------------------------


@pytest.mark.parametrize(("seam", "distribution"), SEAMS)
def test_the_installed_versions_are_in_range(seam: ModuleType, distribution: str) -> None:
    installed = importlib.metadata.version(distribution)
    assert require("probe", distribution, seam.SUPPORTED) == installed


@pytest.mark.parametrize("installed", ["0.16.0", "0.15.2", "1.0", "not installed", "weird!"])
def test_a_version_out_of_range_is_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, installed: str
) -> None:
    monkeypatch.setattr(pipeline.seams, "installed_version", lambda distribution: installed)

    with pytest.raises(UnsupportedLibraryVersion) as info:
        require("pipeline.seams.faust_recovery", "faust-streaming", ">=0.15.3,<0.16")

    message = str(info.value)
    assert "pipeline.seams.faust_recovery supports faust-streaming >=0.15.3,<0.16" in message
    assert f"but faust-streaming {installed} is installed" in message
    assert isinstance(info.value, ImportError)  # raised while importing the seam
    assert isinstance(info.value, MarsadError)


@pytest.mark.parametrize("installed", ["0.15.3", "0.15.9", "0.15.4rc1"])
def test_a_version_in_range_passes(monkeypatch: pytest.MonkeyPatch, installed: str) -> None:
    monkeypatch.setattr(pipeline.seams, "installed_version", lambda distribution: installed)
    assert require("probe", "faust-streaming", ">=0.15.3,<0.16") == installed


@pytest.mark.parametrize(("seam", "distribution"), SEAMS)
def test_importing_a_seam_checks_the_version(
    monkeypatch: pytest.MonkeyPatch, seam: ModuleType, distribution: str
) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        return "99.0" if name == distribution else real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    # a fresh copy of the seam's module, so the one already imported is left alone
    spec = importlib.util.spec_from_file_location("seam_probe", Path(str(seam.__file__)))
    assert spec is not None
    assert spec.loader is not None

    with pytest.raises(UnsupportedLibraryVersion, match=f"but {distribution} 99.0 is installed"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


# --- faust-streaming: what pipeline.seams.faust_recovery touches -------------------------------


@pytest.mark.parametrize("name", sorted(COPIED_FROM_FAUST))
def test_the_faust_code_the_seam_copies_is_unchanged(name: str) -> None:
    function, digest = COPIED_FROM_FAUST[name]
    source = textwrap.dedent(inspect.getsource(function))
    assert hashlib.sha256(source.encode()).hexdigest() == digest, (
        f"faust's {name} changed: merge the change into pipeline/seams/faust_recovery.py"
    )


def test_faust_recovery_keeps_the_private_methods_the_seam_calls() -> None:
    completed = inspect.signature(Recovery.on_recovery_completed).parameters
    assert list(completed) == ["self", "generation_id"]
    assert completed["generation_id"].default == 0
    assert "self.on_recovery_completed)(generation_id)" in inspect.getsource(Recovery)
    assert parameters(Recovery._set_recovery_ended) == ["self"]
    assert parameters(Recovery._is_changelog_tp) == ["self", "tp"]
    assert inspect.iscoroutinefunction(Recovery._wait)
    assert parameters(Recovery._wait) == ["self", "coro", "timeout"]
    assert inspect.signature(Recovery._wait).parameters["timeout"].default is None


def test_faust_table_manager_caches_its_recovery_where_the_seam_does() -> None:
    assert isinstance(inspect.getattr_static(TableManager, "recovery"), property)
    assert "_recovery" in inspect.get_annotations(TableManager)
    assert TableManager._recovery is None


async def test_a_real_faust_app_has_the_private_attributes_the_seam_reads() -> None:
    app = faust.App(
        "seam-probe",
        broker="kafka://127.0.0.1:9",
        store="memory://",
        web_enabled=False,
        TableManager=SeekThenResumeTableManager,
    )
    tables = app.tables
    assert isinstance(tables, SeekThenResumeTableManager)
    recovery = tables.recovery
    assert isinstance(recovery, SeekThenResumeRecovery)
    assert tables._recovery is recovery
    for attribute in ("actives_for_table", "standbys_for_table", "tables", "completed", "log"):
        assert hasattr(recovery, attribute), attribute

    consumer = app.consumer
    assert isinstance(consumer, Consumer)
    assert isinstance(consumer, ThreadDelegateConsumer)
    thread = consumer._thread
    assert isinstance(thread, AIOKafkaConsumerThread)
    assert parameters(thread._ensure_consumer) == []
    assert inspect.signature(AIOKafkaConsumerThread._ensure_consumer).return_annotation in (
        AIOKafkaConsumer,
        "aiokafka.AIOKafkaConsumer",
    )
    assert inspect.iscoroutinefunction(thread.call_thread)
    assert parameters(thread.call_thread) == ["fun", "args", "kwargs"]
    assert isinstance(consumer._committed_offset, MutableMapping)
    assert consumer._committed_offset.get(TP("pages", 0)) is None

    assert inspect.iscoroutinefunction(app._fetcher.maybe_start)


def test_faust_keeps_the_public_calls_the_seam_makes() -> None:
    coroutines = {
        "perform_seek": [],
        "earliest_offsets": ["partitions"],
        "seek_wait": ["partitions"],
    }
    for name, expected in coroutines.items():
        method = getattr(Consumer, name)
        assert inspect.iscoroutinefunction(method), name
        assert parameters(method)[1:] == expected, name
    assert parameters(Consumer.resume_partitions) == ["self", "tps"]
    assert parameters(Consumer.resume_flow) == ["self"]
    assert parameters(Consumer.assignment) == ["self"]


# --- aiokafka: what pipeline.seams.aiokafka_fetching relies on --------------------------------


def test_aiokafka_pause_and_resume_take_partitions() -> None:
    for method in (AIOKafkaConsumer.pause, AIOKafkaConsumer.resume):
        (_, partitions) = inspect.signature(method).parameters.values()
        assert partitions.kind is inspect.Parameter.VAR_POSITIONAL
    assert TopicPartition._fields == ("topic", "partition")


def test_the_aiokafka_code_behind_the_pause_is_where_the_seam_says() -> None:
    assert "paused" in inspect.getsource(FetchResult.check_assignment)
    assert "paused" in inspect.getsource(Fetcher._get_actions_per_node)


async def test_the_seam_pauses_and_resumes_a_real_aiokafka_client() -> None:
    client = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9", enable_auto_commit=False)
    try:
        client.assign([TopicPartition("pages", 0), TopicPartition("pages", 1)])
        aiokafka_fetching.pause_fetching(client, {TP("pages", 0)})
        assert client.paused() == {TopicPartition("pages", 0)}
        aiokafka_fetching.resume_fetching(client, [TP("pages", 0)])
        assert client.paused() == set()
    finally:
        await client.stop()

"""The health page's figures: sources, consumer lag per topic, dead letters by reason.

Each figure is read where it lives and is either a value or the reason it could not be read
(:class:`Unavailable`): a stopped Kafka makes the lag "unavailable: …", never an error page.

- sources: the connectors' persisted state (``<home>/connectors/state.sqlite``, what
  ``marsad sources check`` reports: last success, last new article, the last outcome), joined
  with the source registry; no source is fetched from the page;
- lag: :func:`pipeline.kafka_admin.consumer_lag` of the worker's group on each topic it reads;
- dead letters: the records of ``news.dlq.v1`` counted by stage and error type (the labels of
  ``marsad_dlq_records_total``), and, when the worker's address is known, its ``/metrics``
  counters themselves, so both can be compared.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kernel.settings import Settings

log = logging.getLogger(__name__)

DLQ_READ_MAX = 50_000  # records counted at most (the newest), so the page stays quick
KAFKA_TIMEOUT_MS = 3000


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A figure that could not be read, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class SourceRow:
    source_id: str
    outlet: str
    health: str
    last_ok: str
    last_new: str
    last_outcome: str
    detail: str
    new_total: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    sources: list[SourceRow] | Unavailable
    lag: dict[str, int | None] | Unavailable
    dead_letters: dict[tuple[str, str], int] | Unavailable
    metrics: dict[str, dict[str, float]] | Unavailable | None
    """The worker's own counters (``marsad_dlq_records_total`` by stage/error,
    ``marsad_consumer_lag`` by topic), None when no worker address was given."""


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def read_sources(sources_path: Path, state_path: Path) -> list[SourceRow] | Unavailable:
    """Every source of the registry with its persisted polling state (none: never polled).

    The state file may also hold sources of another registry (the same home polled with
    ``deploy/sources.yaml`` and with the demo's): those are not this registry's and are left out.
    """
    from connectors.sources import load_sources  # noqa: PLC0415 - only for this page
    from connectors.state import StateStore  # noqa: PLC0415

    try:
        registry = load_sources(sources_path)
        states = {}
        if state_path.exists():
            store = StateStore(state_path)
            try:
                states = store.source_states()
            finally:
                store.close()
    except Exception as exc:  # noqa: BLE001 - shown on the page as the reason
        return Unavailable(f"{type(exc).__name__}: {exc}")
    rows = []
    for source in registry.sources:
        state = states.get(source.id)
        rows.append(
            SourceRow(
                source_id=source.id,
                outlet=source.name_ar,
                health=state.health if state else "never polled",
                last_ok=_when(state.last_ok_at if state else None),
                last_new=_when(state.last_new_at if state else None),
                last_outcome=state.last_outcome if state else "",
                detail=(state.last_detail if state else "")[:300],
                new_total=state.new_total if state else 0,
            )
        )
    return rows


def kafka_unreachable(bootstrap: str | None, timeout_s: float = 2.0) -> Unavailable | None:
    """Why Kafka cannot be asked, or None when a bootstrap server accepts a connection.

    Checked first because Kafka's clients wait about 30 s before giving up on a stopped
    broker; a page should say so at once.
    """
    if not bootstrap:
        return Unavailable("no Kafka address: run `marsad stack up` or set MARSAD_KAFKA_BOOTSTRAP")
    errors = []
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
                return None
        except (OSError, ValueError) as exc:
            errors.append(f"{server.strip()}: {exc}")
    return Unavailable(f"Kafka unreachable: {'; '.join(errors)}")


def read_lag(settings: Settings) -> dict[str, int | None] | Unavailable:
    """The worker group's uncommitted records per topic it reads (None: no commit yet)."""
    from kernel.topics import WORKER_TOPICS  # noqa: PLC0415
    from pipeline.kafka_admin import consumer_lag  # noqa: PLC0415

    if (down := kafka_unreachable(settings.kafka_bootstrap)) is not None:
        return down
    try:
        return {
            settings.topic(spec): consumer_lag(settings, settings.worker_id, settings.topic(spec))
            for spec in WORKER_TOPICS
        }
    except Exception as exc:  # noqa: BLE001 - Kafka down: shown, not raised
        return Unavailable(f"Kafka: {type(exc).__name__}: {exc}")


def read_dead_letters(settings: Settings) -> dict[tuple[str, str], int] | Unavailable:
    """``(stage, error_type) -> count`` over the dead-letter topic (its newest records)."""
    from kafka import KafkaConsumer, TopicPartition  # noqa: PLC0415

    from kernel.topics import DLQ  # noqa: PLC0415

    if (down := kafka_unreachable(settings.kafka_bootstrap)) is not None:
        return down
    topic = settings.topic(DLQ)
    try:
        consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            client_id="marsad-console",
            enable_auto_commit=False,
            consumer_timeout_ms=KAFKA_TIMEOUT_MS,
            request_timeout_ms=KAFKA_TIMEOUT_MS * 2,
            **settings.kafka_security().kafka_python_kwargs(),
        )
    except Exception as exc:  # noqa: BLE001
        return Unavailable(f"Kafka: {type(exc).__name__}: {exc}")
    counts: Counter[tuple[str, str]] = Counter()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return {}
        consumer.assign(tps)
        ends = consumer.end_offsets(tps)
        starts = consumer.beginning_offsets(tps)
        todo = 0
        for tp in tps:
            first = max(starts[tp], ends[tp] - DLQ_READ_MAX // len(tps))
            consumer.seek(tp, first)
            todo += ends[tp] - first
        done = 0
        while done < todo:
            batch = consumer.poll(timeout_ms=KAFKA_TIMEOUT_MS, max_records=5000)
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    done += 1
                    counts[_letter_labels(record.value)] += 1
    except Exception as exc:  # noqa: BLE001
        return Unavailable(f"Kafka: {type(exc).__name__}: {exc}")
    finally:
        consumer.close()
    return dict(counts)


def _letter_labels(value: bytes | None) -> tuple[str, str]:
    try:
        data = json.loads(value or b"{}")
        return str(data.get("stage", "?")), str(data.get("error_type", "?"))
    except ValueError:
        return "?", "unreadable record"


def read_metrics(url: str) -> dict[str, dict[str, float]] | Unavailable:
    """The worker's dead-letter and lag figures as its ``/metrics`` gives them."""
    from prometheus_client.parser import text_string_to_metric_families  # noqa: PLC0415

    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/metrics", timeout=3) as response:  # noqa: S310 - the operator's worker
            text = response.read().decode()
    except (OSError, ValueError) as exc:
        return Unavailable(f"worker metrics at {url}: {exc}")
    figures: dict[str, dict[str, float]] = {"dead_letters": {}, "lag": {}}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "marsad_dlq_records_total":
                key = f"{sample.labels.get('stage')} / {sample.labels.get('error')}"
                figures["dead_letters"][key] = sample.value
            elif sample.name == "marsad_consumer_lag":
                topic = sample.labels.get("topic", "?")
                figures["lag"][topic] = figures["lag"].get(topic, 0.0) + sample.value
    return figures


def health_report(
    settings: Settings, sources_path: Path, state_path: Path, metrics_url: str | None
) -> HealthReport:
    """Every figure of the health page (blocking: Kafka's client is synchronous)."""
    return HealthReport(
        sources=read_sources(sources_path, state_path),
        lag=read_lag(settings),
        dead_letters=read_dead_letters(settings),
        metrics=read_metrics(metrics_url) if metrics_url else None,
    )


__all__ = [
    "HealthReport",
    "SourceRow",
    "Unavailable",
    "health_report",
    "kafka_unreachable",
    "read_dead_letters",
    "read_lag",
    "read_metrics",
    "read_sources",
]

"""Kafka hops on the real broker, with the worker's producer settings (acks=all, gzip, linger
5 ms): produce in batches of ``batch`` records whose acknowledgements are awaited together (as
every stage does), then consume from the start. Figures: records/s (wall, on a shared
machine), this process's CPU per record (the client's work: aiokafka, compression), and the
broker JVM's CPU per record when its pid is known (``.marsad/stack/state.json``), net of its
idle rate measured just before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError

from devtools.stack.state import KAFKA, load
from pipeline.app import PRODUCER_LINGER_S

Message = tuple[bytes | None, bytes | None]
"""(key, value); a None value is a deletion (a changelog tombstone)."""


class KafkaUnreachable(RuntimeError):
    pass


def check_reachable(bootstrap: str) -> None:
    """Raise :class:`KafkaUnreachable` with what to do if no broker answers at ``bootstrap``."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="marsad-scaling-check",
            request_timeout_ms=5000,
            bootstrap_timeout_ms=5000,
        )
    except (KafkaError, OSError) as exc:
        raise KafkaUnreachable(
            f"Kafka is not reachable at {bootstrap} ({type(exc).__name__}: {exc}); start the "
            "local stack with `.venv/bin/marsad stack up`, pass --kafka HOST:PORT, or run with "
            "--no-kafka to measure the in-process stages only"
        ) from exc
    admin.close()


def broker_pid(home: Path, bootstrap: str) -> int | None:
    """The local stack's Kafka JVM, if it is the broker at ``bootstrap`` and still runs."""
    try:
        record = load(home).get(KAFKA)
    except Exception:  # noqa: BLE001 - no usable state file: no broker CPU figure
        return None
    if record is None or record.address != bootstrap or not psutil.pid_exists(record.pid):
        return None
    return record.pid


class Broker:
    """The broker's CPU seconds (user + system), net of its idle rate."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.idle_rate = 0.0

    def cpu(self) -> float | None:
        if self.pid is None:
            return None
        try:
            times = psutil.Process(self.pid).cpu_times()
        except psutil.Error:
            return None
        return float(times.user + times.system)

    async def measure_idle(self, seconds: float) -> None:
        before, started = self.cpu(), time.perf_counter()
        await asyncio.sleep(seconds)
        after = self.cpu()
        if before is not None and after is not None:
            self.idle_rate = (after - before) / (time.perf_counter() - started)


@dataclass(frozen=True)
class Hop:
    name: str
    records: int
    articles: int
    """Articles the records carry (a changelog hop: fewer articles than records)."""
    payload_bytes: int
    wall_s: float
    client_cpu_s: float
    broker_cpu_s: float | None

    @property
    def records_per_s(self) -> float:
        return self.records / self.wall_s

    @property
    def client_ms_per_record(self) -> float:
        return 1000 * self.client_cpu_s / self.records

    @property
    def client_ms_per_article(self) -> float:
        return 1000 * self.client_cpu_s / self.articles

    @property
    def broker_ms_per_record(self) -> float | None:
        return None if self.broker_cpu_s is None else 1000 * self.broker_cpu_s / self.records

    @property
    def broker_ms_per_article(self) -> float | None:
        return None if self.broker_cpu_s is None else 1000 * self.broker_cpu_s / self.articles


class Meter:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    def start(self) -> None:
        self._cpu, self._wall, self._broker = (
            time.process_time(),
            time.perf_counter(),
            self.broker.cpu(),
        )

    def stop(self, name: str, records: int, articles: int, payload: int) -> Hop:
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        after = self.broker.cpu()
        broker = None
        if after is not None and self._broker is not None:
            broker = max(0.0, after - self._broker - self.broker.idle_rate * wall)
        return Hop(name, records, articles, payload, wall, cpu, broker)


@contextmanager
def topics(bootstrap: str, specs: Sequence[tuple[str, int, dict[str, str]]]) -> Iterator[None]:
    """Create ``specs`` (name, partitions, configs) for the block; delete them after."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="marsad-scaling")
    try:
        admin.create_topics(
            [
                NewTopic(n, num_partitions=p, replication_factor=1, topic_configs=c)
                for n, p, c in specs
            ]
        )
        yield
    finally:
        try:
            admin.delete_topics([n for n, _, _ in specs])
        finally:
            admin.close()


def producer(bootstrap: str) -> AIOKafkaProducer:
    """The worker's producer settings (``pipeline.app.create_app``)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="marsad-scaling",
        acks="all",
        compression_type="gzip",
        linger_ms=int(PRODUCER_LINGER_S * 1000),
    )


async def produce(
    bootstrap: str,
    topic: str,
    groups: Sequence[Sequence[Message]],
    broker: Broker,
    *,
    name: str,
    wait_each: bool = True,
) -> Hop:
    """Send each group's messages in order, then await their acknowledgements together (a
    stage's batch); ``wait_each=False``: never wait until the end (the producer's ceiling)."""
    client = producer(bootstrap)
    await client.start()
    try:
        await client.partitions_for(topic)  # metadata fetched before the clock starts
        meter = Meter(broker)
        meter.start()
        pending: list[asyncio.Future[object]] = []
        for group in groups:
            for key, value in group:
                pending.append(await client.send(topic, value, key=key))
            if wait_each:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        records = sum(len(g) for g in groups)
        payload = sum(len(k or b"") + len(v or b"") for g in groups for k, v in g)
        return meter.stop(name, records, len(groups), payload)
    finally:
        await client.stop()


async def consume(bootstrap: str, topic: str, partitions: int, broker: Broker, *, name: str) -> Hop:
    """Read every partition of ``topic`` from the start to its end (values not decoded)."""
    client = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, client_id="marsad-scaling", enable_auto_commit=False
    )
    await client.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        client.assign(tps)
        ends = await client.end_offsets(tps)
        for tp in tps:
            client.seek(tp, 0)
        expected = sum(ends.values())
        seen = payload = 0
        meter = Meter(broker)
        meter.start()
        idle_since = time.perf_counter()
        while seen < expected:
            batches = await client.getmany(timeout_ms=1000, max_records=500)
            for messages in batches.values():
                for message in messages:
                    seen += 1
                    payload += len(message.key or b"") + len(message.value or b"")
            if batches:
                idle_since = time.perf_counter()
            elif time.perf_counter() - idle_since > 60:
                raise RuntimeError(f"{topic}: read {seen} of {expected} records, then nothing")
        return meter.stop(name, seen, seen, payload)
    finally:
        await client.stop()

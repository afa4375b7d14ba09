import asyncio

from connectors.exceptions import PublishError
from connectors.metrics import ConnectorMetrics
from connectors.outbox import Outbox
from kernel.records import RawPage, utcnow


def page(n: int) -> RawPage:
    return RawPage(
        url_id=f"{n:032d}", url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
        source_id="s", outlet="س", fetched_at=utcnow(), http_status=200,
        body_b64=RawPage.encode_body(b"<p>x</p>"),
    )  # fmt: skip


class Broker:
    def __init__(self) -> None:
        self.up = asyncio.Event()
        self.up.set()
        self.sent: list[str] = []
        self.errors = 0

    async def publish(self, record: RawPage) -> tuple[int, int]:
        if not self.up.is_set():
            self.errors += 1
            raise PublishError("broker down")
        self.sent.append(record.url_id)
        return 0, len(self.sent) - 1


def outbox(broker: Broker, capacity: int, **kwargs: float) -> tuple[Outbox, list[str], list[str]]:
    acked: list[str] = []
    refused: list[str] = []
    box = Outbox(
        broker,
        capacity=capacity,
        on_ack=lambda p, _part, _off: acked.append(p.url_id),
        on_refused=lambda p, _why: refused.append(p.url_id),
        metrics=ConnectorMetrics(),
        retry_base_s=0.01,
        retry_cap_s=0.02,
        **kwargs,
    )
    return box, acked, refused


async def test_back_pressure_while_the_broker_is_down_then_everything_once() -> None:
    broker = Broker()
    broker.up.clear()
    box, acked, _ = outbox(broker, capacity=3)
    for n in range(3):
        await box.put(page(n))
    blocked = asyncio.create_task(box.put(page(3)))
    await asyncio.sleep(0.1)
    assert not blocked.done() and box.waiting == 3 and acked == []
    assert box._metrics.broker_up._value.get() == 0
    broker.up.set()
    await blocked
    await box.join()
    assert sorted(acked) == sorted(broker.sent) == [f"{n:032d}" for n in range(4)]
    assert broker.errors > 0


async def test_refused_pages_are_reported_not_retried() -> None:
    class Refusing(Broker):
        async def publish(self, record: RawPage) -> tuple[int, int]:
            raise PublishError("too large", retriable=False)

    box, acked, refused = outbox(Refusing(), capacity=2)
    await box.put(page(1))
    await box.join()
    assert (acked, refused) == ([], [f"{1:032d}"])


async def test_stall_is_flagged_and_close_hands_pages_back() -> None:
    broker = Broker()
    broker.up.clear()
    box, acked, _ = outbox(broker, capacity=5, stall_after_s=0.05)
    await box.put(page(1))
    await box.put(page(2))
    await asyncio.wait_for(box.stalled.wait(), 2)
    assert await box.close(0) == 2
    assert box.waiting == 0 and acked == []

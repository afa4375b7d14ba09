"""The connectors' producer: built exactly as before by default, secured when configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import certifi
import pytest
from aiokafka import AIOKafkaProducer

from connectors import publisher as publisher_module
from connectors.publisher import PagePublisher
from kernel.kafka_security import KafkaSecurity

BEFORE = {  # the producer's arguments before Kafka security existed
    "bootstrap_servers": "kafka:9092",
    "acks": "all",
    "enable_idempotence": True,
    "compression_type": "gzip",
    "max_request_size": 8 * 1024 * 1024,
    "request_timeout_ms": 30_000,
    "linger_ms": 5,
    "client_id": "marsad-connector",
}
SECURE = KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", "marsad", "s3cret", Path(certifi.where()))


def built_with(monkeypatch: pytest.MonkeyPatch, publisher: PagePublisher) -> dict[str, Any]:
    producer = MagicMock()
    monkeypatch.setattr(publisher_module, "AIOKafkaProducer", producer)
    publisher._new_producer()
    args, kwargs = producer.call_args
    assert args == ()
    return dict(kwargs)


@pytest.mark.parametrize("security", [None, KafkaSecurity()])
def test_plaintext_producer_is_built_as_before(
    monkeypatch: pytest.MonkeyPatch, security: KafkaSecurity | None
) -> None:
    assert built_with(monkeypatch, PagePublisher("kafka:9092", security=security)) == BEFORE


def test_sasl_ssl_producer(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = built_with(monkeypatch, PagePublisher("kafka:9092", security=SECURE))
    context = kwargs.pop("ssl_context")
    assert context is not None
    assert kwargs == {
        **BEFORE,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "marsad",
        "sasl_plain_password": "s3cret",
    }


async def test_aiokafka_accepts_the_secure_arguments() -> None:
    producer = PagePublisher("127.0.0.1:9", security=SECURE)._new_producer()
    assert isinstance(producer, AIOKafkaProducer)
    assert producer.client._security_protocol == "SASL_SSL"
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"

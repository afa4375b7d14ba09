"""The pipeline's Kafka clients (topic admin, lag probe, Faust app): built exactly as before by
default, secured when the Kafka security settings say so."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import certifi
import faust
import kafka
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka.admin import KafkaAdminClient

from kernel.kafka_security import KafkaSecurity
from kernel.settings import Settings
from pipeline import kafka_admin
from pipeline.app import broker_credentials, create_app

CA = Path(certifi.where())
WORD = "s3cret"  # the SASL password of these tests


def secure_settings() -> Settings:
    return Settings(
        kafka_bootstrap="kafka:9092",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="marsad",
        kafka_sasl_password=WORD,  # type: ignore[arg-type]  # pydantic makes it a SecretStr
        kafka_ssl_cafile=CA,
    )


SASL_SSL_KAFKA_PYTHON = {
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_plain_username": "marsad",
    "sasl_plain_password": WORD,
    "ssl_cafile": str(CA),
}


def clients(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> tuple[MagicMock, MagicMock]:
    """Run the lag probe against mocks; return the admin and consumer classes it called."""
    admin, consumer = MagicMock(), MagicMock()
    consumer.return_value.partitions_for_topic.return_value = set()
    consumer.return_value.end_offsets.return_value = {}
    admin.return_value.list_group_offsets.return_value = {}
    admin.return_value.list_topics.return_value = []
    monkeypatch.setattr(kafka_admin, "KafkaAdminClient", admin)
    monkeypatch.setattr(kafka, "KafkaConsumer", consumer)
    assert kafka_admin.consumer_lag(settings, "group", "topic") == 0
    kafka_admin.ensure_topics(settings)
    return admin, consumer


def test_plaintext_admin_and_consumer_are_built_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    admin, consumer = clients(monkeypatch, Settings(kafka_bootstrap="kafka:9092"))
    assert {str(c) for c in admin.call_args_list} == {
        "call(bootstrap_servers='kafka:9092', client_id='marsad-admin')"
    }
    consumer.assert_called_once_with(
        bootstrap_servers="kafka:9092", client_id="marsad-lag", enable_auto_commit=False
    )


def test_sasl_ssl_admin_and_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    admin, consumer = clients(monkeypatch, secure_settings())
    assert admin.call_count == 2
    for call in admin.call_args_list:
        assert call.kwargs == {
            "bootstrap_servers": "kafka:9092",
            "client_id": "marsad-admin",
            **SASL_SSL_KAFKA_PYTHON,
        }
    consumer.assert_called_once_with(
        bootstrap_servers="kafka:9092",
        client_id="marsad-lag",
        enable_auto_commit=False,
        **SASL_SSL_KAFKA_PYTHON,
    )


def test_kafka_python_knows_every_security_argument() -> None:
    for name in SASL_SSL_KAFKA_PYTHON:
        assert name in KafkaAdminClient.DEFAULT_CONFIG
        assert name in kafka.KafkaConsumer.DEFAULT_CONFIG


def test_plaintext_faust_app_has_no_credentials() -> None:
    assert broker_credentials(KafkaSecurity()) == {}
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:9", search_url="http://127.0.0.1:9"))
    assert app.conf.broker_credentials is None


def test_sasl_ssl_faust_app() -> None:
    app = create_app(secure_settings().model_copy(update={"search_url": "http://127.0.0.1:9"}))
    credentials = app.conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials)
    auth = dict(credentials_to_aiokafka_auth(credentials))
    assert auth.pop("ssl_context") is not None
    assert auth == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "marsad",
        "sasl_plain_password": WORD,
    }


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        (KafkaSecurity("SASL_PLAINTEXT", "PLAIN", "marsad", WORD), "SASL_PLAINTEXT"),
        (KafkaSecurity("SSL", ssl_cafile=CA), "SSL"),
    ],
)
def test_other_protocols_reach_faust(security: KafkaSecurity, expected: str) -> None:
    credentials: Any = broker_credentials(security)["broker_credentials"]
    auth = credentials_to_aiokafka_auth(credentials)
    assert auth["security_protocol"] == expected
    assert (auth["ssl_context"] is None) == (expected == "SASL_PLAINTEXT")

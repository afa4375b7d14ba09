"""Kafka security settings: the defaults add nothing to any client; each protocol gives each
client library its own keyword arguments; what does not fit together is refused by name."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
import pytest
from pydantic import ValidationError

from kernel.kafka_security import KafkaSecurity, KafkaSecurityError
from kernel.settings import Settings

CA = Path(certifi.where())  # any readable PEM bundle will do
WORD = "s3cret"  # the SASL password of these tests
MECH, USER, PASS = (f"MARSAD_KAFKA_SASL_{n}" for n in ("MECHANISM", "USERNAME", "PASSWORD"))

NEW_VARIABLES = (
    "MARSAD_KAFKA_SECURITY_PROTOCOL",
    "MARSAD_KAFKA_SASL_MECHANISM",
    "MARSAD_KAFKA_SASL_USERNAME",
    "MARSAD_KAFKA_SASL_PASSWORD",
    "MARSAD_KAFKA_SSL_CAFILE",
    "MARSAD_SEARCH_CA_CERTS",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NEW_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def sasl_ssl() -> Settings:
    return Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="marsad",
        kafka_sasl_password=WORD,  # type: ignore[arg-type]  # pydantic makes it a SecretStr
        kafka_ssl_cafile=CA,
    )


def test_defaults_give_no_security_keyword_to_any_client() -> None:
    settings = Settings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.search_ca_certs is None
    security = settings.kafka_security()
    assert security == KafkaSecurity()
    assert security.aiokafka_kwargs() == {}
    assert security.kafka_python_kwargs() == {}
    assert security.ssl_context() is None


def test_sasl_ssl_for_aiokafka() -> None:
    kwargs = sasl_ssl().kafka_security().aiokafka_kwargs()
    context = kwargs.pop("ssl_context")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert kwargs == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "marsad",
        "sasl_plain_password": "s3cret",
    }


def test_sasl_ssl_for_kafka_python() -> None:
    assert sasl_ssl().kafka_security().kafka_python_kwargs() == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "marsad",
        "sasl_plain_password": "s3cret",
        "ssl_cafile": str(CA),
    }


def test_sasl_plaintext_has_no_tls() -> None:
    security = KafkaSecurity("SASL_PLAINTEXT", "PLAIN", "marsad", "s3cret")
    assert security.ssl_context() is None
    assert "ssl_context" not in security.aiokafka_kwargs()
    assert security.kafka_python_kwargs() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": "marsad",
        "sasl_plain_password": "s3cret",
    }


def test_ssl_without_sasl_and_without_ca_file_uses_the_system_cas() -> None:
    security = Settings(kafka_security_protocol="SSL").kafka_security()
    kwargs = security.aiokafka_kwargs()
    assert set(kwargs) == {"security_protocol", "ssl_context"}
    assert kwargs["security_protocol"] == "SSL"
    assert security.kafka_python_kwargs() == {"security_protocol": "SSL"}


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARSAD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("MARSAD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.setenv("MARSAD_KAFKA_SASL_USERNAME", "marsad")
    monkeypatch.setenv("MARSAD_KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("MARSAD_KAFKA_SSL_CAFILE", str(CA))
    monkeypatch.setenv("MARSAD_SEARCH_CA_CERTS", str(CA))
    settings = Settings()
    assert settings.kafka_security() == KafkaSecurity(
        "SASL_SSL", "SCRAM-SHA-256", "marsad", "s3cret", CA
    )
    assert settings.search_ca_certs == CA


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "MARSAD_KAFKA_SASL_MECHANISM, MARSAD_KAFKA_SASL_USERNAME, MARSAD_KAFKA_SASL_PASSWORD"),
        (
            {"kafka_sasl_mechanism": "PLAIN"},
            "MARSAD_KAFKA_SASL_USERNAME, MARSAD_KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_sasl_mechanism": "PLAIN", "kafka_sasl_username": "u"},
            "MARSAD_KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_sasl_mechanism": "PLAIN", "kafka_sasl_password": "hunter2"},
            "MARSAD_KAFKA_SASL_USERNAME",
        ),
    ],
)
@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_sasl_without_its_credentials_is_refused_by_name(
    protocol: str, given: dict[str, str], missing: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(kafka_security_protocol=protocol, **given)  # type: ignore[arg-type]
    message = str(caught.value)
    assert f"MARSAD_KAFKA_SECURITY_PROTOCOL={protocol} requires {missing} to be set" in message
    assert "hunter2" not in message  # the password is not echoed back


def test_an_unknown_protocol_or_mechanism_is_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        Settings(kafka_security_protocol="TLS")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        Settings(kafka_sasl_mechanism="GSSAPI")  # type: ignore[arg-type]


def test_security_settings_the_protocol_would_ignore_are_refused() -> None:
    with pytest.raises(ValidationError, match="MARSAD_KAFKA_SASL_USERNAME set but"):
        Settings(kafka_sasl_username="marsad")
    with pytest.raises(ValidationError, match="MARSAD_KAFKA_SSL_CAFILE set but"):
        Settings(kafka_ssl_cafile=CA)


def test_an_unreadable_ca_file_is_named(tmp_path: Path) -> None:
    security = KafkaSecurity("SSL", ssl_cafile=tmp_path / "missing.crt")
    with pytest.raises(KafkaSecurityError, match=r"MARSAD_KAFKA_SSL_CAFILE=.*missing\.crt"):
        security.aiokafka_kwargs()


def test_the_password_stays_out_of_the_repr() -> None:
    security = sasl_ssl().kafka_security()
    assert "s3cret" not in repr(security)
    assert "s3cret" not in repr(sasl_ssl())

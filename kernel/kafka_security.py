"""How Marsad's Kafka clients authenticate and encrypt: one frozen value, three dialects.

Built from :class:`kernel.settings.Settings` (``Settings.kafka_security()``), it gives the
keyword arguments of each client library Marsad uses: aiokafka (the connectors' producer),
kafka-python (the topic admin, the lag probe) and, through :mod:`pipeline.app`, Faust's
``broker_credentials``. With the default, ``PLAINTEXT``, every builder gives nothing at all, so
the clients are built exactly as without this module.

Pure: the TLS context is the standard library's (``ssl.create_default_context``), no Kafka
library is imported here.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})


class KafkaSecurityError(ValueError):
    """The Kafka security settings do not fit together (names the variables at fault)."""


@dataclass(frozen=True)
class KafkaSecurity:
    """The security protocol, SASL credentials and CA file of every Kafka client."""

    protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: Path | None = None

    def __post_init__(self) -> None:
        if self.uses_sasl:
            missing = [
                name
                for name, value in (
                    ("MARSAD_KAFKA_SASL_MECHANISM", self.sasl_mechanism),
                    ("MARSAD_KAFKA_SASL_USERNAME", self.sasl_username),
                    ("MARSAD_KAFKA_SASL_PASSWORD", self.sasl_password),
                )
                if not value
            ]
            if missing:
                raise KafkaSecurityError(
                    f"MARSAD_KAFKA_SECURITY_PROTOCOL={self.protocol} requires "
                    f"{', '.join(missing)} to be set"
                )
        else:
            given = [
                name
                for name, value in (
                    ("MARSAD_KAFKA_SASL_MECHANISM", self.sasl_mechanism),
                    ("MARSAD_KAFKA_SASL_USERNAME", self.sasl_username),
                    ("MARSAD_KAFKA_SASL_PASSWORD", self.sasl_password),
                )
                if value
            ]
            if given:
                raise KafkaSecurityError(
                    f"{', '.join(given)} set but MARSAD_KAFKA_SECURITY_PROTOCOL={self.protocol} "
                    "does not use SASL (SASL_PLAINTEXT or SASL_SSL does)"
                )
        if self.ssl_cafile is not None and not self.uses_tls:
            raise KafkaSecurityError(
                f"MARSAD_KAFKA_SSL_CAFILE set but MARSAD_KAFKA_SECURITY_PROTOCOL={self.protocol} "
                "does not use TLS (SSL or SASL_SSL does)"
            )

    @property
    def uses_tls(self) -> bool:
        return self.protocol in TLS_PROTOCOLS

    @property
    def uses_sasl(self) -> bool:
        return self.protocol in SASL_PROTOCOLS

    def ssl_context(self) -> ssl.SSLContext | None:
        """A verifying TLS context (the CA file if set, else the system's CAs); None without
        TLS."""
        if not self.uses_tls:
            return None
        cafile = str(self.ssl_cafile) if self.ssl_cafile is not None else None
        try:
            return ssl.create_default_context(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise KafkaSecurityError(
                f"MARSAD_KAFKA_SSL_CAFILE={cafile}: cannot be read as CA certificates: {exc}"
            ) from exc

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer``/``AIOKafkaConsumer``; {} for PLAINTEXT."""
        if self.protocol == "PLAINTEXT":
            return {}
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_tls:
            kwargs["ssl_context"] = self.ssl_context()
        kwargs.update(self._sasl_kwargs())
        return kwargs

    def kafka_python_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's clients (admin, consumer); {} for PLAINTEXT."""
        if self.protocol == "PLAINTEXT":
            return {}
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.ssl_cafile is not None:
            kwargs["ssl_cafile"] = str(self.ssl_cafile)
        kwargs.update(self._sasl_kwargs())
        return kwargs

    def _sasl_kwargs(self) -> dict[str, Any]:
        if not self.uses_sasl:
            return {}
        return {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": self.sasl_password,
        }


__all__ = [
    "KafkaSecurity",
    "KafkaSecurityError",
    "SaslMechanism",
    "SecurityProtocol",
]

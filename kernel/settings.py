"""One settings object for every Marsad process, read once at the entry point.

Values come from ``MARSAD_*`` environment variables; where a service address is not
given, the entry point fills it in from the local stack's state file (see
:mod:`devtools.stack`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.datafiles import deploy_dir
from kernel.kafka_security import KafkaSecurity, SaslMechanism, SecurityProtocol
from kernel.topics import TopicSpec


class Settings(BaseSettings):
    """Settings shared by the worker, the connectors and the command line."""

    # hide_input_in_errors: a validation error must not echo MARSAD_KAFKA_SASL_PASSWORD back
    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    home: Path = Field(
        default=Path(".marsad"), description="Runtime state: stack data, logs, pids."
    )
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "marsad",
        description="Downloaded jars and runtimes, reused across clones (outside git).",
    )
    kafka_bootstrap: str | None = None
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="How every Kafka client connects (SASL_* need SASL)."
    )
    kafka_sasl_mechanism: SaslMechanism | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA certificates of the brokers (SSL, SASL_SSL; default: system)."
    )
    search_engine: Literal["opensearch", "elasticsearch"] = "opensearch"
    search_url: str | None = None
    search_username: str | None = None
    search_password: SecretStr | None = None
    search_ca_certs: Path | None = Field(
        default=None, description="CA certificates the engine's TLS certificate is checked against."
    )
    elasticsearch_compatible_with: int = Field(
        default=8,
        ge=8,
        le=9,
        description=(
            "The REST API version the Elasticsearch client asks for (compatible-with=N): 8 works "
            "with Elasticsearch 8 and 9 servers (9 answers in its 8-compatible format), 9 only "
            "with Elasticsearch 9."
        ),
    )
    index_prefix: str = "news"
    topic_namespace: str = Field(
        default="", description="Prepended to every topic name (isolates test runs)."
    )
    topic_replication: int = Field(default=1, ge=1)
    deploy_dir: Path | None = Field(
        default=None,
        description="An operator's copy of deploy/ to read data files from (default: packaged).",
    )
    sources_file: Path | None = Field(
        default=None, description="The source registry (default: sources.yaml of deploy_dir)."
    )
    worker_id: str = "marsad-pipeline"
    dedupe_retention_days: float = Field(default=14.0, gt=0)
    batch_size: int = Field(
        default=64,
        ge=1,
        le=5000,
        description="Most records a worker stage takes at once: pages extracted together, "
        "articles enriched and written in one bulk request.",
    )
    batch_wait_s: float = Field(
        default=0.2,
        gt=0,
        le=10,
        description="How long a worker stage waits to fill a batch before it handles what it has.",
    )
    lexicon_dir: Path | None = Field(
        default=None, description="Versioned tagging lexicons (default: lexicons/ of deploy_dir)."
    )
    worker_web_host: str = Field(
        default="127.0.0.1",
        description="Address of the worker's /metrics and /health (0.0.0.0: every interface).",
    )
    worker_web_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Port of the worker's /metrics and /health: unset, 6066 or a free port if "
        "6066 is taken; 0, a free port; else exactly this one. The address is logged.",
    )
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the connectors' /metrics (0: none)."
    )
    kibana_url: str = Field(
        default="http://localhost:5601",
        description="Kibana (or OpenSearch Dashboards) that `marsad kibana import` posts to.",
    )
    kibana_username: str | None = None
    kibana_password: SecretStr | None = None
    console_token: SecretStr | None = Field(
        default=None,
        description="The token `marsad console` asks of every write (marking an alert); unset: "
        "the console is read-only.",
    )

    alerts_file: Path | None = Field(
        default=None, description="The alert rules (default: alerts.yaml of deploy_dir)."
    )
    alerts_enabled: bool = Field(
        default=True, description="Evaluate the alert rules in the worker (news.articles.v1)."
    )
    alert_webhook_url: str | None = Field(
        default=None, description="POST every alert change here (JSON, HMAC-signed); unset: none."
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="The webhook's HMAC-SHA256 key (required with the URL)."
    )
    alert_smtp_host: str | None = Field(
        default=None, description="Send every alert change by e-mail through this SMTP server."
    )
    alert_smtp_port: int = Field(default=587, ge=1, le=65535)
    alert_smtp_starttls: bool = True
    alert_smtp_username: str | None = None
    alert_smtp_password: SecretStr | None = None
    alert_email_from: str | None = Field(
        default=None, description="The sender of alert e-mails (required with the SMTP host)."
    )
    alert_email_to: str | None = Field(
        default=None, description="Recipients of alert e-mails, separated by commas."
    )

    @model_validator(mode="after")
    def _kafka_security_fits(self) -> Settings:
        self.kafka_security()  # raises KafkaSecurityError (a ValueError) naming what is missing
        return self

    def kafka_security(self) -> KafkaSecurity:
        """The security every Kafka client of this deployment connects with."""
        password = self.kafka_sasl_password
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=password.get_secret_value() if password is not None else None,
            ssl_cafile=self.kafka_ssl_cafile,
        )

    def sources_path(self) -> Path:
        """The source registry this deployment reads."""
        return self.sources_file or deploy_dir(self.deploy_dir) / "sources.yaml"

    def lexicons_path(self) -> Path:
        """The lexicon folder this deployment reads."""
        return self.lexicon_dir or deploy_dir(self.deploy_dir) / "lexicons"

    def alerts_path(self) -> Path:
        """The alert rules this deployment evaluates."""
        return self.alerts_file or deploy_dir(self.deploy_dir) / "alerts.yaml"

    def topic(self, spec: TopicSpec) -> str:
        """The full name of a topic in this deployment's namespace."""
        return f"{self.topic_namespace}{spec.name}"

    def with_stack(self, kafka_bootstrap: str, search_url: str) -> Settings:
        """Fill in the service addresses left unset with the local stack's."""
        return self.model_copy(
            update={
                "kafka_bootstrap": self.kafka_bootstrap or kafka_bootstrap,
                "search_url": self.search_url or search_url,
            }
        )

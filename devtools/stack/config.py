"""Ports, heap and deadlines of the local stack, from ``MARSAD_STACK_*`` environment variables.

Constructed at the entry point (``marsad stack ...`` or a caller of :func:`devtools.stack.up`),
never at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.datafiles import deploy_dir

#: The OpenSearch runner's command line looks for a free HTTP port from ``base + 1`` up to this
#: port (``OpenSearchRunner.maxHttpPort``) and exits when the first candidate is already above it.
RUNNER_MAX_HTTP_PORT = 9299


def _default_deploy_dir() -> Path:
    """``stack/`` of Marsad's data files (``deploy/stack`` in a checkout)."""
    return deploy_dir() / "stack"


class StackSettings(BaseSettings):
    """How the local stack is laid out and started."""

    model_config = SettingsConfigDict(env_prefix="MARSAD_STACK_", frozen=True, extra="ignore")

    kafka_port: int = Field(default=19092, ge=1024, le=65535, description="Kafka PLAINTEXT port.")
    kafka_controller_port: int = Field(default=19093, ge=1024, le=65535)
    opensearch_base_port: int = Field(
        default=9270,
        ge=1024,
        description="The runner's -baseHttpPort: HTTP is served on the first free port above it.",
    )
    opensearch_transport_ports: str = Field(
        default="19300-19399", description="OpenSearch transport.port (a port or a range)."
    )
    elasticsearch_port: int = Field(
        default=9400,
        ge=1024,
        le=65535,
        description="Elasticsearch HTTP port (outside the OpenSearch runner's 9270-9299 scan).",
    )
    elasticsearch_transport_ports: str = Field(
        default="19400-19499", description="Elasticsearch transport.port (a port or a range)."
    )
    elasticsearch_user: str = Field(
        default="nobody",
        pattern=r"^[a-z_][a-z0-9_-]*$",
        description="The unprivileged account Elasticsearch runs as when started by root.",
    )
    cluster_name: str = Field(default="marsad-local", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    heap: str = Field(default="1g", pattern=r"^[0-9]+[kmg]$", description="-Xms/-Xmx of each JVM.")
    kafka_timeout_s: float = Field(default=90.0, gt=0)
    opensearch_timeout_s: float = Field(default=240.0, gt=0)
    elasticsearch_timeout_s: float = Field(default=180.0, gt=0)
    stop_timeout_s: float = Field(default=30.0, gt=0)
    deploy_dir: Path = Field(default_factory=_default_deploy_dir)

    @field_validator("opensearch_base_port")
    @classmethod
    def _within_runner_range(cls, port: int) -> int:
        if port >= RUNNER_MAX_HTTP_PORT:
            raise ValueError(
                f"the OpenSearch runner only serves HTTP on ports up to {RUNNER_MAX_HTTP_PORT}; "
                f"set MARSAD_STACK_OPENSEARCH_BASE_PORT below {RUNNER_MAX_HTTP_PORT} (e.g. 9270)"
            )
        return port

    @model_validator(mode="after")
    def _elasticsearch_outside_runner_scan(self) -> StackSettings:
        if self.opensearch_base_port < self.elasticsearch_port <= RUNNER_MAX_HTTP_PORT:
            raise ValueError(
                f"MARSAD_STACK_ELASTICSEARCH_PORT {self.elasticsearch_port} is within the ports "
                f"the OpenSearch runner scans ({self.opensearch_base_port + 1}-"
                f"{RUNNER_MAX_HTTP_PORT}); choose a port outside them (e.g. 9400)"
            )
        return self

    @model_validator(mode="after")
    def _distinct_kafka_ports(self) -> StackSettings:
        if self.kafka_port == self.kafka_controller_port:
            raise ValueError(
                "MARSAD_STACK_KAFKA_PORT and MARSAD_STACK_KAFKA_CONTROLLER_PORT must differ"
            )
        return self

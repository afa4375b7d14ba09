"""Resolve where Kafka and the search engine are, once, at an entry point."""

from __future__ import annotations

from kernel.exceptions import MarsadError
from kernel.localstack import find_running
from kernel.settings import Settings


class ServicesUnavailable(MarsadError):
    """No address configured and no local stack running."""


def resolve(settings: Settings) -> Settings:
    """Fill unset service addresses from the local stack; fail clearly if there is none."""
    if settings.kafka_bootstrap and settings.search_url:
        return settings
    info = find_running(settings.home)
    if info is None:
        raise ServicesUnavailable(
            "no Kafka/search engine configured and no local stack running: "
            "run `marsad stack up` (or `make stack-up`), or set MARSAD_KAFKA_BOOTSTRAP "
            "and MARSAD_SEARCH_URL"
        )
    return settings.with_stack(info.kafka_bootstrap, info.search_url)

"""Open the sink of the configured search engine.

The one module that imports the engine adapters (:mod:`.opensearch`, :mod:`.elasticsearch`),
each only when chosen, so that its client library is loaded only then. The adapters import
:mod:`.types` and :mod:`.bodies`, never this module: no import goes back.
"""

from __future__ import annotations

from kernel.settings import Settings
from pipeline.sinks.types import SearchSink, SinkError


def open_sink(settings: Settings) -> SearchSink:
    """The sink for the configured engine (clients are imported only when chosen)."""
    if not settings.search_url:
        raise SinkError(
            "no search engine address: run `marsad stack up` or set MARSAD_SEARCH_URL",
            retriable=False,
        )
    if settings.search_engine == "elasticsearch":
        from pipeline.sinks.elasticsearch import ElasticsearchSink  # noqa: PLC0415

        return ElasticsearchSink(settings)
    from pipeline.sinks.opensearch import OpenSearchSink  # noqa: PLC0415

    return OpenSearchSink(settings)


__all__ = ["open_sink"]

"""The one narrow door to the search engine: OpenSearch or Elasticsearch, same templates,
same calls.

- :mod:`.types`: :class:`~.types.SinkError`, :class:`~.types.IndexAction`, :class:`~.types.Hit`
  and the :class:`~.types.SearchSink` protocol;
- :mod:`.bodies`: the request bodies (index templates, bulk operations, search queries) and
  the responses read back (bulk failures, hits);
- :mod:`.factory`: :func:`~.factory.open_sink`, the sink of the configured engine;
- :mod:`.base`, :mod:`.opensearch`, :mod:`.elasticsearch`: the engine adapters (only the
  factory imports them).
"""

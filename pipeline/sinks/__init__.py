"""Engine-specific adapters behind :class:`pipeline.sink.SearchSink`."""

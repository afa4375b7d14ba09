"""The root of Marsad's exceptions.

MarsadError
├── kernel.text.exceptions.TextError          (decode / extraction failures)
├── devtools.stack.exceptions.StackError        (local Kafka / OpenSearch)
├── pipeline.sink.SinkError                     (search engine refused or unreachable)
└── connectors.exceptions.ConnectorError        (fetch / feed failures)
"""


class MarsadError(Exception):
    """Base of every error Marsad raises on purpose."""

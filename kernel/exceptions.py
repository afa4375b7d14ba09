"""The root of Marsad's exceptions; every package hangs its own tree under it.

MarsadError
├── kernel.datafiles.DataFileError             (a data file of deploy/ is missing)
├── kernel.localstack.LocalStackError          (the local stack's state file is unreadable)
├── kernel.text.exceptions.TextError           (decode / extraction failures)
├── connectors.exceptions.ConnectorError       (sources, fetch, feeds, publishing)
├── pipeline.sinks.types.SinkError             (search engine refused or unreachable)
├── pipeline.stages.base.DependencyUnavailable (a dependency stayed down past its deadline)
├── pipeline.dedupe.exceptions.DedupeError     (dedupe state or configuration)
├── pipeline.tagging.exceptions.TaggingError   (lexicons)
├── pipeline.seams.UnsupportedLibraryVersion   (a library outside a seam's checked range)
├── cli.services.ServicesUnavailable           (no Kafka / search engine to talk to)
├── cli.kibana.KibanaError                     (saved objects refused or Kibana unreachable)
└── devtools.stack.exceptions.StackError       (local Kafka / OpenSearch)
"""


class MarsadError(Exception):
    """Base of every error Marsad raises on purpose."""

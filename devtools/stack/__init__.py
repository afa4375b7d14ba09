"""The local stack: a real Kafka broker and a real OpenSearch node, fetched from Maven Central,
and on demand a real Elasticsearch node (:func:`up_elasticsearch`).

``marsad stack up`` (or :func:`up`) downloads the jars once into ``Settings.cache_dir``, starts
both JVMs detached on loopback with their data, logs and a state file under
``<Settings.home>/stack``, and waits until each answers real requests. Other code finds the
running stack with :func:`read_state`::

    info = read_state(settings.home) or up(settings)
    settings = settings.with_stack(info.kafka_bootstrap, info.search_url)
"""

from devtools.stack.config import StackSettings
from devtools.stack.exceptions import StackError
from devtools.stack.report import ServiceStatus, StackStatus, status
from devtools.stack.shutdown import down, stop_service
from devtools.stack.supervisor import read_state, up, up_elasticsearch
from kernel.localstack import StackInfo

__all__ = [
    "ServiceStatus",
    "StackError",
    "StackInfo",
    "StackSettings",
    "StackStatus",
    "down",
    "read_state",
    "status",
    "stop_service",
    "up",
    "up_elasticsearch",
]

"""The local stack: a real Kafka broker and a real OpenSearch node, fetched from Maven Central.

``marsad stack up`` (or :func:`up`) downloads the jars once into ``Settings.cache_dir``, starts
both JVMs detached on loopback with their data, logs and a state file under
``<Settings.home>/stack``, and waits until each answers real requests. Other code finds the
running stack with :func:`read_state`::

    info = read_state(settings.home) or up(settings)
    settings = settings.with_stack(info.kafka_bootstrap, info.search_url)
"""

from pipeline.stack.config import StackSettings
from pipeline.stack.exceptions import StackError
from pipeline.stack.report import ServiceStatus, StackStatus, status
from pipeline.stack.shutdown import down
from pipeline.stack.supervisor import StackInfo, read_state, up

__all__ = [
    "ServiceStatus",
    "StackError",
    "StackInfo",
    "StackSettings",
    "StackStatus",
    "down",
    "read_state",
    "status",
    "up",
]

"""Marsad's development tools, installed by the ``dev`` extra, never by the service.

    devtools.stack      the local Kafka and OpenSearch, fetched from Maven Central and started
    devtools.demo       sample Arabic news sites served on loopback
    devtools.bench      the end-to-end benchmark harness behind ``marsad bench``
    devtools.commands   ``marsad stack | demo | bench``, registered through the
                        ``marsad.commands`` entry points (see ``devtools/pyproject.toml``)

Direction: devtools may import ``cli``, ``connectors``, ``pipeline`` and ``kernel``; nothing of
the runtime imports devtools.
"""

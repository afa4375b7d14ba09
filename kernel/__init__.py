"""Marsad's shared kernel: what every side of the project agrees on, and nothing else.

    kernel.records      the records on the wire (RawPage, DeadLetter, ...)
    kernel.topics       every Kafka topic, declared once
    kernel.exceptions   MarsadError, the root of every error Marsad raises on purpose
    kernel.retry        the one retry policy (first delay, cap, jitter, deadline)
    kernel.settings     the settings object every process reads once at its entry point
    kernel.datafiles    the data files of ``deploy/`` (packaged), with an operator's override
    kernel.text         page decoding and the one Arabic normalizer

The kernel imports nothing else of the project; ``connectors``, ``pipeline``, ``cli`` and
``devtools`` all depend on it (``tests/unit/test_architecture.py`` keeps it so).
"""

"""The ``marsad`` command line: the one place that wires ``connectors`` and ``pipeline`` together.

Each module of :mod:`cli.commands` registers one sub-command; the development tools
(``marsad stack``, ``demo``, ``bench``) come from the ``devtools`` distribution through the
``marsad.commands`` entry-point group, so the runtime never imports them.
"""

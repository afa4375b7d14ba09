"""Sub-commands of the ``marsad`` command line; each module has ``register(subparsers)``."""

"""The development sub-commands of ``marsad``; each module has ``register(subparsers)``."""

"""Errors of the dedupe stage.

    MarsadError
    └── DedupeError
        ├── ConfigError    a DedupeConfig that cannot work (bands × rows ≠ num_perm, ...)
        └── StateError     a state record that cannot be read back (restore)

A bad article is not an error here: empty or odd paragraphs get a verdict like any other.
"""

from __future__ import annotations

from kernel.exceptions import MarsadError


class DedupeError(MarsadError):
    """Base of every error raised by :mod:`pipeline.dedupe`."""


class ConfigError(DedupeError, ValueError):
    """A :class:`~pipeline.dedupe.config.DedupeConfig` value is out of range or inconsistent."""


class StateError(DedupeError):
    """A state record given to ``Deduplicator.restore`` is malformed; the message says which."""

"""Errors of the tagger.

    MarsadError
    └── TaggingError
        └── LexiconError     a lexicon file is missing, unreadable or invalid (file, entry, why)

Tagging itself never raises on text: any paragraph, however odd, gets (possibly empty) tags. Only
loading lexicons can fail, at start-up, before the worker consumes anything.
"""

from __future__ import annotations

from kernel.exceptions import MarsadError


class TaggingError(MarsadError):
    """Base of every error raised by :mod:`pipeline.tagging`."""


class LexiconError(TaggingError):
    """A lexicon file is invalid; the message names the file and the entry."""

    def __init__(self, file: str, entry: str, reason: str) -> None:
        self.file = file
        self.entry = entry
        self.reason = reason
        super().__init__(f"{file}: {entry}: {reason}" if entry else f"{file}: {reason}")

"""Errors of the text core.

    MarsadError
    └── TextError
        ├── DecodeError        the bytes are not text in any encoding we could settle on
        └── ExtractionError    the page decoded, but no article text survived extraction

Both are expected outcomes for some inputs (binary bodies, index pages, video-only pages):
callers count them and dead-letter the record; they are never a reason to crash.
"""

from __future__ import annotations

from kernel.exceptions import MarsadError


class TextError(MarsadError):
    """Base of every error raised by :mod:`pipeline.text`."""


class DecodeError(TextError):
    """A page body could not be decoded to text; the message says why."""


class ExtractionError(TextError):
    """No article text could be extracted from a decoded page."""

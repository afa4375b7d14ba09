"""Progress lines for a person watching ``marsad stack``: plain lines on stderr, flushed at once."""

from __future__ import annotations

import sys
from collections.abc import Callable

ProgressFn = Callable[[str], None]


def print_progress(message: str) -> None:
    """The default progress sink."""
    print(message, file=sys.stderr, flush=True)

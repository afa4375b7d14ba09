"""The FILE argument of the dry-run commands (``marsad tag``, ``dedupe``, ``alerts test``): a path,
or ``-`` for standard input, read as UTF-8 text, with one way of saying it could not be read."""

from __future__ import annotations

import sys
from pathlib import Path

STDIN = "-"


def input_name(file: str) -> str:
    """How the input is called in messages."""
    return "<stdin>" if file == STDIN else file


def read_text_argument(file: str, prog: str) -> str | None:
    """The text of ``file`` (``-`` = stdin); None once the reason it could not be read is printed
    to stderr as ``{prog}: cannot read {name}: {reason}`` (the caller exits with 2)."""
    try:
        return sys.stdin.read() if file == STDIN else Path(file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{prog}: cannot read {input_name(file)}: {exc}", file=sys.stderr)
        return None

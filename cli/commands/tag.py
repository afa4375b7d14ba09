"""``marsad tag FILE|-``: tag paragraphs as the worker does and print one JSON line each.

The dry run of a lexicon change: edit ``deploy/lexicons/*.yaml``, run this on a few paragraphs,
read what fired. Input is plain text (one paragraph per line, all of one article: "التنظيم" in a
later line resolves to the organisation an earlier line named) or JSON lines (auto-detected when
the first non-blank line starts with "{") with ``text`` and optionally ``published``
(YYYY-MM-DD) and ``article`` (consecutive lines with the same value share context).

Each output line is ``{"line": N, "events": [...], "actors": [...], "places": [...],
"casualties": [...], "attribution": [...], "dates": [...]}``; ``--text`` adds the paragraph,
``--index`` the flat index fields. Lexicons are validated first; ``--stats`` prints their sizes.

Exit codes: 0 every line tagged; 1 some input lines were invalid (reported on stderr, skipped);
2 the file or the lexicons could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from cli.inputs import input_name, read_text_argument
from kernel.settings import Settings
from pipeline.tagging import ArticleContext, LexiconError, Tagger, as_dict, to_index_fields

PROG = "marsad tag"


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str
    published: date | None
    article: object


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tag",
        help="tag paragraphs (events, actors, places, casualties, sources, dates) as JSON lines",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("file", metavar="FILE", help="paragraphs, one per line; '-' reads stdin")
    parser.add_argument(
        "--lexicons",
        type=Path,
        help="lexicon directory (default: MARSAD_LEXICON_DIR, else lexicons/ of the data files)",
    )
    parser.add_argument(
        "--published", type=date.fromisoformat, help="publication date (YYYY-MM-DD) for weekdays"
    )
    parser.add_argument(
        "--format", choices=("auto", "text", "jsonl"), default="auto", help="input format"
    )
    parser.add_argument("--text", action="store_true", help="echo each paragraph")
    parser.add_argument("--index", action="store_true", help="add the flat index fields")
    parser.add_argument("--stats", action="store_true", help="print lexicon sizes to stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    name = input_name(args.file)
    raw = read_text_argument(args.file, PROG)
    if raw is None:
        return 2
    try:
        tagger = Tagger.load(args.lexicons or Settings().lexicons_path())
    except LexiconError as exc:
        print(f"{PROG}: invalid lexicon: {exc}", file=sys.stderr)
        return 2
    if args.stats:
        print(json.dumps({"versions": tagger.versions, "sizes": tagger.sizes()}), file=sys.stderr)
    jsonl = args.format == "jsonl" or (args.format == "auto" and _looks_like_jsonl(raw))
    errors: list[str] = []
    lines = _json_lines(raw, args.published, errors) if jsonl else _text_lines(raw, args.published)
    tag_lines(tagger, lines, sys.stdout, text=args.text, index=args.index)
    for error in errors:
        print(f"{PROG}: {name}:{error}", file=sys.stderr)
    return 1 if errors else 0


def tag_lines(
    tagger: Tagger, lines: Iterator[_Line], out: TextIO, *, text: bool, index: bool
) -> None:
    """Tag ``lines`` in order, carrying article context, and write one JSON object per line."""
    context = ArticleContext()
    article: object = None
    for line in lines:
        if line.article != article:
            context, article = ArticleContext(), line.article
        tags = tagger.tag(line.text, line.published, context=context.recent())
        context.note(tags)
        record: dict[str, Any] = {"line": line.number}
        if text:
            record["text"] = line.text
        record.update(as_dict(tags))
        if index:
            record["index"] = to_index_fields(tags)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _looks_like_jsonl(raw: str) -> bool:
    first = next((line for line in raw.splitlines() if line.strip()), "")
    return first.lstrip().startswith("{")


def _text_lines(raw: str, published: date | None) -> Iterator[_Line]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            yield _Line(number, line.strip(), published, None)


def _json_lines(raw: str, published: date | None, errors: list[str]) -> Iterator[_Line]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            parsed = _json_line(number, line, published)
            if isinstance(parsed, str):
                errors.append(f"{number}: {parsed}")
            else:
                yield parsed


def _json_line(number: int, line: str, published: date | None) -> _Line | str:
    """The line's paragraph, or why it is not one."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return f"not JSON: {exc}"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return "expected an object with a string 'text'"
    when = record.get("published")
    try:
        day = date.fromisoformat(str(when)[:10]) if when else published
    except ValueError:
        return f"'published' is not a date: {when!r}"
    return _Line(number, record["text"], day, record.get("article"))

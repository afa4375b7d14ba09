"""``marsad extract PAGE.html``: run a saved page through the worker's decode and extract path.

The file is read as bytes and goes through :func:`pipeline.text.decode_body` (no
``Content-Type``: the page's ``<meta>`` or detection decides) and
:func:`pipeline.text.extract_page`, exactly what the worker does with a fetched page. The
output shows what would be indexed and what was dropped, with the reason.

Exit codes: 0 extracted; 1 the page could not be decoded or holds no article text; 2 the
file could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from pipeline.text import (
    DecodedBody,
    DecodeError,
    ExtractedPage,
    ExtractionError,
    content_fingerprint,
    decode_body,
    extract_page,
)

PROG = "marsad extract"
STDIN = "-"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract the article text of a saved page, as the worker would",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("page", metavar="PAGE.html", help="saved page; '-' reads standard input")
    parser.add_argument("--url", help="the page's URL (helps date and site name detection)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    name: str = "<stdin>" if args.page == STDIN else args.page
    try:
        body = sys.stdin.buffer.read() if args.page == STDIN else Path(args.page).read_bytes()
    except OSError as exc:
        print(f"{PROG}: cannot read {name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        decoded = decode_body(body, None)
    except DecodeError as exc:
        print(f"{PROG}: cannot decode {name}: {exc}", file=sys.stderr)
        return 1
    try:
        page = extract_page(decoded.text, args.url)
    except ExtractionError as exc:
        print(f"{PROG}: {exc} in {name}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(as_json(name, args.url, decoded, page), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        write_report(sys.stdout, decoded, page)
    return 0


def as_json(
    source: str, url: str | None, decoded: DecodedBody, page: ExtractedPage
) -> dict[str, Any]:
    """The command's ``--json`` object."""
    return {
        "source": source,
        "url": url,
        "title": page.title,
        "published": page.published.isoformat() if page.published else None,
        "site_name": page.site_name,
        "language": page.language,
        "encoding": decoded.encoding,
        "method": decoded.method,
        "fingerprint": content_fingerprint(page.paragraphs),
        "paragraphs": list(page.paragraphs),
        "dropped": [{"reason": d.reason, "text": d.text} for d in page.dropped],
    }


def write_report(out: TextIO, decoded: DecodedBody, page: ExtractedPage) -> None:
    """The command's human-readable output."""
    published = page.published.isoformat() if page.published else "-"
    out.write(
        f"title:       {page.title or '-'}\n"
        f"published:   {published}\n"
        f"site:        {page.site_name or '-'}\n"
        f"language:    {page.language or '-'}\n"
        f"encoding:    {decoded.encoding} ({decoded.method})\n"
        f"fingerprint: {content_fingerprint(page.paragraphs)}\n"
        f"\nkept {len(page.paragraphs)} paragraphs:\n"
    )
    for number, paragraph in enumerate(page.paragraphs, start=1):
        out.write(f"{number:3d}. {paragraph}\n")
    out.write(f"\ndropped {len(page.dropped)} paragraphs:\n")
    for dropped in page.dropped:
        out.write(f"  [{dropped.reason}] {dropped.text}\n")

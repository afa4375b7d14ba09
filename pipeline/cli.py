"""The ``marsad`` command: one entry point, one settings object, sub-commands per concern."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "pipeline.commands.stack",
    "pipeline.commands.extract",
    "pipeline.commands.tag",
    "pipeline.commands.dedupe",
    "pipeline.commands.worker",
    "pipeline.commands.connect",
    "pipeline.commands.sources",
    "pipeline.commands.run",
    "pipeline.commands.search",
    "pipeline.commands.demo",
    "pipeline.commands.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marsad", description="Marsad: monitor Arabic news, deduplicated and searchable."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if not args.verbose:
        for chatty in ("kafka", "aiokafka", "opensearch", "elastic_transport", "httpx"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

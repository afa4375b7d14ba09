"""The ``marsad`` command: one entry point, one settings object, sub-commands per concern."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

COMMAND_MODULES = (
    "cli.commands.extract",
    "cli.commands.tag",
    "cli.commands.dedupe",
    "cli.commands.worker",
    "cli.commands.connect",
    "cli.commands.sources",
    "cli.commands.run",
    "cli.commands.search",
    "cli.commands.index",
    "cli.commands.replay",
    "cli.commands.alerts",
    "cli.commands.kibana",
    "cli.commands.console",
)
# The development tools register their commands here (devtools/pyproject.toml); without them
# installed, these names answer with how to install them instead of "invalid choice".
DEV_COMMANDS_GROUP = "marsad.commands"
DEV_COMMANDS = {
    "stack": "the local Kafka and OpenSearch",
    "demo": "the sample sites, ingested and searched",
    "bench": "the end-to-end benchmark",
}


def _dev_tools_missing(args: argparse.Namespace) -> int:
    print(
        f"marsad {args.command}: this command is one of Marsad's development tools, which are not "
        "installed here: install them with `pip install -e ./devtools` from a checkout "
        "(`make install` does), or `pip install 'marsad[dev]'`",
        file=sys.stderr,
    )
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marsad", description="Marsad: monitor Arabic news, deduplicated and searchable."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    registered: set[str] = set()
    for entry in sorted(entry_points(group=DEV_COMMANDS_GROUP), key=lambda e: e.name):
        try:
            module = entry.load()
        except ImportError as exc:  # registered by a distribution whose code is not importable
            logging.getLogger(__name__).debug("command %s not loaded: %r", entry.name, exc)
            continue
        module.register(subparsers)
        registered.add(entry.name)
    for name, summary in DEV_COMMANDS.items():
        if name not in registered:
            missing = subparsers.add_parser(name, help=f"{summary} (development tools)")
            missing.add_argument("rest", nargs=argparse.REMAINDER)
            missing.set_defaults(func=_dev_tools_missing)
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

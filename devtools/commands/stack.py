"""``marsad stack up|down|status``: the local Kafka and OpenSearch (and Elasticsearch on demand)."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from devtools import stack
from kernel.settings import Settings

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3


def _settings() -> tuple[Settings, stack.StackSettings]:
    """Both settings objects, read from the environment now (at the entry point)."""
    return Settings(), stack.StackSettings()


def _fail(message: str) -> int:
    print(f"marsad stack: {message}", file=sys.stderr, flush=True)
    return EXIT_FAILED


def _up(args: argparse.Namespace) -> int:
    settings, config = _settings()
    info = stack.up(settings, config)
    elastic = None
    if getattr(args, "engine", "opensearch") == "elasticsearch":
        elastic = stack.up_elasticsearch(settings, config)
    print(f"kafka bootstrap: {info.kafka_bootstrap}")
    print(f"search url:      {info.search_url}")
    if elastic is not None:
        print(f"elasticsearch:   {elastic}")
    return EXIT_OK


def _down(_args: argparse.Namespace) -> int:
    settings, config = _settings()
    stack.down(settings, config)
    return EXIT_OK


def _status(_args: argparse.Namespace) -> int:
    settings, config = _settings()
    report = stack.status(settings, config)
    for line in report.lines():
        print(line)
    return EXIT_OK if report.healthy else EXIT_NOT_RUNNING


_ACTIONS = {"up": _up, "down": _down, "status": _status}


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; a StackError or a bad setting becomes a message and exit code 1."""
    handler = _ACTIONS[args.stack_action]
    if not getattr(args, "verbose", False):
        # The readiness probes' clients log every connection at INFO: keep the progress readable.
        for chatty in ("kafka", "httpx"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return handler(args)
    except stack.StackError as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        return _fail(f"invalid setting ({problems}); see MARSAD_STACK_* in the environment")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stack",
        help="start, stop or inspect the local Kafka and OpenSearch",
        description=(
            "A real Kafka broker and OpenSearch node, fetched from Maven Central on first use "
            "(into the cache directory) and run on 127.0.0.1. Ports and heap come from "
            "MARSAD_STACK_* variables (MARSAD_STACK_KAFKA_PORT, "
            "MARSAD_STACK_KAFKA_CONTROLLER_PORT, MARSAD_STACK_OPENSEARCH_BASE_PORT, "
            "MARSAD_STACK_ELASTICSEARCH_PORT, MARSAD_STACK_HEAP). With --engine elasticsearch, "
            "up also starts an Elasticsearch 8.19 node (the integ-test distribution)."
        ),
    )
    actions = parser.add_subparsers(dest="stack_action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start both services (no-op if already running) and wait")
    up.add_argument(
        "--engine",
        choices=("opensearch", "elasticsearch"),
        default="opensearch",
        help="elasticsearch: also start a local Elasticsearch node (never started otherwise)",
    )
    actions.add_parser("down", help="stop every service this stack started")
    actions.add_parser("status", help="show each service; exit 0 if all answer, 3 if not")
    parser.set_defaults(func=run)

"""``marsad sources check``: for each source, does it answer, what does it return, and when
did it last produce a new article (from the connector's state)?

Exit status 0 when every source answered, 1 when some did not or the file is invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from cli.commands.connect import default_state_path
from connectors.checks import check_sources, format_report
from connectors.fetch import Fetcher, FetcherConfig
from connectors.schedule import SourceState
from connectors.sources import load_sources
from connectors.state import StateStore
from kernel.exceptions import MarsadError
from kernel.settings import Settings


def _states(path: Path) -> dict[str, SourceState]:
    if not path.exists():
        return {}
    store = StateStore(path)
    try:
        return store.source_states()
    finally:
        store.close()


async def check(
    sources: Path, state_path: Path, *, only: list[str], timeout_s: float, concurrency: int
) -> int:
    registry = load_sources(sources)
    if only:
        unknown = sorted(set(only) - {s.id for s in registry.sources})
        if unknown:
            raise MarsadError(f"no source with id {unknown} in {sources}")
        chosen = tuple(s for s in registry.sources if s.id in only)
        registry = registry.model_copy(update={"sources": chosen})
    config = FetcherConfig(
        min_delay_s=0.0,
        concurrency=concurrency,
        total_timeout_s=timeout_s,
        read_timeout_s=timeout_s,
        connect_timeout_s=min(10.0, timeout_s),
    )
    async with Fetcher(config) as fetcher:
        checks = await check_sources(registry, fetcher, _states(state_path))
    print(format_report(checks), flush=True)
    return 0 if all(c.answered for c in checks) else 1


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        return asyncio.run(
            check(
                args.sources or settings.sources_path(),
                args.state or default_state_path(settings),
                only=args.only or [],
                timeout_s=args.timeout,
                concurrency=args.concurrency,
            )
        )
    except MarsadError as exc:
        print(f"marsad sources check: {exc}", file=sys.stderr)
        return 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sources", help="inspect the source registry")
    commands = parser.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    checker = commands.add_parser(
        "check", help="fetch every source's ways in once and report what they return"
    )
    checker.add_argument("--sources", type=Path, help="sources file (default deploy/sources.yaml)")
    checker.add_argument(
        "--state", type=Path, help="connector state (default <MARSAD_HOME>/connectors/state.sqlite)"
    )
    checker.add_argument("--only", nargs="+", metavar="ID", help="check only these sources")
    checker.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    checker.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    checker.set_defaults(func=run)

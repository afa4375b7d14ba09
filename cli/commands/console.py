"""``marsad console [--host 127.0.0.1] [--port 8070]``: the analyst's web console.

Serves :mod:`cli.console` with uvicorn. Loopback only unless ``--allow-remote``; read-only
unless ``MARSAD_CONSOLE_TOKEN`` is set (docs/console.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.commands.connect import default_state_path
from cli.console import ConsoleConfig, create_app
from cli.console.health import HealthReport, health_report
from cli.console.names import actor_spellings
from cli.console.security import LOOPBACK_HOSTS, check_bind, is_loopback
from cli.services import ServicesUnavailable, resolve
from kernel.settings import Settings
from pipeline.sinks.factory import open_sink
from pipeline.tagging import Tagger

DEFAULT_PORT = 8070


def console_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def build_config(
    base: Settings,
    *,
    sources: Path | None = None,
    state: Path | None = None,
    metrics_url: str | None = None,
    allowed_hosts: list[str] | None = None,
) -> ConsoleConfig:
    """The console's configuration over ``base`` settings (addresses resolved per request)."""

    def settings() -> Settings:
        try:
            return resolve(base)
        except ServicesUnavailable:
            return base  # the pages say what is unavailable and why

    def health(resolved: Settings) -> HealthReport:
        return health_report(
            resolved,
            sources or resolved.sources_path(),
            state or default_state_path(resolved),
            metrics_url,
        )

    return ConsoleConfig(
        settings=settings,
        open_sink=open_sink,
        load_tagger=lambda: Tagger.load(base.lexicons_path()),
        health=health,
        token=base.console_token,
        allowed_hosts=allowed_hosts,
        actor_names=actor_spellings(base.lexicons_path()),
    )


def run(args: argparse.Namespace) -> int:
    refusal = check_bind(args.host, allow_remote=args.allow_remote)
    if refusal is not None:
        print(f"marsad console: {refusal}", file=sys.stderr)
        return 2
    import uvicorn  # noqa: PLC0415 - only the console serves HTTP this way

    base = Settings()
    hosts = [*LOOPBACK_HOSTS, args.host] if is_loopback(args.host) else None
    config = build_config(
        base,
        sources=args.sources,
        state=args.state,
        metrics_url=args.metrics_url,
        allowed_hosts=hosts,
    )
    writes = "token-gated writes" if base.console_token else "read-only"
    print(f"console: {console_url(args.host, args.port)} ({writes})", flush=True)
    uvicorn.run(
        create_app(config), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("console", help="the analyst's web console (loopback)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (put an authenticating proxy in front)",
    )
    parser.add_argument("--sources", type=Path, help="source registry shown on /health")
    parser.add_argument("--state", type=Path, help="the connectors' state file for /health")
    parser.add_argument(
        "--metrics-url", help="the worker's metrics address (e.g. http://127.0.0.1:6066)"
    )
    parser.set_defaults(func=run)

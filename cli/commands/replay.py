"""``marsad replay``: re-run stored pages through the worker's stages into an index version.

    marsad replay --since 2026-11-01 [--to-index N] [--switch]
    marsad replay --from-offset 0 --to-index 2

Reads the slice of ``news.pages.v1`` from the date (record time) or the offset up to its end
when the replay started, and writes into ``{prefix}-{kind}-v{N}`` (default: the template's
version), never through the alias; ``--switch`` points the aliases at it once it is full.
Interrupted, the same command resumes from its checkpoint; run again after it finished, it
replays again (same ids: the documents are replaced, not added).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from tqdm import tqdm

from cli.services import resolve
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.replay import ReplayReport, enricher_factory, plan_slice, replay
from pipeline.sinks.bodies import TEMPLATES, template_body, template_version
from pipeline.sinks.factory import open_sink


def parse_since(text: str) -> datetime:
    """A date or date-time (ISO 8601); without a zone, UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (e.g. 2026-11-01 or 2026-11-01T06:00+03:00)"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def run_replay(settings: Settings, args: argparse.Namespace) -> ReplayReport:
    version = args.to_index or template_version(
        template_body("articles", settings.index_prefix, settings.deploy_dir)
    )
    slice_ = plan_slice(settings, since=args.since, from_offset=args.from_offset)
    make_enricher = enricher_factory(settings)
    sink = open_sink(settings)
    bar = tqdm(
        total=slice_.total,
        unit="page",
        desc=f"replay → v{version}",
        file=sys.stderr,
        mininterval=1.0,
        disable=args.quiet,
    )

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        report = await replay(
            settings, sink, slice_, version, make_enricher=make_enricher, progress=progress
        )
        if args.switch:
            for kind in TEMPLATES:
                await sink.switch_alias(kind, version)
        return report
    finally:
        bar.close()
        await sink.close()


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        report = asyncio.run(run_replay(settings, args))
    except KeyboardInterrupt:
        print(
            "marsad replay: interrupted; run the same command again to resume from the last "
            "checkpoint",
            file=sys.stderr,
        )
        return 130
    except MarsadError as exc:
        print(f"marsad replay: {exc}", file=sys.stderr)
        return 1
    done = report.checkpoint
    resumed = f", resumed after {report.resumed_from}" if report.resumed_from else ""
    print(
        f"replayed {done.done} pages into version {done.version}{resumed}: "
        f"{done.documents} documents written, {report.skipped_total} pages skipped"
    )
    for reason, count in sorted(done.skipped.items()):
        print(f"  skipped {count}: {reason} (listed in {report.path.with_suffix('.dead.jsonl')})")
    if args.switch:
        print(f"the aliases now serve version {done.version}")
    else:
        print(f"make it live with: marsad index switch all {done.version}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "replay", help="re-run stored pages through the stages into an index version"
    )
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--since", type=parse_since, help="pages stored from this date (UTC)")
    start.add_argument(
        "--from-offset", type=int, metavar="N", help="pages from offset N of every partition"
    )
    parser.add_argument(
        "--to-index",
        type=int,
        metavar="VERSION",
        help="the index version to fill (default: the templates' version)",
    )
    parser.add_argument(
        "--switch", action="store_true", help="point the aliases at that version when done"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)

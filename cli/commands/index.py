"""``marsad index status|switch``: the versioned indices behind each alias.

Every kind of document (articles, paragraphs) is searched and written through an alias,
``{prefix}-{kind}``, that points at one concrete index per template version,
``{prefix}-{kind}-v{N}``. A template change is a new version: ``marsad replay --to-index N``
fills it while searches keep answering from the old one, then ``marsad index switch KIND N``
moves the alias in one atomic step.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from cli.services import resolve
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.sinks.bodies import KINDS, TEMPLATES
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import KindStatus


async def index_status(settings: Settings) -> list[KindStatus]:
    sink = open_sink(settings)
    try:
        return [await sink.status(kind) for kind in KINDS]
    finally:
        await sink.close()


async def switch(settings: Settings, kinds: list[str], version: int, replace_index: bool) -> None:
    sink = open_sink(settings)
    try:
        for kind in kinds:
            await sink.switch_alias(kind, version, replace_index=replace_index)
    finally:
        await sink.close()


def format_status(status: KindStatus) -> list[str]:
    live = status.live
    lines = [
        f"{status.kind}: alias {status.alias} → {live.name if live else '(none)'}; "
        f"template version {status.template_version}"
    ]
    if live is not None and live.version != status.template_version:
        before = live.version is None
        lines.append(
            f"  the template is version {status.template_version}, the alias serves "
            f"{'an index made before versions' if before else f'version {live.version}'}: "
            f"roll out with `marsad replay --since DATE --to-index {status.template_version}`, "
            f"then `marsad index switch {status.kind} {status.template_version}"
            f"{' --replace-index' if before else ''}`"
        )
    for index in status.indices:
        mark = "*" if index.aliased else " "
        version = f"v{index.version}" if index.version is not None else "--"
        lines.append(f"  {mark} {index.name:<40} {version:>4} {index.documents:>10} documents")
    if not status.indices:
        lines.append("  no index yet: the worker makes the first version when it starts")
    return lines


def run_status(args: argparse.Namespace) -> int:
    try:
        statuses = asyncio.run(index_status(resolve(Settings())))
    except MarsadError as exc:
        print(f"marsad index status: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for status in statuses:
            print(
                json.dumps(
                    {
                        "kind": status.kind,
                        "alias": status.alias,
                        "template_version": status.template_version,
                        "indices": [
                            {
                                "name": i.name,
                                "version": i.version,
                                "documents": i.documents,
                                "aliased": i.aliased,
                            }
                            for i in status.indices
                        ],
                    }
                )
            )
        return 0
    for status in statuses:
        print("\n".join(format_status(status)))
    return 0


def run_switch(args: argparse.Namespace) -> int:
    kinds = list(TEMPLATES) if args.kind == "all" else [args.kind]
    try:
        asyncio.run(switch(resolve(Settings()), kinds, args.version, args.replace_index))
    except MarsadError as exc:
        print(f"marsad index switch: {exc}", file=sys.stderr)
        return 1
    for kind in kinds:
        print(f"{kind}: the alias now serves version {args.version}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "index", help="the versioned indices behind each alias: status, switch"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="versions, aliases and document counts")
    status.add_argument("--json", action="store_true", help="one JSON object per kind")
    status.set_defaults(func=run_status)
    flip = actions.add_parser("switch", help="point a kind's alias at another version, atomically")
    flip.add_argument("kind", choices=[*TEMPLATES, "all"])
    flip.add_argument("version", type=int)
    flip.add_argument(
        "--replace-index",
        action="store_true",
        help="delete an index made before versions that holds the alias's name",
    )
    flip.set_defaults(func=run_switch)

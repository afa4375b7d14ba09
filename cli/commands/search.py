"""``marsad search "<query>"``: Arabic full-text search with highlighted snippets."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from cli.services import resolve
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.sinks.bodies import parse_hits, search_body
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import Hit


async def search(
    settings: Settings, query: str, size: int, *, unique: bool = False
) -> tuple[int, list[Hit]]:
    """Matching articles, or with ``unique`` matching paragraph clusters; (total, hits)."""
    sink = open_sink(settings)
    try:
        kind = "paragraphs" if unique else "articles"
        response = await sink.search(kind, search_body(query, size, unique=unique))
    finally:
        await sink.close()
    if unique:
        return int(
            response.get("aggregations", {}).get("clusters", {}).get("value", 0)
        ), parse_hits(response)
    total = response.get("hits", {}).get("total", {})
    count = total.get("value", 0) if isinstance(total, dict) else int(total)
    return int(count), parse_hits(response)


def format_hit(rank: int, hit: Hit) -> str:
    src = hit.source
    if "cluster_id" in src:  # a paragraph cluster
        lines = [
            f"{rank}. carried by {src.get('outlet_count', 1)} outlet(s); first seen "
            f"{src.get('first_seen_at', '?')} at {src.get('first_seen_source', '?')}"
            f" · cluster {src['cluster_id']}",
        ]
    else:
        stories = src.get("story_outlet_count", 1)
        lines = [
            f"{rank}. {src.get('title') or '(no title)'}",
            f"   {src.get('outlet', '?')} · {src.get('published_at') or 'undated'}"
            f" · {src.get('url')}"
            + (f" · same text at {stories} outlets" if stories and stories > 1 else ""),
        ]
    lines += [f"   … {snippet.replace(chr(10), ' ')} …" for snippet in hit.highlights]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(Settings())
        total, hits = asyncio.run(search(settings, args.query, args.size, unique=args.unique))
    except MarsadError as exc:
        print(f"marsad search: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for hit in hits:
            print(
                json.dumps(
                    {"id": hit.id, "score": hit.score, "highlights": hit.highlights, **hit.source},
                    ensure_ascii=False,
                )
            )
        return 0
    what = "paragraph cluster(s)" if args.unique else "article(s)"
    print(f"{total} {what} match «{args.query}»; showing {len(hits)}")
    for rank, hit in enumerate(hits, 1):
        print(format_hit(rank, hit))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("search", help="search indexed articles (Arabic analyzer)")
    parser.add_argument("query")
    parser.add_argument("--size", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object per hit")
    parser.add_argument(
        "--unique",
        action="store_true",
        help="search paragraphs, one hit per cluster of near-identical paragraphs",
    )
    parser.set_defaults(func=run)

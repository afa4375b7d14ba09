"""``marsad search "<query>"``: Arabic full-text search with highlighted snippets.

The query is read with the tagger's lexicons (:mod:`pipeline.sinks.expansion`): a name of an
actor or news source also finds its other names, and each such hit says which name it matched
(``matched: «تنظيم الدولة» (Islamic State)``; ``matched_alias`` in ``--json``). See
``docs/search.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from cli.commands.alerts import alert_line
from cli.services import resolve
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.alerting import alert_events, latest_by_alert
from pipeline.sinks.bodies import parse_hits, search_body
from pipeline.sinks.expansion import ExpandedQuery, QueryExpansion
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import Hit


async def search(
    settings: Settings,
    query: str,
    size: int,
    *,
    unique: bool = False,
    expansion: QueryExpansion | None = None,
) -> tuple[int, list[Hit]]:
    """Matching articles, or with ``unique`` matching paragraph clusters; (total, hits)."""
    sink = open_sink(settings)
    try:
        kind = "paragraphs" if unique else "articles"
        body = search_body(query, size, unique=unique, expansion=expansion)
        response = await sink.search(kind, body)
    finally:
        await sink.close()
    if unique:
        return int(
            response.get("aggregations", {}).get("clusters", {}).get("value", 0)
        ), parse_hits(response)
    total = response.get("hits", {}).get("total", {})
    count = total.get("value", 0) if isinstance(total, dict) else int(total)
    return int(count), parse_hits(response)


def reading(expanded: ExpandedQuery) -> list[str]:
    """How the query was read: the names expanded, the common words kept off their places."""
    lines = [
        f"«{segment.text}» is a name of {segment.group.name_en}: searched as any of its "
        f"{len(segment.group.names)} names"
        for segment in expanded.segments
        if segment.group
    ]
    lines += [
        f"«{word}» read as a common word: paragraphs tagged at {', '.join(places)} left out "
        f"(name the place with its settlement word, e.g. «حي {word}», to find it)"
        for word, places in expanded.common_words.items()
    ]
    return lines


def matched_alias(hit: Hit, expansion: QueryExpansion) -> list[dict[str, str]]:
    """The names of queried actors a hit matched (the longest, where one holds another)."""
    names = [m.alias for m in hit.matched_aliases]
    return [
        {
            "actor": m.group,
            "name_en": group.name_en if (group := expansion.groups.get(m.group)) else m.group,
            "alias": m.alias,
        }
        for m in hit.matched_aliases
        if not any(f" {m.alias} " in f" {other} " for other in names if other != m.alias)
    ]


def format_hit(rank: int, hit: Hit, expansion: QueryExpansion | None = None) -> str:
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
    if hit.matched_aliases:
        names = matched_alias(hit, expansion or QueryExpansion.none())
        lines.append("   matched: " + "; ".join(f"«{n['alias']}» ({n['name_en']})" for n in names))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.alerts:
        return run_alerts(args)
    try:
        settings = resolve(Settings())
        expansion = QueryExpansion.load(settings.lexicons_path())
        total, hits = asyncio.run(
            search(settings, args.query, args.size, unique=args.unique, expansion=expansion)
        )
    except MarsadError as exc:
        print(f"marsad search: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for hit in hits:
            record = {"id": hit.id, "score": hit.score, "highlights": hit.highlights}
            record["matched_alias"] = matched_alias(hit, expansion)
            print(json.dumps({**record, **hit.source}, ensure_ascii=False))
        return 0
    what = "paragraph cluster(s)" if args.unique else "article(s)"
    print(f"{total} {what} match «{args.query}»; showing {len(hits)}")
    for line in reading(expansion.expand(args.query)):
        print(f"  {line}")
    for rank, hit in enumerate(hits, 1):
        print(format_hit(rank, hit, expansion))
    return 0


def run_alerts(args: argparse.Namespace) -> int:
    """``--alerts``: the alerts index (key values, rule, reason, outlet groups), one line per
    alert as ``marsad alerts list`` prints it."""

    async def work(settings: Settings) -> list[dict[str, Any]]:
        sink = open_sink(settings)
        try:
            return await alert_events(sink, query=args.query)
        finally:
            await sink.close()

    try:
        alerts = latest_by_alert(asyncio.run(work(resolve(Settings()))))
    except MarsadError as exc:
        print(f"marsad search: {exc}", file=sys.stderr)
        return 1
    shown = alerts[: args.size]
    if args.json:
        for alert in shown:
            print(json.dumps(alert, ensure_ascii=False))
        return 0
    print(f"{len(alerts)} alert(s) match «{args.query}»; showing {len(shown)}")
    for alert in shown:
        print(alert_line(alert))
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
    parser.add_argument(
        "--alerts",
        action="store_true",
        help="search the alerts the worker raised (key values, rule, reason, outlet groups)",
    )
    parser.set_defaults(func=run)

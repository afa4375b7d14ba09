"""The bodies a sink sends and reads: index templates, bulk operations, search queries, and
what comes back (bulk failures, hits). The same for OpenSearch and Elasticsearch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kernel.datafiles import data_file
from pipeline.sinks.types import ALIAS_QUERY, Hit, IndexAction, MatchedAlias, SinkError

if TYPE_CHECKING:
    from pipeline.sinks.expansion import QueryExpansion

TEMPLATES = ("articles", "paragraphs")
"""The kinds made from pages: what a replay rebuilds into a new index version."""
KINDS = (*TEMPLATES, "alerts")
"""Every kind the worker installs (alert events come from the alert stage, not from pages)."""


def alias_name(prefix: str, kind: str) -> str:
    """The name everything reads and writes through: ``{prefix}-{kind}`` (an alias)."""
    return f"{prefix}-{kind}"


def version_index(prefix: str, kind: str, version: int) -> str:
    """The concrete index of one template version: ``{prefix}-{kind}-v{version}``."""
    return f"{prefix}-{kind}-v{version}"


def index_version(prefix: str, kind: str, index: str) -> int | None:
    """The version in a concrete index's name; None for a name :func:`version_index` did not
    make."""
    stem = f"{prefix}-{kind}-v"
    number = index.removeprefix(stem)
    if number == index or not number.isdigit():
        return None
    return int(number)


def template_version(body: dict[str, Any]) -> int:
    """The template's ``version``: which concrete index (``…-v{version}``) it makes."""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SinkError(
            f'index template for {body.get("index_patterns")} has no valid "version" '
            f"(a whole number from 1; got {version!r})",
            retriable=False,
        )
    return version


def template_body(kind: str, prefix: str, data_dir: Path | None = None) -> dict[str, Any]:
    """The index template for one document kind, for indices named ``{prefix}-{kind}``.

    Read from ``index-templates/`` of the data files (``data_dir``: an operator's copy of
    ``deploy/``, else the packaged one): the templates are the one definition of the fields.
    """
    text = data_file(f"index-templates/news-{kind}.json", data_dir).read_text(encoding="utf-8")
    body: dict[str, Any] = json.loads(text.replace("{prefix}", prefix))
    return body


def bulk_operations(
    actions: Sequence[IndexAction], prefix: str, version: int | None = None
) -> list[dict[str, Any]]:
    """The bulk request body: an ``index`` operation and its document per action.

    Written through each kind's alias, or, with ``version``, into that version's concrete
    index (a replay filling a new version before the alias is switched to it).
    """
    operations: list[dict[str, Any]] = []
    for action in actions:
        index = (
            alias_name(prefix, action.kind)
            if version is None
            else version_index(prefix, action.kind, version)
        )
        operations.append({"index": {"_index": index, "_id": action.doc_id}})
        operations.append(action.document)
    return operations


def bulk_failure(response: dict[str, Any]) -> SinkError | None:
    """The error a bulk response carries, if any item failed (retriable if all may be)."""
    if not response.get("errors"):
        return None
    failed = [
        item.get("index", {})
        for item in response.get("items", [])
        if item.get("index", {}).get("error")
    ]
    statuses = [int(f.get("status", 0)) for f in failed]
    retriable = all(s == 429 or s >= 500 for s in statuses)
    first = failed[0] if failed else {}
    reason = first.get("error", {})
    if isinstance(reason, dict):
        reason = f"{reason.get('type')}: {reason.get('reason')}"
    return SinkError(
        f"bulk: {len(failed)} of {len(response.get('items', []))} writes failed; "
        f"first {first.get('_index')}/{first.get('_id')} HTTP {statuses[:1]}: {reason}",
        retriable=retriable,
    )


def search_body(
    query: str,
    size: int,
    *,
    pre: str = "**",
    post: str = "**",
    unique: bool = False,
    expansion: QueryExpansion | None = None,
) -> dict[str, Any]:
    """An Arabic full-text query over titles and text, with highlighted snippets.

    Every word is required (in any of the fields), in any of its proclitic forms; a name of an
    actor or source found by ``expansion`` (the tagger's lexicons) is required as any of its
    actor's names, and each hit names the one it matched (:attr:`Hit.matched_aliases`); a
    place name read as a common word leaves out the paragraphs tagged with that place. Without
    ``expansion``, no names are read (proclitics still are). See ``docs/search.md``.

    ``unique`` is for the paragraph index: one hit per paragraph cluster (the best match),
    with the cluster's highest outlet count so far.
    """
    # imported here: pipeline.tagging, which the query reads its lexicons with, reads the
    # index templates through this module
    from pipeline.sinks.query import search_query  # noqa: PLC0415

    body: dict[str, Any] = {
        "size": size,
        "query": search_query(query, unique=unique, expansion=expansion),
        "highlight": {
            "pre_tags": [pre],
            "post_tags": [post],
            "fields": {
                "text": {"fragment_size": 160, "number_of_fragments": 2},
                "text.exact": {"fragment_size": 160, "number_of_fragments": 2},
                "title": {},
            },
        },
    }
    if unique:
        body["collapse"] = {
            "field": "cluster_id",
            "inner_hits": {
                "name": "widest",
                "size": 1,
                "sort": [{"outlet_count": "desc"}],
                "_source": ["outlet_count"],
            },
        }
        body["aggs"] = {"clusters": {"cardinality": {"field": "cluster_id"}}}
    return body


def parse_hits(response: dict[str, Any]) -> list[Hit]:
    """The hits of a search response (with ``unique``: each cluster's widest outlet count),
    with the names each matched (named alias queries)."""
    hits = []
    for raw in response.get("hits", {}).get("hits", []):
        aliases = matched_aliases(raw.get("matched_queries", ()))
        highlight = raw.get("highlight", {})
        text = ("text.exact", "text") if aliases else ("text", "text.exact")
        snippets = tuple(
            highlight.get(text[0], []) or highlight.get(text[1], []) or highlight.get("title", [])
        )
        source = dict(raw["_source"])
        widest = raw.get("inner_hits", {}).get("widest", {}).get("hits", {}).get("hits", [])
        if widest:
            source["outlet_count"] = widest[0]["_source"].get(
                "outlet_count", source.get("outlet_count")
            )
        hits.append(Hit(raw["_id"], float(raw.get("_score") or 0.0), source, snippets, aliases))
    return hits


def matched_aliases(names: Iterable[str]) -> tuple[MatchedAlias, ...]:
    """The ``alias|<id>|<name>`` named queries among ``names`` (a list, or the engine's
    name → score object), in name order."""
    found = []
    for name in sorted(names):
        kind, _, rest = name.partition("|")
        group, _, alias = rest.partition("|")
        if kind == ALIAS_QUERY and group and alias:
            found.append(MatchedAlias(group, alias))
    return tuple(found)


__all__ = [
    "KINDS",
    "TEMPLATES",
    "alias_name",
    "bulk_failure",
    "bulk_operations",
    "index_version",
    "matched_aliases",
    "parse_hits",
    "search_body",
    "template_body",
    "template_version",
    "version_index",
]

"""The request bodies the console sends: ``marsad search``'s query, narrowed and faceted.

:func:`console_search_body` starts from :func:`pipeline.sinks.bodies.search_body` (the same
Arabic multi-match, highlight and, in unique mode, collapse on ``cluster_id`` as
``marsad search``) and adds what a page needs: filters from the URL, a page offset, a sort,
and the facets (terms aggregations and a histogram by day). Highlights come back between the
console's own markers (:data:`PRE`, :data:`POST`), which :mod:`cli.console.render` turns into
``<mark>`` after escaping everything else. Pure functions, no I/O.
"""

from __future__ import annotations

from typing import Any

from cli.console.state import FILTERS, PAGE_SIZE, SearchState
from pipeline.sinks.bodies import search_body

# Private-use characters: never in extracted text, so the engine's highlight is unambiguous.
PRE = "\ue000"
POST = "\ue001"

FACETS: dict[str, tuple[str, int]] = {
    # URL parameter: (field, how many values)
    "actor": ("actor_ids", 12),
    "gov": ("governorates", 14),
    "place": ("place_ids", 12),
    "event": ("event_types", 10),
    "outlet": ("outlet", 12),
}
MAP_POINTS_MAX = 1000


def filter_clauses(state: SearchState) -> list[dict[str, Any]]:
    """One clause per filtered parameter; its values are alternatives (OR), parameters AND."""
    clauses: list[dict[str, Any]] = []
    for name, values in state.grouped().items():
        field = FILTERS[name]
        if name == "day":
            days = [v for v in values if _is_day(v)]
            if days:
                ranges = [
                    {"range": {field: {"gte": day, "lt": f"{day}||+1d", "format": "yyyy-MM-dd"}}}
                    for day in days
                ]
                clauses.append({"bool": {"should": ranges, "minimum_should_match": 1}})
            continue
        clauses.append({"terms": {field: values}})
    return clauses


def _is_day(value: str) -> bool:
    parts = value.split("-")
    return len(parts) == 3 and all(p.isdigit() for p in parts) and len(value) == 10


def base_query(state: SearchState, *, unique: bool) -> dict[str, Any]:
    """The query of ``state``: ``marsad search``'s multi-match (or every document when the
    query box is empty), narrowed by the filters."""
    if state.q:
        query: dict[str, Any] = search_body(state.q, 1, unique=unique)["query"]
    else:
        query = {"match_all": {}}
    clauses = filter_clauses(state)
    if not clauses:
        return query
    return {"bool": {"must": [query], "filter": clauses}}


def facet_aggs() -> dict[str, Any]:
    aggs: dict[str, Any] = {
        name: {"terms": {"field": field, "size": size}} for name, (field, size) in FACETS.items()
    }
    aggs["day"] = {
        "date_histogram": {
            "field": "published_at",
            "calendar_interval": "day",
            "format": "yyyy-MM-dd",
            "min_doc_count": 1,
        }
    }
    return aggs


def console_search_body(state: SearchState, size: int = PAGE_SIZE) -> dict[str, Any]:
    """The search of one console page: hits of ``state.page``, highlighted, with facets."""
    unique = state.mode == "unique"
    body = search_body(state.q or "*", size, pre=PRE, post=POST, unique=unique)
    body["query"] = base_query(state, unique=unique)
    body["from"] = (state.page - 1) * size
    body["track_total_hits"] = True
    if state.sort == "time" or not state.q:
        body["sort"] = [
            {"published_at": {"order": "desc", "missing": "_last"}},
            "_score",
        ]
    body["aggs"] = {**body.get("aggs", {}), **facet_aggs()}
    return body


def cluster_body(cluster_id: str, size: int = 500) -> dict[str, Any]:
    """Every paragraph of one cluster, oldest first."""
    return {
        "size": size,
        "query": {"term": {"cluster_id": cluster_id}},
        "sort": [
            {"published_at": {"order": "asc", "missing": "_last"}},
            {"indexed_at": {"order": "asc"}},
        ],
    }


def article_body(url_id: str) -> dict[str, Any]:
    return {"size": 1, "query": {"term": {"url_id": url_id}}}


def paragraphs_body(url_id: str, size: int = 1000) -> dict[str, Any]:
    return {
        "size": size,
        "query": {"term": {"url_id": url_id}},
        "sort": [{"paragraph_index": {"order": "asc"}}],
    }


def story_body(story_id: str, size: int = 50) -> dict[str, Any]:
    """The articles of one story (the same text at several outlets), oldest first."""
    return {
        "size": size,
        "query": {"term": {"story_id": story_id}},
        "_source": ["url_id", "url", "outlet", "source_id", "title", "published_at"],
        "sort": [{"published_at": {"order": "asc", "missing": "_last"}}],
    }


def map_body(state: SearchState, size: int = MAP_POINTS_MAX) -> dict[str, Any]:
    """The paragraphs of ``state``'s search that name a place: what the map draws.

    Paragraphs, not articles: a place belongs to the paragraph that names it. Each cluster is
    drawn once (collapse on ``cluster_id``), so a wire story carried by ten outlets is one
    event on the map, not ten.
    """
    query = base_query(state, unique=True)
    located = {"exists": {"field": "locations"}}
    return {
        "size": size,
        "query": {"bool": {"must": [query], "filter": [located]}},
        "collapse": {"field": "cluster_id"},
        "_source": ["cluster_id", "place_ids", "locations", "event_types", "url_id"],
    }


ALERT_EVENTS = 1000
"""Alert events the alerts page reads (newest first), one alert per line."""


__all__ = [
    "ALERT_EVENTS",
    "FACETS",
    "POST",
    "PRE",
    "article_body",
    "base_query",
    "cluster_body",
    "console_search_body",
    "facet_aggs",
    "filter_clauses",
    "map_body",
    "paragraphs_body",
    "story_body",
]

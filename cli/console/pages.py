"""The console's pages: read the index (or Kafka), shape what the template shows.

Each handler reads its state from the URL (:class:`~cli.console.state.SearchState`), sends the
bodies of :mod:`cli.console.queries` through the sink, and hands plain values to its template.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cli.console import queries
from cli.console.health import HealthReport, Unavailable
from cli.console.mapping import count_points, draw, split_by_map
from cli.console.names import Names, tag_spans
from cli.console.render import marked, number_histories
from cli.console.security import TOKEN_FIELD, TOKEN_HEADER, write_refusal
from cli.console.state import FILTERS, PAGE_SIZE, SearchState
from kernel.exceptions import MarsadError
from pipeline.alerting import alert_events, latest_by_alert, mark_alert
from pipeline.sinks.bodies import parse_hits
from pipeline.sinks.types import Hit
from pipeline.tagging import ParagraphTags

if TYPE_CHECKING:
    from cli.console.config import ConsoleConfig

log = logging.getLogger(__name__)

Page = Callable[..., Response]  # (request, template, context, status=200)
FACET_TITLES = {
    "actor": "الفاعلون",
    "gov": "المحافظات",
    "place": "الأماكن",
    "event": "أنواع الأحداث",
    "outlet": "الوسائل الإعلامية",
    "day": "حسب اليوم",
}
ALERT_KEY_FILTERS = {
    "actor": "actor",
    "place": "place",
    "governorate": "gov",
    "event_type": "event",
}
TRIAGE = {"noise": "ضجيج", "expected": "متوقع"}
FORM_MAX_BYTES = 4096


def _total(response: dict[str, Any]) -> int:
    total = response.get("hits", {}).get("total", 0)
    return int(total.get("value", 0) if isinstance(total, dict) else total)


class Handlers:
    """One method per route; ``page`` renders a template."""

    def __init__(self, config: ConsoleConfig, page: Page) -> None:
        self._config = config
        self._page = page

    async def _search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        settings = self._config.settings()
        sink = self._config.open_sink(settings)
        try:
            return await sink.search(kind, body)
        finally:
            await sink.close()

    async def _names(self) -> Names:
        return Names(await self._config.tagger(), self._config.actor_names)

    # -- search and unique mode ---------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        state = SearchState.from_query(request.query_params.multi_items())
        kind = "paragraphs" if state.mode == "unique" else "articles"
        response = await self._search(kind, queries.console_search_body(state))
        names = await self._names()
        hits = parse_hits(response)
        total = _total(response)
        clusters = response.get("aggregations", {}).get("clusters", {}).get("value")
        shown_total = int(clusters) if state.mode == "unique" and clusters is not None else total
        pages = max(1, min(-(-shown_total // PAGE_SIZE), 100))
        return self._page(
            request,
            "search.html",
            {
                "title": "بحث",
                "state": state,
                "hits": [self._row(hit, names) for hit in hits],
                "total": shown_total,
                "pages": pages,
                "facets": self._facets(state, response.get("aggregations", {}), names),
                "active": [
                    (FACET_TITLES[n], names.facet_label(n, v), state.without_filter(n, v).url())
                    for n, v in state.filters
                ],
            },
        )

    async def clusters(self, request: Request) -> Response:
        state = SearchState.from_query(request.query_params.multi_items()).with_mode("unique")
        return RedirectResponse(state.url(), status_code=307)

    @staticmethod
    def _row(hit: Hit, names: Names) -> dict[str, Any]:
        src = hit.source
        return {
            "id": hit.id,
            "src": src,
            "snippets": hit.highlights or (str(src.get("text", ""))[:300],),
            "actors": [names.actor(a) for a in src.get("actor_ids") or []][:6],
            "places": [names.place_name(p) for p in src.get("place_ids") or []][:6],
        }

    @staticmethod
    def _facets(
        state: SearchState, aggs: dict[str, Any], names: Names
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        facets = []
        for name in (*queries.FACETS, "day"):
            buckets = aggs.get(name, {}).get("buckets", [])
            values = []
            for bucket in buckets:
                value = str(bucket.get("key_as_string") or bucket.get("key"))
                values.append(
                    {
                        "label": names.facet_label(name, value),
                        "value": value,
                        "count": int(bucket.get("doc_count", 0)),
                        "url": state.with_filter(name, value).url(),
                        "active": (name, value) in state.filters,
                    }
                )
            if name == "day":
                values.sort(key=lambda v: str(v["value"]), reverse=True)
            facets.append((FACET_TITLES[name], values))
        return facets

    # -- a cluster ---------------------------------------------------------------------------

    async def cluster(self, request: Request) -> Response:
        cluster_id = request.path_params["cluster_id"]
        response = await self._search("paragraphs", queries.cluster_body(cluster_id))
        occurrences = [hit.source for hit in parse_hits(response)]
        related = sorted(
            {r for doc in occurrences for r in doc.get("related_clusters") or []} - {cluster_id}
        )
        outlets = sorted({str(doc.get("outlet", "?")) for doc in occurrences})
        return self._page(
            request,
            "cluster.html",
            {
                "title": "مجموعة فقرات",
                "cluster_id": cluster_id,
                "occurrences": occurrences,
                "outlets": outlets,
                "related": related,
                "histories": number_histories(occurrences),
                "first": occurrences[0] if occurrences else None,
            },
        )

    # -- an article --------------------------------------------------------------------------

    async def article(self, request: Request) -> Response:
        url_id = request.path_params["url_id"]
        found = parse_hits(await self._search("articles", queries.article_body(url_id)))
        if not found:
            return self._page(
                request, "error.html", {"title": "غير موجود", "reason": f"no article {url_id}"}
            )
        article = found[0].source
        paragraphs = [
            hit.source
            for hit in parse_hits(await self._search("paragraphs", queries.paragraphs_body(url_id)))
        ]
        if not paragraphs:  # paragraphs not indexed: the article's own text, split as stored
            paragraphs = [
                {"paragraph_index": i, "text": text}
                for i, text in enumerate(str(article.get("text", "")).split("\n\n"))
            ]
        story: list[dict[str, Any]] = []
        if article.get("story_id"):
            body = queries.story_body(str(article["story_id"]))
            story = [
                h.source
                for h in parse_hits(await self._search("articles", body))
                if h.source.get("url_id") != url_id
            ]
        names = await self._names()
        tagger = names.tagger
        shown = []
        published = _day(article.get("published_at"))
        tagged: list[ParagraphTags | None] = [None] * len(paragraphs)
        if tagger is not None:
            texts = [str(p.get("text", "")) for p in paragraphs]
            article_tags = await run_in_threadpool(tagger.tag_article, texts, published)
            tagged = list(article_tags.paragraphs)
        for paragraph, tags in zip(paragraphs, tagged, strict=True):
            text = str(paragraph.get("text", ""))
            spans = tag_spans(tags) if tags is not None else []
            shown.append(
                {
                    "doc": paragraph,
                    "html": marked(text, spans),
                    "tags": spans,
                    "casualties": list(tags.casualties) if tags is not None else [],
                    "actors": [names.actor(a) for a in paragraph.get("actor_ids") or []],
                    "places": [names.place_name(p) for p in paragraph.get("place_ids") or []],
                }
            )
        return self._page(
            request,
            "article.html",
            {
                "title": article.get("title") or "مقال",
                "article": article,
                "paragraphs": shown,
                "story": story,
                "tagged": tagger is not None,
            },
        )

    # -- the map -----------------------------------------------------------------------------

    async def map(self, request: Request) -> Response:
        state = SearchState.from_query(request.query_params.multi_items())
        response = await self._search("paragraphs", queries.map_body(state))
        names = await self._names()
        hits = parse_hits(response)
        points, elsewhere = split_by_map(count_points([hit.source for hit in hits], names))
        svg, missing = draw(points)
        return self._page(
            request,
            "map.html",
            {
                "title": "الخريطة",
                "state": state,
                "points": points,
                "elsewhere": elsewhere,
                "svg": svg,
                "map_missing": missing,
                "events": len(hits),
            },
        )

    # -- alerts ------------------------------------------------------------------------------

    async def alerts(self, request: Request) -> Response:
        settings = self._config.settings()
        sink = self._config.open_sink(settings)
        try:
            status = await sink.status("alerts")
            if not status.indices:
                return self._page(
                    request, "alerts.html", {"title": "التنبيهات", "running": False, "alerts": []}
                )
            events = await alert_events(sink, size=queries.ALERT_EVENTS)
        finally:
            await sink.close()
        alerts = [
            {"src": src, "search": _alert_search(src), "open": src.get("change") != "resolve"}
            for src in latest_by_alert(events)
        ]
        return self._page(
            request,
            "alerts.html",
            {
                "title": "التنبيهات",
                "running": True,
                "alerts": alerts,
                "triage": TRIAGE,
                "message": request.query_params.get("done"),
            },
        )

    async def triage(self, request: Request) -> Response:
        alert_id = request.path_params["alert_id"]
        raw = await request.body()
        form = parse_qs(raw[:FORM_MAX_BYTES].decode("utf-8", "replace"))
        token = form.get(TOKEN_FIELD, [""])[0] or request.headers.get(TOKEN_HEADER)
        refusal = write_refusal(self._config.token, token)
        if refusal is not None:
            return self._page(request, "error.html", {"title": "ممنوع", "reason": refusal}, 403)
        verdict = (form.get("verdict") or [""])[0]
        if verdict not in TRIAGE:
            return self._page(
                request,
                "error.html",
                {"title": "طلب غير صالح", "reason": f"verdict must be one of {sorted(TRIAGE)}"},
                400,
            )
        settings = self._config.settings()
        sink = self._config.open_sink(settings)
        try:
            marked = await mark_alert(sink, alert_id, verdict)
        finally:
            await sink.close()
        if not marked:
            return self._page(
                request, "error.html", {"title": "غير موجود", "reason": f"no alert {alert_id}"}, 404
            )
        log.info("alert triaged alert_id=%s verdict=%s events=%d", alert_id, verdict, marked)
        return RedirectResponse(f"/alerts?{urlencode({'done': alert_id})}", status_code=303)

    # -- health ------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        settings = self._config.settings()
        try:
            report = await asyncio.wait_for(
                asyncio.to_thread(self._config.health, settings), self._config.health_timeout_s
            )
        except TimeoutError:
            late = Unavailable(
                f"no answer within {self._config.health_timeout_s:.0f}s (Kafka overloaded?)"
            )
            report = HealthReport(sources=late, lag=late, dead_letters=late, metrics=None)
        engine: str
        try:
            sink = self._config.open_sink(settings)
            try:
                counts = {kind: await sink.count(kind) for kind in ("articles", "paragraphs")}
            finally:
                await sink.close()
            engine = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        except MarsadError as exc:
            engine = f"unavailable: {exc}"
        return self._page(
            request,
            "health.html",
            {"title": "الصحة", "report": report, "engine": engine, "settings": settings},
        )


def _day(value: Any) -> Any:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None


def _alert_search(src: dict[str, Any]) -> str:
    """The console search an alert's key names (its actor, place, governorate, event type)."""
    state = SearchState()
    key = src.get("key") or {}
    if isinstance(key, dict):
        for field, value in key.items():
            values = value if isinstance(value, list) else [value]
            for one in values:
                if field in ALERT_KEY_FILTERS:
                    state = state.with_filter(ALERT_KEY_FILTERS[field], str(one))
                elif field == "keyword":
                    state = SearchState(q=str(one), filters=state.filters)
    return state.url()


__all__ = ["FILTERS", "Handlers"]

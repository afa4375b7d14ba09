"""The console's search state: everything a page shows is named in its URL's query string.

A :class:`SearchState` is read from the query string (:meth:`SearchState.from_query`) and
written back into links (:meth:`SearchState.url`): a facet click is the same state with one more
filter, the next page the same state with another page number, so a link can be shared and the
browser's back button returns to exactly the page before. Pure values, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode

Mode = Literal["articles", "unique"]
Sort = Literal["relevance", "time"]

PAGE_SIZE = 10
MAX_PAGE = 100  # the engine refuses from + size past 10,000 by default

# URL parameter -> indexed field it filters on (both indices carry the same tag fields)
FILTERS: dict[str, str] = {
    "actor": "actor_ids",
    "gov": "governorates",
    "place": "place_ids",
    "event": "event_types",
    "outlet": "outlet",
    "day": "published_at",
}


@dataclass(frozen=True, slots=True)
class SearchState:
    """The query, the filters, the mode, the sort and the page of one search."""

    q: str = ""
    mode: Mode = "articles"
    sort: Sort = "relevance"
    page: int = 1
    filters: tuple[tuple[str, str], ...] = field(default=())
    """``(parameter, value)`` pairs, parameters from :data:`FILTERS`, in the order chosen."""

    @classmethod
    def from_query(cls, params: Iterable[tuple[str, str]]) -> SearchState:
        """The state a query string names; unknown parameters and bad values are ignored."""
        q, mode, sort, page = "", "articles", "relevance", 1
        filters: list[tuple[str, str]] = []
        for name, value in params:
            if name == "q":
                q = value.strip()[:500]
            elif name == "mode" and value in ("articles", "unique"):
                mode = value
            elif name == "sort" and value in ("relevance", "time"):
                sort = value
            elif name == "page" and value.isdigit():
                page = min(max(1, int(value)), MAX_PAGE)
            elif name in FILTERS and value and (name, value) not in filters:
                filters.append((name, value[:200]))
        return cls(q, mode, sort, page, tuple(filters))  # type: ignore[arg-type]

    def pairs(self) -> list[tuple[str, str]]:
        """The query-string pairs of this state (defaults left out)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        if self.mode != "articles":
            out.append(("mode", self.mode))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        out += list(self.filters)
        if self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def url(self, path: str = "/") -> str:
        query = urlencode(self.pairs())
        return f"{path}?{query}" if query else path

    def with_filter(self, name: str, value: str) -> SearchState:
        if (name, value) in self.filters:
            return replace(self, page=1)
        return replace(self, filters=(*self.filters, (name, value)), page=1)

    def without_filter(self, name: str, value: str) -> SearchState:
        kept = tuple(f for f in self.filters if f != (name, value))
        return replace(self, filters=kept, page=1)

    def with_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def with_mode(self, mode: Mode) -> SearchState:
        return replace(self, mode=mode, page=1)

    def with_sort(self, sort: Sort) -> SearchState:
        return replace(self, sort=sort, page=1)

    def grouped(self) -> Mapping[str, list[str]]:
        """Filter values by parameter (values of one parameter are alternatives: OR)."""
        groups: dict[str, list[str]] = {}
        for name, value in self.filters:
            groups.setdefault(name, []).append(value)
        return groups


__all__ = ["FILTERS", "MAX_PAGE", "PAGE_SIZE", "Mode", "SearchState", "Sort"]

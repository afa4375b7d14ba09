"""The engine query of a search: every word of it required, in any of its proclitic forms; the
names of actors and sources as any of their names; place names read as common words kept off
their places (see :mod:`pipeline.sinks.expansion` and ``docs/search.md``).

    search_query("داعش في حلب", unique=False, expansion=expansion) -> dict   # the "query" part
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.sinks.expansion import AliasGroup, ExpandedQuery, QueryExpansion, word_forms
from pipeline.sinks.types import ALIAS_QUERY
from pipeline.tagging.matcher import Proclitics, variants

STEMMED_FIELDS = (("title", 2.0), ("text", 1.0))
EXACT_FIELDS = (("title.exact", 3.0), ("text.exact", 1.5))
_REGEXP_RESERVED = frozenset('.?+*|{}[]()"\\#@&<>~^$')
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def search_query(
    query: str, *, unique: bool = False, expansion: QueryExpansion | None = None
) -> dict[str, Any]:
    """The query over titles and text (``unique``: paragraphs, text only)."""
    expanded = (expansion or QueryExpansion.none()).expand(query)
    stemmed = STEMMED_FIELDS[1:] if unique else STEMMED_FIELDS
    exact = EXACT_FIELDS[1:] if unique else EXACT_FIELDS
    return expanded_query(expanded, stemmed, exact)


Fields = Sequence[tuple[str, float]]


def expanded_query(expanded: ExpandedQuery, stemmed: Fields, exact: Fields) -> dict[str, Any]:
    """The engine query of an expanded query: every segment required (see :func:`search_body`)."""
    if not expanded.segments:
        return {"match_none": {}}
    must = [
        alias_clause(segment.group, exact)
        if segment.group
        else word_clause(segment.surface or segment.text, stemmed, exact)
        for segment in expanded.segments
    ]
    query: dict[str, Any] = {"bool": {"must": must}}
    if expanded.excluded_places:
        query["bool"]["must_not"] = [{"terms": {"place_ids": list(expanded.excluded_places)}}]
    return query


def word_clause(word: str, stemmed: Fields, exact: Fields) -> dict[str, Any]:
    """One word in any of its proclitic forms, stemmed or exact; a stop word matches anything
    (as it did when the stemmed field dropped it)."""
    forms = word_forms(word) if _ARABIC_LETTER.search(word) else [word]
    others = " ".join(f for f in forms if f != word)
    should: list[dict[str, Any]] = []
    for field, boost in stemmed:
        should.append(
            {"match": {field: {"query": word, "zero_terms_query": "all", "boost": boost}}}
        )
        if others:
            should.append({"match": {field: {"query": others, "boost": boost}}})
    should += [
        {"match": {field: {"query": " ".join(forms), "boost": boost}}} for field, boost in exact
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def alias_clause(group: AliasGroup, exact: Fields) -> dict[str, Any]:
    """Any name of ``group`` (an actor or source), each an exact phrase whose first word may
    carry a proclitic, named ``alias|<id>|<name>`` so the hit says which name it matched."""
    names: list[dict[str, Any]] = []
    for name in group.names:
        words = name.split()
        firsts = [form.split()[0] for form, _ in variants(name, Proclitics.NAME)]
        per_field: list[dict[str, Any]] = []
        for field, boost in exact:
            if len(words) == 1:
                per_field.append({"terms": {field: firsts, "boost": boost}})
                continue
            # one clause whatever the number of forms: the engine expands the pattern into
            # the forms its index holds (a span_or of every form passes the clause limit)
            pattern = "|".join(_regexp_literal(f) for f in firsts)
            first = {
                "span_multi": {"match": {"regexp": {field: {"value": pattern, "flags": "NONE"}}}}
            }
            rest = [{"span_term": {field: w}} for w in words[1:]]
            per_field.append(
                {
                    "span_near": {
                        "clauses": [first, *rest],
                        "slop": 0,
                        "in_order": True,
                        "boost": boost,
                    }
                }
            )
        names.append({"bool": {"should": per_field, "_name": f"{ALIAS_QUERY}|{group.id}|{name}"}})
    return {"bool": {"should": names, "minimum_should_match": 1}}


def _regexp_literal(text: str) -> str:
    """``text`` as a Lucene regular expression that matches it literally."""
    return "".join(f"\\{c}" if c in _REGEXP_RESERVED else c for c in text)


__all__ = [
    "EXACT_FIELDS",
    "STEMMED_FIELDS",
    "alias_clause",
    "expanded_query",
    "search_query",
    "word_clause",
]

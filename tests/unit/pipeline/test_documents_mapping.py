"""The documents the worker writes against their one definition, the index templates: every
field of an article or paragraph document is mapped in its template, with a type its value fits
(the engine's strict mapping would refuse it at bulk time; this says which field, offline)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from devtools.bench import raw_page
from devtools.demo import generate_articles
from kernel.settings import Settings
from pipeline.document import extract_article
from pipeline.replay import enricher_factory
from pipeline.sinks.bodies import TEMPLATES, template_body
from pipeline.sinks.types import IndexAction


def fits(value: Any, spec: dict[str, Any]) -> bool:
    if value is None:
        return True  # a missing value: the engine stores nothing
    values = value if isinstance(value, list) else [value]
    kind = spec.get("type", "object")
    checks = {
        "keyword": lambda v: isinstance(v, str),
        "text": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, str) and datetime.fromisoformat(v) is not None,
        "geo_point": lambda v: isinstance(v, dict) and set(v) == {"lat", "lon"},
        "object": lambda v: (
            isinstance(v, dict)
            and all(
                name in spec.get("properties", {}) and fits(inner, spec["properties"][name])
                for name, inner in v.items()
            )
        ),
    }
    return kind in checks and all(checks[kind](v) for v in values)


@pytest.fixture(scope="module")
def actions() -> list[IndexAction]:
    """Everything the worker's index stage writes for 40 generated pages (copies included)."""
    enricher = enricher_factory(Settings())({})
    written: list[IndexAction] = []
    for n, article in enumerate(generate_articles(seed=11, count=40)):
        extracted = extract_article(raw_page(article), source_offset=f"news.pages.v1[0]@{n}")
        written += enricher.enrich(extracted).actions
    return written


@pytest.mark.parametrize("kind", TEMPLATES)
def test_every_field_written_is_mapped_with_a_fitting_type(
    actions: list[IndexAction], kind: str
) -> None:
    properties = template_body(kind, "x")["template"]["mappings"]["properties"]
    documents = [a.document for a in actions if a.kind == kind]
    assert documents
    for document in documents:
        unmapped = set(document) - set(properties)
        assert not unmapped, f"{kind}: fields not in news-{kind}.json: {sorted(unmapped)}"
        for name, value in document.items():
            assert fits(value, properties[name]), (kind, name, value, properties[name])
    # the check can fail: a value of the wrong type is refused
    assert not fits("many", {"type": "integer"}) and not fits({"x": 1}, {"type": "keyword"})

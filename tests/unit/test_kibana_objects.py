"""The saved objects of ``deploy/kibana/`` checked offline against the index templates, and
the checker shown to catch what it claims to (a broken reference, an unknown field, a field
of the wrong type), so the first test cannot pass vacuously."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from cli.commands.kibana import read_objects, read_templates
from cli.kibana.checks import Fields, problems
from cli.kibana.saved_objects import (
    Dashboards,
    KibanaError,
    SavedObject,
    for_dashboards,
    parse_ndjson,
    to_ndjson,
    with_prefix,
)
from kernel.datafiles import deploy_dir
from kernel.settings import Settings

KIBANA = deploy_dir() / "kibana"


@pytest.fixture(scope="module")
def objects() -> list[SavedObject]:
    return read_objects(Settings(deploy_dir=None))


@pytest.fixture(scope="module")
def templates() -> dict[str, Fields]:
    return read_templates(Settings(deploy_dir=None))


def by_id(objects: list[SavedObject], id_: str) -> SavedObject:
    return next(o for o in objects if o["id"] == id_)


def test_every_line_is_one_kibana_8_saved_object() -> None:
    paths = sorted(KIBANA.glob("*.ndjson"))
    assert [p.name for p in paths] == ["dashboard.ndjson", "data-views.ndjson", "searches.ndjson"]
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            obj = json.loads(line)
            where = f"{path.name}:{number}"
            assert set(obj) >= {"type", "id", "attributes", "references"}, where
            assert obj["coreMigrationVersion"].startswith("8."), where
            assert obj["typeMigrationVersion"].startswith("8."), where


def test_the_shipped_objects_have_no_problems(
    objects: list[SavedObject], templates: dict[str, Fields]
) -> None:
    assert problems(objects, templates) == []


def test_what_ships(objects: list[SavedObject]) -> None:
    views = {o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    assert views == {"news-articles", "news-paragraphs", "news-alerts"}
    searches = {o["attributes"]["title"] for o in objects if o["type"] == "search"}
    assert {"جبهة النصرة", "تنظيم الدولة", "غارات"} <= searches
    dashboard = by_id(objects, "marsad-dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    targets = {r["id"] for r in dashboard["references"]}
    assert len(panels) == len(targets) == 8
    assert {
        "marsad-map-events",
        "marsad-vis-actors-timeline",
        "marsad-vis-event-types-timeline",
        "marsad-vis-echoed-paragraphs",
        "marsad-vis-source-health",
    } <= targets
    layers = json.loads(by_id(objects, "marsad-map-events")["attributes"]["layerListJSON"])
    assert {layer["sourceDescriptor"].get("geoField") for layer in layers} >= {"locations"}


# -- the checker catches what it claims to ------------------------------------------------


def _attr_json(obj: SavedObject, key: str, change: Callable[[Any], None]) -> None:
    value = json.loads(obj["attributes"][key])
    change(value)
    obj["attributes"][key] = json.dumps(value)


def _search_source(obj: SavedObject, change: Callable[[Any], None]) -> None:
    meta = obj["attributes"]["kibanaSavedObjectMeta"]
    value = json.loads(meta["searchSourceJSON"])
    change(value)
    meta["searchSourceJSON"] = json.dumps(value)


def _set_agg_field(index: int, field: str) -> Callable[[Any], None]:
    def change(state: Any) -> None:
        state["aggs"][index]["params"]["field"] = field

    return change


def _set_geo_field(layers: Any) -> None:
    layers[1]["sourceDescriptor"]["geoField"] = "governorates"


def _set_query(source: Any) -> None:
    source["query"]["query"] = "no_such_field:1"


BREAKAGES: dict[str, tuple[str, Callable[[SavedObject], None], str]] = {
    "dangling reference id": (
        "marsad-search-nusra",
        lambda o: o["references"][0].update(id="marsad-no-such-view"),
        "index-pattern:marsad-no-such-view is not in the saved objects",
    ),
    "dashboard panel to a missing visualization": (
        "marsad-dashboard",
        lambda o: o["references"][2].update(id="marsad-vis-gone"),
        "visualization:marsad-vis-gone is not in the saved objects",
    ),
    "panel without its reference": (
        "marsad-dashboard",
        lambda o: o["references"].pop(),
        "no reference named",
    ),
    "search source names a missing reference": (
        "marsad-vis-governorates",
        lambda o: _search_source(o, lambda s: s.update(indexRefName="nope")),
        "names reference 'nope'",
    ),
    "unknown column": (
        "marsad-search-airstrikes",
        lambda o: o["attributes"]["columns"].append("casualties"),
        "column: field 'casualties' is not in the index template",
    ),
    "unknown field in a query": (
        "marsad-search-nusra",
        lambda o: _search_source(o, _set_query),
        "field 'no_such_field' is not in the index template",
    ),
    "sort on a text field": (
        "marsad-search-nusra",
        lambda o: o["attributes"].update(sort=[["title", "desc"]]),
        "sort: field 'title' is text",
    ),
    "date histogram on a keyword": (
        "marsad-vis-actors-timeline",
        lambda o: _attr_json(o, "visState", _set_agg_field(1, "outlet")),
        "date_histogram aggregation 2: field 'outlet' is keyword",
    ),
    "terms on a text field": (
        "marsad-vis-event-types-timeline",
        lambda o: _attr_json(o, "visState", _set_agg_field(2, "text")),
        "terms aggregation 3: field 'text' is text",
    ),
    "map on a keyword": (
        "marsad-map-events",
        lambda o: _attr_json(o, "layerListJSON", _set_geo_field),
        "geoField: field 'governorates' is keyword",
    ),
    "JSON in a string that does not parse": (
        "marsad-vis-source-health",
        lambda o: o["attributes"].update(visState='{"aggs": ['),
        "visState is not JSON",
    ),
    "data view on an index without a template": (
        "marsad-alerts",
        lambda o: o["attributes"].update(title="news-alarms"),
        "matches no index template",
    ),
    "time field that is not a date": (
        "marsad-paragraphs",
        lambda o: o["attributes"].update(timeFieldName="outlet_count"),
        "timeFieldName: field 'outlet_count' is integer",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_the_checker_fails_on(
    breakage: str, objects: list[SavedObject], templates: dict[str, Fields]
) -> None:
    target, mutate, expected = BREAKAGES[breakage]
    broken = copy.deepcopy(objects)
    mutate(by_id(broken, target))
    found = problems(broken, templates)
    assert any(expected in p for p in found), found


def test_parse_ndjson_says_which_line_is_bad() -> None:
    with pytest.raises(KibanaError, match=r"x\.ndjson:2: not JSON"):
        parse_ndjson('{"type": "search", "id": "a"}\n{oops\n', "x.ndjson")
    with pytest.raises(KibanaError, match="not a saved object"):
        parse_ndjson("[1, 2]\n", "x.ndjson")


def test_opensearch_dashboards_get_data_views_and_searches_in_their_shape(
    objects: list[SavedObject],
) -> None:
    kept, dropped = for_dashboards(objects, Dashboards.OPENSEARCH)
    assert {o["type"] for o in kept} == {"index-pattern", "search"}
    assert {o["type"] for o in dropped} == {"visualization", "map", "dashboard"}
    for obj in kept:
        assert "typeMigrationVersion" not in obj and "coreMigrationVersion" not in obj
        assert obj["references"] == by_id(objects, obj["id"])["references"]
    view = by_id(kept, "marsad-articles")["attributes"]
    assert set(view) <= {
        "title",
        "timeFieldName",
        "fields",
        "fieldFormatMap",
        "sourceFilters",
        "typeMeta",
    }
    assert for_dashboards(objects, Dashboards.KIBANA) == (objects, [])


def test_data_views_follow_the_index_prefix(objects: list[SavedObject]) -> None:
    renamed = with_prefix(objects, "prod")
    titles = {o["attributes"]["title"] for o in renamed if o["type"] == "index-pattern"}
    assert titles == {"prod-articles", "prod-paragraphs", "prod-alerts"}
    assert by_id(objects, "marsad-articles")["attributes"]["title"] == "news-articles"
    assert parse_ndjson(to_ndjson(renamed).decode("utf-8")) == renamed

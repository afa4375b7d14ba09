"""Offline checks of saved objects against the index templates: what a Kibana import would
accept but an analyst would find broken (a dangling reference, a field the indices do not
have, a date histogram on a keyword). Every check returns problems; none raises.

``problems(objects, templates)`` with ``templates`` from :func:`template_fields`: index
pattern (prefix filled in) to ``{field path: mapping type}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatch
from typing import Any

from cli.kibana.saved_objects import SavedObject

Fields = dict[str, str]

DATE = frozenset({"date", "date_nanos"})
NUMBER = frozenset(
    {"integer", "long", "short", "byte", "float", "double", "half_float", "scaled_float"}
)
GEO = frozenset({"geo_point"})
AGGREGATABLE = DATE | NUMBER | frozenset({"keyword", "boolean", "ip"})
ANY = frozenset({"*"})
META_FIELDS: Fields = {"_id": "keyword", "_index": "keyword", "_score": "float"}

# What each aggregation (legacy visualizations, maps' metrics) needs of its field.
AGG_FIELD_TYPES: dict[str, frozenset[str]] = {
    "date_histogram": DATE,
    "date_range": DATE,
    "histogram": NUMBER,
    "range": NUMBER,
    "terms": AGGREGATABLE,
    "significant_terms": AGGREGATABLE,
    "cardinality": AGGREGATABLE,
    "avg": NUMBER,
    "sum": NUMBER,
    "median": NUMBER | DATE,
    "min": NUMBER | DATE,
    "max": NUMBER | DATE,
    "percentiles": NUMBER | DATE,
    "geohash_grid": GEO,
    "geotile_grid": GEO,
    "geo_centroid": GEO,
    "geo_bounds": GEO,
    "top_hits": ANY,
}
JSON_ATTRIBUTES = frozenset(
    {"fields", "fieldAttrs", "fieldFormatMap", "runtimeFieldMap", "sourceFilters", "typeMeta"}
)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_KQL_FIELD = re.compile(r"(?<![\w.*])([A-Za-z_@][\w.]*)\s*(:|>=|<=|>|<)")


def template_fields(template: Mapping[str, Any]) -> Fields:
    """Every field path of an index template's mappings with its type (multi-fields too)."""
    fields: Fields = {}

    def walk(properties: Mapping[str, Any], prefix: str) -> None:
        for name, mapping in properties.items():
            path = f"{prefix}{name}"
            fields[path] = mapping.get("type", "object")
            for sub, sub_mapping in mapping.get("fields", {}).items():
                fields[f"{path}.{sub}"] = sub_mapping.get("type", "object")
            walk(mapping.get("properties", {}), f"{path}.")

    walk(template["template"]["mappings"].get("properties", {}), "")
    return fields


def _kql_fields(query: Any) -> Iterator[tuple[str, str]]:
    """(field, operator) of each ``field:value`` / ``field >= n`` in a KQL query."""
    if not isinstance(query, dict) or not isinstance(query.get("query"), str):
        return
    for match in _KQL_FIELD.finditer(_QUOTED.sub('""', query["query"])):
        yield match.group(1), match.group(2)


class _Checker:
    def __init__(self, objects: list[SavedObject], templates: Mapping[str, Fields]) -> None:
        self.objects = objects
        self.templates = templates
        self.found: list[str] = []
        self.by_key = {(o.get("type"), o.get("id")): o for o in objects}
        self.view_fields: dict[str, Fields | None] = {}

    def problem(self, obj: SavedObject, message: str) -> None:
        self.found.append(f"{obj.get('type')}:{obj.get('id')}: {message}")

    def parse(self, obj: SavedObject, where: str, value: Any) -> Any:
        if not isinstance(value, str):
            self.problem(obj, f"{where} should be a string holding JSON")
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            self.problem(obj, f"{where} is not JSON: {exc.msg}")
            return None

    # -- structure and references ---------------------------------------------------------

    def structure(self, obj: SavedObject) -> dict[str, dict[str, Any]]:
        """Check the envelope and references; the references by name."""
        for key in ("type", "id", "attributes", "references"):
            if key not in obj:
                self.problem(obj, f"missing {key!r}")
        if not isinstance(obj.get("attributes"), dict):
            obj["attributes"] = {}
        refs: dict[str, dict[str, Any]] = {}
        for ref in obj.get("references") or []:
            if not isinstance(ref, dict) or not {"name", "type", "id"} <= ref.keys():
                self.problem(obj, f"reference {ref!r} needs name, type and id")
                continue
            if (ref["type"], ref["id"]) not in self.by_key:
                self.problem(
                    obj,
                    f"reference {ref['name']!r} → {ref['type']}:{ref['id']} "
                    "is not in the saved objects",
                )
            refs[ref["name"]] = ref
        for key, value in obj["attributes"].items():
            if key in JSON_ATTRIBUTES or key.endswith("JSON"):
                self.parse(obj, key, value)
        return refs

    def ref_view(self, obj: SavedObject, refs: dict[str, Any], name: Any) -> Fields | None:
        """The fields of the data view a reference name points to (None: already reported)."""
        ref = refs.get(name) if isinstance(name, str) else None
        if ref is None:
            self.problem(obj, f"names reference {name!r}, which it does not have")
            return None
        if ref["type"] != "index-pattern":
            self.problem(obj, f"reference {name!r} should be an index-pattern, not {ref['type']}")
            return None
        return self.view_fields.get(ref["id"])

    def field(
        self, obj: SavedObject, fields: Fields | None, name: Any, allowed: frozenset[str], use: str
    ) -> None:
        if fields is None:
            return
        if not isinstance(name, str) or name not in fields:
            self.problem(obj, f"{use}: field {name!r} is not in the index template")
            return
        if allowed is not ANY and fields[name] not in allowed:
            self.problem(
                obj,
                f"{use}: field {name!r} is {fields[name]}, "
                f"needs one of {', '.join(sorted(allowed))}",
            )

    def query(self, obj: SavedObject, fields: Fields | None, query: Any, use: str) -> None:
        for name, op in _kql_fields(query):
            self.field(obj, fields, name, ANY if op == ":" else NUMBER | DATE, f"{use} query")

    def search_source(self, obj: SavedObject, refs: dict[str, Any]) -> Fields | None:
        meta = obj["attributes"].get("kibanaSavedObjectMeta", {})
        source = self.parse(obj, "searchSourceJSON", meta.get("searchSourceJSON"))
        if not isinstance(source, dict):
            return None
        fields = None
        if "indexRefName" in source:
            fields = self.ref_view(obj, refs, source["indexRefName"])
        elif obj["type"] != "dashboard":
            self.problem(obj, "searchSourceJSON names no data view (indexRefName)")
        self.query(obj, fields, source.get("query"), "searchSourceJSON")
        return fields

    # -- one type each ----------------------------------------------------------------------

    def data_view(self, obj: SavedObject) -> None:
        attrs = obj["attributes"]
        title = attrs.get("title", "")
        fields = next(
            ({**f, **META_FIELDS} for p, f in self.templates.items() if fnmatch(title, p)), None
        )
        self.view_fields[obj["id"]] = fields
        if fields is None:
            self.problem(obj, f"title {title!r} matches no index template")
            return
        if "timeFieldName" in attrs:
            self.field(obj, fields, attrs["timeFieldName"], DATE, "timeFieldName")
        formats = self.parse(obj, "fieldFormatMap", attrs.get("fieldFormatMap", "{}"))
        for name in formats if isinstance(formats, dict) else ():
            self.field(obj, fields, name, ANY, "fieldFormatMap")
        listed = self.parse(obj, "fields", attrs.get("fields", "[]"))
        for entry in listed if isinstance(listed, list) else ():
            self.field(obj, fields, entry.get("name"), ANY, "fields")

    def search(self, obj: SavedObject, refs: dict[str, Any]) -> None:
        fields = self.search_source(obj, refs)
        for column in obj["attributes"].get("columns", []):
            self.field(obj, fields, column, ANY, "column")
        for entry in obj["attributes"].get("sort", []):
            if not (isinstance(entry, list) and len(entry) == 2 and entry[1] in ("asc", "desc")):
                self.problem(obj, f"sort entry {entry!r} should be [field, asc|desc]")
                continue
            self.field(obj, fields, entry[0], AGGREGATABLE, "sort")

    def visualization(self, obj: SavedObject, refs: dict[str, Any]) -> None:
        fields = self.search_source(obj, refs)
        state = self.parse(obj, "visState", obj["attributes"].get("visState"))
        if not isinstance(state, dict) or not isinstance(state.get("aggs"), list):
            self.problem(obj, "visState needs a type and a list of aggs")
            return
        ids = {str(agg.get("id")) for agg in state["aggs"]}
        for agg in state["aggs"]:
            kind, params = agg.get("type"), agg.get("params", {})
            use = f"{kind} aggregation {agg.get('id')}"
            if "field" in params:
                self.field(obj, fields, params["field"], AGG_FIELD_TYPES.get(kind, ANY), use)
            if "sortField" in params:
                self.field(obj, fields, params["sortField"], AGGREGATABLE, f"{use} sort")
            order_by = params.get("orderBy")
            if order_by not in (None, "_key", "custom") and str(order_by) not in ids:
                self.problem(obj, f"{use} orders by agg {order_by!r}, which does not exist")

    def map(self, obj: SavedObject, refs: dict[str, Any]) -> None:
        self.parse(obj, "mapStateJSON", obj["attributes"].get("mapStateJSON"))
        layers = self.parse(obj, "layerListJSON", obj["attributes"].get("layerListJSON"))
        for layer in layers if isinstance(layers, list) else ():
            source = layer.get("sourceDescriptor") or {}
            if "indexPatternRefName" not in source:
                continue
            use = f"layer {layer.get('id')!r}"
            fields = self.ref_view(obj, refs, source["indexPatternRefName"])
            self.field(obj, fields, source.get("geoField"), GEO, f"{use} geoField")
            for name in source.get("tooltipProperties", []):
                self.field(obj, fields, name, ANY, f"{use} tooltip")
            if "sortField" in source:
                self.field(obj, fields, source["sortField"], AGGREGATABLE, f"{use} sort")
            for metric in source.get("metrics", []):
                if "field" in metric:
                    allowed = AGG_FIELD_TYPES.get(metric.get("type"), AGGREGATABLE)
                    self.field(obj, fields, metric["field"], allowed, f"{use} metric")
            self.query(obj, fields, layer.get("query"), use)

    def dashboard(self, obj: SavedObject, refs: dict[str, Any]) -> None:
        self.search_source(obj, refs)
        panels = self.parse(obj, "panelsJSON", obj["attributes"].get("panelsJSON"))
        seen: set[str] = set()
        for panel in panels if isinstance(panels, list) else ():
            index = str(panel.get("panelIndex"))
            if index in seen:
                self.problem(obj, f"panelIndex {index!r} used twice")
            seen.add(index)
            grid = panel.get("gridData", {})
            if grid.get("i") != index or grid.get("x", 0) + grid.get("w", 0) > 48:
                self.problem(
                    obj, f"panel {index!r}: gridData off the 48-column grid or not its own"
                )
            ref = refs.get(f"{index}:{panel.get('panelRefName')}")
            if ref is None:
                self.problem(
                    obj, f"panel {index!r}: no reference named {index}:{panel.get('panelRefName')}"
                )
            elif ref["type"] != panel.get("type"):
                self.problem(
                    obj, f"panel {index!r} is a {panel.get('type')}, its reference a {ref['type']}"
                )

    def run(self) -> list[str]:
        if len(self.by_key) != len(self.objects):
            self.found.append("two saved objects share a type and id")
        checked = [(obj, self.structure(obj)) for obj in self.objects]
        for obj, _ in checked:  # data views first: the others look their fields up
            if obj.get("type") == "index-pattern":
                self.data_view(obj)
        for obj, refs in checked:
            kind = obj.get("type")
            if kind == "search":
                self.search(obj, refs)
            elif kind == "visualization":
                self.visualization(obj, refs)
            elif kind == "map":
                self.map(obj, refs)
            elif kind == "dashboard":
                self.dashboard(obj, refs)
            elif kind != "index-pattern":
                self.problem(obj, f"type {kind!r} is not checked here: add its checks")
        return self.found


def problems(objects: list[SavedObject], templates: Mapping[str, Fields]) -> list[str]:
    """Every problem of the saved objects against the index templates (empty: all good)."""
    return _Checker([dict(o) for o in objects], templates).run()

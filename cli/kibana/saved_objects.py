"""The saved objects of ``deploy/kibana/*.ndjson``, in Kibana 8's export format, and the
subset (and shape) an OpenSearch Dashboards import accepts."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from kernel.exceptions import MarsadError

SavedObject = dict[str, Any]

SHIPPED_PREFIX = "news"
"""The index prefix the shipped data views name (``news-articles``, ...)."""


class KibanaError(MarsadError):
    """The saved objects do not parse, or Kibana refused or could not be reached."""


class Dashboards(StrEnum):
    KIBANA = "kibana"
    OPENSEARCH = "opensearch"


# OpenSearch Dashboards (a fork of Kibana 7.10) imports data views and saved searches, with
# only the attributes its strict saved-object mappings know; Kibana 8's maps, Lens-era
# visualizations and dashboards are not for it.
OPENSEARCH_ATTRIBUTES = {
    "index-pattern": (
        "title",
        "timeFieldName",
        "fields",
        "fieldFormatMap",
        "sourceFilters",
        "typeMeta",
    ),
    "search": ("title", "description", "columns", "sort", "kibanaSavedObjectMeta"),
}
OPENSEARCH_DROPPED_KEYS = ("coreMigrationVersion", "typeMigrationVersion", "managed")


def parse_ndjson(text: str, origin: str = "<ndjson>") -> list[SavedObject]:
    """The objects of one NDJSON text, one per non-blank line; a clear error on a bad line."""
    objects: list[SavedObject] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KibanaError(f"{origin}:{number}: not JSON: {exc.msg}") from exc
        if not isinstance(value, dict) or "type" not in value or "id" not in value:
            raise KibanaError(f"{origin}:{number}: not a saved object (needs type and id)")
        objects.append(value)
    return objects


def to_ndjson(objects: list[SavedObject]) -> bytes:
    """The objects as an import file: one compact JSON object per line."""
    lines = (json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in objects)
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def with_prefix(objects: list[SavedObject], prefix: str) -> list[SavedObject]:
    """The objects with data views renamed from the shipped ``news-*`` indices to ``prefix``."""
    if prefix == SHIPPED_PREFIX:
        return objects
    renamed: list[SavedObject] = []
    for obj in objects:
        title = obj.get("attributes", {}).get("title", "")
        if obj["type"] == "index-pattern" and title.startswith(f"{SHIPPED_PREFIX}-"):
            new_title = f"{prefix}-{title.removeprefix(f'{SHIPPED_PREFIX}-')}"
            renamed.append({**obj, "attributes": {**obj["attributes"], "title": new_title}})
        else:
            renamed.append(obj)
    return renamed


def for_dashboards(
    objects: list[SavedObject], target: Dashboards
) -> tuple[list[SavedObject], list[SavedObject]]:
    """(the objects to import into ``target``, the ones it cannot take)."""
    if target is Dashboards.KIBANA:
        return objects, []
    kept: list[SavedObject] = []
    dropped: list[SavedObject] = []
    for obj in objects:
        allowed = OPENSEARCH_ATTRIBUTES.get(obj["type"])
        if allowed is None:
            dropped.append(obj)
            continue
        shaped = {k: v for k, v in obj.items() if k not in OPENSEARCH_DROPPED_KEYS}
        shaped["attributes"] = {k: v for k, v in obj["attributes"].items() if k in allowed}
        kept.append(shaped)
    return kept, dropped


def describe(obj: SavedObject) -> str:
    """``type:id ("title")`` for messages."""
    title = obj.get("attributes", {}).get("title")
    return f"{obj['type']}:{obj['id']}" + (f' ("{title}")' if title else "")

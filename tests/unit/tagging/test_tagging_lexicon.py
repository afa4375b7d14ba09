"""Every lexicon file loads through its validator; a broken one is rejected with file and entry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from pipeline.tagging import LexiconError, Tagger, load_lexicons
from pipeline.tagging.lexicon import (
    ActorsFile,
    AttributionFile,
    EventsFile,
    PlacesFile,
    StopwordsFile,
    load_file,
)

from .conftest import LEXICONS

FILES: dict[str, type[BaseModel]] = {
    "actors.yaml": ActorsFile,
    "places.yaml": PlacesFile,
    "stopwords.yaml": StopwordsFile,
    "events.yaml": EventsFile,
    "attribution.yaml": AttributionFile,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_lexicon_file_loads_through_its_validator(name: str) -> None:
    model = load_file(LEXICONS / name, FILES[name])
    assert getattr(model, "version") >= 1  # noqa: B009  (every model has one)


def test_all_lexicons_load_together_and_report_versions() -> None:
    assert set(load_lexicons(LEXICONS).versions) == set(FILES)


def test_the_directory_holds_no_unvalidated_lexicon() -> None:
    assert {p.name for p in LEXICONS.glob("*.yaml")} == set(FILES)


def test_loaded_tagger_knows_geonames_and_curated_places(tagger: Tagger) -> None:
    sizes = tagger.sizes()
    assert sizes["places_geonames"] >= 300  # the Syrian GeoNames places with Arabic names
    assert sizes["places_curated"] >= 100
    assert sizes["actors"] >= 30


def _broken(tmp_path: Path, name: str, change: Callable[[dict[str, object]], None]) -> Path:
    directory = tmp_path / "lexicons"
    shutil.copytree(LEXICONS, directory)
    data = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
    change(data)
    (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


def _actors(data: dict[str, object]) -> list[dict[str, object]]:
    actors = data["actors"]
    assert isinstance(actors, list)
    return actors


def _first(key: str) -> Callable[[dict[str, object]], dict[str, object]]:
    def pick(data: dict[str, object]) -> dict[str, object]:
        items = data[key]
        assert isinstance(items, list)
        item = items[0]
        assert isinstance(item, dict)
        return item

    return pick


BROKEN: list[tuple[str, Callable[[dict[str, object]], None], str]] = [
    (
        "actors.yaml",
        lambda d: _first("actors")(d).update(acled_type="Terrorists"),
        "actors[0] (isis).acled_type",
    ),
    (
        "actors.yaml",
        lambda d: _first("actors")(d).update(colour="black"),
        "actors[0] (isis).colour",
    ),
    (
        "actors.yaml",
        lambda d: _actors(d)[1].update(names=["داعش"]),
        "actors (nusra): name 'داعش' is already a name of 'isis'",
    ),
    ("actors.yaml", lambda d: _first("actors")(d).update(names=["«»"]), "has no words"),
    (
        "events.yaml",
        lambda d: _first("sub_events")(d).update(sub_event_type="Skirmish"),
        "'Skirmish' is not a sub-event type of 'Battles'",
    ),
    (
        "places.yaml",
        lambda d: _first("places")(d).update(lat=48.85, lon=2.35),
        "sy-jobar: (48.85, 2.35) is outside Syria",
    ),
    (
        "places.yaml",
        lambda d: _first("places")(d).update(governorate="Damascus Countryside"),
        "unknown governorate 'Damascus Countryside'",
    ),
    ("stopwords.yaml", lambda d: d.update(version=0), "version"),
    ("attribution.yaml", lambda d: d.update(sources=[]), "sources"),
]


@pytest.mark.parametrize(("name", "change", "message"), BROKEN)
def test_a_broken_lexicon_is_rejected_with_file_and_entry(
    tmp_path: Path, name: str, change: Callable[[dict[str, object]], None], message: str
) -> None:
    directory = _broken(tmp_path, name, change)
    with pytest.raises(LexiconError) as caught:
        load_lexicons(directory)
    assert caught.value.file.endswith(name)
    assert message in str(caught.value)


def test_invalid_yaml_and_missing_files_are_lexicon_errors(tmp_path: Path) -> None:
    directory = tmp_path / "lexicons"
    shutil.copytree(LEXICONS, directory)
    (directory / "events.yaml").write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"events\.yaml: not valid YAML"):
        load_lexicons(directory)
    (directory / "events.yaml").unlink()
    with pytest.raises(LexiconError, match=r"events\.yaml: cannot read"):
        load_lexicons(directory)


def test_a_source_id_may_not_be_an_actor_id(tmp_path: Path) -> None:
    directory = _broken(
        tmp_path, "attribution.yaml", lambda d: _first("sources")(d).update(id="isis")
    )
    with pytest.raises(LexiconError, match="must not be an actor id"):
        load_lexicons(directory)


def test_phrases_are_normalized_on_load() -> None:
    actors = load_file(LEXICONS / "actors.yaml", ActorsFile)
    isis = next(a for a in actors.actors if a.id == "isis")
    assert "الدوله الاسلاميه في العراق والشام" in isis.names  # أ/إ → ا, ة → ه

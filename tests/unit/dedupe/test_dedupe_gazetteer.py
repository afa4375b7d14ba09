"""The dedupe stage reads its place names from the one gazetteer, and its stop words from the
one stoplist (``dedupe_guarded`` in ``deploy/lexicons/stopwords.yaml``): no name in code."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from kernel.datafiles import deploy_dir
from pipeline.dedupe import compare_wording, words
from pipeline.dedupe.gazetteer import place_names, shipped_gazetteer, standard_config
from pipeline.dedupe.lexicon import FUNCTION_WORDS, PLACE_TRIGGERS
from pipeline.tagging.gazetteer import Gazetteer
from pipeline.tagging.lexicon import StopwordsFile, load_file

LEXICONS = deploy_dir() / "lexicons"
JARAMANA = "سقطت قذيفتا هاون على حي سكني في جرمانا صباح اليوم"
DOUMA = "سقطت قذيفتا هاون على حي سكني في دوما صباح اليوم"


def _city(geonameid: int, country: str, *names: str, population: int = 1000) -> dict[str, Any]:
    return {
        "geonameid": geonameid,
        "name": f"place {geonameid}",
        "countrycode": country,
        "population": population,
        "latitude": 33.5,
        "longitude": 36.3,
        "admin1code": "08",
        "alternatenames": list(names),
    }


CITIES = {
    str(c["geonameid"]): c
    for c in (
        _city(1, "SY", "جرمانا", "Jaramana"),
        _city(2, "SY", "دوما"),
        _city(3, "SY", "الباب"),  # on dedupe_guarded: an everyday word ("the door")
        _city(4, "SY", "كرتو"),  # on the tagger's `never` list only
        _city(5, "SY", "قرية"),  # a place trigger of the stage
        _city(6, "SY", "تل", "عين العرب"),  # two letters; two words
        _city(7, "LB", "طرابلس", population=500_000),  # a neighbour's city
        _city(170794, "SY", "دير"),  # extra_names of places.yaml add "دير الزور", "ديرالزور"
    )
}


def test_the_shipped_gazetteer_gives_the_stage_its_bare_place_names() -> None:
    names = place_names()
    assert {"جرمانا", "دوما", "حرستا", "سراقب"} <= names
    assert names == standard_config().names
    stopwords = load_file(LEXICONS / "stopwords.yaml", StopwordsFile)
    assert stopwords.dedupe_guarded, "the stage's stop words are data"
    assert names.isdisjoint(stopwords.dedupe_guarded)
    tagger_names = {phrase for phrase, _ in shipped_gazetteer().names}
    assert "الباب" in tagger_names and "الباب" not in names  # a place, but not bare


def test_a_bare_name_swap_is_another_event_only_with_the_gazetteer() -> None:
    assert compare_wording(words(JARAMANA), words(DOUMA), names=place_names()).other_event
    assert not compare_wording(words(JARAMANA), words(DOUMA)).other_event


def test_the_stage_reads_the_gazetteers_unguarded_one_word_names() -> None:
    """GeoNames' own one-word spellings of home-country places (3+ letters, minus the stage's
    stop words), and every other one-word name the tagger takes bare: the extra spellings of
    places.yaml ("ديرالزور") and its curated villages (issue 16: a village GeoNames lacks,
    swapped for another, is another event too). Not the names the tagger itself guards
    (a neighbour's "طرابلس"), nor countries (the actor check's), nor the stage's triggers."""
    gazetteer = Gazetteer.load(LEXICONS, CITIES)
    names = place_names(gazetteer, frozenset({"الباب"}))
    assert {"جرمانا", "دوما", "كرتو", "دير", "ديرالزور"} <= names
    assert gazetteer.bare_names - PLACE_TRIGGERS <= names
    assert names.isdisjoint({"الباب", "طرابلس", "قريه", "تل", "عين العرب"})
    places = gazetteer.places
    curated = {
        phrase
        for phrase, payload in gazetteer.names
        if not payload.guarded and " " not in phrase and places[payload.place_id].curated
    }
    countries = {
        phrase
        for phrase, payload in gazetteer.names
        if places[payload.place_id].precision == "country"
    }
    assert curated and {n for n in curated - countries if len(n) >= 3} - FUNCTION_WORDS <= names
    assert "لبنان" in countries and names.isdisjoint(countries)  # countries are actors
    assert "قريه" in gazetteer.bare_names  # the gazetteer does not know the stage's words...
    assert "قريه" in PLACE_TRIGGERS  # ...the stage's view leaves its own triggers out


def test_an_edit_of_the_stoplist_reaches_the_stage(tmp_path: Path) -> None:
    directory = tmp_path / "lexicons"
    shutil.copytree(LEXICONS, directory)
    path = directory / "stopwords.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["dedupe_guarded"].append("جرمانا")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    gazetteer = Gazetteer.load(directory, CITIES)
    guarded = frozenset(load_file(path, StopwordsFile).dedupe_guarded)
    names = place_names(gazetteer, guarded)
    assert "جرمانا" not in names and {"دوما", "كرتو", "دير"} <= names
    config = standard_config(gazetteer, dedupe_guarded=guarded, min_words=5)
    assert config.names == names and config.min_words == 5


def test_no_shipped_bare_name_is_a_word_of_the_stage() -> None:
    """The stage's view drops its function words and triggers; none is in today's data."""
    assert shipped_gazetteer().bare_names.isdisjoint(FUNCTION_WORDS | PLACE_TRIGGERS)

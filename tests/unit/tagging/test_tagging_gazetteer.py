"""The one gazetteer and the one stoplist: both stages' place names come from the data files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pipeline.tagging import LexiconError, Tagger
from pipeline.tagging.gazetteer import Gazetteer
from pipeline.tagging.lexicon import StopwordsFile, load_file

from .conftest import LEXICONS


def test_the_shipped_stoplist_validates_with_both_stages_lists() -> None:
    stopwords = load_file(LEXICONS / "stopwords.yaml", StopwordsFile)
    assert stopwords.guarded and stopwords.never and stopwords.dedupe_guarded
    assert "الثوره" in stopwords.dedupe_guarded  # written "الثورة": normalized on load
    assert "الاشاره" in stopwords.dedupe_guarded  # written "الإشارة"


def _edited(tmp_path: Path, change: Callable[[list[str]], None]) -> Path:
    directory = tmp_path / "lexicons"
    shutil.copytree(LEXICONS, directory)
    path = directory / "stopwords.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["dedupe_guarded"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda words: words.append("الثورة"), "duplicate dedupe-guarded names: الثوره"),
        (lambda words: words.append("عين العرب"), "must be single words: عين العرب"),
        (lambda words: words.append("«»"), "has no words"),
    ],
)
def test_a_broken_dedupe_stoplist_is_rejected(
    tmp_path: Path, change: Callable[[list[str]], None], message: str
) -> None:
    directory = _edited(tmp_path, change)
    with pytest.raises(LexiconError) as caught:
        Gazetteer.load(directory)
    assert caught.value.file.endswith("stopwords.yaml")
    assert message in str(caught.value)


def test_loading_the_place_files_alone_gives_the_taggers_gazetteer(tagger: Tagger) -> None:
    """``marsad dedupe`` reads places.yaml and stopwords.yaml only; same gazetteer."""
    alone = Gazetteer.load(LEXICONS)
    assert alone == tagger.gazetteer
    assert alone.bare_names == tagger.gazetteer.bare_names != frozenset()


def test_bare_names_are_single_home_country_names(tagger: Tagger) -> None:
    gazetteer = tagger.gazetteer
    phrases = {phrase for phrase, _ in gazetteer.names}
    assert all(" " not in name and len(name) >= 3 for name in gazetteer.bare_names)
    stopwords = load_file(LEXICONS / "stopwords.yaml", StopwordsFile)
    assert gazetteer.bare_names.isdisjoint(stopwords.dedupe_guarded)
    never = set(stopwords.never)
    # every bare name is one the tagger matches too, but for the tagger's own `never` list
    assert gazetteer.bare_names - phrases <= never

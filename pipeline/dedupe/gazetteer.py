"""The dedupe stage's view of the project's lexicons: the one gazetteer
(:mod:`pipeline.tagging.gazetteer`) and the actor lexicon (``deploy/lexicons/actors.yaml``).

:mod:`pipeline.dedupe.events` recognises a place by the trigger word before it ("قرية X"); a
place named bare ("سقطت قذيفتا هاون في جرمانا" → "في دوما") is only recognised if it is in
``DedupeConfig.names``; an actor is recognised by ``DedupeConfig.actors``
(:mod:`pipeline.dedupe.actors`). :func:`standard_config` is the configuration the worker and
``marsad dedupe`` use: the defaults plus :func:`place_names` and :func:`actor_names`.

- :func:`place_names`: the gazetteer's bare names (the one-word Arabic names GeoNames gives
  Syrian places, minus the ``dedupe_guarded`` list of ``deploy/lexicons/stopwords.yaml``: names
  that are also everyday words, "الثورة", "الباب"...), and every other one-word name of the
  gazetteer that the tagger takes without a trigger word (its curated villages and
  neighbourhoods, the extra spellings of GeoNames places: "سقبا", "البوكمال"), so a village
  the curated supplement adds reaches this stage too.
- :func:`actor_names`: the names, demonyms, joint names and blocked phrases of the actor
  lexicon, plus ``deploy/dedupe/nationalities.yaml`` (country names and plural nationality
  adjectives the lexicon leaves to places.yaml or lacks; the lexicon wins where both name
  something).

No place or actor name and no stop word is written here: all are data under ``deploy/``, read
with the tagger's own loader, so one edit reaches both stages. The worker passes the gazetteer
its tagger was built with; without one, the gazetteer of the packaged lexicons is built once
per process, on first call (about 2 s, mostly GeoNames); the actor names likewise. This module
is the stage's only file access, and the pure core never calls it; the tagging package is
imported only when a lexicon is read, so importing the stage stays light.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kernel.datafiles import data_file, deploy_dir
from pipeline.dedupe.actors import ActorNames
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.exceptions import ConfigError
from pipeline.dedupe.lexicon import FUNCTION_WORDS, PLACE_TRIGGERS
from pipeline.dedupe.shingles import words

if TYPE_CHECKING:
    from pipeline.tagging.gazetteer import Gazetteer
    from pipeline.tagging.lexicon import ActorsFile

NATIONALITIES = "dedupe/nationalities.yaml"
"""The stage's own table of countries and nationality adjectives, under ``deploy/``."""
BARE_NAME_MIN_LETTERS = 3  # as the gazetteer's own bare names: "تل", "حي" are words first


@functools.cache
def shipped_gazetteer() -> Gazetteer:
    """The gazetteer of the packaged ``deploy/lexicons``, built once per process: the data the
    tests and the benchmark measure, whatever the environment says. A deployment builds its
    own from ``Settings.lexicons_path()`` (an operator's copy may differ) and passes it."""
    from pipeline.tagging.gazetteer import Gazetteer  # noqa: PLC0415 - only when one is built

    return Gazetteer.load(deploy_dir() / "lexicons")


def place_names(
    gazetteer: Gazetteer | None = None, dedupe_guarded: frozenset[str] | None = None
) -> frozenset[str]:
    """The one-word names of ``gazetteer`` (the packaged one when None) that the stage reads
    as names: its bare names, and the one-word names the tagger takes without a trigger word
    (not ``guarded``), minus ``dedupe_guarded`` (the packaged ``stopwords.yaml``'s list when
    None: the gazetteer applies it to its bare names only) and the stage's own function words
    and place triggers, which would make "في" or "قرية" a name slot. Not the names of
    countries: they are actors for :func:`actor_names` (a country swapped is an actor
    replaced), and as words found in half the paragraphs ("سوريا") a dropped one read as a name
    would face any other dropped word."""
    source = gazetteer or shipped_gazetteer()
    guarded = shipped_dedupe_guarded() if dedupe_guarded is None else dedupe_guarded
    names = set(source.bare_names)
    names.update(
        phrase
        for phrase, payload in source.names
        if " " not in phrase
        and not payload.guarded
        and len(phrase) >= BARE_NAME_MIN_LETTERS
        and phrase not in guarded
        and source.places[payload.place_id].precision != "country"
    )
    return frozenset(n for n in names if n not in FUNCTION_WORDS and n not in PLACE_TRIGGERS)


@functools.cache
def shipped_dedupe_guarded() -> frozenset[str]:
    """The ``dedupe_guarded`` list of the packaged ``stopwords.yaml``, read once per process."""
    from pipeline.tagging.lexicon import StopwordsFile, load_file  # noqa: PLC0415 - when read

    path = deploy_dir() / "lexicons" / "stopwords.yaml"
    return frozenset(load_file(path, StopwordsFile).dedupe_guarded)


@functools.cache
def shipped_actors() -> ActorsFile:
    """The actor lexicon of the packaged ``deploy/lexicons``, read once per process."""
    from pipeline.tagging.lexicon import ActorsFile, load_file  # noqa: PLC0415 - when read

    return load_file(deploy_dir() / "lexicons" / "actors.yaml", ActorsFile)


def actor_names(actors: ActorsFile | None = None, nationalities: Path | None = None) -> ActorNames:
    """The actor names of the event check: ``actors`` (the packaged lexicon when None) and the
    ``nationalities`` table (the packaged ``deploy/dedupe/nationalities.yaml`` when None).
    Raises :class:`~pipeline.dedupe.exceptions.ConfigError` naming the table's entry."""
    lexicon = actors or shipped_actors()
    entries: list[tuple[str, frozenset[str]]] = []
    for actor in lexicon.actors:
        ids = frozenset({actor.id})
        entries.extend((name, ids) for name in (*actor.names, *actor.demonyms))
    for joint in lexicon.joint:
        entries.append((joint.name, frozenset(joint.actors)))
    entries.extend((phrase, frozenset()) for phrase in lexicon.blocked)
    entries.extend(read_nationalities(nationalities or data_file(NATIONALITIES)))
    return ActorNames(entries)  # the lexicon's entries come first: they win


def read_nationalities(path: Path) -> list[tuple[str, frozenset[str]]]:
    """(normalized name, {actor id}) for every country name and adjective of ``path``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    countries = raw.get("countries") if isinstance(raw, dict) else None
    if not isinstance(countries, list) or not countries:
        raise ConfigError(f"{path}: needs a non-empty list `countries`")
    entries: list[tuple[str, frozenset[str]]] = []
    for number, country in enumerate(countries, start=1):
        actor = country.get("actor") if isinstance(country, dict) else None
        if not isinstance(actor, str) or not actor:
            raise ConfigError(f"{path}: countries[{number}] needs an `actor` id")
        for field in ("names", "adjectives"):
            values = country.get(field, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{path}: countries[{number}] ({actor}): {field} must be a list")
            for value in values:
                name = " ".join(words(value))
                if not name:
                    raise ConfigError(f"{path}: {actor}: {value!r} has no words")
                entries.append((name, frozenset({actor})))
    return entries


def standard_config(
    gazetteer: Gazetteer | None = None,
    /,
    actors: ActorsFile | None = None,
    dedupe_guarded: frozenset[str] | None = None,
    **overrides: Any,
) -> DedupeConfig:
    """The defaults plus ``gazetteer``'s place names (the packaged gazetteer's when None; see
    :func:`place_names` for ``dedupe_guarded``) and the actor names of ``actors`` (the
    packaged lexicon when None); ``overrides`` replace any field. A deployment with its own
    lexicons passes its tagger's: ``standard_config(tagger.gazetteer,
    actors=tagger.lexicons.actors, dedupe_guarded=frozenset(tagger.lexicons.stopwords.
    dedupe_guarded))``."""
    config = DedupeConfig(names=place_names(gazetteer, dedupe_guarded), actors=actor_names(actors))
    return replace(config, **overrides)

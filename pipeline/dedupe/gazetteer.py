"""The dedupe stage's view of the one gazetteer (:mod:`pipeline.tagging.gazetteer`).

:mod:`pipeline.dedupe.events` recognises a place by the trigger word before it ("قرية X"); a
place named bare ("سقطت قذيفتا هاون في جرمانا" → "في دوما") is only recognised if it is in
``DedupeConfig.names``. :func:`standard_config` is the configuration the worker and
``marsad dedupe`` use: the defaults plus :func:`place_names`, the gazetteer's bare names (the
one-word Arabic names GeoNames gives Syrian places, minus the ``dedupe_guarded`` list of
``deploy/lexicons/stopwords.yaml``: names that are also everyday words, "الثورة", "الباب"...).

No place name and no stop word is written here: both are data in ``deploy/lexicons/``, read by
the gazetteer the tagger reads too, so one edit reaches both stages. The worker passes the
gazetteer its tagger was built with; without one, the gazetteer of the packaged lexicons is
built once per process, on first call (about 2 s, mostly GeoNames). This module is the stage's
only file access, and the pure core never calls it; the tagging package is imported only when
a gazetteer is built, so importing the stage stays light.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kernel.datafiles import deploy_dir
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.lexicon import FUNCTION_WORDS, PLACE_TRIGGERS

if TYPE_CHECKING:
    from pipeline.tagging.gazetteer import Gazetteer


@functools.cache
def shipped_gazetteer() -> Gazetteer:
    """The gazetteer of the packaged ``deploy/lexicons``, built once per process: the data the
    tests and the benchmark measure, whatever the environment says. A deployment builds its
    own from ``Settings.lexicons_path()`` (an operator's copy may differ) and passes it."""
    from pipeline.tagging.gazetteer import Gazetteer  # noqa: PLC0415 - only when one is built

    return Gazetteer.load(deploy_dir() / "lexicons")


def place_names(gazetteer: Gazetteer | None = None) -> frozenset[str]:
    """The bare names of ``gazetteer`` (the packaged one when None) that the stage reads as
    names: not its own function words or place triggers, which would make "في" or "قرية" a
    name slot (none of today's GeoNames names is one; the check guards an edited copy)."""
    names = (gazetteer or shipped_gazetteer()).bare_names
    return frozenset(n for n in names if n not in FUNCTION_WORDS and n not in PLACE_TRIGGERS)


def standard_config(gazetteer: Gazetteer | None = None, /, **overrides: Any) -> DedupeConfig:
    """The defaults plus ``gazetteer``'s place names (the packaged gazetteer's when None);
    ``overrides`` replace any field."""
    return replace(DedupeConfig(names=place_names(gazetteer)), **overrides)

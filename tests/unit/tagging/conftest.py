from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.tagging import Tagger

LEXICONS = Path(__file__).parents[3] / "deploy" / "lexicons"


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The real lexicons and GeoNames data, loaded once (about 2 s)."""
    return Tagger.load(LEXICONS)

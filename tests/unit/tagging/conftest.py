from __future__ import annotations

import pytest

from kernel.datafiles import deploy_dir
from pipeline.tagging import Tagger

LEXICONS = deploy_dir() / "lexicons"


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The real lexicons and GeoNames data, loaded once (about 2 s)."""
    return Tagger.load(LEXICONS)

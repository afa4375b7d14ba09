"""Hypothesis profiles of the fuzz suite: time-bounded in CI, long on demand.

``ci`` (the default) keeps the whole directory well under a minute on a 2-core machine and
writes nothing into the working tree (no example database); ``long`` (``make fuzz``, or
``HYPOTHESIS_PROFILE=long``) runs many more examples and remembers failures in
``.hypothesis/`` (git-ignored), so a crash found there is replayed first on the next run.
A failure prints its reproduction blob (``@reproduce_failure``) in either profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=False,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=None,
    print_blob=True,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

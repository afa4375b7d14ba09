"""Seams: the only modules that depend on a library's internals, one module per library.

    pipeline.seams.faust_recovery   faust-streaming >=0.15.3,<0.16
        table recovery that holds the stream partitions in the Kafka client until they are
        sought and Faust's queues are emptied (faust-streaming#596); reaches into private
        attributes of Faust's Recovery, TableManager, App, Consumer and consumer thread
    pipeline.seams.aiokafka_fetching   aiokafka >=0.14.0,<0.15
        pausing and resuming partitions in the aiokafka client; public API, but the recovery
        fix's correctness rests on what a pause does to records already fetched

A library's internals can change in any release, and a unit test that mocks them stays green
when they do. So each seam

* names, in its docstring, every private attribute or undocumented behaviour it relies on, and
  why the project cannot do without it;
* asserts at import (:func:`require`) that the installed version is in the range the seam was
  written and checked for: outside it the worker does not start, with a message naming the
  library, the installed version and the range, instead of misbehaving at the first rebalance;
* is checked against the installed library by ``tests/unit/pipeline/test_seams.py``, which
  introspects the real classes (the attributes exist, the signatures take what the seam
  passes), so that an upgrade fails a unit test before widening the range.

To move to a new version of one of these libraries: read the seam's docstring against the new
release, run its tests and the recovery integration test (tests/integration/
test_dedupe_restart.py), then widen ``SUPPORTED`` in the seam.

The connectors use httpx and httpcore through their public API only
(:mod:`connectors.transport`), so they need no seam.
"""

from __future__ import annotations

import importlib.metadata

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from kernel.exceptions import MarsadError

# packaging is not a direct dependency: aiokafka requires it (Requires-Dist: packaging), and
# every seam here exists because of aiokafka or of faust-streaming, which requires aiokafka.


class UnsupportedLibraryVersion(MarsadError, ImportError):
    """A seam was imported with a version of its library outside the range it supports."""

    def __init__(self, seam: str, distribution: str, installed: str, supported: str) -> None:
        super().__init__(
            f"{seam} supports {distribution} {supported}, but {distribution} {installed} is "
            f"installed. The seam relies on {distribution} beyond its documented API (its "
            f"docstring says how): check that against this version (tests/unit/pipeline/"
            f"test_seams.py), then widen the range; or install a supported version."
        )
        self.seam = seam
        self.distribution = distribution
        self.installed = installed
        self.supported = supported


def installed_version(distribution: str) -> str:
    """The installed version of ``distribution`` (a name as pip knows it), or "not installed"."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def require(seam: str, distribution: str, supported: str) -> str:
    """Check that ``distribution``'s installed version is in ``supported`` (a PEP 440 range);
    return the version, or raise :class:`UnsupportedLibraryVersion` naming ``seam``.

    A pre-release inside the range is accepted: what matters is the code installed.
    """
    installed = installed_version(distribution)
    try:
        version = Version(installed)
    except InvalidVersion:
        raise UnsupportedLibraryVersion(seam, distribution, installed, supported) from None
    if not SpecifierSet(supported).contains(version, prereleases=True):
        raise UnsupportedLibraryVersion(seam, distribution, installed, supported)
    return installed

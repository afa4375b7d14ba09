"""The data files of ``deploy/`` (sources, lexicons, index templates, stack poms), found one way.

They are package data of the ``deploy`` package: in a checkout (editable install) that is the
``deploy/`` folder an operator edits; in an installed wheel, the copy the wheel carries. An
operator who keeps their own copy points ``MARSAD_DEPLOY_DIR`` (``Settings.deploy_dir``) at it::

    deploy_dir(settings.deploy_dir) / "lexicons"
    data_file("index-templates/news-articles.json", settings.deploy_dir)

Nothing else in the project builds a path to ``deploy/`` from its own file's location.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from kernel.exceptions import MarsadError

DATA_PACKAGE = "deploy"


class DataFileError(MarsadError):
    """A data file (or the folder holding them) is missing."""


def deploy_dir(override: Path | None = None) -> Path:
    """The folder holding Marsad's data files: ``override`` if given, else the packaged one."""
    if override is not None:
        if not override.is_dir():
            raise DataFileError(
                f"MARSAD_DEPLOY_DIR={override} is not a folder: point it at a copy of deploy/"
            )
        return override
    root = files(DATA_PACKAGE)
    if not isinstance(root, Path):  # a zipped install: the files are not on disk
        raise DataFileError(
            f"the packaged data files are not on disk ({root!r}): install Marsad unzipped, "
            "or set MARSAD_DEPLOY_DIR to a copy of deploy/"
        )
    return root


def data_file(relative: str, override: Path | None = None) -> Path:
    """One data file, by its path under ``deploy/``; a clear error if it is not there."""
    folder = deploy_dir(override)
    path = folder / relative
    if not path.exists():
        raise DataFileError(f"{relative} is missing from {folder}")
    return path

"""The dependency direction of docs/architecture.md, enforced with import-linter.

    devtools  >  cli  >  connectors | pipeline  >  kernel

A package may import only the packages below it; ``connectors`` and ``pipeline`` never import
each other. The contract lives in ``pyproject.toml`` (``[tool.importlinter]``); these tests run
``lint-imports`` on the tree, and on a copy of it with one forbidden import added, to show that
the check can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kernel", "connectors", "pipeline", "cli", "devtools")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` with ``root``'s pyproject.toml, importing packages from ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_tree_keeps_the_dependency_direction() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("connectors/urls.py", "pipeline.document"),  # a side reaching into the other side
        ("pipeline/document.py", "connectors.urls"),
        ("kernel/records.py", "pipeline.document"),  # the kernel importing the project
        ("pipeline/app.py", "cli.services"),  # the runtime importing the wiring
        ("cli/main.py", "devtools.stack"),  # the runtime importing the development tools
    ],
)
def test_a_forbidden_import_breaks_the_contract(
    tmp_path: Path, module: str, forbidden: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\nimport {forbidden}  # added by the test\n")

    result = lint_imports(tmp_path)

    importer = module.removesuffix(".py").replace("/", ".")
    assert result.returncode != 0
    assert "1 broken" in result.stdout
    assert f"{importer} -> {forbidden}" in result.stdout, result.stdout

"""The built wheel runs outside the checkout: its data files travel with it.

The wheel is built from this tree and installed into a fresh virtualenv that sees the
third-party dependencies of the development one (a ``.pth`` line) but none of its Marsad code
and not the checkout. Run from an empty folder, ``marsad tag`` and ``marsad dedupe`` must then
find the lexicons and index templates in the installed ``deploy`` package and print exactly what
the checkout prints. The development tools are not in the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "devtools" / "demo" / "seeds" / "000_7061ab1dd97becc1.txt"
ARTICLES = ROOT / "tests" / "fixtures" / "dedupe" / "sample.jsonl"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MARSAD_"))}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        cwd=dist,
    )
    assert built.returncode == 0, built.stderr
    (path,) = dist.glob("marsad-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtualenv with only the wheel's Marsad; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv")
    assert run([sys.executable, "-m", "venv", str(venv)], cwd=venv).returncode == 0
    bin_dir = venv / "bin"
    site = run(
        [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=venv,
    ).stdout.strip()
    # Third-party packages of the development venv, without processing its .pth files (which
    # would put the checkout's editable Marsad on the path).
    (Path(site) / "marsad-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        cwd=venv,
    )
    assert pip.returncode == 0, pip.stderr
    yield bin_dir


def test_the_wheel_carries_the_data_files_and_not_the_dev_tools(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "deploy/lexicons/actors.yaml" in names
    assert "deploy/index-templates/news-articles.json" in names
    assert "deploy/sources.yaml" in names
    assert "deploy/kibana/dashboard.ndjson" in names
    assert "deploy/alerts.yaml" in names
    assert "cli/console/data/syria-governorates.geojson" in names  # the console's map
    assert "cli/console/data/README.md" in names  # its source and licence
    assert "cli/console/templates/base.html" in names  # the console's pages
    assert "cli/console/static/console.css" in names  # and its one stylesheet
    assert not [n for n in names if n.startswith(("devtools/", "tests/", "benchmarks/"))]


def test_marsad_is_imported_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = "import cli, deploy; print(cli.__file__, deploy.__file__)"
    where = run([str(installed / "python"), "-c", code], cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert str(ROOT) not in where.stdout
    assert str(installed.parent) in where.stdout


@pytest.mark.parametrize(
    "command",
    [["tag", str(SEED)], ["tag", "--index", "--text", str(SEED)], ["dedupe", str(ARTICLES)]],
    ids=["tag", "tag-index", "dedupe"],
)
def test_commands_outside_the_checkout_print_what_the_checkout_prints(
    installed: Path, tmp_path: Path, command: list[str]
) -> None:
    from_wheel = run([str(installed / "marsad"), *command], cwd=tmp_path)
    from_checkout = run([str(Path(sys.executable).parent / "marsad"), *command], cwd=ROOT)

    assert from_wheel.returncode == 0, from_wheel.stderr
    assert from_wheel.stdout
    assert from_wheel.stdout == from_checkout.stdout


def test_dev_commands_say_how_to_install_the_dev_tools(installed: Path, tmp_path: Path) -> None:
    result = run([str(installed / "marsad"), "stack", "up"], cwd=tmp_path)
    assert result.returncode == 2
    assert "development tools" in result.stderr

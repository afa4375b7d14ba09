"""No import cycle anywhere in the project's packages, imports under ``TYPE_CHECKING`` included.

For every direct import ``A -> B`` between two different modules, ``B`` must not import ``A``
back, directly or through other modules (grimp's shortest chain ``B -> ... -> A``). Every
cycle found is reported once, as ``A -> B -> ... -> A`` starting at its smallest module name.
The checker is shown to find cycles on graphs made to have one, so the check on the tree
cannot pass vacuously.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

PACKAGES = ("kernel", "connectors", "pipeline", "cli", "devtools")


def build(*packages: str) -> grimp.ImportGraph:
    """The import graph of ``packages``, imports under ``TYPE_CHECKING`` included (a cycle is a
    cycle), with no cache written to the working directory."""
    return grimp.build_graph(*packages, exclude_type_checking_imports=False, cache_dir=None)


def import_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Every cycle of ``graph``, each once: ``(A, B, ..., A)``, rotated to start at its
    smallest module, sorted."""
    cycles: set[tuple[str, ...]] = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported == importer:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is None:
                continue
            ring = (importer, *back[:-1])  # back ends at importer: the ring without repeating it
            start = ring.index(min(ring))
            rotated = ring[start:] + ring[:start]
            cycles.add((*rotated, rotated[0]))
    return sorted(cycles)


def shown(cycles: list[tuple[str, ...]]) -> str:
    return "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_import_cycle_in_the_project() -> None:
    graph = build(*PACKAGES)
    assert {"kernel.records", "pipeline.dedupe.engine", "cli.main"} <= graph.modules
    cycles = import_cycles(graph)
    assert not cycles, f"{len(cycles)} import cycle(s):\n{shown(cycles)}"


def test_the_checker_finds_a_two_module_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")  # into the cycle, not part of it
    assert import_cycles(graph) == [("pkg.a", "pkg.b", "pkg.a")]


def test_the_checker_finds_a_longer_cycle_once() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.a", imported="pkg.b")
    assert import_cycles(graph) == [("pkg.a", "pkg.b", "pkg.c", "pkg.a")]
    assert shown(import_cycles(graph)) == "pkg.a -> pkg.b -> pkg.c -> pkg.a"


def test_the_checker_finds_a_cycle_through_type_checking_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclic_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "engine.py").write_text("from cyclic_pkg import state\n", encoding="utf-8")
    (package / "state.py").write_text(
        "from typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n"
        "    from cyclic_pkg.engine import Engine\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    cycles = import_cycles(build("cyclic_pkg"))
    assert cycles == [("cyclic_pkg.engine", "cyclic_pkg.state", "cyclic_pkg.engine")]

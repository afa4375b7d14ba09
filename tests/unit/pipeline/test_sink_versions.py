"""Versioned indices behind aliases (pipeline.sinks.base), on an engine kept in memory.

The fake engine answers the adapter calls the way OpenSearch and Elasticsearch do (an alias
name, an index name or a pattern in ``_get_indices``; atomic alias actions); the same flows
run on the real engines in tests/integration/test_index_versions.py.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from kernel.datafiles import deploy_dir
from pipeline.sinks.base import EngineSink
from pipeline.sinks.bodies import bulk_operations, index_version, template_version
from pipeline.sinks.types import IndexAction, SinkError


class MemoryEngine(EngineSink):
    def __init__(self, prefix: str = "t", data: Path | None = None) -> None:
        super().__init__(prefix, data)
        self.templates: dict[str, dict[str, Any]] = {}
        self.indices: dict[str, dict[str, Any]] = {}  # name -> {"aliases": set, "docs": dict}
        self.mapping_updates: list[str] = []
        self.refreshed: list[str] = []

    def _translate(self, action: str, exc: Exception) -> SinkError | None:
        return None

    async def _put_template(self, name: str, body: dict[str, Any]) -> None:
        self.templates[name] = body

    async def _get_indices(self, name: str) -> dict[str, set[str]]:
        return {
            index: set(body["aliases"])
            for index, body in self.indices.items()
            if fnmatch.fnmatchcase(index, name) or name in body["aliases"]
        }

    async def _create_index(self, name: str, aliases: dict[str, dict[str, Any]]) -> None:
        if name in self.indices:
            raise SinkError(f"resource_already_exists_exception {name}", retriable=False)
        self.indices[name] = {"aliases": set(aliases), "docs": {}}

    async def _update_aliases(self, actions: list[dict[str, Any]]) -> None:
        for action in actions:
            ((verb, args),) = action.items()
            if verb == "remove_index":
                del self.indices[args["index"]]
            elif verb == "remove":
                self.indices[args["index"]]["aliases"].discard(args["alias"])
            else:
                self.indices[args["index"]]["aliases"].add(args["alias"])

    async def _put_mapping(self, name: str, mappings: dict[str, Any]) -> None:
        self.mapping_updates.append(name)

    async def _bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        for op, doc in zip(operations[::2], operations[1::2], strict=True):
            target = op["index"]["_index"]
            names = [n for n, b in self.indices.items() if n == target or target in b["aliases"]]
            if not names:  # the engine would make an index of that name
                self.indices[target] = {"aliases": set(), "docs": {}}
                names = [target]
            self.indices[names[0]]["docs"][op["index"]["_id"]] = doc
        return {"errors": False, "items": []}

    async def _refresh(self, index: str) -> None:
        self.refreshed.append(index)

    async def _count(self, index: str) -> int:
        return len(self.indices[index]["docs"])


def templates_of_version(tmp_path: Path, version: int) -> Path:
    """A copy of deploy/ whose index templates carry ``version``."""
    copy = tmp_path / f"deploy-v{version}"
    shutil.copytree(deploy_dir() / "index-templates", copy / "index-templates")
    for path in (copy / "index-templates").glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        body["version"] = version
        path.write_text(json.dumps(body), encoding="utf-8")
    return copy


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """deploy/ with templates of version 1 (the flows below start from a first version)."""
    return templates_of_version(tmp_path, 1)


def test_first_start_makes_version_one_behind_each_alias(v1: Path) -> None:
    engine = MemoryEngine(data=v1)
    asyncio.run(engine.ensure_templates())
    assert engine.indices.keys() == {"t-articles-v1", "t-paragraphs-v1", "t-alerts-v1"}
    assert engine.indices["t-articles-v1"]["aliases"] == {"t-articles"}
    assert set(engine.templates) == {"t-articles", "t-paragraphs", "t-alerts"}
    # a second start finds its version and only updates the mapping
    asyncio.run(engine.ensure_templates())
    assert engine.indices.keys() == {"t-articles-v1", "t-paragraphs-v1", "t-alerts-v1"}
    assert engine.mapping_updates == ["t-articles", "t-paragraphs", "t-alerts"]


def test_writes_go_through_the_alias_or_into_a_named_version() -> None:
    ops = bulk_operations([IndexAction("articles", "a", {})], "t")
    assert ops[0] == {"index": {"_index": "t-articles", "_id": "a"}}
    ops = bulk_operations([IndexAction("paragraphs", "a:0", {})], "t", version=3)
    assert ops[0] == {"index": {"_index": "t-paragraphs-v3", "_id": "a:0"}}


def test_a_new_template_version_is_made_filled_and_switched_to(
    tmp_path: Path, v1: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = MemoryEngine(data=v1)
    asyncio.run(engine.ensure_templates())
    asyncio.run(engine.bulk([IndexAction("articles", "a", {"v": 1})]))

    engine._deploy_dir = templates_of_version(tmp_path, 2)
    with caplog.at_level(logging.WARNING):
        asyncio.run(engine.ensure_templates())  # the worker restarted with the new templates
    assert "template is version 2" in caplog.text and "marsad replay --to-index 2" in caplog.text
    assert engine.mapping_updates == []  # the live v1 index is not touched
    assert engine.indices["t-articles-v1"]["aliases"] == {"t-articles"}

    assert asyncio.run(engine.create_version("articles", 2)) is True
    assert asyncio.run(engine.create_version("articles", 2)) is False  # resumed: kept
    asyncio.run(engine.bulk([IndexAction("articles", "a", {"v": 2})], version=2))
    status = asyncio.run(engine.status("articles"))
    assert status.template_version == 2
    assert [(i.name, i.version, i.documents, i.aliased) for i in status.indices] == [
        ("t-articles-v1", 1, 1, True),
        ("t-articles-v2", 2, 1, False),
    ]

    asyncio.run(engine.switch_alias("articles", 2))
    assert engine.refreshed == ["t-articles-v2"]  # searched only once it shows every write
    assert engine.indices["t-articles-v1"]["aliases"] == set()
    assert engine.indices["t-articles-v2"]["aliases"] == {"t-articles"}
    live = asyncio.run(engine.status("articles")).live
    assert live is not None and live.name == "t-articles-v2"


def test_an_index_is_made_only_from_the_template_of_its_version(v1: Path) -> None:
    engine = MemoryEngine(data=v1)
    with pytest.raises(SinkError, match="version 1: an index of version 2 cannot be made"):
        asyncio.run(engine.create_version("articles", 2))
    with pytest.raises(SinkError, match="t-articles-v4 does not exist"):
        asyncio.run(engine.switch_alias("articles", 4))


def test_an_index_made_before_versions_is_replaced_only_when_asked(v1: Path) -> None:
    engine = MemoryEngine(data=v1)
    asyncio.run(engine.bulk([IndexAction("articles", "a", {})]))  # the old name, an index
    asyncio.run(engine.ensure_templates())
    assert "t-articles" in engine.indices and "t-articles-v1" not in engine.indices
    asyncio.run(engine.create_version("articles", 1))
    with pytest.raises(SinkError, match="--replace-index"):
        asyncio.run(engine.switch_alias("articles", 1))
    asyncio.run(engine.switch_alias("articles", 1, replace_index=True))
    assert "t-articles" not in engine.indices
    assert engine.indices["t-articles-v1"]["aliases"] == {"t-articles"}


def test_versions_are_read_from_names_and_templates() -> None:
    assert index_version("t", "articles", "t-articles-v12") == 12
    assert index_version("t", "articles", "t-articles") is None
    assert index_version("t", "articles", "t-articles-vx") is None
    assert index_version("t", "articles", "t-paragraphs-v1") is None
    with pytest.raises(SinkError, match="no valid"):
        template_version({"index_patterns": ["x"]})
    with pytest.raises(SinkError, match="no valid"):
        template_version({"version": True})
    for kind in ("articles", "paragraphs", "alerts"):
        body = json.loads(
            (deploy_dir() / "index-templates" / f"news-{kind}.json").read_text(encoding="utf-8")
        )
        assert template_version(body) >= 1

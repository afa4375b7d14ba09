"""The search sink's contract on both engines: the real OpenSearch and the real Elasticsearch.

Every test runs through :func:`pipeline.sinks.factory.open_sink` once per engine
(``engine_settings``), each in an index prefix of its own. Elasticsearch is Maven Central's
integ-test distribution (8.19), which lacks the analysis-common module: its tests read the
templates of a copy of deploy/ whose analyzers keep their names but are a test-only
``standard`` + ``lowercase`` + ``stop _arabic_`` (tests/integration/support.py,
``elasticsearch_deploy_copy``). So here Elasticsearch proves the client path (templates,
aliases, bulk, search, highlights, collapse, errors), not the Arabic analysis, which
tests/integration/test_arabic_search.py proves on OpenSearch.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from kernel.datafiles import deploy_dir
from kernel.settings import Settings
from pipeline.sinks.bodies import TEMPLATES, parse_hits, search_body
from pipeline.sinks.factory import open_sink
from pipeline.sinks.types import IndexAction, SearchSink, SinkError

ROCKETS = "سقطت صواريخ على الأحياء الشرقية من مدينة دوما"
SHELL = "سقطت قذيفة هاون على حي المزة في دمشق"
BOOK_FAIR = "افتتاح معرض الكتاب في عمان بمشاركة واسعة"


@asynccontextmanager
async def sink_for(settings: Settings) -> AsyncIterator[SearchSink]:
    sink = open_sink(settings)
    try:
        yield sink
    finally:
        await sink.close()


@asynccontextmanager
async def ready_sink(settings: Settings) -> AsyncIterator[SearchSink]:
    async with sink_for(settings) as sink:
        await sink.ensure_templates()
        yield sink


def article(url_id: str, text: str, title: str = "") -> IndexAction:
    return IndexAction("articles", url_id, {"url_id": url_id, "title": title, "text": text})


def paragraph(doc_id: str, cluster: str, outlets: int, text: str) -> IndexAction:
    return IndexAction(
        "paragraphs",
        doc_id,
        {
            "url_id": doc_id.partition("#")[0],
            "paragraph_index": 0,
            "text": text,
            "cluster_id": cluster,
            "outlet_count": outlets,
            "first_in_cluster": outlets == 1,
        },
    )


async def ids_for(sink: SearchSink, query: str, kind: str = "articles") -> set[str]:
    return {hit.id for hit in parse_hits(await sink.search(kind, search_body(query, 20)))}


async def test_templates_make_each_kind_behind_its_alias(engine_settings: Settings) -> None:
    async with ready_sink(engine_settings) as sink:
        await sink.ensure_templates()  # a second start changes nothing
        for kind in TEMPLATES:
            assert await sink.count(kind) == 0
            state = await sink.status(kind)
            version = state.template_version
            assert state.alias == f"{engine_settings.index_prefix}-{kind}"
            assert state.live is not None
            assert state.live.name == f"{engine_settings.index_prefix}-{kind}-v{version}"
            assert [index.name for index in state.indices] == [state.live.name]


async def test_the_same_ids_written_twice_leave_one_document_each(
    engine_settings: Settings,
) -> None:
    batch = [article("a1", ROCKETS), article("a2", SHELL), article("a3", BOOK_FAIR)]
    async with ready_sink(engine_settings) as sink:
        await sink.bulk(batch)
        await sink.bulk(batch)
        await sink.refresh("articles")
        assert await sink.count("articles") == 3


async def test_a_refetch_replaces_the_content(engine_settings: Settings) -> None:
    async with ready_sink(engine_settings) as sink:
        await sink.bulk([article("page", SHELL)])
        await sink.refresh("articles")
        assert await ids_for(sink, "المزة") == {"page"}
        await sink.bulk([article("page", ROCKETS)])
        await sink.refresh("articles")
        assert await sink.count("articles") == 1
        assert await ids_for(sink, "المزة") == set()
        assert await ids_for(sink, "دوما") == {"page"}


async def test_search_highlights_the_matched_words(engine_settings: Settings) -> None:
    async with ready_sink(engine_settings) as sink:
        await sink.bulk([article("rockets", ROCKETS, title="دوما"), article("fair", BOOK_FAIR)])
        await sink.refresh("articles")
        hits = parse_hits(await sink.search("articles", search_body("دوما", 10)))
    assert [hit.id for hit in hits] == ["rockets"]
    assert hits[0].score > 0
    assert hits[0].source["text"] == ROCKETS
    assert any("**دوما**" in snippet for snippet in hits[0].highlights)


async def test_paragraphs_collapse_to_one_hit_per_cluster(engine_settings: Settings) -> None:
    echoed = "قصف مدفعي على بلدة كفرنبل صباح اليوم"
    async with ready_sink(engine_settings) as sink:
        await sink.bulk(
            [
                paragraph("p1#0", "c-shelling", 1, echoed),
                paragraph("p2#0", "c-shelling", 3, echoed),
                paragraph("p3#0", "c-shelling", 2, echoed + " وفق ناشطين"),
                paragraph("p4#0", "c-other", 1, "قصف جوي على كفرنبل"),
                paragraph("p5#0", "c-unrelated", 4, BOOK_FAIR),
            ]
        )
        await sink.refresh("paragraphs")
        response = await sink.search("paragraphs", search_body("كفرنبل", 10, unique=True))
    hits = parse_hits(response)
    widest = {hit.source["cluster_id"]: hit.source["outlet_count"] for hit in hits}
    assert len(hits) == 2
    assert widest == {"c-shelling": 3, "c-other": 1}
    assert response["aggregations"]["clusters"]["value"] == 2
    assert all(hit.highlights for hit in hits)


async def test_a_new_version_is_filled_then_made_live(
    engine_settings: Settings, tmp_path: Path
) -> None:
    """The roll-out of a changed template: its own index, a replay into it, an alias switch."""
    async with ready_sink(engine_settings) as sink:
        await sink.bulk([article("old", SHELL)])
        await sink.refresh("articles")
        old = (await sink.status("articles")).template_version

    bumped = tmp_path / "deploy"
    shutil.copytree(deploy_dir(engine_settings.deploy_dir), bumped)
    path = bumped / "index-templates" / "news-articles.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body["version"] = old + 1
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    newer = engine_settings.model_copy(update={"deploy_dir": bumped})

    async with sink_for(newer) as sink:
        assert await sink.create_version("articles", old + 1) is True
        assert await sink.create_version("articles", old + 1) is False  # already made
        with pytest.raises(SinkError) as refused:
            await sink.create_version("articles", old + 2)
        assert refused.value.retriable is False
        await sink.bulk([article("new", ROCKETS)], version=old + 1)
        await sink.refresh("articles")  # the alias: v{old} only
        assert await ids_for(sink, "دوما") == set()  # not live yet
        await sink.switch_alias("articles", old + 1)
        await sink.refresh("articles")  # now v{old + 1}
        assert await ids_for(sink, "دوما") == {"new"}
        assert await ids_for(sink, "المزة") == set()
        state = await sink.status("articles")
    assert state.live is not None and state.live.version == old + 1
    assert {(index.version, index.documents) for index in state.indices} == {
        (old, 1),
        (old + 1, 1),
    }


async def test_the_strict_mapping_refusal_is_not_retriable(engine_settings: Settings) -> None:
    async with ready_sink(engine_settings) as sink:
        with pytest.raises(SinkError) as caught:
            await sink.bulk([IndexAction("articles", "bad", {"url_id": "x", "surprise": 1})])
    assert caught.value.retriable is False
    assert "strict_dynamic_mapping_exception" in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_engine_is_retriable(engine_settings: Settings) -> None:
    gone = engine_settings.model_copy(update={"search_url": f"http://127.0.0.1:{_closed_port()}"})
    async with sink_for(gone) as sink:
        with pytest.raises(SinkError) as caught:
            await sink.bulk([article("a", ROCKETS)])
    assert caught.value.retriable is True


async def test_the_elasticsearch_sink_refuses_an_opensearch_node(settings: Settings) -> None:
    """Pointed at OpenSearch, the Elasticsearch client's product check names the setting.

    The client checks the product on successful answers only: the index is made first
    (through the OpenSearch sink), so that the count is answered.
    """
    right = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}-product"})
    async with ready_sink(right):
        pass
    wrong = right.model_copy(update={"search_engine": "elasticsearch"})
    async with sink_for(wrong) as sink:
        with pytest.raises(SinkError) as caught:
            await sink.count("articles")
    assert caught.value.retriable is False
    assert f"{settings.search_url} is not Elasticsearch" in str(caught.value)
    assert "MARSAD_SEARCH_ENGINE=opensearch" in str(caught.value)

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from cli.console import ConsoleConfig, create_app
from cli.console.health import HealthReport, SourceRow, Unavailable
from cli.console.names import actor_spellings
from kernel.datafiles import deploy_dir
from kernel.settings import Settings
from pipeline.tagging import Tagger
from tests.unit.console.fakes import FakeSink

TOKEN = "s3cret-token"  # noqa: S105 - a test token
INJECTION = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The real lexicons and GeoNames data, loaded once (about 2 s)."""
    return Tagger.load(deploy_dir() / "lexicons")


def demo_docs() -> dict[str, list[dict[str, Any]]]:
    text1 = "قالت جبهة النصرة إن 15 صاروخاً سقطت على مدينة حلب يوم الاثنين."
    articles = [
        {
            "_id": "a1",
            "url_id": "a1",
            "url": "http://127.0.0.1:18801/news/1.html",
            "outlet": "Sawt al-Sham",
            "source_id": "demo-sawt",
            "title": "غارات على حلب",
            "text": text1,
            "published_at": "2026-11-02T09:00:00+00:00",
            "story_id": "s1",
            "story_sources": ["demo-sawt", "demo-wire"],
            "story_outlet_count": 2,
            "actor_ids": ["nusra"],
            "governorates": ["Aleppo"],
            "place_ids": ["gov-aleppo"],
            "event_types": ["Explosions/Remote violence"],
            "dropped_count": 3,
            "dropped_reasons": ["boilerplate", "too_short"],
        },
        {
            "_id": "a2",
            "url_id": "a2",
            "url": "http://127.0.0.1:18802/x?a=1&b=<b>",
            "outlet": "Wire",
            "source_id": "demo-wire",
            "title": f"{INJECTION} <b>عنوان</b>",
            "text": f"نص {INJECTION} و<b>غامق</b> و<img src=x onerror=alert(2)>",
            "published_at": "2026-11-03T10:00:00+00:00",
            "story_id": "s1",
        },
    ]
    paragraphs = [
        {
            "_id": f"p{i}",
            "url_id": url_id,
            "outlet": outlet,
            "paragraph_index": 0,
            "text": text,
            "cluster_id": "c1",
            "outlet_count": i + 1,
            "first_seen_source": "demo-sawt",
            "first_seen_at": "2026-11-02T09:00:00+00:00",
            "published_at": published,
            "related_clusters": ["c2"],
            "numeric_diff": diff,
            "actor_ids": ["nusra"],
            "place_ids": ["gov-aleppo"],
            "locations": [{"lat": 36.25, "lon": 37.55}],
        }
        for i, (url_id, outlet, text, published, diff) in enumerate(
            [
                ("a1", "Sawt al-Sham", text1, "2026-11-02T09:00:00+00:00", []),
                (
                    "a2",
                    "Wire",
                    text1.replace("15", "10"),
                    "2026-11-02T11:00:00+00:00",
                    [{"subject": "صاروخ", "before": "15", "after": "10"}],
                ),
                (
                    "a3",
                    "Third",
                    text1.replace("15", "5"),
                    "2026-11-02T13:00:00+00:00",
                    [{"subject": "صاروخ", "before": "10", "after": "5"}],
                ),
            ]
        )
    ]
    paragraphs.append(
        {
            "_id": "pi",
            "url_id": "a2",
            "outlet": "Wire",
            "paragraph_index": 1,
            "text": f"نص {INJECTION} و<b>غامق</b>",
            "cluster_id": "c9",
            "outlet_count": 1,
        }
    )
    return {"articles": articles, "paragraphs": paragraphs}


def healthy(settings: Settings) -> HealthReport:
    return HealthReport(
        sources=[
            SourceRow("demo-sawt", "صوت الشام", "ok", "2026-11-02 09:00 UTC", "never", "ok", "", 4)
        ],
        lag={"news.pages.v1": 0, "news.extracted.v1": None},
        dead_letters={("extract", "ExtractionError"): 2},
        metrics=None,
    )


def kafka_down(settings: Settings) -> HealthReport:
    reason = Unavailable("Kafka: NoBrokersAvailable: NoBrokersAvailable")
    return HealthReport(
        sources=Unavailable("no state"), lag=reason, dead_letters=reason, metrics=None
    )


def make_client(
    sink: FakeSink,
    *,
    tagger: Tagger | None = None,
    token: str | None = None,
    health: Any = healthy,
    allowed_hosts: list[str] | None = None,
    health_timeout_s: float = 20.0,
) -> TestClient:
    config = ConsoleConfig(
        settings=lambda: Settings(search_url="http://fake:9200", kafka_bootstrap="fake:9092"),
        open_sink=lambda settings: sink,  # type: ignore[arg-type,return-value]
        load_tagger=lambda: tagger,
        health=health,
        token=SecretStr(token) if token is not None else None,
        allowed_hosts=allowed_hosts,
        health_timeout_s=health_timeout_s,
        actor_names=actor_spellings(deploy_dir() / "lexicons"),
    )
    return TestClient(create_app(config), raise_server_exceptions=False)


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink(demo_docs())


@pytest.fixture
def client(sink: FakeSink, tagger: Tagger) -> TestClient:
    return make_client(sink, tagger=tagger)

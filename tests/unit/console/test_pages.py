"""Every console page against a fake sink: rendered, right to left, labelled, escaped."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qsl, urlsplit

from starlette.testclient import TestClient

from cli.console.health import HealthReport, kafka_unreachable
from kernel.settings import Settings
from pipeline.tagging import Tagger
from tests.unit.console.conftest import INJECTION, TOKEN, demo_docs, kafka_down, make_client
from tests.unit.console.fakes import FakeSink

PAGES = ["/", "/?mode=unique", "/cluster/c1", "/article/a1", "/map", "/alerts", "/health"]


def labelled_controls(html: str) -> list[str]:
    """Ids of form controls that have neither a <label for> nor an aria-label."""
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    missing = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or "aria-label=" in tag:
            continue
        ident = re.search(r'id="([^"]+)"', tag)
        if ident is None or ident.group(1) not in labels:
            missing.append(tag)
    return missing


def test_every_page_is_arabic_rtl_and_labelled(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert '<html lang="ar" dir="rtl">' in response.text, path
        assert labelled_controls(response.text) == [], path
        assert "Traceback" not in response.text
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "<script" not in response.text.replace("&lt;script", ""), path


def test_search_shows_highlights_facets_and_state_in_links(
    client: TestClient, sink: FakeSink
) -> None:
    html = client.get("/", params={"q": "حلب", "sort": "time"}).text
    assert "<mark>" in html
    assert 'href="/article/a1"' in html
    # the actor facet shows the lexicon's name as written there, not "nusra" nor "جبهه النصره"
    assert re.search(r'actor=nusra"><bdi>جبهة النصرة</bdi></a>', html)
    links = re.findall(r'href="(/\?[^"]*actor=nusra[^"]*)"', html)
    assert links, "a facet link for the actor"
    state = dict(parse_qsl(urlsplit(links[0].replace("&amp;", "&")).query))
    assert state == {"q": "حلب", "sort": "time", "actor": "nusra"}
    kind, body = sink.requests[0]
    assert kind == "articles"
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    assert {"actor", "gov", "place", "event", "outlet", "day"} <= body["aggs"].keys()


def test_a_facet_click_narrows_the_search(client: TestClient, sink: FakeSink) -> None:
    html = client.get("/?q=حلب&gov=Aleppo&day=2026-11-02").text
    _, body = sink.requests[-1]
    clauses = body["query"]["bool"]["filter"]
    assert {"terms": {"governorates": ["Aleppo"]}} in clauses
    assert any("range" in str(c) and "2026-11-02" in str(c) for c in clauses)
    assert 'aria-label="إزالة المرشح' in html
    assert 'type="hidden" name="gov" value="Aleppo"' in html  # a new query keeps the filters


def test_pagination_links_keep_the_state(sink: FakeSink) -> None:
    docs = demo_docs()
    docs["articles"] = [dict(docs["articles"][0], _id=f"a{i}", url_id=f"a{i}") for i in range(25)]
    client = make_client(FakeSink(docs))
    html = client.get("/?q=حلب&gov=Aleppo&page=2").text
    assert 'href="/?q=%D8%AD%D9%84%D8%A8&amp;gov=Aleppo&amp;page=3"' in html
    assert 'rel="prev" href="/?q=%D8%AD%D9%84%D8%A8&amp;gov=Aleppo"' in html
    assert '<span aria-current="page">' in html


def test_unique_mode_rows_and_cluster_page(client: TestClient, sink: FakeSink) -> None:
    html = client.get("/?mode=unique&q=حلب").text
    assert sink.requests[-1][0] == "paragraphs"
    assert "collapse" in sink.requests[-1][1]
    assert 'href="/cluster/c1"' in html
    assert "تناقلتها" in html
    assert client.get("/clusters?q=x", follow_redirects=False).headers["location"] == (
        "/?q=x&mode=unique"
    )
    cluster = client.get("/cluster/c1").text
    sequence = re.search(r'class="sequence">(.*?)</bdi>', cluster, re.S)
    assert sequence is not None
    values = re.findall(r'<span class="value">([^<]+)</span>', sequence.group(1))
    assert values == ["15", "10", "5"]
    assert 'href="/cluster/c2"' in cluster  # the related cluster
    table = cluster[cluster.index("<tbody>") :]
    assert table.index("Sawt al-Sham") < table.index("Wire") < table.index("Third")  # by time


def test_article_page_marks_tags_and_lists_story_and_drops(client: TestClient) -> None:
    html = client.get("/article/a1").text
    assert re.search(r'<mark class="tag tag-actor"[^>]*>جبهة النصرة</mark>', html)
    assert re.search(r'<mark class="tag tag-place"[^>]*>[^<]*حلب</mark>', html)
    assert 'href="/article/a2"' in html  # the story's other outlet
    assert "boilerplate" in html
    assert "too_short" in html


def test_injection_is_shown_as_text_everywhere(client: TestClient) -> None:
    for path in ("/article/a2", "/?q=نص", "/?q=نص&mode=unique", "/cluster/c9"):
        html = client.get(path).text
        assert "<script>alert(1)" not in html, path
        assert "<b>غامق" not in html, path
        assert "<img src=x" not in html, path
    article = client.get("/article/a2").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;b&gt;غامق&lt;/b&gt;" in article
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in article


def test_injection_is_escaped_without_a_tagger(sink: FakeSink) -> None:
    html = make_client(sink).get("/article/a2").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert INJECTION not in html


def test_map_lists_points_with_precision(client: TestClient, sink: FakeSink) -> None:
    html = client.get("/map?q=حلب&actor=nusra").text
    kind, body = sink.requests[-1]
    assert kind == "paragraphs"
    assert body["collapse"] == {"field": "cluster_id"}
    assert "{'terms': {'actor_ids': ['nusra']}}" in str(body["query"])
    assert "محافظة حلب" in html
    assert "وسط محافظة أو منطقة" in html  # a governorate centroid, not a settlement
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="syria-map"' in html
    assert 'data-points="1"' in html


def test_alerts_say_plainly_when_alerting_is_not_running(client: TestClient) -> None:
    html = client.get("/alerts").text
    assert "alerting is not running yet" in html


def _with_alerts() -> FakeSink:
    docs = demo_docs()
    docs["alerts"] = [
        {
            "_id": "e1",
            "alert_id": "al1",
            "change": "open",
            "rule": "spike-actor",
            "kind": "spike",
            "key": {"actor": "nusra"},
            "at": "2026-11-02T12:00:00+00:00",
            "evidence": {
                "observed": 9,
                "expected": 1.5,
                "p_value": 0.001,
                "reason": INJECTION,
                "top_clusters": [{"cluster_id": "c1", "sightings": 3}],
            },
        }
    ]
    return FakeSink(docs)


def test_alerts_list_evidence_and_link_to_the_search() -> None:
    html = make_client(_with_alerts()).get("/alerts").text
    assert "spike-actor" in html
    assert 'href="/?actor=nusra"' in html
    assert 'href="/cluster/c1"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "disabled" in html  # no token configured: the button says so


def test_marking_an_alert_needs_the_token() -> None:
    sink = _with_alerts()
    read_only = make_client(sink)
    refused = read_only.post("/alerts/al1/triage", data={"verdict": "noise", "token": "x"})
    assert refused.status_code == 403
    assert "MARSAD_CONSOLE_TOKEN" in refused.text
    client = make_client(sink, token=TOKEN)
    assert client.post("/alerts/al1/triage", data={"verdict": "noise"}).status_code == 403
    wrong = client.post("/alerts/al1/triage", data={"verdict": "noise", "token": "nope"})
    assert wrong.status_code == 403
    assert sink.written == []
    done = client.post(
        "/alerts/al1/triage",
        data={"verdict": "noise", "token": TOKEN},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert sink.written[0].document["triage"] == "noise"
    assert sink.written[0].doc_id == "e1"
    by_header = client.post(
        "/alerts/al1/triage",
        data={"verdict": "expected"},
        headers={"X-Marsad-Token": TOKEN},
        follow_redirects=False,
    )
    assert by_header.status_code == 303
    assert "متوقع" in client.get("/alerts").text
    assert (
        client.post("/alerts/al1/triage", data={"verdict": "delete", "token": TOKEN}).status_code
        == 400
    )


def test_health_shows_figures_and_degrades(client: TestClient, tagger: Tagger) -> None:
    html = client.get("/health").text
    assert "صوت الشام" in html
    assert "news.pages.v1" in html
    assert "ExtractionError" in html
    down = make_client(FakeSink(demo_docs(), down=True), tagger=tagger, health=kafka_down)
    page = down.get("/health")
    assert page.status_code == 200
    assert page.text.count("unavailable:") >= 3
    assert "NoBrokersAvailable" in page.text


def test_engine_down_is_a_page_not_a_traceback() -> None:
    client = make_client(FakeSink(demo_docs(), down=True))
    for path in ("/", "/cluster/c1", "/article/a1", "/map", "/alerts"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "unavailable: " in response.text
        assert "connection refused" in response.text
        assert '<html lang="ar" dir="rtl">' in response.text
        assert "Traceback" not in response.text


def test_unknown_page_and_foreign_host(sink: FakeSink) -> None:
    client = make_client(sink, allowed_hosts=["127.0.0.1", "localhost"])
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    local = TestClient(client.app, base_url="http://127.0.0.1:8070")
    assert local.get("/nowhere").status_code == 404
    assert local.get("/static/console.css").status_code == 200


def test_a_slow_health_figure_is_reported_not_awaited(sink: FakeSink) -> None:
    def slow(settings: Settings) -> HealthReport:
        time.sleep(1.0)
        return kafka_down(settings)

    client = make_client(sink, health=slow, health_timeout_s=0.1)
    page = client.get("/health")
    assert page.status_code == 200
    assert "no answer within 0s" in page.text
    assert "articles: 2" in page.text  # the engine's figures still shown


def test_kafka_without_an_address_is_unavailable_at_once() -> None:
    down = kafka_unreachable(None)
    assert down is not None
    assert "MARSAD_KAFKA_BOOTSTRAP" in down.reason
    bad = kafka_unreachable("no-port-here")
    assert bad is not None
    assert "Kafka unreachable" in bad.reason

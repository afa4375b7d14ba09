"""The health page: the sources with their last success, the consumer lag per topic and the
dead letters by reason, each in its own section, read from where they live."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import Shot
from .support import Corpus


def test_the_health_page_shows_sources_lag_and_dead_letters(
    page: Page, console: str, corpus: Corpus, shot: Shot
) -> None:
    response = page.goto(console + "/health")
    assert response is not None and response.ok
    sources = page.get_by_role("region", name="المصادر")
    lag = page.get_by_role("region", name="التأخر")
    dead = page.get_by_role("region", name="الرسائل الميتة")
    for section in (sources, lag, dead):
        expect(section).to_be_visible()
        expect(section.locator("h2")).to_be_visible()
        expect(section.locator(".unavailable")).to_have_count(0)
    # every demo outlet, as the connectors' state recorded it
    for outlet in corpus.outlets:
        expect(sources.locator("tbody tr").filter(has_text=outlet.outlet_id)).to_have_count(1)
    # the worker's group on this session's topics, caught up
    ours = lag.locator("tbody tr").filter(has_text=corpus.settings.topic_namespace)
    expect(ours.first).to_be_visible()
    assert all(row.split()[-1] == "0" for row in ours.all_inner_texts()), ours.all_inner_texts()
    expect(dead.locator("table")).to_be_visible()
    # and the worker's own counters, from its /metrics
    metrics = page.get_by_role("region", name="مقاييس العامل")
    expect(metrics).to_be_visible()
    expect(metrics.locator(".unavailable")).to_have_count(0)
    expect(metrics).to_contain_text("marsad_consumer_lag")
    shot("health")

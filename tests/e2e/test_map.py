"""The map: the governorates drawn from the shipped boundaries, events as points by place with
their precision, filtered by the current search."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import Shot
from .pages import search_url

POINTS = "main svg circle.point"


def test_the_map_draws_events_as_points(page: Page, console: str, shot: Shot) -> None:
    page.goto(console + "/map")
    svg = page.locator("main svg").first
    expect(svg).to_be_visible()
    assert page.locator("main svg path.gov").count() >= 14  # Syria's governorates
    everything = page.locator(POINTS).count()
    assert everything > 0
    precisions = set(page.locator(POINTS).evaluate_all("els => els.map(e => e.dataset.precision)"))
    assert precisions <= {"settlement", "governorate"} and precisions, precisions
    # a point's title names its place, and the table lists the same places
    assert page.locator(f"{POINTS} title").first.text_content()
    assert page.locator("table.points tbody tr").count() == everything
    shot("all")
    page.goto(search_url(console, q="جبهة النصرة").replace("/?", "/map?"))
    expect(page.locator("main svg").first).to_be_visible()
    searched = page.locator(POINTS).count()
    assert 0 < searched <= everything
    shot("searched")

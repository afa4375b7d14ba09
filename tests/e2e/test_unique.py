"""Unique mode: one row per cluster of near-identical paragraphs, and the cluster page of the
demo's rocket bulletin, whose count was revised 15 → 10 → 5 across three versions."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from .conftest import Shot
from .pages import result_count, search_url

ROCKETS = re.compile(r"(\d+)\s+(?:صاروخ|صواريخ)\s+فيل")


def open_rocket_cluster(page: Page, console: str) -> Locator:
    """Search صواريخ in unique mode, open the rocket bulletin's cluster; its diff section."""
    page.goto(search_url(console, q="صواريخ", mode="unique"))
    expect(page.get_by_label("النمط")).to_have_value("unique")
    rows = page.locator(".hits .hit")
    assert result_count(page) == rows.count() > 0
    rockets = rows.filter(has_text=ROCKETS)
    expect(rockets).to_have_count(1)  # the three versions are one row
    expect(rockets.locator(".snippet mark").first).to_be_visible()
    rockets.locator('a[href^="/cluster/"]').click()
    page.wait_for_url(re.compile(r"/cluster/c\w+$"))
    return page.get_by_role("region", name="الأرقام التي تغيرت بين النسخ")


def test_unique_mode_leads_to_the_cluster_of_every_version_in_time_order(
    page: Page, console: str, shot: Shot
) -> None:
    diff = open_rocket_cluster(page, console)
    rows = page.locator("table.occurrences tbody tr")
    expect(rows).to_have_count(3)
    times = [row.locator("td").nth(0).inner_text().strip() for row in rows.all()]
    assert times == sorted(times), times
    counts = []
    for row in rows.all():
        found = ROCKETS.search(row.locator("td").last.inner_text())
        assert found, row.inner_text()
        counts.append(found.group(1))
    assert counts == ["15", "10", "5"]
    expect(page.locator("main .meta")).to_contain_text("3")  # "in 3 places"
    expect(diff).to_be_visible()  # the numbers that changed have a section of their own
    shot("cluster")


def test_the_cluster_page_shows_the_revised_count_as_one_readable_diff(
    page: Page, console: str, shot: Shot
) -> None:
    """The numbers read per version, in publication order, whatever order the worker processed
    the versions in (the four partitions interleave differently on every run)."""
    diff = open_rocket_cluster(page, console)
    expect(diff).to_be_visible()
    shot("diff")
    sequences = [
        [re.sub(r"\D", "", value) for value in seq.locator(".value").all_inner_texts()]
        for seq in diff.locator(".sequence").all()
    ]
    assert ["15", "10", "5"] in sequences, sequences

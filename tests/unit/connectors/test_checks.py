from connectors.checks import check_sources, format_report
from connectors.exceptions import FetchError
from connectors.fetch import FetchedPage, Validators
from connectors.schedule import SourceState
from connectors.sources import Source, SourceRegistry
from tests.sites import content as c


class Web:
    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allow_private: bool = False,
        max_bytes: int | None = None,
        binary_ok: bool = False,
    ) -> FetchedPage:
        if "down" in url:
            raise FetchError("dns_error", f"{url}: no such host")
        body = c.rss(c.items("https://up.example", 4))
        return FetchedPage(url, url, 200, "application/rss+xml", None, body)


def source(sid: str, host: str) -> Source:
    return Source(
        id=sid, name_ar="مصدر", name_latin=sid.title(), home=f"https://{host}/", country="SY",
        affiliation="opposition", feeds=[f"https://{host}/feed"],
    )  # fmt: skip


async def test_the_report_says_who_answered_what_and_when_it_last_had_news() -> None:
    registry = SourceRegistry(
        version=1, sources=(source("up", "up.example"), source("down", "down.example"))
    )
    states = {"up": SourceState("up", 300.0, health="ok", last_new_at=1_700_000_000.0)}
    checks = await check_sources(registry, Web(), states)
    assert [c.answered for c in checks] == [True, False]
    report = format_report(checks, now=1_700_000_000.0 + 7200)
    assert "up: Up / مصدر (opposition, SY) [addresses unverified]" in report
    assert "answered; health ok; last new article 2023-11-14 22:13 UTC (2 h ago)" in report
    assert "HTTP 200, application/rss+xml" in report and "rss20 feed, 4 entries" in report
    assert "NO ANSWER; health unknown (never polled); last new article never" in report
    assert "dns_error: https://down.example/feed: no such host" in report
    assert report.endswith("1 of 2 sources answered")

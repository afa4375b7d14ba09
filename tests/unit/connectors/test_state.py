from datetime import UTC, datetime
from pathlib import Path

from connectors.fetch import Validators
from connectors.schedule import SourceState
from connectors.state import NewArticle, StateStore


def article(n: int, published: datetime | None = None, source: str = "s") -> NewArticle:
    return NewArticle(f"{n:032d}", source, f"https://x.example/{n}", f"t{n}", published)


def test_new_articles_are_recorded_once() -> None:
    store = StateStore()
    assert store.add_pending([article(1), article(2)], now=10) == [f"{1:032d}", f"{2:032d}"]
    assert store.add_pending([article(2), article(3)], now=11) == [f"{3:032d}"]
    assert store.known(f"{2:032d}") and not store.known(f"{9:032d}")
    assert store.counts() == {"pending": 3}


def test_due_articles_newest_first_and_retry_times() -> None:
    store = StateStore()
    old, new = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    store.add_pending([article(1, old), article(2), article(3, new)], now=10)
    assert [a.url_id[-1] for a in store.due("s", 10, now=10)] == ["3", "1", "2"]
    assert store.due("s", 10, now=10)[0].published == new
    store.retry_later(f"{3:032d}", "timeout", at=100)
    assert [a.url_id[-1] for a in store.due("s", 10, now=50)] == ["1", "2"]
    assert [a.attempts for a in store.due("s", 10, now=100)] == [1, 0, 0]
    store.retry_later(f"{1:032d}", "deferred", at=0, count=False)
    assert store.due("s", 1, now=100)[0].attempts == 1  # article 3, still one attempt
    assert store.due("other", 10, now=100) == []


def test_fetched_and_failed_articles_are_no_longer_due() -> None:
    store = StateStore()
    store.add_pending([article(1), article(2), article(3)], now=10)
    store.mark_fetched(f"{1:032d}", now=20)
    store.mark_failed(f"{2:032d}", "http_404")
    assert [a.url_id[-1] for a in store.due("s", 10, now=30)] == ["3"]
    assert store.status(f"{1:032d}") == "fetched" and store.status(f"{2:032d}") == "failed"
    assert store.counts() == {"fetched": 1, "failed": 1, "pending": 1}


def test_everything_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.sqlite"
    store = StateStore(path)
    store.add_pending([article(1)], now=10)
    store.mark_fetched(f"{1:032d}")
    store.save_validators("https://x.example/feed", Validators('"e"', "Tue, 01 Oct 2024"), "feed")
    store.save_source(SourceState("s", 60.0, health="slow", last_new_at=123.0))
    store.close()
    again = StateStore(path)
    assert again.status(f"{1:032d}") == "fetched"
    assert again.validators("https://x.example/feed") == (
        Validators('"e"', "Tue, 01 Oct 2024"),
        "feed",
    )
    assert again.validators("https://x.example/other") == (Validators(), None)
    source = again.load_source("s")
    assert source is not None and (source.health, source.last_new_at) == ("slow", 123.0)
    assert set(again.source_states()) == {"s"}
    again.close()


def test_old_rows_are_pruned() -> None:
    store = StateStore()
    store.add_pending([article(1)], now=1_000)
    store.add_pending([article(2)], now=100_000)
    assert store.prune(older_than_s=50_000, now=100_000) == 1
    assert not store.known(f"{1:032d}") and store.known(f"{2:032d}")

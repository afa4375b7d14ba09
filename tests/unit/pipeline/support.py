"""In-memory stand-ins for the unit tests of the stages (never for integration tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kernel.records import DeadLetter, ExtractedArticle, RawPage
from pipeline.sinks.types import IndexAction, KindStatus, SinkError
from pipeline.stages import RetryPolicy, SourceRecord

SEEDS = Path(__file__).resolve().parents[3] / "devtools" / "demo" / "seeds"
FAST = RetryPolicy(deadline_s=0.5, first_delay_s=0.01, max_delay_s=0.02)


def seed_paragraphs() -> list[str]:
    text = sorted(SEEDS.glob("000_*.txt"))[0].read_text(encoding="utf-8")
    # the body of the wire story; the seed's last lines are a scraped teaser block
    return [line for line in text.splitlines() if line.strip()][:9]


def article_html(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='ar' dir='rtl'><head><meta charset='utf-8'><title>فشل المفاوضات</title></head>"
        "<body><nav>الرئيسية | سياسة</nav>"
        f"<article><h1>فشل المفاوضات</h1>{body}</article></body></html>"
    ).encode()


def page_record(body: bytes, offset: int = 7) -> SourceRecord:
    page = RawPage(
        url_id="a" * 32,
        url="https://example.com/news/1.html",
        canonical_url="https://example.com/news/1.html",
        source_id="demo",
        outlet="منفذ",
        fetched_at=datetime(2024, 3, 2, tzinfo=UTC),
        http_status=200,
        content_type="text/html; charset=utf-8",
        body_b64=RawPage.encode_body(body),
    )
    return SourceRecord("news.pages.v1", 2, offset, b"a" * 32, page.to_bytes())


def extracted(paragraphs: Sequence[str], url_id: str = "b" * 32) -> ExtractedArticle:
    return ExtractedArticle(
        url_id=url_id,
        url=f"https://example.com/{url_id}",
        canonical_url=f"https://example.com/{url_id}",
        source_id="demo",
        outlet="منفذ",
        title="عنوان",
        paragraphs=tuple(paragraphs),
        dropped_reasons=(),
        dropped_count=0,
        language="ar",
        encoding="utf-8",
        content_hash="h",
        published_at=None,
        fetched_at=datetime(2024, 3, 2, tzinfo=UTC),
        source_offset="news.pages.v1[0]@1",
    )


def article_record(article: ExtractedArticle, offset: int = 3) -> SourceRecord:
    return SourceRecord("news.extracted.v1", 0, offset, article.url_id.encode(), article.to_bytes())


class MemorySink:
    def __init__(self, failures: list[SinkError] | None = None) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}
        self.failures = failures or []

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        for action in actions:
            self.docs[(action.kind, action.doc_id)] = action.document

    async def ensure_templates(self) -> None:
        return None

    async def create_version(self, kind: str, version: int) -> bool:
        raise NotImplementedError

    async def switch_alias(self, kind: str, version: int, *, replace_index: bool = False) -> None:
        raise NotImplementedError

    async def status(self, kind: str) -> KindStatus:
        raise NotImplementedError

    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def count(self, kind: str) -> int:
        return len(self.docs)

    async def refresh(self, kind: str) -> None:
        return None

    async def close(self) -> None:
        return None


class Letters(list[DeadLetter]):
    async def __call__(self, letter: DeadLetter) -> None:
        self.append(letter)


class Forwarded(list[ExtractedArticle]):
    async def __call__(self, article: ExtractedArticle) -> None:
        self.append(article)

"""The two seams of the connector loop: what fetches pages and what publishes them."""

from __future__ import annotations

from typing import Protocol

from connectors.fetch import FetchedPage, Validators
from connectors.outbox import RawPagePublisher

__all__ = ["PageFetcher", "RawPagePublisher"]


class PageFetcher(Protocol):
    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allow_private: bool = False,
        max_bytes: int | None = None,
        binary_ok: bool = False,
    ) -> FetchedPage: ...

"""Helpers for the dedupe unit tests: seed paragraphs and articles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from devtools.demo.catalog import SEED_IDS, seed_lines
from pipeline.dedupe import ArticleInput

T0 = datetime(2017, 9, 9, 8, 0, tzinfo=UTC)


def seed(paragraph_id: str) -> str:
    """The text of seed paragraph "003:11" (1-based line of devtools/demo/seeds/003_*.txt)."""
    prefix, line = paragraph_id.split(":")
    seed_id = next(s for s in SEED_IDS if s.startswith(prefix))
    return seed_lines(seed_id)[int(line) - 1].strip()


def words_and_edits(
    vocabulary: Sequence[str],
) -> tuple[st.SearchStrategy[list[str]], st.SearchStrategy[list[tuple[int, str]]]]:
    """Hypothesis strategies for a paragraph's words and for a few edits of them (see
    :func:`edited`), drawn from ``vocabulary``."""
    return (
        st.lists(st.sampled_from(vocabulary), min_size=1, max_size=16),
        st.lists(st.tuples(st.integers(0, 16), st.sampled_from(["", *vocabulary])), max_size=4),
    )


def edited(words: list[str], edits: list[tuple[int, str]], filler: str = "قصف") -> list[str]:
    """``words`` with a few words replaced (``(position, word)``), dropped (an empty word) or
    added (a position past the end); never empty."""
    changed = list(words)
    for position, word in edits:
        if position < len(changed):
            changed[position] = word
        else:
            changed.append(word or filler)
    return [w for w in changed if w] or [filler]


def body(prefix: str, first: int, last: int) -> tuple[str, ...]:
    """Seed lines ``first``..``last`` without blank lines and section headings ("حلب::")."""
    texts = (seed(f"{prefix}:{n}") for n in range(first, last + 1))
    return tuple(t for t in texts if t and not t.endswith("::"))


def article(
    url_id: str,
    paragraphs: tuple[str, ...] | list[str],
    *,
    source: str = "maydan",
    minutes: float = 0,
    url: str | None = None,
) -> ArticleInput:
    when = T0 + timedelta(minutes=minutes)
    return ArticleInput(
        url_id=url_id,
        source=source,
        url=url or f"https://{source}.example/{url_id}",
        published=when,
        seen_at=when,
        title="",
        paragraphs=tuple(paragraphs),
    )

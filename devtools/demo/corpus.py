"""A seeded generator of realistic, distinct Arabic article pages for benchmarks.

Each article samples 3–12 body paragraphs of the seed bulletins (mostly a contiguous run of one
story, sometimes padded with paragraphs of other stories), revises some counts, swaps some
villages, moves weekday names to the article's own day, and renders the result in one outlet's
full chrome. Every paragraph records where it came from (:class:`ParagraphOrigin`), so a
benchmark knows which paragraphs are true near-duplicates of which. Same seed, same articles.
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from devtools.demo import pages
from devtools.demo.catalog import SPECS, seed_lines
from devtools.demo.chrome import Teaser, teaser_summary
from devtools.demo.outlets import OUTLETS, Outlet
from devtools.demo.variation import vary

DEFAULT_START = datetime(2024, 3, 1, tzinfo=UTC)
MEAN_GAP_S = 240.0
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 3, 12
_BULLETIN_WEEKDAY = 5  # the long bulletin (003) is a Saturday's
_SLUG_WORDS = (
    "syria", "aleppo", "idlib", "damascus", "ghouta", "raqqa", "deir-ezzor", "homs", "hama",
    "daraa", "badia", "truce", "clashes", "shelling", "airstrike", "talks", "report", "coalition",
    "ambush", "offensive", "statement", "casualties", "convoy", "opposition",
)  # fmt: skip
_LEADING_CONNECTIVE = re.compile(r"^(?:و|ف)(?=[اأإلكقذت])")


@dataclass(frozen=True, slots=True)
class ParagraphOrigin:
    seed: str
    """Seed file prefix, ``"000"`` to ``"004"``."""
    line: int
    """1-based line of the seed file the paragraph was made from."""
    edits: tuple[str, ...]
    """What was changed: ``"count"``, ``"place"``, ``"weekday"``; empty if verbatim."""


@dataclass(frozen=True, slots=True)
class GeneratedArticle:
    url: str
    outlet_id: str
    title: str
    published: datetime
    html: bytes
    charset: str
    paragraphs: tuple[str, ...]
    origins: tuple[ParagraphOrigin, ...]


_Unit = tuple[str, int, str]  # seed prefix, line, text


@cache
def _stories() -> tuple[tuple[_Unit, ...], ...]:
    """Body paragraphs of the demo articles, grouped by story; headings and stubs left out."""
    stories: list[tuple[_Unit, ...]] = []
    for spec in SPECS:
        lines = seed_lines(spec.seed_id)
        units = tuple(
            (spec.seed_id[:3], n, lines[n - 1].strip())
            for n in range(spec.first, spec.last + 1)
            if len(lines[n - 1].split()) >= 6
        )
        if units:
            stories.append(units)
    return tuple(stories)


def _sample(rng: random.Random) -> list[_Unit]:
    stories = _stories()
    want = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
    story = rng.choice(stories)
    if len(story) > want:
        start = rng.randrange(len(story) - want + 1)
        picked = list(story[start : start + want])
    else:
        picked = list(story)
    while len(picked) < MAX_PARAGRAPHS and (len(picked) < want or rng.random() < 0.2):
        extra = rng.choice(rng.choice(stories))
        if extra not in picked:
            picked.insert(rng.randint(1, len(picked)), extra)
    return picked


def _title(first: str, rng: random.Random) -> str:
    clause = re.split(r"[،,:.]", first, maxsplit=1)[0]
    words = _LEADING_CONNECTIVE.sub("", clause).split()[: rng.randint(7, 12)]
    return " ".join(words).strip('«»"“” ')


def generate_articles(
    seed: int, count: int, *, start: datetime = DEFAULT_START
) -> Iterator[GeneratedArticle]:
    """Yield ``count`` distinct articles, deterministic for ``seed``, oldest first.

    Publication times start at ``start`` (tz-aware) and advance by random gaps averaging
    four minutes; URLs use the outlets' ``.example`` domains, never the demo servers.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    published = start.astimezone(UTC)
    seen: set[tuple[str, ...]] = set()
    recent: dict[str, deque[Teaser]] = {o.id: deque(maxlen=4) for o in OUTLETS}
    number = 100_000 + rng.randrange(100_000)
    produced = 0
    while produced < count:
        units = _sample(rng)
        shift = (published.weekday() - _BULLETIN_WEEKDAY) % 7
        varied = [vary(text, rng, weekday_shift=shift) for _, _, text in units]
        paragraphs = tuple(text for text, _ in varied)
        if paragraphs in seen:
            continue
        seen.add(paragraphs)
        outlet = rng.choice(OUTLETS)
        number += 1
        slug = "-".join(rng.sample(_SLUG_WORDS, rng.randint(2, 3)))
        url = f"https://{outlet.domain}{outlet.article_path(published, slug, number)}"
        title = _title(paragraphs[0], rng)
        article = GeneratedArticle(
            url=url,
            outlet_id=outlet.id,
            title=title,
            published=published,
            html=_render(
                outlet,
                url=url,
                title=title,
                published=published,
                paragraphs=paragraphs,
                recent=recent[outlet.id],
            ),
            charset=outlet.charset,
            paragraphs=paragraphs,
            origins=tuple(
                ParagraphOrigin(seed_id, line, edits)
                for (seed_id, line, _), (_, edits) in zip(units, varied, strict=True)
            ),
        )
        recent[outlet.id].append(Teaser(title, url, teaser_summary(paragraphs[0])))
        produced += 1
        yield article
        published += timedelta(seconds=round(rng.expovariate(1 / MEAN_GAP_S), 3))


def _render(
    outlet: Outlet,
    *,
    url: str,
    title: str,
    published: datetime,
    paragraphs: tuple[str, ...],
    recent: deque[Teaser],
) -> bytes:
    newest_first = list(reversed(recent))
    page = pages.ArticlePage(
        title=title,
        url=url,
        published=published,
        byline=outlet.name_ar,
        paragraphs=paragraphs,
        feed_url=f"https://{outlet.domain}{outlet.feed_path}",
        read_also=newest_first[0] if newest_first else None,
        related=newest_first[:3],
        headlines=newest_first[:2],
    )
    return pages.encode(outlet, pages.render_article(outlet, page))

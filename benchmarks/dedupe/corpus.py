"""A seeded stream of articles with known paragraph clusters, built from the seed bulletins.

Every paragraph carries its *truth*: the root text it was made from. Roots are

- the seed bulletins' body paragraphs (every line of 8+ words of the five seeds), and
- synthetic paragraphs: 10-60 words, four in five drawn from the seeds' own vocabulary (so
  common shingles are Arabic news ones) and one in five from a pool of 50,000 invented names
  with a heavy-tailed (log-uniform) frequency, as names of people, places and units are in
  news; most with a place phrase ("في قرية X") and a count ("17 عنصرا") planted in them. The
  seeds alone have 4,700 words: a corpus of 200,000 paragraphs drawn from them only would
  share every shingle with thousands of others, which real news does not.

Stories of 2-8 roots are published by one to thirty outlets. The first publication carries the
roots verbatim; later ones edit each paragraph, as outlets and later editions do: a count
revised (``count``), one or two words dropped (``drop``), clauses or words reordered
(``reorder``), a count revised and a word dropped (``mixed``), or only invisible changes
(tatweel, diacritics, quotes: ``cosmetic``), or nothing (``verbatim``). All of these stay in
their root's cluster.

Negatives: some stories are re-told about *another place* (the same template, villages
swapped: ``other_place``); their paragraphs are new roots, distinct clusters from the
originals, although their wording is near-identical. Some articles are refetched (same url_id,
a count revised) and some republished verbatim under another URL (same text).

Same seed, same stream. Paragraph counts are exact: generation stops at ``paragraphs``.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from devtools.demo.catalog import SEED_IDS, seed_lines
from devtools.demo.variation import PLACE_GROUPS, revise_count, swap_place
from pipeline.dedupe import ArticleInput
from pipeline.text import content_fingerprint

LABELS = (
    Path(__file__).resolve().parents[2] / "tests" / "quality" / "dedupe" / "labelled_pairs.yaml"
)

START = datetime(2024, 3, 1, tzinfo=UTC)
SPAN = timedelta(days=5)
OUTLETS = tuple(f"outlet{n:02d}" for n in range(12))
EDITS = ("verbatim", "count", "drop", "reorder", "mixed", "cosmetic")
EDIT_WEIGHTS = (0.30, 0.20, 0.15, 0.12, 0.10, 0.13)
COUNTED = ("قتيلا", "عنصرا", "صاروخا", "جريحا", "غارة", "قذيفة", "مدنيا", "معتقلا", "برميلا")
TRIGGERS = ("في قرية", "في بلدة", "على مدينة", "في حي", "قرب قرية", "في ريف")
PLACES = tuple(name for group in PLACE_GROUPS for name in group)
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"[0-9٠-٩]")


@dataclass(frozen=True, slots=True)
class Truth:
    root: str
    """The root text's id: paragraphs with one root are one cluster."""
    edit: str
    """How this paragraph was made from its root (see the module doc), or ``other_place``."""


@dataclass(frozen=True, slots=True)
class Item:
    article: ArticleInput
    truth: tuple[Truth, ...]


@dataclass(slots=True)
class _Root:
    id: str
    text: str
    kind: str  # "verbatim" for an original root, "other_place" for a swapped one


_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
NAMES = 50_000
NAME_SHARE = 0.2


class _Vocabulary:
    def __init__(self, texts: list[str], rng: random.Random) -> None:
        self.words: list[str] = [w for t in texts for w in _WORD.findall(t) if not _DIGIT.search(w)]
        self.names = [
            ("ال" if rng.random() < 0.3 else "")
            + "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 7)))
            for _ in range(NAMES)
        ]

    def word(self, rng: random.Random) -> str:
        if rng.random() < NAME_SHARE:
            name: str = self.names[int(NAMES ** rng.random()) - 1]
            return name
        return rng.choice(self.words)

    def sentence(self, rng: random.Random) -> str:
        count = max(10, min(60, int(rng.gauss(30, 12))))
        words = [self.word(rng) for _ in range(count)]
        if rng.random() < 0.8:
            words.insert(rng.randrange(len(words)), f"{rng.choice(TRIGGERS)} {rng.choice(PLACES)}")
        if rng.random() < 0.7:
            number = rng.randint(2, 90)
            words.insert(rng.randrange(len(words)), f"{number} {rng.choice(COUNTED)}")
        return " ".join(words).strip("،,. ") + "."


def seed_paragraphs() -> list[tuple[str, str]]:
    """(root id, text) of the five seeds' body paragraphs: lines of 8+ words, no headings,
    no teasers. Of the in-bulletin repeats of 003 (the lineages of the hand-labelled gate,
    tests/quality/dedupe/labelled_pairs.yaml) only the first edition is a root: the later
    editions are the bulletin's own edits, which the gate covers; as roots here they would be
    republished by other outlets, where a 0.45 rewrite is a related paragraph, not the same."""
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    later = {p for members in labels["lineages"].values() for p in members[1:]}
    found: dict[str, tuple[str, str]] = {}
    for seed_id in SEED_IDS:
        for number, line in enumerate(seed_lines(seed_id), start=1):
            text = line.strip()
            paragraph_id = f"{seed_id[:3]}:{number}"
            if len(text.split()) < 8 or text.endswith(("::", "…", "...")) or paragraph_id in later:
                continue
            found.setdefault(text, (paragraph_id, text))
    return list(found.values())


def _other_place(text: str, rng: random.Random) -> str:
    """The text with one known place swapped for another of its area ("" if none)."""
    swapped = swap_place(text, rng)
    return swapped if swapped != text else ""


def edit(text: str, kind: str, rng: random.Random) -> str:
    """Apply one edit kind to a paragraph (falls back to a word drop if a count is missing)."""
    if kind == "verbatim":
        return text
    if kind == "cosmetic":
        return _cosmetic(text, rng)
    if kind in ("count", "mixed"):
        revised = revise_count(text, rng)
        text = revised if revised != text else _drop(text, rng)
        return _drop(text, rng) if kind == "mixed" else text
    if kind == "drop":
        return _drop(text, rng)
    return _reorder(text, rng)


def _drop(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    droppable = [
        i
        for i, w in enumerate(words)
        if i > 0 and not _DIGIT.search(w) and not any(p in w for p in PLACES)
    ]
    for i in sorted(rng.sample(droppable, min(len(droppable), rng.randint(1, 2))), reverse=True):
        del words[i]
    return " ".join(words)


def _reorder(text: str, rng: random.Random) -> str:
    clauses = [c.strip() for c in text.rstrip(".").split("،") if c.strip()]
    if len(clauses) >= 2:
        i = rng.randrange(len(clauses) - 1)
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
        return "، ".join(clauses) + "."
    words = text.split(" ")
    if len(words) < 6:
        return text
    start = rng.randrange(1, len(words) - 4)
    chunk = words[start : start + rng.randint(2, 3)]
    rest = words[:start] + words[start + len(chunk) :]
    at = rng.randrange(1, len(rest))
    return " ".join(rest[:at] + chunk + rest[at:])


def _cosmetic(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    word = words[i]
    choice = rng.random()
    if choice < 0.4 and len(word) > 2:
        words[i] = word[:-1] + "ـ" + word[-1]  # tatweel
    elif choice < 0.7:
        words[i] = word + "ً" if word[-1].isalpha() else word  # tanween
    else:
        words[i] = f"«{word}»"
    return " ".join(words)


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data
        seeds = seed_paragraphs()
        self.vocabulary = _Vocabulary([text for _, text in seeds], self.rng)
        self.seed_roots = [_Root(root, text, "verbatim") for root, text in seeds]
        self.roots = 0
        self.articles = 0

    def story(self) -> list[_Root]:
        rng = self.rng
        if rng.random() < 0.15:
            start = rng.randrange(len(self.seed_roots))
            return self.seed_roots[start : start + rng.randint(2, 6)]
        return [self.synthetic() for _ in range(rng.randint(2, 8))]

    def synthetic(self) -> _Root:
        self.roots += 1
        return _Root(f"syn{self.roots}", self.vocabulary.sentence(self.rng), "verbatim")

    def other_place(self, roots: list[_Root]) -> list[_Root]:
        """The story re-told about other places: swapped paragraphs are new roots."""
        swapped: list[_Root] = []
        for root in roots:
            text = _other_place(root.text, self.rng)
            if text:  # the same swap made twice is one root: its id comes from its text
                digest = hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()
                swapped.append(_Root(f"{root.id}/{digest}", text, "other_place"))
        return swapped

    def publications(self, roots: list[_Root], at: datetime, *, once: bool) -> Iterator[Item]:
        rng = self.rng
        copies = 1 if once else _copies(rng)
        times = sorted(at + timedelta(hours=rng.expovariate(1 / 3)) for _ in range(copies))
        times[0] = at
        for number, when in enumerate(times):
            picked = [r for r in roots if number == 0 or rng.random() < 0.85] or roots[:1]
            kinds = [r.kind if number == 0 else rng.choices(EDITS, EDIT_WEIGHTS)[0] for r in picked]
            texts = [
                r.text if number == 0 else edit(r.text, k, rng)
                for r, k in zip(picked, kinds, strict=True)
            ]
            truth = tuple(Truth(r.id, k) for r, k in zip(picked, kinds, strict=True))
            item = self._article(texts, truth, when)
            yield item
            if once:
                continue
            if rng.random() < 0.03:  # refetched later with a count revised
                revised = [revise_count(t, rng) for t in texts]
                kinds2 = tuple(Truth(t.root, "count" if r != o else t.edit)
                               for t, r, o in zip(truth, revised, texts, strict=True))  # fmt: skip
                yield self._article(
                    revised, kinds2, when + timedelta(hours=2), refetch=item.article
                )
            if rng.random() < 0.05:  # republished verbatim elsewhere
                yield self._article(texts, truth, when + timedelta(minutes=30))

    def _article(
        self,
        texts: list[str],
        truth: tuple[Truth, ...],
        when: datetime,
        *,
        refetch: ArticleInput | None = None,
    ) -> Item:
        if refetch is None:
            self.articles += 1
            outlet, url_id = self.rng.choice(OUTLETS), f"u{self.articles:08d}"
        else:
            outlet, url_id = refetch.source, refetch.url_id
        article = ArticleInput(
            url_id=url_id,
            source=outlet,
            url=f"https://{outlet}.example/news/{url_id}",
            published=when,
            seen_at=when,
            title="",
            paragraphs=tuple(texts),
            content_hash=content_fingerprint(texts),  # the extract stage's, upstream
        )
        return Item(article, truth)


def _copies(rng: random.Random) -> int:
    copies = 1
    while copies < 30 and rng.random() < 0.62:
        copies += 1
    return copies


def generate(seed: int, paragraphs: int, *, unique: bool = False) -> list[Item]:
    """Articles in time order, ``paragraphs`` paragraphs in all, each with its truth.

    ``unique``: synthetic stories published once, no edits, no negatives: (nearly) every
    paragraph a new text, the state's worst case per paragraph.
    """
    stream = _Stream(seed)
    rng = stream.rng
    items: list[Item] = []
    total = 0
    while total < paragraphs:
        roots = [stream.synthetic() for _ in range(rng.randint(2, 8))] if unique else stream.story()
        at = START + timedelta(seconds=rng.uniform(0, SPAN.total_seconds()))
        for item in stream.publications(roots, at, once=unique):
            items.append(item)
            total += len(item.truth)
        if not unique and rng.random() < 0.12:
            swapped = stream.other_place(roots)
            if swapped:
                later = at + timedelta(hours=rng.uniform(0, 24))
                for item in stream.publications(swapped, later, once=False):
                    items.append(item)
                    total += len(item.truth)
    items.sort(key=lambda item: (item.article.seen_at, item.article.url_id))
    return _trim(items, paragraphs)


def _trim(items: list[Item], paragraphs: int) -> list[Item]:
    kept: list[Item] = []
    total = 0
    for item in items:
        room = paragraphs - total
        if room <= 0:
            break
        cut = item
        if len(item.truth) > room:
            article = item.article
            cut = Item(
                ArticleInput(
                    article.url_id, article.source, article.url, article.published,
                    article.seen_at, article.title, article.paragraphs[:room],
                    content_fingerprint(article.paragraphs[:room]),
                ),
                item.truth[:room],
            )  # fmt: skip
        kept.append(cut)
        total += len(cut.truth)
    return kept

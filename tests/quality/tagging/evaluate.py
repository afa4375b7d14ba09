"""Score the tagger against the hand labels of ``labels.yaml``.

    python -m tests.quality.tagging.evaluate              # the table
    python -m tests.quality.tagging.evaluate actors       # plus every actor error, per paragraph

Each labelled article is tagged as the worker tags it (:meth:`Tagger.tag_article`, paragraphs in
order, published date given). Per kind, true positives, false positives and false negatives are
counted per paragraph over sets of ids (events: the ACLED event type; the sub-event type is
scored too but has no floor). Casualties are matched as a multiset of (kind, count, approx): a
casualty is *exact* when kind, count and approximation all agree.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from devtools.demo.catalog import seed_lines
from kernel.datafiles import deploy_dir
from pipeline.tagging import ParagraphTags, Tagger
from pipeline.tagging.lexicon import ACLED_EVENTS

HERE = Path(__file__).parent
LABELS = HERE / "labels.yaml"
LEXICONS = deploy_dir() / "lexicons"
KINDS = ("events", "sub_events", "actors", "places", "attribution", "casualties")


@dataclass(frozen=True)
class Labelled:
    article: str
    seed: str
    line: int
    text: str
    gold: dict[str, Counter[Any]]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_labels() -> tuple[list[tuple[str, date, list[Labelled]]], dict[str, Any]]:
    raw = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    articles = []
    for article in raw["articles"]:
        lines = seed_lines(article["seed"])
        items = []
        for p in article["paragraphs"]:
            text = lines[p["line"] - 1].strip()
            if not text.startswith(p["starts"]):
                raise AssertionError(
                    f"{article['seed']}:{p['line']} no longer starts {p['starts']!r}"
                )
            items.append(Labelled(article["id"], article["seed"][:3], p["line"], text, _gold(p)))
        articles.append((article["id"], article["published"], items))
    return articles, raw


def _gold(p: dict[str, Any]) -> dict[str, Counter[Any]]:
    return {
        "events": Counter({event_type(e): 1 for e in p["events"]}),
        "sub_events": Counter({e: 1 for e in p["events"]}),
        "actors": Counter({a: 1 for a in p["actors"]}),
        "places": Counter({x: 1 for x in p["places"]}),
        "attribution": Counter({a: 1 for a in p["attribution"]}),
        "casualties": Counter((c["kind"], c["count"], c["approx"]) for c in p["casualties"]),
    }


def event_type(label: str) -> str:
    """The ACLED event type of an "Event type/Sub-event type" label (both may contain "/")."""
    for known, subs in ACLED_EVENTS.items():
        if label.startswith(known + "/") and label[len(known) + 1 :] in subs:
            return known
    raise AssertionError(f"not an ACLED event/sub-event type: {label!r}")


def predicted(tags: ParagraphTags) -> dict[str, Counter[Any]]:
    return {
        "events": Counter({e.event_type: 1 for e in tags.events}),
        "sub_events": Counter({f"{e.event_type}/{e.sub_event_type}": 1 for e in tags.events}),
        "actors": Counter({a.id: 1 for a in tags.actors}),
        "places": Counter({p.id: 1 for p in tags.places}),
        "attribution": Counter({a.source_id: 1 for a in tags.attribution}),
        "casualties": Counter((c.kind, c.count, c.approx) for c in tags.casualties),
    }


def tagged(tagger: Tagger) -> Iterator[tuple[Labelled, ParagraphTags]]:
    articles, _ = load_labels()
    for _, published, items in articles:
        article = tagger.tag_article([i.text for i in items], published)
        yield from zip(items, article.paragraphs, strict=True)


def score(tagger: Tagger) -> tuple[dict[str, Score], int]:
    scores = {kind: Score() for kind in KINDS}
    count = 0
    for item, tags in tagged(tagger):
        count += 1
        got = predicted(tags)
        for kind in KINDS:
            gold, pred = item.gold[kind], got[kind]
            s = scores[kind]
            tp = sum((gold & pred).values())
            s.tp += tp
            s.fp += sum(pred.values()) - tp
            s.fn += sum(gold.values()) - tp
            missing, extra = sorted(map(str, gold - pred)), sorted(map(str, pred - gold))
            if missing or extra:
                s.errors.append(f"{item.seed}:{item.line} missing {missing} extra {extra}")
    return scores, count


def table(scores: dict[str, Score], paragraphs: int) -> str:
    rows = [f"tagging quality gate: {paragraphs} labelled paragraphs", ""]
    rows.append(f"{'kind':<12} {'gold':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6}")
    for kind, s in scores.items():
        rows.append(
            f"{kind:<12} {s.tp + s.fn:>5} {s.tp:>5} {s.fp:>5} {s.fn:>5} "
            f"{s.precision:>6.3f} {s.recall:>6.3f}"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    tagger = Tagger.load(LEXICONS)
    scores, count = score(tagger)
    print(table(scores, count))
    for kind in argv:
        print(f"\n{kind} errors:")
        for line in scores[kind].errors:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

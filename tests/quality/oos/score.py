"""Score the real tagger on one part of the out-of-sample set (issue 16).

    python -m tests.quality.oos.score --part dev                 # the table
    python -m tests.quality.oos.score --part dev --errors actors # plus every actor error (dev only)
    python -m tests.quality.oos.score --part test                # the table; errors never shown

Each sentence of ``sentences.jsonl`` in the part is tagged on its own with
:meth:`Tagger.tag` (the lexicons of ``deploy/lexicons``, as ``tests/quality/tagging`` loads
them). Per kind, true positives, false positives and false negatives are counted per sentence:

actors
    Labelled canonical names are mapped to the tagger's ids by ``actor_map.yaml``; ids joined by
    a name form one group, and each side of a sentence is a set of groups (a name mapped to no id
    is its own group, so every mention of it is a miss).
places
    Places below country level on both sides (labels: ``level != country``; tagger:
    ``precision != country``). Matched one to one by name, on normalized forms: the label's
    ``surface`` (project normalizer; a leading ال and a leading "ريف", "محافظة", "مدينة" dropped)
    must equal the tagger's ``name_ar`` or its surface with any proclitic (و ف ب ل ك and pairs,
    لل) dropped, under the same normalization; or the label's English name must equal the
    tagger's ``name_en`` once both are folded (case, accents, apostrophes, hyphens, spaces, a
    leading "al"/"ar"/"as"/"ad"/"at"/"el" article dropped).
events
    The set of ACLED event types per sentence.
casualties
    Sentences with a labelled killed or injured count. The tagger's killed count is the sum of
    its killed and executed statements with a number, its injured count that of its injured ones
    (None when it gives no number). A sentence is exact (tp) when both equal the labels (null
    label = no number); else fn. A sentence where the tagger gives a number that is not exactly
    right (or gives one where none is labelled) is an fp. "exact" = tp / (tp + fn).
attribution
    Labelled sources matched one to one with the tagger's attributions: the normalized surfaces
    contain one another (whole words, a proclitic of the first word dropped), or the tagger's
    surface is followed right away by the label's (a title and the name in apposition: "وزير
    الخارجية الروسي سيرجي لافروف"), or the label's name maps through ``actor_map.yaml`` to the
    group of the tagger's actor id.

The test part is for reporting only: ``--errors`` refuses it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from kernel.datafiles import deploy_dir
from pipeline.tagging import ParagraphTags, Tagger
from pipeline.text import tokens
from tests.quality.tagging.evaluate import Score

HERE = Path(__file__).resolve().parent
SENTENCES = HERE / "sentences.jsonl"
ACTOR_MAP = HERE / "actor_map.yaml"
LEXICONS = deploy_dir() / "lexicons"
KINDS = ("actors", "places", "events", "casualties", "attribution")
Part = Literal["dev", "test"]

_CLITICS = ("وب", "ول", "فب", "فل", "وك", "فك", "و", "ف", "ب", "ل", "ك")
_PLACE_WORDS = ("ريف", "محافظه", "مدينه")
_ARTICLE = re.compile(r"^(al|ar|as|ad|at|el|an|ash|az)(?=[a-z]{3})")


@dataclass
class Counts(Score):
    """The in-sample gate's counts (tp, fp, fn, precision, recall), added to per sentence."""

    def add(self, tp: int, fp: int, fn: int, error: str | None = None) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn
        if error is not None:
            self.errors.append(error)


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str
    record: Mapping[str, Any]


def load_sentences(part: Part, path: Path = SENTENCES) -> list[Sentence]:
    """The labelled sentences of ``part``, in file order."""
    out: list[Sentence] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record["split"] == part:
                out.append(Sentence(record["id"], record["text"], record))
    return out


class ActorGroups:
    """Labelled canonical names and tagger ids, each mapped to the group it scores as."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for ids in names.values():
            for other in ids[1:]:
                parent[find(other)] = find(ids[0])
        self._names = {n: (find(ids[0]) if ids else f"name:{n}") for n, ids in names.items()}
        self._find = find

    @classmethod
    def load(cls, path: Path = ACTOR_MAP) -> ActorGroups:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls({str(k): [str(i) for i in v] for k, v in raw["names"].items()})

    def of_name(self, name: str) -> str:
        return self._names.get(name, f"name:{name}")

    def of_id(self, actor_id: str) -> str:
        return self._find(actor_id)

    def known(self, name: str) -> bool:
        return name in self._names


def norm(text: str) -> str:
    return " ".join(tokens(text))


def _strip_article(phrase: str) -> str:
    return phrase[2:] if phrase.startswith("ال") and len(phrase) > 4 else phrase


def _declitic(phrase: str) -> Iterator[str]:
    """``phrase`` and its readings with a proclitic of the first word dropped."""
    yield phrase
    for clitic in _CLITICS:
        rest = phrase[len(clitic) :]
        if phrase.startswith(clitic) and len(rest.split(" ")[0]) >= 2:
            yield rest
            if rest.startswith("ل"):  # لل = ل + ال
                yield "ا" + rest


def fold_en(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z]", "", text)
    return _ARTICLE.sub("", text)


def gold_place_key(surface: str) -> str:
    phrase = norm(surface)
    first, _, rest = phrase.partition(" ")
    if first in _PLACE_WORDS and rest:
        phrase = rest
    return _strip_article(phrase)


def pred_place_keys(surface: str, name_ar: str) -> set[str]:
    keys = {_strip_article(norm(name_ar))}
    keys.update(_strip_article(p) for p in _declitic(norm(surface)))
    return keys


def _match_one_to_one(gold: Sequence[Any], pred: Sequence[Any], same: Any) -> int:
    used: set[int] = set()
    hits = 0
    for g in gold:
        for j, p in enumerate(pred):
            if j not in used and same(g, p):
                used.add(j)
                hits += 1
                break
    return hits


def _contains(a: str, b: str) -> bool:
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


class Scorer:
    def __init__(self, tagger: Tagger, groups: ActorGroups) -> None:
        self.tagger = tagger
        self.groups = groups

    def score(self, sentences: Iterable[Sentence]) -> tuple[dict[str, Counts], int]:
        counts = {kind: Counts() for kind in KINDS}
        n = 0
        for sentence in sentences:
            n += 1
            tags = self.tagger.tag(sentence.text)
            self._actors(sentence, tags, counts["actors"])
            self._places(sentence, tags, counts["places"])
            self._events(sentence, tags, counts["events"])
            self._casualties(sentence, tags, counts["casualties"])
            self._attribution(sentence, tags, counts["attribution"])
        return counts, n

    def _sets(
        self, sid: str, gold: set[str], pred: set[str], counts: Counts, extra: str = ""
    ) -> None:
        tp = len(gold & pred)
        error = None
        if gold != pred:
            error = f"{sid} missing {sorted(gold - pred)} extra {sorted(pred - gold)}{extra}"
        counts.add(tp, len(pred) - tp, len(gold) - tp, error)

    def _actors(self, s: Sentence, tags: ParagraphTags, counts: Counts) -> None:
        gold = {self.groups.of_name(a["name"]) for a in s.record["actors"]}
        pred = {self.groups.of_id(a.id) for a in tags.actors}
        surfaces = "; ".join(f"{a.id}={a.surface}" for a in tags.actors)
        self._sets(s.id, gold, pred, counts, f"  [{surfaces}]")

    def _places(self, s: Sentence, tags: ParagraphTags, counts: Counts) -> None:
        gold = [p for p in s.record["places"] if p["level"] != "country"]
        pred = [p for p in tags.places if p.precision != "country"]

        def same(g: Mapping[str, Any], p: Any) -> bool:
            if gold_place_key(g["surface"]) in pred_place_keys(p.surface, p.name_ar):
                return True
            return fold_en(g["name"]) == fold_en(p.name_en)

        tp = _match_one_to_one(gold, pred, same)
        error = None
        if tp != len(gold) or tp != len(pred):
            error = (
                f"{s.id} gold {[g['surface'] for g in gold]} "
                f"tagged {[f'{p.surface}->{p.name_en}/{p.precision}' for p in pred]}"
            )
        counts.add(tp, len(pred) - tp, len(gold) - tp, error)

    def _events(self, s: Sentence, tags: ParagraphTags, counts: Counts) -> None:
        gold = set(s.record["event_types"])
        pred = {e.event_type for e in tags.events}
        triggers = "; ".join(f"{e.sub_event_type}={'|'.join(e.triggers)}" for e in tags.events)
        self._sets(s.id, gold, pred, counts, f"  [{triggers}]")

    def _casualties(self, s: Sentence, tags: ParagraphTags, counts: Counts) -> None:
        labelled = s.record["casualties"]
        gold = (labelled["killed"], labelled["injured"])
        pred = (tagged_count(tags, ("killed", "executed")), tagged_count(tags, ("injured",)))
        has_gold = gold != (None, None)
        has_pred = pred != (None, None)
        exact = gold == pred
        tp = int(has_gold and exact)
        fn = int(has_gold and not exact)
        fp = int(has_pred and not exact)
        error = None
        if not exact:
            evidence = "; ".join(f"{c.kind} {c.count} {c.approx}" for c in tags.casualties)
            error = f"{s.id} gold killed/injured {gold} tagged {pred}  [{evidence}]"
        counts.add(tp, fp, fn, error)

    def _attribution(self, s: Sentence, tags: ParagraphTags, counts: Counts) -> None:
        gold = list(s.record["attribution"])
        pred = list(tags.attribution)
        text = norm(s.text)

        def same(g: Mapping[str, Any], p: Any) -> bool:
            if self.groups.known(g["name"]) and self.groups.of_name(g["name"]) == (
                self.groups.of_id(p.source_id)
            ):
                return True
            want = norm(g["surface"])
            got = list(_declitic(norm(p.surface)))
            if any(_contains(want, form) for form in got):
                return True
            return f" {norm(p.surface)} {want} " in f" {text} "  # title, then the name

        tp = _match_one_to_one(gold, pred, same)
        error = None
        if tp != len(gold) or tp != len(pred):
            error = (
                f"{s.id} gold {[g['surface'] for g in gold]} "
                f"tagged {[f'{p.source_id}={p.surface}/{p.kind}' for p in pred]}"
            )
        counts.add(tp, len(pred) - tp, len(gold) - tp, error)


def tagged_count(tags: ParagraphTags, kinds: Sequence[str]) -> int | None:
    numbers = [c.count for c in tags.casualties if c.kind in kinds and c.count is not None]
    return sum(numbers) if numbers else None


def score_part(part: Part, tagger: Tagger | None = None) -> tuple[dict[str, Counts], int]:
    """Counts per kind and the number of sentences, for ``part``."""
    scorer = Scorer(tagger or Tagger.load(LEXICONS), ActorGroups.load())
    return scorer.score(load_sentences(part))


def table(part: str, counts: Mapping[str, Counts], sentences: int) -> str:
    rows = [f"out-of-sample tagging, part {part}: {sentences} sentences", ""]
    rows.append(f"{'kind':<12} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6}")
    for kind, c in counts.items():
        rows.append(
            f"{kind:<12} {c.tp:>5} {c.fp:>5} {c.fn:>5} {c.precision:>6.3f} {c.recall:>6.3f}"
        )
    rows.append("(casualties: R is the share of labelled counts tagged exactly)")
    return "\n".join(rows)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("dev", "test"), required=True)
    parser.add_argument("--errors", choices=KINDS, action="append", default=[])
    args = parser.parse_args(argv)
    if args.errors and args.part == "test":
        print("errors are shown for the dev part only (the test part is never tuned on)")
        return 2
    counts, n = score_part(args.part)
    print(table(args.part, counts, n))
    for kind in args.errors:
        print(f"\n{kind} errors:")
        for line in counts[kind].errors:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

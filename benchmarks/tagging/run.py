"""Tagger throughput: paragraphs per second on one core, against a named baseline.

    python -m benchmarks.tagging.run [--paragraphs 20000] [--articles 2000] [--repeat 3] [--json]

Two corpora, both from the sample bulletins:

- ``seed``: the seed paragraphs of six words or more (141), repeated up to ``--paragraphs``;
- ``generated``: the paragraphs of ``--articles`` articles of the seeded corpus generator
  (``devtools.demo.corpus.generate_articles``: revised counts, swapped villages, moved
  weekdays).

For each, in one process: a warm-up pass, then ``--repeat`` timed passes of ``Tagger.tag``
(each paragraph with a publication date) and of the baseline, ``normalize_arabic`` alone over the
same paragraphs, the first step of every Arabic text path of the project. Reported: the median
pass as paragraphs/s of CPU time (``time.process_time``, the per-core figure, robust to other
load on the machine) and of wall time, and the ratio tagger / baseline. This is a benchmark, not
a test: nothing passes or fails on these numbers.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from devtools.demo.catalog import SEED_IDS, seed_lines
from devtools.demo.corpus import generate_articles
from kernel.datafiles import deploy_dir
from pipeline.tagging import Tagger
from pipeline.text import normalize_arabic

LEXICONS = deploy_dir() / "lexicons"
PUBLISHED = date(2017, 9, 9)
MIN_WORDS = 6
SEED = 20261122


@dataclass(frozen=True, slots=True)
class Rate:
    cpu: float
    wall: float


@dataclass(frozen=True, slots=True)
class Result:
    corpus: str
    paragraphs: int
    mean_chars: float
    tagger: Rate
    baseline: Rate
    ratio_cpu: float


def seed_corpus(size: int) -> list[str]:
    base = [
        line.strip()
        for seed in SEED_IDS
        for line in seed_lines(seed)
        if len(line.split()) >= MIN_WORDS
    ]
    return (base * (size // len(base) + 1))[:size]


def generated_corpus(articles: int) -> list[str]:
    return [p for article in generate_articles(SEED, articles) for p in article.paragraphs]


def measure(work: Callable[[str], object], paragraphs: Sequence[str], repeat: int) -> Rate:
    for text in paragraphs[: min(len(paragraphs), 2000)]:
        work(text)  # warm-up: caches, branch predictors, lazily built tables
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for text in paragraphs:
            work(text)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    n = len(paragraphs)
    return Rate(cpu=n / statistics.median(cpu), wall=n / statistics.median(wall))


def run(corpus: str, paragraphs: list[str], tagger: Tagger, repeat: int) -> Result:
    tagged = measure(lambda text: tagger.tag(text, PUBLISHED), paragraphs, repeat)
    baseline = measure(normalize_arabic, paragraphs, repeat)
    return Result(
        corpus=corpus,
        paragraphs=len(paragraphs),
        mean_chars=round(statistics.fmean(len(p) for p in paragraphs), 1),
        tagger=tagged,
        baseline=baseline,
        ratio_cpu=round(tagged.cpu / baseline.cpu, 3),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tagging.run", description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tagger = Tagger.load(LEXICONS)
    load_s = time.perf_counter() - started
    results = [
        run("seed", seed_corpus(args.paragraphs), tagger, args.repeat),
        run("generated", generated_corpus(args.articles), tagger, args.repeat),
    ]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_s": round(load_s, 2),
        "lexicons": tagger.versions,
        "sizes": tagger.sizes(),
        "results": [asdict(r) for r in results],
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Tagger.load: {load_s:.2f} s ({tagger.sizes()['entity_forms']} name forms)")
    print(
        f"{'corpus':<10} {'paragraphs':>10} {'chars':>6} {'tagger cpu/s':>13} {'wall/s':>9} "
        f"{'baseline cpu/s':>15} {'wall/s':>9} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r.corpus:<10} {r.paragraphs:>10} {r.mean_chars:>6.0f} {r.tagger.cpu:>13,.0f} "
            f"{r.tagger.wall:>9,.0f} {r.baseline.cpu:>15,.0f} {r.baseline.wall:>9,.0f} "
            f"{r.ratio_cpu:>6.3f}"
        )
    print("baseline: normalize_arabic alone over the same paragraphs; ratio = tagger / baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())

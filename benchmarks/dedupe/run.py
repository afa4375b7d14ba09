"""Benchmark of the dedupe stage against datasketch's MinHashLSH, in one run on the same data.

    .venv/bin/python -m benchmarks.dedupe.run --paragraphs 200000

1. Generates the seeded corpus (benchmarks/dedupe/corpus.py) with its known clusters.
2. **Stage**: the whole ``Deduplicator.process`` + ``drain_changes`` per article (words,
   shingles, candidates, exact verification, event check, numeric difference, stories, site
   boilerplate, changelog values), once with the stage's own LSH index and with datasketch's
   MinHashLSH in the same seam, used the fast way its documentation gives (permutations
   generated once, ``update_batch``; benchmarks/dedupe/baseline.py): at thresholds 0.4 and 0.5
   with its default SHA-1 hash, and at 0.5 with MurmurHash3 (``mmh3``) as its hash function
   (128 permutations, datasketch's own band choice; 0.5 is its best recall here, the closest
   to ours). Quality of each against the truth, and the ratio against each.
3. **Index**: the candidate index alone on the same canonical texts (sketch, query, insert per
   distinct text), ours against datasketch, with the candidate recall of each.
4. **Memory**: the state after the stream, measured with tracemalloc in a separate untimed run,
   plus the bytes the native index reports for itself (tracemalloc cannot see Rust's heap), per
   million retained paragraphs; again on
   a stream of unique paragraphs (the worst case), and for the datasketch variant.

Throughput is paragraphs per second of process CPU time (one process, one core) and of wall
time; the stage runs ``--rounds`` times (every index once a round, in turn) and the ratio is
given for each round and as their median. The machine is shared: absolute figures move between
runs, ratios within one run are what count. Not a test: nothing passes or fails here.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import mmh3
import psutil

from benchmarks.dedupe.baseline import DatasketchIndex
from benchmarks.dedupe.corpus import Item, generate
from benchmarks.dedupe.quality import Scores, edit_recall, pair_scores
from pipeline.dedupe import DedupeConfig, Deduplicator, words
from pipeline.dedupe.candidates import CandidateIndex, LshIndex
from pipeline.dedupe.gazetteer import standard_config
from pipeline.dedupe.shingles import joined, text_key
from pipeline.dedupe.state import NO_FOUNDING, Cluster, Version, encode_text
from pipeline.dedupe.verdicts import FirstSeen

IndexFactory = Callable[[DedupeConfig], CandidateIndex]
DATASKETCH_PERM = 128
DATASKETCH_VARIANTS: tuple[tuple[float, str], ...] = ((0.4, "sha1"), (0.5, "sha1"), (0.5, "mmh3"))
"""(threshold, hash function). datasketch's own band choice for these thresholds (32 x 4 and
16 x 8 at 128 permutations): 0.4 was the baseline's first setting; 0.5 gives datasketch its
best recall on this corpus (lower thresholds return more candidates, and the true match falls
out of the newest ``max_verify``). "sha1" is datasketch's default hash function; "mmh3" is
MurmurHash3 (32-bit, unsigned), the fast hash of datasketch's own example."""
HASH_FUNCTIONS = {"sha1": None, "mmh3": mmh3.mmh3_32_uintdigest}


def ours(config: DedupeConfig) -> CandidateIndex:
    return LshIndex(config)


def datasketch(threshold: float, hash_name: str) -> IndexFactory:
    def factory(config: DedupeConfig) -> CandidateIndex:
        return DatasketchIndex(
            config,
            num_perm=DATASKETCH_PERM,
            threshold=threshold,
            hashfunc=HASH_FUNCTIONS[hash_name],
        )

    return factory


@dataclass
class StageRun:
    name: str
    cpu: float = 0.0
    wall: float = 0.0
    rss_delta: int = 0
    paragraphs: int = 0
    roots: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    dropped: int = 0

    @property
    def per_cpu_second(self) -> float:
        return self.paragraphs / self.cpu

    @property
    def per_wall_second(self) -> float:
        return self.paragraphs / self.wall


def run_stage(
    name: str, items: Sequence[Item], config: DedupeConfig, index: IndexFactory
) -> StageRun:
    """The whole stage over the stream, timed; cluster of every paragraph.

    Only ``process`` + ``drain_changes`` are timed, article by article (the clock reads cost
    ~0.1 µs an article); the harness's bookkeeping between them is not. The worker keeps
    nothing of a verdict, and neither does the timed loop in a form the garbage collector
    scans: each paragraph's position and cluster key go into arrays of machine integers
    (holding verdicts, or tuples of their ids, added their collection cost to the timing).
    What the harness holds from earlier runs (and the corpus) is frozen out of the collector's
    scans first, so every run starts alike.
    """
    gc.collect()
    gc.freeze()
    process = psutil.Process()
    rss = process.memory_info().rss
    dedup = Deduplicator(config, index=index)
    result = StageRun(name)
    counts, positions, cluster_keys = array("l"), array("l"), array("Q")
    clock, cpu_clock = time.perf_counter, time.process_time
    for item in items:
        wall, cpu = clock(), cpu_clock()
        verdict = dedup.process(item.article)
        dedup.drain_changes()
        result.cpu += cpu_clock() - cpu
        result.wall += clock() - wall
        counts.append(len(verdict.paragraphs))
        for paragraph in verdict.paragraphs:
            positions.append(paragraph.index)
            cluster_keys.append(int(paragraph.cluster_id[1:], 16))
    result.rss_delta = process.memory_info().rss - rss
    del dedup
    at = 0
    for item, count in zip(items, counts, strict=True):
        by_index = {
            positions[k]: f"c{cluster_keys[k]:016x}" for k in range(at, at + count)
        }  # the cluster ids, as the verdicts gave them
        at += count
        for index_, (truth, text) in enumerate(
            zip(item.truth, item.article.paragraphs, strict=True)
        ):
            result.roots.append(truth.root)
            result.edits.append(truth.edit)
            cluster = by_index.get(index_)
            if cluster is None:
                result.dropped += 1
                cluster = f"dropped-{len(result.clusters)}"
            result.clusters.append(cluster)
            result.keys.append(text_key(joined(words(text))))
    result.paragraphs = len(result.clusters)
    return result


def distinct_scores(run: StageRun) -> Scores:
    """Pair scores over one occurrence per distinct normalized text."""
    seen: set[int] = set()
    roots: list[str] = []
    clusters: list[str] = []
    for key, root, cluster in zip(run.keys, run.roots, run.clusters, strict=True):
        if key not in seen:
            seen.add(key)
            roots.append(root)
            clusters.append(cluster)
    return pair_scores(roots, clusters)


@dataclass
class IndexRun:
    name: str
    cpu: float
    wall: float
    texts: int
    recall: float


def run_index(
    name: str, texts: Sequence[tuple[str, str]], config: DedupeConfig, factory: IndexFactory
) -> IndexRun:
    """The candidate index alone: sketch, candidates, add, for each distinct text in order.

    Candidate recall: of the texts whose root already had an indexed text, the share that got
    one of them among their candidates.
    """
    index = factory(config)
    cluster = Cluster(0, 0, FirstSeen("x", "x", datetime(2024, 1, 1, tzinfo=UTC)), ("x",))
    root_of: dict[int, str] = {}
    seen_roots: set[str] = set()
    hits = expected = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for seq, (root, text) in enumerate(texts, start=1):
        sketch = index.sketch(text, encode_text(text))
        found = index.candidates(sketch)
        if root in seen_roots:
            expected += 1
            hits += any(root_of[v.key] == root for v, _ in found)
        version = Version(
            key=seq, seq=seq, cluster=cluster, source="x", url_id="x", first=cluster.first_time,
            words=0, text=b"", founding=NO_FOUNDING,
        )  # fmt: skip
        index.add(version, sketch)
        root_of[seq] = root
        seen_roots.add(root)
    return IndexRun(
        name, time.process_time() - cpu, time.perf_counter() - wall, len(texts), hits / expected
    )


def distinct_texts(items: Sequence[Item], config: DedupeConfig) -> list[tuple[str, str]]:
    """(root, canonical text) of every distinct text of at least ``min_words`` words, in order."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for item in items:
        for truth, text in zip(item.truth, item.article.paragraphs, strict=True):
            paragraph_words = words(text)
            canonical = joined(paragraph_words)
            if len(paragraph_words) >= config.min_words and canonical not in seen:
                seen.add(canonical)
                found.append((truth.root, canonical))
    return found


def state_memory(
    items: Sequence[Item], config: DedupeConfig, factory: IndexFactory
) -> dict[str, float]:
    """Bytes of state after the stream (tracemalloc, plus the native index's own count)."""
    gc.collect()
    tracemalloc.start()
    dedup = Deduplicator(config, index=factory)
    before = tracemalloc.get_traced_memory()[0]
    for item in items:
        dedup.process(item.article)
        dedup.drain_changes()
    gc.collect()
    stats = dedup.stats()
    used = tracemalloc.get_traced_memory()[0] - before + stats["index_bytes"]
    tracemalloc.stop()
    paragraphs = sum(len(item.article.paragraphs) for item in items)
    return {
        "bytes": used,
        "paragraphs": paragraphs,
        "versions": stats["versions"],
        "per_million_paragraphs_gb": used / paragraphs * 1e6 / 1e9,
        "per_million_versions_gb": used / stats["versions"] * 1e6 / 1e9,
    }


def stage_section(
    items: Sequence[Item],
    config: DedupeConfig,
    engines: Sequence[tuple[str, IndexFactory]],
    rounds_wanted: int,
) -> None:
    """The stage with every index, ``rounds_wanted`` rounds: throughput, quality, ratios."""
    print("\n## Stage: Deduplicator.process + drain_changes, whole stream\n")
    print(
        "| index | paragraphs/s (CPU) | paragraphs/s (wall) | RSS delta | pair precision"
        " | pair recall | distinct-text precision | distinct-text recall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    # Every index once a round, in turn: a slow spell of the shared machine falls on one
    # round, not on one index. Quality is the same every round (the stage is deterministic).
    rounds = [
        [run_stage(name, items, config, factory) for name, factory in engines]
        for _ in range(rounds_wanted)
    ]
    runs = rounds[0]
    for index_, run in enumerate(runs):
        cpu = statistics.median(r[index_].per_cpu_second for r in rounds)
        wall = statistics.median(r[index_].per_wall_second for r in rounds)
        scores, distinct = pair_scores(run.roots, run.clusters), distinct_scores(run)
        print(
            f"| {run.name} | {cpu:,.0f} | {wall:,.0f} |"
            f" {run.rss_delta / 2**20:,.0f} MiB | {scores.precision:.4f} | {scores.recall:.4f} |"
            f" {distinct.precision:.4f} | {distinct.recall:.4f} |"
        )
    print(f"\n(throughput: median of {len(rounds)} rounds; RSS delta of the first)")
    for index_, other in enumerate(runs[1:], start=1):
        ratios = [r[0].per_cpu_second / r[index_].per_cpu_second for r in rounds]
        each = ", ".join(f"{ratio:.2f}x" for ratio in ratios)
        print(
            f"\nstage ratio (CPU) against {other.name}: median {statistics.median(ratios):.2f}x"
            f" (rounds: {each})"
        )
    print(
        "\nrecall by edit (share put in the cluster of the root's first occurrence;"
        " other_place: share wrongly merged, lower is better):"
    )
    for run in runs:
        by_edit = edit_recall(run.roots, run.edits, run.clusters)
        cells = ", ".join(
            f"{e} {share:.4f} ({round(share * n)} of {n})" for e, (share, n) in by_edit.items()
        )
        print(f"- {run.name}: {cells}; dropped as boilerplate: {run.dropped}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedupe.run", description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--no-datasketch", action="store_true", help="only the stage's own index")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="stage runs of every index, in turn (the machine is shared: ratios are given for"
        " each round and their median)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    config = standard_config()

    started = time.perf_counter()
    items = generate(args.seed, args.paragraphs)
    # The corpus is the harness's input, not the stage's state: out of the garbage collector's
    # scans, as a worker's input (a Kafka stream) would be. The stage's own objects are not
    # frozen: their collection cost stays in the timing, for both indexes alike.
    gc.collect()
    gc.freeze()
    roots = {t.root for item in items for t in item.truth}
    print(
        f"corpus: {args.paragraphs} paragraphs, {len(items)} articles, {len(roots)} true clusters"
        f" (seed {args.seed}, generated in {time.perf_counter() - started:.1f} s)"
    )

    engines: list[tuple[str, IndexFactory]] = [("marsad LSH (12 x 1, native)", ours)]
    if not args.no_datasketch:
        engines += [
            (f"datasketch MinHashLSH (t={t}, {DATASKETCH_PERM} perm, {h})", datasketch(t, h))
            for t, h in DATASKETCH_VARIANTS
        ]
    stage_section(items, config, engines, args.rounds)

    print("\n## Index alone: sketch + candidates + insert per distinct text\n")
    texts = distinct_texts(items, config)
    print("| index | texts/s (CPU) | texts/s (wall) | candidate recall |")
    print("|---|---|---|---|")
    index_runs = [run_index(name, texts, config, factory) for name, factory in engines]
    for index_run in index_runs:
        print(
            f"| {index_run.name} | {index_run.texts / index_run.cpu:,.0f}"
            f" | {index_run.texts / index_run.wall:,.0f} | {index_run.recall:.4f} |"
        )
    for other_index in index_runs[1:]:
        ratio = (index_runs[0].texts / index_runs[0].cpu) / (other_index.texts / other_index.cpu)
        print(f"\nindex ratio (CPU) against {other_index.name}: {ratio:.2f}x")

    if not args.no_memory:
        print("\n## State memory (tracemalloc, untimed runs)\n")
        print(
            "| stream | index | paragraphs | versions | state | per 1M paragraphs"
            " | per 1M versions |"
        )
        print("|---|---|---|---|---|---|---|")
        unique = generate(args.seed, args.paragraphs, unique=True)
        for stream_name, stream in (("benchmark corpus", items), ("unique paragraphs", unique)):
            for name, factory in engines[:2]:  # datasketch's memory once (0.4: more candidates)
                if stream is unique and factory is not ours:
                    continue
                memory = state_memory(stream, config, factory)
                print(
                    f"| {stream_name} | {name} | {memory['paragraphs']:,.0f} |"
                    f" {memory['versions']:,.0f} | {memory['bytes'] / 2**20:,.0f} MiB |"
                    f" {memory['per_million_paragraphs_gb']:.2f} GB |"
                    f" {memory['per_million_versions_gb']:.2f} GB |"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

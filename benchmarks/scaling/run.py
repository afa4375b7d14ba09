"""The measured simulation for the capacity plan (issue 17): what the single-partition dedupe
stage, the partitioned stages and one Kafka partition cost on this machine, and what that
means at 5,000,000 articles a day (58/s) and in 300/s bursts.

    .venv/bin/python -m benchmarks.scaling.run [--articles 100000] [--kafka HOST:PORT]

1. **Dedupe stage alone** (the one stage with global state, on ``news.sequenced.v1``'s single
   partition): ``DedupeStage.process_batch`` in batches of 64 serialized extracted articles,
   with a real ``DedupeDecider`` (this deployment's ``enrichment_parts`` config) over a dict
   table, and a forward that makes the ``DedupedArticle`` bytes. The articles are the dedupe
   benchmark's seeded corpus (``benchmarks/dedupe/corpus.py``: stories published by 1-30
   outlets, edited, refetched, re-told). CPU per slice of ``--slice`` articles (does the cost
   grow with the state?), changelog records per article, the table's size, the RSS; then the
   state rebuilt from the table (the worker's restore), and the deduplicator's memory per
   article (tracemalloc on the first ``--memory-articles``, plus the native index's bytes).
2. **Partitioned stages**, the worker's classes with in-memory hops: sequence (validate),
   index (decode ``DedupedArticle``, tag, documents, the bulk body as opensearch-py encodes
   it, the enriched article's bytes), extract (``--extract-pages`` demo pages: trafilatura).
3. **Kafka** (skipped with ``--no-kafka``): one partition of the real broker, produce then
   consume ``--kafka-records`` extracted articles with the worker's producer settings; the
   other hops an article makes (pages, deduped records on 4 partitions, the dedupe table's
   changelog) the same way, for the client and broker CPU per article.
4. A table and the projection (``benchmarks/scaling/projection.py``).

CPU is process CPU time (``time.process_time``); the machine is shared, so wall-clock rates
are printed for information only and nothing passes or fails. The figures are also written
as JSON to ``.marsad/scaling/`` (``--json`` to choose the file).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.scaling import kafka, stages
from benchmarks.scaling.corpus import extracted_records, page_records
from benchmarks.scaling.projection import AVERAGE_RATE, BURST_RATE, PerArticle, Plan, plan
from kernel.settings import Settings
from kernel.topics import DEDUPED, PAGES, SEQUENCED
from pipeline.enrich import enrichment_parts

MIB = 2**20


@dataclass
class Measured:
    run: stages.DedupeRun
    restored: stages.Restore
    memory: stages.StateMemory
    table_memory: int
    """Bytes of the dict holding the table (keys, values, slots) at the end."""
    sequence: stages.Cpu
    index: stages.IndexRun
    index_demo: stages.IndexRun
    extract: stages.ExtractRun
    demo_dedupe: stages.Cpu
    """The dedupe stage on the extracted demo articles, fresh state (longer articles)."""
    hops: dict[str, kafka.Hop] = field(default_factory=dict)


def say(message: str) -> None:
    print(message, flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def bootstrap_of(settings: Settings, given: str | None) -> str:
    if given:
        return given
    if settings.kafka_bootstrap:
        return str(settings.kafka_bootstrap)
    from cli.services import resolve  # noqa: PLC0415 - the local stack, when nothing is set

    try:
        return str(resolve(settings).kafka_bootstrap)
    except Exception:  # noqa: BLE001 - reported by check_reachable with what to do
        return "127.0.0.1:19092"


def words(value: bytes) -> int:
    data = json.loads(value)
    article = data.get("article", data)
    return sum(len(p.split()) for p in article["paragraphs"])


async def kafka_section(
    args: argparse.Namespace,
    settings: Settings,
    *,
    records: Sequence[bytes],
    deduped: Sequence[bytes],
    pages: Sequence[bytes],
    changelog: Sequence[Sequence[kafka.Message]],
) -> dict[str, kafka.Hop]:
    bootstrap = args.kafka
    prefix = f"scalesim-{uuid.uuid4().hex[:8]}."
    pid = kafka.broker_pid(settings.home, bootstrap)
    broker = kafka.Broker(pid)
    say(f"  broker pid: {pid if pid is not None else 'unknown (no broker CPU figures)'}")
    n = min(args.kafka_records, len(records))
    batch = args.batch

    def groups(messages: Sequence[kafka.Message]) -> list[list[kafka.Message]]:
        return [list(messages[i : i + batch]) for i in range(0, len(messages), batch)]

    def cycled(values: Sequence[bytes], count: int) -> list[bytes]:
        return [values[i % len(values)] for i in range(count)]

    def keyed(values: Sequence[bytes]) -> list[kafka.Message]:
        return [(json.loads(v)["url_id"].encode(), v) for v in values]

    sequenced = keyed(records[:n])
    deduped_messages = [
        (json.loads(v)["article"]["url_id"].encode(), v) for v in cycled(deduped, n)
    ]
    page_messages = keyed(cycled(pages, min(n, args.page_records)))
    names = {
        "sequenced": (prefix + SEQUENCED.name, 1, {}),
        "free": (prefix + SEQUENCED.name + ".free", 1, {}),
        "deduped": (prefix + DEDUPED.name, DEDUPED.partitions, {}),
        "pages": (prefix + PAGES.name, PAGES.partitions, {}),
        "changelog": (prefix + "dedupe-state-changelog", 1, {"cleanup.policy": "compact"}),
    }
    hops: dict[str, kafka.Hop] = {}
    with kafka.topics(bootstrap, list(names.values())):
        say(f"  topics {prefix}*; the broker's idle CPU over 5 s...")
        await broker.measure_idle(5.0)
        say(f"  broker idle: {broker.idle_rate * 1000:.1f} ms CPU/s (subtracted below)")
        steps: list[tuple[str, Any]] = [
            (
                "produce sequenced (1 partition)",
                lambda: kafka.produce(
                    bootstrap, names["sequenced"][0], groups(sequenced), broker,
                    name="produce sequenced",
                ),
            ),
            (
                "consume sequenced (1 partition)",
                lambda: kafka.consume(bootstrap, names["sequenced"][0], 1, broker,
                                      name="consume sequenced"),
            ),
            (
                "produce sequenced, acks awaited only at the end",
                lambda: kafka.produce(
                    bootstrap, names["free"][0], groups(sequenced), broker,
                    name="produce sequenced (free)", wait_each=False,
                ),
            ),
            (
                "produce deduped (4 partitions)",
                lambda: kafka.produce(
                    bootstrap, names["deduped"][0], groups(deduped_messages), broker,
                    name="produce deduped",
                ),
            ),
            (
                "consume deduped (4 partitions)",
                lambda: kafka.consume(bootstrap, names["deduped"][0], DEDUPED.partitions,
                                      broker, name="consume deduped"),
            ),
            (
                "produce pages (4 partitions)",
                lambda: kafka.produce(
                    bootstrap, names["pages"][0], groups(page_messages), broker,
                    name="produce pages",
                ),
            ),
            (
                "consume pages (4 partitions)",
                lambda: kafka.consume(bootstrap, names["pages"][0], PAGES.partitions, broker,
                                      name="consume pages"),
            ),
            (
                "produce the dedupe changelog (1 partition, compacted)",
                lambda: kafka.produce(
                    bootstrap, names["changelog"][0], changelog, broker, name="changelog",
                ),
            ),
        ]  # fmt: skip
        for (key, (label, step)) in zip(
            ("produce", "consume", "free", "produce_deduped", "consume_deduped",
             "produce_pages", "consume_pages", "changelog"),
            steps,
            strict=True,
        ):  # fmt: skip
            say(f"  {label}...")
            hop: kafka.Hop = await step()
            hops[key] = hop
            broker_ms = hop.broker_ms_per_record
            say(
                f"    {hop.records:,} records in {hop.wall_s:.1f} s ({hop.records_per_s:,.0f}/s),"
                f" client {hop.client_ms_per_record:.3f} ms CPU/record"
                + (f", broker {broker_ms:.3f} ms/record" if broker_ms is not None else "")
            )
    return hops


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - one run, in order
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scaling.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=100_000, help="dedupe stage stream")
    parser.add_argument("--slice", type=int, default=5_000, help="articles per reported slice")
    parser.add_argument("--batch", type=int, default=64, help="records per stage batch")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--memory-articles", type=int, default=40_000)
    parser.add_argument(
        "--probe-articles",
        type=int,
        default=1_000,
        help="the reference workload run after each slice (a fresh stage on the first N)",
    )
    parser.add_argument("--sequence-articles", type=int, default=20_000)
    parser.add_argument("--index-articles", type=int, default=5_000)
    parser.add_argument("--extract-pages", type=int, default=500)
    parser.add_argument("--kafka", help="bootstrap server (default: settings, or the local stack)")
    parser.add_argument("--kafka-records", type=int, default=20_000)
    parser.add_argument("--page-records", type=int, default=2_000)
    parser.add_argument("--changelog-articles", type=int, default=5_000)
    parser.add_argument("--no-kafka", action="store_true", help="in-process stages only")
    parser.add_argument("--json", type=Path, help="where to write the figures")
    args = parser.parse_args(argv)
    if args.articles < args.slice or args.articles < 2:
        parser.error("--articles must be at least --slice")

    settings = Settings()
    started_at = datetime.now(UTC)
    say(f"scaling simulation, {started_at:%Y-%m-%d %H:%M} UTC, {load()}")
    if not args.no_kafka:
        args.kafka = bootstrap_of(settings, args.kafka)
        try:
            kafka.check_reachable(args.kafka)
        except kafka.KafkaUnreachable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        say(f"Kafka at {args.kafka}: reachable")

    say("\n## Inputs")
    records = extracted_records(args.seed, args.articles, say)
    gc.collect()
    gc.freeze()  # the harness's input, not the stage's state: out of the collector's scans
    say("  loading the tagger and the deduplicator's configuration...")
    tagger, config = enrichment_parts(settings)
    record_words = statistics.mean(words(v) for v in records[:: max(1, len(records) // 2000)])
    record_bytes = statistics.mean(len(v) for v in records)
    say(
        f"  {len(records):,} extracted articles, {record_bytes:,.0f} B each on average,"
        f" {record_words:.0f} words; retention {settings.dedupe_retention_days:g} days"
    )

    say("\n## 1. Dedupe stage alone (one partition)")
    run = asyncio.run(
        stages.dedupe_stage(
            records,
            config,
            batch=args.batch,
            slice_size=args.slice,
            samples=args.index_articles,
            probe=args.probe_articles,
            progress=say,
        )
    )
    table_memory = sys.getsizeof(run.table) + sum(
        sys.getsizeof(k) + sys.getsizeof(v) for k, v in run.table.items()
    )
    say("  restoring the state from the table (the worker's restart path)...")
    restored = stages.restore(run, config, records[0])
    say(
        f"    {restored.records:,} records in {restored.cpu_s:.1f} s CPU;"
        f" same state: {restored.same_state}"
    )
    run.table.clear()
    gc.collect()
    memory_n = min(args.memory_articles, len(records))
    say(f"  the deduplicator's memory over the first {memory_n:,} articles (tracemalloc)...")
    memory = stages.state_memory(records[:memory_n], config, args.slice)

    say("\n## 2. Partitioned stages (in process)")
    sequence_n = min(args.sequence_articles, len(records))
    say(f"  sequence stage on {sequence_n:,} articles...")
    sequence = asyncio.run(stages.sequence_stage(records[:sequence_n], args.batch))
    say(f"  index stage on {len(run.samples):,} deduped articles of the corpus...")
    index = asyncio.run(stages.index_stage(run.samples, tagger, args.batch))
    say(f"  extract stage on {args.extract_pages} demo pages...")
    pages = page_records(args.seed, args.extract_pages)
    extract = asyncio.run(stages.extract_stage(pages, args.batch))
    demo_deduped, demo_dedupe = asyncio.run(
        stages.fresh_dedupe(extract.articles, config, args.batch)
    )
    say(f"  index stage on the {len(demo_deduped)} extracted demo articles...")
    index_demo = asyncio.run(stages.index_stage(demo_deduped, tagger, args.batch))

    measured = Measured(
        run, restored, memory, table_memory, sequence, index, index_demo, extract, demo_dedupe
    )
    if not args.no_kafka:
        say("\n## 3. Kafka")
        changelog_n = min(args.changelog_articles, len(records))
        say(f"  the changelog records of the first {changelog_n:,} articles...")
        per_article = stages.changelog_records(records[:changelog_n], config, run.first_seen)
        # the changes of a batch of articles go out together (the stage writes a batch's
        # state at once); Hop.articles counts groups, so it is set to the articles below
        grouped = [
            [m for changes in per_article[i : i + args.batch] for m in changes]
            for i in range(0, len(per_article), args.batch)
        ]
        measured.hops = asyncio.run(
            kafka_section(
                args, settings, records=records, deduped=run.samples, pages=pages,
                changelog=grouped,
            )
        )  # fmt: skip
        hops = measured.hops
        hop = hops["changelog"]
        hops["changelog"] = kafka.Hop(
            hop.name, hop.records, changelog_n, hop.payload_bytes, hop.wall_s,
            hop.client_cpu_s, hop.broker_cpu_s,
        )  # fmt: skip

    finished_at = datetime.now(UTC)
    figures = per_article_figures(measured)
    plans = [plan(r, figures, settings.dedupe_retention_days) for r in (AVERAGE_RATE, BURST_RATE)]
    say("")
    say(report(measured, figures, plans))
    say(f"\nfinished {finished_at:%Y-%m-%d %H:%M} UTC "
        f"({(finished_at - started_at).total_seconds():.0f} s), {load()}")  # fmt: skip
    out = args.json or settings.home / "scaling" / f"run-{started_at:%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "started": started_at.isoformat(),
                "finished": finished_at.isoformat(),
                "args": {k: str(v) for k, v in vars(args).items()},
                "slices": [
                    {"end": s.end, "cpu_ms": s.cpu.ms(), "steps_ms": {
                        k: 1000 * v / s.cpu.items for k, v in s.cpu.steps.items()},
                     "forward_ms": 1000 * s.forward_s / s.cpu.items,
                     "changes_per_article": s.changes / s.cpu.items,
                     "table_records": s.table_records, "table_bytes": s.table_bytes,
                     "rss": s.rss, "stats": s.stats}
                    for s in run.slices
                ],
                "statuses": dict(run.statuses),
                "restore": asdict(restored),
                "memory": asdict(memory),
                "hops": {k: asdict(h) for k, h in measured.hops.items()},
                "per_article": asdict(figures),
                "plans": [asdict(p) for p in plans],
            },
            indent=1,
        )
        + "\n"
    )  # fmt: skip
    say(f"figures written to {out}")
    return 0


def per_article_figures(m: Measured) -> PerArticle:
    """The projection's inputs: the dedupe stage at its largest state (the last slice), the
    dearer of the two index runs, each hop's client and broker CPU."""
    n, last, hops = m.run.articles, m.run.slices[-1], m.hops

    def client(key: str) -> float:
        return hops[key].client_ms_per_record if key in hops else 0.0

    decision_kafka = client("consume") + client("produce_deduped")
    if "changelog" in hops:
        decision_kafka += hops["changelog"].client_ms_per_article
    # consume page, produce + consume extracted (as sequenced: the same bytes), produce
    # sequenced, consume deduped, produce the enriched article (about an extracted one's size)
    partitioned_kafka = (
        client("consume_pages")
        + client("produce")
        + client("consume")
        + client("produce")
        + client("consume_deduped")
        + client("produce")
    )
    broker: float | None = None
    if hops and all(h.broker_cpu_s is not None for h in hops.values()):

        def b(key: str) -> float:
            return hops[key].broker_ms_per_record or 0.0

        changelog = hops["changelog"].broker_ms_per_article or 0.0
        broker = (
            b("produce_pages") + b("consume_pages")
            + 2 * (b("produce") + b("consume"))  # extracted, sequenced
            + b("produce_deduped") + b("consume_deduped")
            + b("produce")  # news.articles.v1 (its readers, the alert agents, not counted)
            + changelog
        )  # fmt: skip
    index_ms = max(m.index.cpu.ms(), m.index_demo.cpu.ms())
    return PerArticle(
        decision_stage_ms=max(s.cpu.ms() for s in m.run.slices),
        decision_kafka_ms=decision_kafka,
        partitioned_stage_ms=m.extract.cpu.ms() + m.sequence.ms() + index_ms,
        partitioned_kafka_ms=partitioned_kafka,
        broker_ms=broker,
        state_bytes=m.memory.per_article,
        table_bytes=m.table_memory / n,
        changelog_bytes=last.table_bytes / n,
        restore_ms=1000 * m.restored.cpu_s / n,
    )


def report(m: Measured, figures: PerArticle, plans: list[Plan]) -> str:
    run, restored, memory, hops = m.run, m.restored, m.memory, m.hops
    sequence, index, index_demo, extract = m.sequence, m.index, m.index_demo, m.extract
    table_memory = m.table_memory
    n = run.articles
    lines = ["## Dedupe stage alone, per slice (CPU per article)", ""]
    lines.append(
        "| articles | ms CPU | decode | decide | verdict bytes | rest (table writes, loop)"
        " | reference | ms / reference | changelog records | table keys | RSS |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in run.slices:
        k = s.cpu.items
        decode, decide = s.cpu.step_ms("decode"), s.cpu.step_ms("dedupe")
        forward = 1000 * s.forward_s / k
        lines.append(
            f"| {s.end:,} | {s.cpu.ms():.3f} | {decode:.3f} | {decide:.3f} | {forward:.3f}"
            f" | {s.cpu.ms() - decode - decide - forward:.3f} | {s.probe_ms:.3f}"
            f" | {s.cpu.ms() / s.probe_ms:.2f} | {s.changes / k:.1f}"
            f" | {s.table_records:,} | {s.rss / MIB:,.0f} MiB |"
        )
    first, last = run.slices[0], run.slices[-1]
    quarter = max(1, len(run.slices) // 4)
    early = statistics.mean(s.cpu.ms() / s.probe_ms for s in run.slices[:quarter])
    late = statistics.mean(s.cpu.ms() / s.probe_ms for s in run.slices[-quarter:])
    lines += [
        "",
        f"- {n:,} articles in {run.cpu_s:.1f} s CPU: {1000 * run.cpu_s / n:.3f} ms/article,"
        f" {n / run.cpu_s:,.0f} articles per CPU-second; slowest slice"
        f" {max(s.cpu.ms() for s in run.slices):.3f} ms; last slice / first slice"
        f" {last.cpu.ms() / first.cpu.ms():.2f}x; against the reference workload, last quarter"
        f" / first quarter {late / early:.2f}x",
        f"- verdicts: {dict(run.statuses)}; dead letters {run.dead_letters}",
        f"- changelog records: {run.changes / n:.2f} per article written;"
        f" {last.table_records:,} live keys at the end"
        f" ({last.table_records / n:.2f} per article), {last.table_bytes / n:,.0f} B per article"
        f" compacted; the dict holding them {table_memory / n:,.0f} B per article",
        f"- deduped records: {run.deduped_bytes / n:,.0f} B per article",
        f"- state: {last.stats}",
        f"- deduplicator memory (first {memory.articles:,} articles): "
        f"{memory.python_bytes / memory.articles:,.0f} B Python heap +"
        f" {memory.index_bytes / memory.articles:,.0f} B native index ="
        f" {memory.per_article:,.0f} B per article; over its second half"
        f" {memory.marginal_per_article:,.0f} B per article",
        f"- process RSS growth over the run: {(last.rss - run.rss_start) / n:,.0f} B per article"
        f" (deduplicator + table + {run.sample_bytes / MIB:.0f} MiB of kept samples)",
        f"- restore from the table: {restored.records:,} records,"
        f" {restored.cpu_s:.1f} s CPU ({1e6 * restored.cpu_s / restored.records:.1f} µs per"
        f" record, {1000 * restored.cpu_s / n:.2f} ms per article of state), RSS +"
        f"{restored.rss_growth / MIB:,.0f} MiB; the same state as before: {restored.same_state}",
        "",
        "## Partitioned stages (CPU per article, in process)",
        "",
        "| stage | articles | ms CPU | steps |",
        "|---|---|---|---|",
        f"| extract | {extract.cpu.items} | {extract.cpu.ms():.2f} | {steps(extract.cpu)} |",
        f"| sequence | {sequence.items:,} | {sequence.ms():.3f} | {steps(sequence)} |",
        f"| (dedupe, demo articles, fresh state) | {m.demo_dedupe.items} |"
        f" {m.demo_dedupe.ms():.3f} | {steps(m.demo_dedupe)} |",
        f"| index, dedupe corpus | {index.cpu.items:,} | {index.cpu.ms():.2f} | {steps(index.cpu)}"
        f"; {index.documents / index.cpu.items:.1f} documents,"
        f" {index.bulk_bytes / index.cpu.items:,.0f} B bulk body |",
        f"| index, demo articles | {index_demo.cpu.items} | {index_demo.cpu.ms():.2f}"
        f" | {steps(index_demo.cpu)}; {index_demo.documents / index_demo.cpu.items:.1f}"
        f" documents, {index_demo.bulk_bytes / index_demo.cpu.items:,.0f} B bulk body |",
        "",
        f"words per article: corpus {statistics.mean(words(v) for v in run.samples):.0f},"
        f" demo articles {statistics.mean(words(v) for v in extract.articles):.0f}; extract"
        f" dead letters {extract.dead_letters}",
    ]
    if hops:
        lines += ["", "## Kafka (wall rates on a shared machine)", ""]
        lines.append("| hop | records | B/record | records/s | client ms/rec | broker ms/rec |")
        lines.append("|---|---|---|---|---|---|")
        for hop in hops.values():
            broker = hop.broker_ms_per_record
            lines.append(
                f"| {hop.name} | {hop.records:,} | {hop.payload_bytes / hop.records:,.0f}"
                f" | {hop.records_per_s:,.0f} | {hop.client_ms_per_record:.3f}"
                f" | {'-' if broker is None else f'{broker:.3f}'} |"
            )
        cl = hops["changelog"]
        lines.append(
            f"\nchangelog per article: {cl.records / cl.articles:.1f} records, client"
            f" {cl.client_ms_per_article:.3f} ms, broker"
            f" {fmt(cl.broker_ms_per_article)} ms"
        )
    lines += [
        "",
        "## Projection (extrapolated from the figures above)",
        "",
        f"per article: decision core {figures.decision_stage_ms:.3f} ms stage +"
        f" {figures.decision_kafka_ms:.3f} ms Kafka clients; partitioned"
        f" {figures.partitioned_stage_ms:.2f} ms stages + {figures.partitioned_kafka_ms:.3f} ms"
        f" Kafka clients; broker {fmt(figures.broker_ms)} ms (not counted: Faust's own per-event"
        " work, OpenSearch, alerting" + ("" if hops else "; Kafka not measured: --no-kafka") + ")",
        f"ceiling of one decision core: {1000 / figures.decision_ms:,.0f} articles/s"
        f" ({1000 / figures.decision_stage_ms:,.0f}/s for the stage alone; its slowest slice)",
    ]
    if hops:
        produced, consumed = hops["produce"], hops["consume"]
        per_record = (produced.broker_ms_per_record or 0.0) + (consumed.broker_ms_per_record or 0.0)
        lines.append(
            f"one partition: {produced.records_per_s:,.0f} records/s in from one producer"
            f" ({1000 / produced.client_ms_per_record:,.0f}/s at its client CPU),"
            f" {consumed.records_per_s:,.0f}/s out to one consumer; broker"
            f" {fmt(per_record)} ms CPU per record in + out"
            + (f" (~{1000 / per_record:,.0f} records per broker CPU-second)" if per_record else "")
        )
    lines += [
        "",
        "| | 58/s (5M/day) | 300/s (burst) |",
        "|---|---|---|",
        row("decision core utilisation (1 core)", [f"{p.decision_utilisation:.0%}" for p in plans]),
        row("cores, extract + sequence + index", [f"{p.partitioned_cores:.1f}" for p in plans]),
        row("worker processes at <=70% busy", [str(p.partitioned_workers) for p in plans]),
        row("partitions (pages, extracted, deduped)", [str(p.partitions) for p in plans]),
        row("broker cores", [fmt(p.broker_cores, ".1f") for p in plans]),
        row(
            "OpenSearch cores (15.1 ms quoted, not measured)",
            [f"{p.engine_cores:.1f}" for p in plans],
        ),
    ]
    p = plans[0]
    lines += [
        "",
        f"state of the dedupe worker at 5M/day x retention: {p.retained_articles / 1e6:.0f}M"
        f" articles -> deduplicator {p.state_gb:,.0f} GB + table {p.table_gb:,.0f} GB in"
        f" memory; changelog {p.changelog_gb:,.0f} GB compacted; restore"
        f" {p.restore_hours:.1f} h of CPU",
    ]
    return "\n".join(lines)


def row(label: str, cells: Sequence[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def steps(cpu: stages.Cpu) -> str:
    return ", ".join(f"{k} {cpu.step_ms(k):.2f}" for k in sorted(cpu.steps))


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


if __name__ == "__main__":
    raise SystemExit(main())

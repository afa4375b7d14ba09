"""Alert evaluation cost per article with 50 rules over 10,000 live keys, against consuming the
same topic without rules; and the state's memory per key.

    python -m benchmarks.alerts.run [--articles 10000] [--keys 10000] [--days 7] [--json]

Needs the local stack's Kafka (``marsad stack up``). The run writes ``--articles`` generated
enriched articles (3 paragraphs each, tagged with actors and places drawn from ``--keys``
distinct values, event times spread evenly over ``--days``, 60 sources in 20 outlet groups)
to a topic of its own, then reads that topic from the start, as the worker's alert agent would:

- **baseline**: consume and decode each record (:class:`~kernel.records.EnrichedArticle`), no
  rules: what reading ``news.articles.v1`` costs anyway;
- **rules**: the same, plus what :class:`~pipeline.stages.alerts.AlertStage` does per article:
  mentions, the 50 rules of :func:`rules` (every kind: spikes against the previous window and
  seasonal, thresholds, frequencies, new terms, flatlines, keywords, combined keys),
  ``coalesce`` and the state records changed (``take_changes``, serialized).

Figures are CPU seconds of this process (``time.process_time``) per article, and the ratio rules
/ baseline measured in the same run. Memory: the evaluator's state measured with
``tracemalloc`` (the growth while evaluating), divided by the live (rule, key) entries it holds
at the end, and the changelog bytes per entry (the serialized records). A benchmark, not a
test: nothing passes or fails on these numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from cli.services import resolve
from kernel.records import EnrichedArticle, TaggedParagraph
from kernel.settings import Settings
from pipeline.alerts import AlertState, Evaluator, coalesce, parse_rules
from pipeline.stages.alerts import mentions_of

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
SPAN = timedelta(days=7)
GOVERNORATES = (
    "Aleppo", "Idleb", "Hama", "Homs", "Damascus", "Rural Damascus", "Dar'a", "Quneitra",
    "As-Sweida", "Lattakia", "Tartous", "Deir-ez-Zor", "Ar-Raqqa", "Al-Hasakeh",
)  # fmt: skip
EVENT_TYPES = (
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
    "Riots", "Strategic developments",
)  # fmt: skip
WORDS = ("هدنة", "حصار", "قصف", "اشتباكات", "مفاوضات", "نزوح", "كيماوي", "معبر")


def rules() -> dict[str, Any]:
    """Fifty rules, every kind, keyed on every field."""
    out: list[dict[str, Any]] = []
    keys = (["actor"], ["place"], ["governorate"], ["event_type"], ["actor", "governorate"])
    for i in range(10):
        out.append(
            {"id": f"spike-prev-{i}", "kind": "spike", "key": keys[i % 5], "window": "1h",
             "reference": "previous", "p_value": 0.001, "min_count": 3, "min_groups": 2}
        )  # fmt: skip
    for i in range(10):
        out.append(
            {"id": f"spike-season-{i}", "kind": "spike", "key": keys[i % 5], "window": "1h",
             "reference": "seasonal", "seasonal_weeks": 4, "distribution": "negbin",
             "p_value": 0.001, "min_count": 4, "min_groups": 3}
        )  # fmt: skip
    for i in range(10):
        out.append(
            {"id": f"threshold-{i}", "kind": "threshold", "key": keys[i % 5], "window": "1d",
             "count": 5, "min_count": 5, "min_groups": 2}
        )  # fmt: skip
    for i in range(8):
        out.append(
            {"id": f"frequency-{i}", "kind": "frequency", "key": keys[i % 5], "window": "1h",
             "timeframe": "6h", "count": 4, "min_count": 4, "min_groups": 2}
        )  # fmt: skip
    for i in range(6):
        out.append(
            {"id": f"new-{i}", "kind": "new_term", "key": keys[i % 2], "window": "1d",
             "lookback": "14d"}
        )  # fmt: skip
    for i, field in enumerate(("source", "group", "actor")):
        out.append(
            {"id": f"flatline-{i}", "kind": "flatline", "key": [field], "gap_factor": 4,
             "gap_quantile": 0.9, "min_gaps": 10, "min_silence": "6h"}
        )  # fmt: skip
    for i in range(3):
        out.append(
            {"id": f"keyword-{i}", "kind": "spike", "key": ["keyword"], "window": "6h",
             "keywords": list(WORDS[i * 2 : i * 2 + 3]), "reference": "previous",
             "min_count": 3, "min_groups": 2}
        )  # fmt: skip
    return {"version": 1, "allowed_lateness": "2h", "rules": out}


def articles(
    count: int, keys: int, span: timedelta = SPAN, seed: int = 20261207
) -> list[EnrichedArticle]:
    """``count`` articles in event-time order; actors and places drawn from ``keys`` values
    (a heavy-tailed choice: a few keys are in the news often, most rarely)."""
    rng = random.Random(seed)  # noqa: S311 - a benchmark's data, not a secret
    actors = [f"actor-{i:05d}" for i in range(keys * 3 // 10)]
    places = [f"place-{i:05d}" for i in range(keys - len(actors))]
    step = span / count
    out = []
    for n in range(count):
        when = START + n * step
        source = f"src-{rng.randrange(60):02d}"
        paragraphs = []
        for index in range(3):
            actor = actors[min(len(actors) - 1, int(rng.paretovariate(1.1)) - 1)]
            if rng.random() < 0.5:
                actor = rng.choice(actors)
            place = places[min(len(places) - 1, int(rng.paretovariate(1.1)) - 1)]
            if rng.random() < 0.5:
                place = rng.choice(places)
            word = rng.choice(WORDS)
            paragraphs.append(
                TaggedParagraph(
                    index=index,
                    cluster_id=f"c{n:06d}{index}",
                    text=f"نص الخبر عن {word} في المنطقة رقم {n}",
                    actors=(actor,),
                    places=(place,),
                    governorates=(rng.choice(GOVERNORATES),),
                    event_types=(rng.choice(EVENT_TYPES),),
                )
            )
        out.append(
            EnrichedArticle(
                url_id=f"{n:032x}",
                url=f"https://{source}.example/{n}",
                source_id=source,
                outlet=source,
                title="عنوان",
                story_id=f"s{n:06d}",
                published_at=when,
                fetched_at=when,
                paragraphs=tuple(paragraphs),
            )
        )
    return out


async def fill(settings: Settings, topic: str, records: list[EnrichedArticle]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=20)
    await producer.start()
    try:
        for article in records:
            await producer.send(topic, article.to_bytes(), key=article.url_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def consume(settings: Settings, topic: str, each: Any) -> tuple[int, float, float]:
    """Read ``topic`` from the start to its end, calling ``each(value)``;
    (records, CPU seconds, wall seconds)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        consumer.seek(tp, 0)  # explicit: seek_to_beginning after end_offsets fetched nothing
        seen = 0
        cpu, wall = time.process_time(), time.perf_counter()
        while seen < end:
            batch = await consumer.getmany(tp, timeout_ms=1000, max_records=2000)
            for message in batch.get(tp, []):
                each(message.value)
                seen += 1
        return seen, time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await consumer.stop()


def run(count: int, keys: int, span: timedelta = SPAN) -> dict[str, Any]:
    settings = resolve(Settings())
    topic = f"bench-alerts-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    try:
        records = articles(count, keys, span)
        asyncio.run(fill(settings, topic, records))
        ruleset = parse_rules(rules(), "benchmark rules")

        def decode(value: bytes) -> None:
            EnrichedArticle.model_validate_json(value)

        asyncio.run(consume(settings, topic, decode))  # warm-up: connections, page cache
        n, base_cpu, base_wall = asyncio.run(consume(settings, topic, decode))

        state = AlertState()
        evaluator = Evaluator(ruleset, state)
        table: dict[bytes, bytes] = {}
        events = 0

        def evaluate(value: bytes) -> None:
            nonlocal events
            article = EnrichedArticle.model_validate_json(value)
            found = [
                e for m in mentions_of(article, GROUPS) for e in evaluator.process(m, now=None)
            ]
            events += len(coalesce(found))
            for k, v in state.take_changes().items():
                if v is None:
                    table.pop(k, None)
                else:
                    table[k] = v

        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        n2, rules_cpu, rules_wall = asyncio.run(consume(settings, topic, evaluate))
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        # the same pass without tracemalloc's overhead, for the CPU figure
        state = AlertState()
        evaluator = Evaluator(ruleset, state)
        table.clear()
        events = 0
        n2, rules_cpu, rules_wall = asyncio.run(consume(settings, topic, evaluate))
    finally:
        admin.delete_topics([topic])
        admin.close()
    live = sum(len(rs.keys) for rs in state.rules.values())
    distinct = len({key for rs in state.rules.values() for key in rs.keys})
    return {
        "articles": n,
        "days": span / timedelta(days=1),
        "rules": len(ruleset.rules),
        "events": events,
        "live_rule_keys": live,
        "distinct_keys": distinct,
        "baseline_cpu_ms_per_article": 1000 * base_cpu / n,
        "rules_cpu_ms_per_article": 1000 * rules_cpu / n2,
        "ratio_cpu": rules_cpu / base_cpu,
        "baseline_articles_per_s": n / base_wall,
        "rules_articles_per_s": n2 / rules_wall,
        "state_bytes_per_rule_key": grown / max(live, 1),
        "changelog_records": len(table),
        "changelog_bytes_per_record": sum(len(k) + len(v) for k, v in table.items())
        / max(len(table), 1),
    }


GROUPS = {f"src-{i:02d}": f"group-{i % 20:02d}" for i in range(60)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=7.0, help="event-time span of the stream")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.articles, args.keys, timedelta(days=args.days))
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"alerts: {result['articles']} articles over {result['days']:g} days, "
        f"{result['rules']} rules, "
        f"{result['live_rule_keys']} live (rule, key) entries over {result['distinct_keys']} "
        f"distinct keys, {result['events']} alert events"
    )
    print(
        f"  baseline (consume + decode): {result['baseline_cpu_ms_per_article']:.3f} ms CPU/article"
        f" ({result['baseline_articles_per_s']:.0f} articles/s)"
    )
    print(
        f"  with the rules:              {result['rules_cpu_ms_per_article']:.3f} ms CPU/article"
        f" ({result['rules_articles_per_s']:.0f} articles/s); ratio {result['ratio_cpu']:.1f}x"
    )
    print(
        f"  state: {result['state_bytes_per_rule_key']:.0f} B in memory per (rule, key); "
        f"changelog {result['changelog_records']} records, "
        f"{result['changelog_bytes_per_record']:.0f} B each"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

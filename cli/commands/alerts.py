"""``marsad alerts test --replay FILE``: run the alert rules on recorded articles.

How an analyst tunes a rule before deploying it. Articles are the JSON lines ``marsad dedupe``
reads (``source``, ``url``, ``published``, ``title``, ``text``), taken in order; each goes
through the same boilerplate filter, :class:`~pipeline.dedupe.Deduplicator` and
:class:`~pipeline.tagging.Tagger` as the worker, with in-memory state and no Kafka. Every kept
paragraph becomes a mention (its cluster, source, outlet group, actors, places, governorates,
event types; event time = published, else seen), the rules run on them, and one JSON line is
printed per alert event (open, update, resolve; one per alert and article) with its
evidence. ``--until`` lets time pass
after the last article (windows close, silent sources are noticed).

Rules: ``--rules`` or ``alerts.yaml`` of the data files; outlet groups: ``--sources`` or the
deployment's source registry. Exit codes: 0 every line processed; 1 some lines were not
articles (reported on stderr); 2 the rules, sources, lexicons or the file could not be read.

The alerts the worker raised are in the alerts index (one document per change):
``marsad alerts list [--open] [--rule ID] [--query TEXT] [--json]`` shows one line per alert
(its newest change), ``marsad alerts show ID [--json]`` every change with its evidence, and
``marsad alerts mark ID noise|expected`` records an analyst's judgement, which the worker reads
back within a minute: a key marked noise needs a larger rise for a while (docs/alerting.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from cli.articles import DEFAULT_START, ArticleLines
from cli.services import resolve
from connectors.exceptions import SourceConfigError
from connectors.sources import load_sources
from kernel.datafiles import DataFileError, data_file
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.alerting import VERDICTS, alert_events, latest_by_alert, mark_alert
from pipeline.alerts import (
    AlertEvent,
    Evaluator,
    RuleConfigError,
    build_evaluator,
    coalesce,
    load_rules,
)
from pipeline.alerts.mentions import article_mentions
from pipeline.dedupe import Deduplicator
from pipeline.enrich import dedupe_config
from pipeline.sinks.factory import open_sink
from pipeline.tagging import LexiconError, Tagger

PROG = "marsad alerts test"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="alert rules: try them on recorded articles",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="alerts_command", required=True)
    test = actions.add_parser(
        "test",
        help="run the alert rules on JSON-lines articles; one JSON line per alert event",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    test.add_argument("--replay", required=True, metavar="ARTICLES.jsonl", type=Path)
    test.add_argument("--rules", type=Path, help="rules file (default: alerts.yaml of deploy/)")
    test.add_argument("--sources", type=Path, help="source registry, for the outlet groups")
    test.add_argument(
        "--until",
        type=datetime.fromisoformat,
        help="let time pass to this ISO 8601 instant after the last article",
    )
    test.set_defaults(func=run)
    listing = actions.add_parser(
        "list", help="the alerts the worker raised, one line each (newest change), open first"
    )
    listing.add_argument("--open", action="store_true", help="only alerts not resolved")
    listing.add_argument("--rule", help="only this rule's alerts")
    listing.add_argument("--query", help="only alerts matching this text (key, rule, reason)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="every change of one alert, with its evidence")
    show.add_argument("alert_id")
    show.add_argument("--json", action="store_true", help="the events as JSON lines")
    show.set_defaults(func=run_show)
    mark = actions.add_parser(
        "mark", help="mark an alert noise or expected (a noise key needs a larger rise next time)"
    )
    mark.add_argument("alert_id")
    mark.add_argument("verdict", choices=VERDICTS)
    mark.set_defaults(func=run_mark)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        ruleset = load_rules(args.rules or data_file("alerts.yaml", settings.deploy_dir))
        groups = load_sources(args.sources or settings.sources_path()).outlet_groups()
        tagger = Tagger.load(settings.lexicons_path())
        text = args.replay.read_text("utf-8")
    except (RuleConfigError, SourceConfigError, DataFileError, LexiconError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{PROG}: cannot read {args.replay}: {exc}", file=sys.stderr)
        return 2
    dedup = Deduplicator(dedupe_config(tagger))  # the same lexicons, as in the worker
    replay = Replay(dedup, tagger, build_evaluator(ruleset, tagger), groups)
    bad = replay.run(text.splitlines(), sys.stdout, name=str(args.replay))
    if args.until is not None:
        until = args.until if args.until.tzinfo else args.until.replace(tzinfo=DEFAULT_START.tzinfo)
        _write(replay.evaluator.advance(until), sys.stdout)
    return 1 if bad else 0


class Replay:
    """Articles -> dedupe -> tags -> mentions -> alert events, all in memory."""

    def __init__(
        self,
        dedup: Deduplicator,
        tagger: Tagger,
        evaluator: Evaluator,
        groups: Mapping[str, str],
    ) -> None:
        self.dedup = dedup
        self.tagger = tagger
        self.evaluator = evaluator
        self.groups = groups

    def run(self, lines: list[str], out: TextIO, *, name: str = "-") -> int:
        """Process every article line and print the alert events; returns the bad lines."""
        articles = ArticleLines(lines, prog=PROG, name=name)
        for _, article, _ in articles:
            verdict = self.dedup.process(article)
            self.dedup.drain_changes()  # in-memory only: nothing to persist
            published = article.published.date() if article.published else None
            tags = self.tagger.tag_article([p.text for p in verdict.paragraphs], published)
            events = [
                event
                for mention in article_mentions(article, verdict, tags, self.groups)
                for event in self.evaluator.process(mention)
            ]
            _write(coalesce(events), out)  # one event per alert and article
        return articles.bad


def _write(events: list[AlertEvent], out: TextIO) -> None:
    for event in events:
        out.write(json.dumps(event.as_json(), ensure_ascii=False) + "\n")


# -- the alerts the worker raised (the alerts index) -------------------------------------------


def _index_command(name: str, work: Any) -> int:
    try:
        settings = resolve(Settings())
        return int(asyncio.run(work(settings)))
    except MarsadError as exc:
        print(f"marsad alerts {name}: {exc}", file=sys.stderr)
        return 2


def _key_text(key: Mapping[str, Any]) -> str:
    return " × ".join(f"{field}={value}" for field, value in key.items())


def alert_line(alert: Mapping[str, Any]) -> str:
    ev = alert.get("evidence", {})
    state = "resolved" if alert.get("change") == "resolve" else "open"
    flags = [f for f in ("historical",) if alert.get("historical")]
    if alert.get("triage"):
        flags.append(f"marked {alert['triage']}")
    expected = ev.get("expected")
    rng = ev.get("expected_range")
    parts = [
        f"{alert['alert_id']}  {state:<8} {alert.get('rule')}  {_key_text(alert.get('key', {}))}",
        f"   window {alert.get('window_start')} → {alert.get('window_end')}"
        f" · observed {ev.get('observed')}"
        + (f", expected {expected}" if expected is not None else "")
        + (f" (range {rng[0]}–{rng[1]})" if rng else "")
        + (f", p={ev.get('p_value')}" if ev.get("p_value") is not None else "")
        + f" · groups {', '.join(ev.get('groups', [])) or '-'}"
        + f" · {alert.get('events', 1)} change(s)"
        + (f" · {', '.join(flags)}" if flags else ""),
    ]
    return "\n".join(parts)


def run_list(args: argparse.Namespace) -> int:
    async def work(settings: Settings) -> int:
        sink = open_sink(settings)
        try:
            events = await alert_events(sink, query=args.query, rule=args.rule)
        finally:
            await sink.close()
        alerts = latest_by_alert(events)
        if args.open:
            alerts = [a for a in alerts if a.get("change") != "resolve"]
        for alert in alerts[: args.limit]:
            if args.json:
                print(json.dumps(alert, ensure_ascii=False))
            else:
                print(alert_line(alert))
        if not args.json:
            print(f"{min(len(alerts), args.limit)} of {len(alerts)} alert(s)", file=sys.stderr)
        return 0

    return _index_command("list", work)


def run_show(args: argparse.Namespace) -> int:
    async def work(settings: Settings) -> int:
        sink = open_sink(settings)
        try:
            events = await alert_events(sink, alert_id=args.alert_id)
        finally:
            await sink.close()
        if not events:
            print(f"marsad alerts show: no alert {args.alert_id}", file=sys.stderr)
            return 1
        for event in reversed(events):  # oldest first: the alert's story
            if args.json:
                print(json.dumps(event, ensure_ascii=False))
                continue
            ev = event.get("evidence", {})
            print(
                f"{event.get('at')}  {event.get('change'):<7} {event.get('rule')} "
                f"{_key_text(event.get('key', {}))}"
                + ("  (historical)" if event.get("historical") else "")
            )
            print(f"   {ev.get('reason', '')}")
            print(
                f"   observed {ev.get('observed')} · expected {ev.get('expected')}"
                f" · range {ev.get('expected_range')} · p {ev.get('p_value')}"
                f" · groups {', '.join(ev.get('groups', [])) or '-'}"
                f" · first seen {ev.get('first_seen')}"
            )
            for cluster in ev.get("top_clusters", []):
                groups = ", ".join(cluster.get("groups", []))
                print(
                    f"   - {cluster.get('url')} (cluster {cluster.get('cluster_id')}, "
                    f"{cluster.get('sightings')} sighting(s), {groups})"
                )
            if event.get("triage"):
                print(f"   marked {event['triage']} at {event.get('triaged_at')}")
        return 0

    return _index_command("show", work)


def run_mark(args: argparse.Namespace) -> int:
    async def work(settings: Settings) -> int:
        sink = open_sink(settings)
        try:
            marked = await mark_alert(sink, args.alert_id, args.verdict)
        finally:
            await sink.close()
        if not marked:
            print(f"marsad alerts mark: no alert {args.alert_id}", file=sys.stderr)
            return 1
        print(f"marked {args.alert_id} {args.verdict} ({marked} event(s))")
        return 0

    return _index_command("mark", work)

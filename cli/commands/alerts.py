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
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TextIO

from cli.articles import DEFAULT_START, ArticleLines
from connectors.exceptions import SourceConfigError
from connectors.sources import load_sources
from kernel.datafiles import DataFileError, data_file
from kernel.settings import Settings
from pipeline.alerts import AlertEvent, Evaluator, RuleConfigError, coalesce, load_rules
from pipeline.alerts.mentions import article_mentions
from pipeline.dedupe import Deduplicator
from pipeline.dedupe.gazetteer import standard_config
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
    dedup = Deduplicator(standard_config(tagger.gazetteer))  # one gazetteer, as in the worker
    replay = Replay(dedup, tagger, Evaluator(ruleset), groups)
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

"""``marsad dedupe FILE|-``: run articles through the dedupe stage, one verdict per paragraph.

Reads JSON lines, one article each, in order: ``source``, ``url``, ``published`` (ISO 8601 or
null), ``title``, ``text`` (paragraphs separated by newlines or blank lines); optional
``url_id`` (else derived from the URL) and ``seen_at`` (else ``published``, else one second
after the previous article). Each text goes through the extract stage's boilerplate filter and
then through the worker's :class:`~pipeline.dedupe.Deduplicator`, with in-memory state and no
Kafka. Prints one JSON line per paragraph: its verdict (new / duplicate / variant / related,
or dropped with the reason), cluster id, similarity, first sighting, outlet count, numeric
difference and the near-identical paragraphs judged to report another event: how an analyst
checks why two paragraphs were or were not merged.

Exit codes: 0 every line processed; 1 some lines were not articles (reported on stderr, the
rest processed); 2 the file, or the place lexicons (``places.yaml``, ``stopwords.yaml``),
could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from cli.articles import ArticleLines
from cli.inputs import input_name, read_text_argument
from kernel.settings import Settings
from pipeline.dedupe import ArticleVerdict, DedupeConfig, Deduplicator
from pipeline.dedupe.gazetteer import standard_config
from pipeline.tagging import LexiconError
from pipeline.tagging.gazetteer import Gazetteer

PROG = "marsad dedupe"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dedupe",
        help="show the dedupe verdict of every paragraph of JSON-lines articles",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("file", metavar="FILE", help="JSON lines, one article each; '-' = stdin")
    parser.add_argument(
        "--no-gazetteer",
        action="store_true",
        help="default configuration without the GeoNames place names (faster start)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    name = input_name(args.file)
    text = read_text_argument(args.file, PROG)
    if text is None:
        return 2
    try:  # the tagger's gazetteer, from the lexicons `marsad tag` reads
        gazetteer = None if args.no_gazetteer else Gazetteer.load(Settings().lexicons_path())
    except LexiconError as exc:
        print(f"{PROG}: invalid lexicon: {exc}", file=sys.stderr)
        return 2
    config = DedupeConfig() if gazetteer is None else standard_config(gazetteer)
    bad = dry_run(text.splitlines(), Deduplicator(config), sys.stdout, name=name)
    return 1 if bad else 0


def dry_run(lines: list[str], dedup: Deduplicator, out: TextIO, *, name: str = "-") -> int:
    """Process every article line, print the verdicts; returns the number of bad lines."""
    articles = ArticleLines(lines, prog=PROG, name=name)
    for number, article, title_dropped in articles:
        verdict = dedup.process(article)
        dedup.drain_changes()  # in-memory only: nothing to persist
        for record in verdict_lines(number, verdict, title_dropped):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return articles.bad


def verdict_lines(
    line: int, verdict: ArticleVerdict, filtered: list[dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """The JSON objects printed for one article: paragraphs in order, then dropped lines."""
    common = {
        "line": line,
        "url_id": verdict.url_id,
        "story_id": verdict.story_id,
        "status": verdict.status.value,
        "version": verdict.version,
    }
    for paragraph in verdict.paragraphs:
        yield {**common, **paragraph.as_json()}
    for dropped in verdict.dropped:
        yield {**common, "verdict": "dropped", "reason": dropped.reason, "text": dropped.text}
    for dropped_line in filtered:
        yield {**common, "verdict": "dropped", **dropped_line}

"""cli.articles: the JSON-lines reader of ``marsad dedupe`` and ``marsad alerts test``.

The inputs below were found by tests/fuzz/test_fuzz_articles.py (issue 17, point 5). Each line
is not an article and is reported, counted and skipped; each one used to stop the whole read
with an exception (ValueError, RecursionError, UnicodeEncodeError, OverflowError).
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import timedelta

import pytest

from cli.articles import LATEST, ArticleLines, BadLine, parse_article
from cli.commands.dedupe import dry_run
from pipeline.dedupe import DedupeConfig, Deduplicator

TEXT = "قال المرصد إن القصف استهدف أحياء في مدينة حلب صباح اليوم وأوقع عدداً من الضحايا."
GOOD = json.dumps({"source": "s", "url": "https://example.com/2", "text": TEXT})


def read(lines: list[str]) -> tuple[int, int, str]:
    reader = ArticleLines(lines, prog="marsad dedupe", name="in.jsonl")
    with contextlib.redirect_stderr(io.StringIO()) as stderr:
        count = len(list(reader))
    return count, reader.bad, stderr.getvalue()


def test_a_good_line_after_a_bad_one_is_read() -> None:
    assert read(["{not json", GOOD]) == (
        1,
        1,
        "marsad dedupe: in.jsonl:1: not an article: Expecting property name enclosed in double"
        " quotes: line 1 column 2 (char 1)\n",
    )


def test_a_number_too_long_for_int_is_not_an_article() -> None:
    # json.loads raises ValueError (int max str digits), not JSONDecodeError
    assert read(["1" * 5000, GOOD]) == (
        1,
        1,
        "marsad dedupe: in.jsonl:1: not an article: Exceeds the limit (4300 digits) for integer"
        " string conversion: value has 5000 digits\n",
    )


def test_json_nested_too_deep_is_not_an_article() -> None:
    assert read(["[" * 100_000, GOOD]) == (
        1,
        1,
        "marsad dedupe: in.jsonl:1: not an article: JSON nested too deeply\n",
    )


@pytest.mark.parametrize("field", ["source", "url", "title", "text", "url_id"])
def test_a_lone_surrogate_is_not_an_article(field: str) -> None:
    # a JSON "\ud800" escape; parse_article hashed the url for the default url_id and crashed
    article = {"source": "s", "url": "https://example.com/1", "text": TEXT, field: "ab\ud800"}
    assert read([json.dumps(article), GOOD]) == (
        1,
        1,
        f"marsad dedupe: in.jsonl:1: not an article: {field!r} has a lone surrogate at"
        " character 2\n",
    )


def test_a_line_after_the_last_representable_time_is_not_an_article() -> None:
    # the next undated line would be seen one second after the previous one: past datetime.max
    last = {"source": "s", "url": "https://example.com/1", "text": TEXT}
    lines = [json.dumps({**last, "seen_at": "9999-12-31T23:59:59"}), GOOD]
    assert read(lines) == (
        1,
        1,
        "marsad dedupe: in.jsonl:1: not an article: 'seen_at' is outside the years 2 to 9998:"
        " '9999-12-31T23:59:59'\n",
    )


def test_no_time_after_the_latest() -> None:
    with pytest.raises(BadLine, match="no 'seen_at' and no time after"):
        parse_article(json.loads(GOOD), LATEST)
    article, _ = parse_article(json.loads(GOOD), LATEST - timedelta(seconds=1))
    assert article.seen_at == LATEST


@pytest.mark.parametrize(
    "times",
    [
        ["9999-12-31T23:00:00"],  # the dedupe stage's next expiry, an hour later, overflowed
        ["0001-01-02T00:00:00", "0001-01-02T02:00:00"],  # its expiry (14 days back) overflowed
    ],
)
def test_marsad_dedupe_skips_a_time_the_stage_cannot_compute_with(times: list[str]) -> None:
    lines = [
        json.dumps({"source": "s", "url": f"https://example.com/{n}", "text": TEXT, "published": t})
        for n, t in enumerate(times, start=3)
    ]
    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()) as stderr:
        bad = dry_run([*lines, GOOD], Deduplicator(DedupeConfig()), out)
    assert bad == len(times)
    assert stderr.getvalue().count("'published' is outside the years 2 to 9998") == len(times)
    assert {json.loads(line)["line"] for line in out.getvalue().splitlines()} == {len(lines) + 1}


@pytest.mark.parametrize("when", ["0001-01-01T03:00:00+05:00", "9999-12-31T20:00:00-05:00"])
def test_a_time_outside_the_years_in_utc_is_not_an_article(when: str) -> None:
    # within the years in its own offset, not in UTC: marsad alerts test's calendar converts
    # the event time to UTC (pipeline/alerts/calendar.py) and overflowed
    article = {"source": "s", "url": "https://example.com/1", "text": TEXT, "published": when}
    assert read([json.dumps(article), GOOD]) == (
        1,
        1,
        f"marsad dedupe: in.jsonl:1: not an article: 'published' is outside the years 2 to 9998:"
        f" {when!r}\n",
    )

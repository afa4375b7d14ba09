"""Watchlist rules: a saved Arabic query matched against each paragraph at ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kernel.datafiles import deploy_dir
from kernel.text.normalize import tokens
from pipeline.alerts import (
    AlertEvent,
    AlertState,
    Evaluator,
    Mention,
    RuleConfigError,
    build_evaluator,
    parse_rules,
)
from pipeline.alerts.watchlist import CompiledQuery, compile_query, parse_query
from pipeline.tagging import Tagger

AT = datetime(2025, 9, 2, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load(deploy_dir() / "lexicons")


def words_only(query: str) -> CompiledQuery:
    return compile_query(parse_query(query), {})


def matches(query: str | CompiledQuery, text: str, actors: tuple[str, ...] = ()) -> bool:
    compiled = words_only(query) if isinstance(query, str) else query
    return compiled.match(tokens(text), actors) is not None


def test_a_quoted_phrase_matches_its_words_in_order() -> None:
    assert matches('"دير الزور"', "قصف مدفعي على دير الزور اليوم")
    assert matches('"دير الزور"', "قصف على مدينة ديرِ الزّور")  # diacritics
    assert not matches('"دير الزور"', "الزور قرب دير")
    assert not matches("قصف", "القصفية")  # whole words only


def test_terms_side_by_side_must_all_match() -> None:
    assert matches("قصف الرقة", "قصف جوي على الرقة")
    assert not matches("قصف الرقة", "قصف جوي على إدلب")


def test_or_makes_alternatives() -> None:
    query = 'هدنة OR "وقف إطلاق النار" حلب'
    assert matches(query, "إعلان هدنة في حلب")
    assert matches(query, "وقف إطلاق النار في حلب")
    assert not matches(query, "وقف إطلاق النار في حماة")
    assert words_only(query).match(tokens("هدنة ووقف إطلاق النار في حلب"), ()) == (
        "هدنة",
        "وقف إطلاق النار",
        "حلب",
    )


def test_a_leading_minus_excludes() -> None:
    assert matches("حصار -هدنة", "حصار خانق على المدينة")
    assert not matches("حصار -هدنة", "حصار ثم هدنة")
    assert not matches("حصار -هدنة", "رفع الحصار والهدنة")  # a proclitic on the excluded word


def test_proclitics_and_the_article_are_tolerated() -> None:
    for text in ["وبالرقة", "للرقة", "فالرقة", "والرقه", "كالرقة"]:
        assert matches("الرقة", f"غارات {text} اليوم"), text
    assert matches("رقة", "في الرقة")  # the article on a word written without it
    assert matches("إدلب", "قصف بادلب")  # hamza folded, proclitic
    assert matches('"ريف إدلب"', "في وريف ادلب الجنوبي")
    assert not matches("الرقة", "الرقتين")


def test_an_actor_is_matched_by_any_of_its_names(tagger: Tagger) -> None:
    text = "أعلن تنظيم الدولة الإسلامية مسؤوليته عن التفجير"
    actors = tuple(a.id for a in tagger.tag(text).actors)
    assert actors == ("isis",)
    evaluator = build_evaluator(parse_rules(rules("داعش")), tagger)
    mention = Mention(AT, "s1", "g1", "c1", actors=actors, text=text)
    assert evaluator.process(mention)  # داعش names isis: the tagged paragraph matches
    plain = Evaluator(parse_rules(rules("داعش")))  # words only: no actor aliases
    assert plain.process(mention) == []
    excluded = build_evaluator(parse_rules(rules("التفجير -داعش")), tagger)
    assert excluded.process(mention) == []


def rules(query: str, **rule: Any) -> dict[str, Any]:
    return {"version": 1, "rules": [{"id": "watch", "kind": "watchlist", "query": query,
                                     **rule}]}  # fmt: skip


def paragraph(minute: int, text: str, group: str, tagger: Tagger) -> Mention:
    actors = tuple(a.id for a in tagger.tag(text).actors)
    return Mention(AT + timedelta(minutes=minute), f"{group}-site", group, f"c{minute}",
                   url=f"https://{group}/{minute}", actors=actors, text=text)  # fmt: skip


def test_it_fires_like_a_threshold_with_the_matched_terms(tagger: Tagger) -> None:
    ruleset = parse_rules(
        rules('"دير الزور" OR الرقة داعش -تدريبات', count=2, min_groups=2, window="1h")
    )
    evaluator = build_evaluator(ruleset, tagger)
    stream = [
        paragraph(1, "هجوم لتنظيم الدولة في دير الزور", "g1", tagger),
        paragraph(2, "هجوم لداعش في دير الزور", "g1", tagger),  # one group so far
        paragraph(3, "داعش يشن تدريبات في الرقة", "g2", tagger),  # excluded
        paragraph(4, "مقاتلو داعش يهاجمون نقاطا في الرقة", "g2", tagger),
        paragraph(5, "مقتل عنصرين في الرقة", "g3", tagger),  # no actor
    ]
    events: list[AlertEvent] = [e for m in stream for e in evaluator.process(m)]
    assert [(e.change.value, e.evidence.observed) for e in events] == [("open", 3)]
    alert = events[0]
    assert alert.key == {"query": '"دير الزور" OR الرقة داعش -تدريبات'}
    assert alert.evidence.notes["matched"] == sorted(["الرقة", "دير الزور", "داعش"])
    assert alert.evidence.groups == ("g1", "g2")
    state = evaluator.state
    assert AlertState.from_records(state.records().items()) == state


def test_a_watchlist_key_can_split_by_another_field(tagger: Tagger) -> None:
    ruleset = parse_rules(rules("داعش", key=["query", "group"]))
    evaluator = build_evaluator(ruleset, tagger)
    events = [
        e
        for n, g in enumerate(["g1", "g2", "g1"])
        for e in evaluator.process(paragraph(n, "هجوم لداعش", g, tagger))
    ]
    assert sorted(e.key["group"] for e in events if e.change.value == "open") == ["g1", "g2"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"query": "OR داعش"}, "OR needs a term"),
        ({"query": "داعش OR"}, "OR needs a term"),
        ({"query": "-داعش"}, "at least one term"),
        ({"query": 'داعش OR -"دير الزور"'}, "NOT term"),
        ({"query": '"" داعش'}, "has no words"),
        ({"query": ""}, "field query"),
        ({"key": ["actor"]}, "query key"),
        ({"count": 0}, "field count"),
    ],
)
def test_a_broken_watchlist_is_named_with_its_field(change: dict[str, Any], problem: str) -> None:
    rule = {"id": "watch", "kind": "watchlist", "query": "داعش", **change}
    with pytest.raises(RuleConfigError, match=r"rule 'watch'") as caught:
        parse_rules({"version": 1, "rules": [rule]})
    assert problem in str(caught.value)


def test_only_watchlists_have_a_query_key() -> None:
    with pytest.raises(RuleConfigError, match="query key"):
        parse_rules({"version": 1, "rules": [{"id": "t1", "kind": "threshold", "count": 1,
                                              "key": ["query"]}]})  # fmt: skip

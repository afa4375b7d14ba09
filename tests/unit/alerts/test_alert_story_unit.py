"""``unit: story``: a rule counts distinct stories (an article's whole text, whatever the
outlet) instead of paragraph clusters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kernel.datafiles import deploy_dir
from pipeline.alerts import AlertEvent, Evaluator, Mention, RuleConfigError, parse_rules
from pipeline.alerts.mentions import article_mentions
from pipeline.dedupe import ArticleInput, DedupeConfig, Deduplicator
from pipeline.tagging import Tagger

AT = datetime(2025, 9, 2, 10, tzinfo=UTC)


def rules(unit: str) -> dict[str, Any]:
    return {"version": 1, "rules": [{"id": "isis-stories", "kind": "threshold", "unit": unit,
            "key": ["actor"], "count": 3, "min_count": 3, "window": "1h"}]}  # fmt: skip


def mention(minute: int, story: str, cluster: str, group: str) -> Mention:
    return Mention(
        AT + timedelta(minutes=minute),
        f"{group}-outlet",
        group,
        cluster,
        url=f"https://{group}.example/{story}",
        actors=("isis",),
        story_id=story,
    )


def run(unit: str, mentions: list[Mention]) -> list[AlertEvent]:
    evaluator = Evaluator(parse_rules(rules(unit)))
    return [e for m in mentions for e in evaluator.process(m)]


def test_paragraphs_of_one_story_are_one_mention() -> None:
    one_article = [mention(1, "s1", f"c{n}", "g1") for n in range(4)]  # four paragraphs
    by_cluster = run("cluster", one_article)
    assert [e.evidence.observed for e in by_cluster] == [3, 4]  # opened, then grew
    assert run("story", one_article) == []


def test_distinct_stories_count_and_copies_add_groups() -> None:
    stream = [
        mention(1, "s1", "c1", "g1"),
        mention(2, "s1", "c2", "g1"),
        mention(3, "s1", "c1", "g2"),  # the same story, copied by another group
        mention(4, "s2", "c3", "g3"),
        mention(5, "s3", "c4", "g4"),
    ]
    events = run("story", stream)
    assert [e.change.value for e in events] == ["open"]
    evidence = events[0].evidence
    assert evidence.observed == 3
    assert evidence.groups == ("g1", "g2", "g3", "g4")
    top = {c.cluster_id: c for c in evidence.top_clusters}
    assert set(top) == {"s1", "s2", "s3"}
    assert top["s1"].sightings == 2


def test_a_mention_without_a_story_counts_as_its_cluster() -> None:
    assert Mention(AT, "s", "g", "c9").unit("story") == "c9"
    assert Mention(AT, "s", "g", "c9", story_id="s9").unit("story") == "s9"
    assert Mention(AT, "s", "g", "c9", story_id="s9").unit("cluster") == "c9"


def test_the_unit_is_validated() -> None:
    with pytest.raises(RuleConfigError, match=r"rule 'isis-stories': field unit"):
        parse_rules(rules("page"))


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load(deploy_dir() / "lexicons")


def test_article_mentions_carry_the_story(tagger: Tagger) -> None:
    dedup = Deduplicator(DedupeConfig())
    paragraphs = (
        "قال مصدر محلي إن تنظيم داعش شن هجوما على بلدة في ريف دير الزور الشرقي صباح اليوم.",
        "وأضاف المصدر أن مقاتلي تنظيم الدولة انسحبوا بعد ساعات من الاشتباكات مع القوات.",
    )
    found: list[Mention] = []
    for n, source in enumerate(["nabd", "ofoq"]):
        article = ArticleInput(f"u{n}", source, f"https://{source}.example/1", AT, AT, "t",
                               paragraphs)  # fmt: skip
        verdict = dedup.process(article)
        tags = tagger.tag_article([p.text for p in verdict.paragraphs], AT.date())
        found += article_mentions(article, verdict, tags, {})
    assert len(found) == 4
    assert len({m.story_id for m in found}) == 1
    assert found[0].story_id.startswith("s")
    assert len({m.cluster_id for m in found}) == 2
    evaluator = Evaluator(parse_rules(rules("story")))
    for m in found:
        evaluator.process(m)
    (ks,) = evaluator.state.rules["isis-stories"].keys.values()
    (bucket,) = ks.buckets.values()
    assert bucket.count == 1
    assert bucket.groups == {"nabd", "ofoq"}

"""The Deduplicator on the seed bulletins: stories, clusters, verdicts, replays, site lines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.dedupe import (
    DedupeConfig,
    Deduplicator,
    NumericChange,
    Status,
    Verdict,
)
from pipeline.dedupe.exceptions import ConfigError
from pipeline.text import content_fingerprint
from tests.unit.dedupe.support import article, body, seed

EDITION_1 = body("003", 1, 40)
EDITION_2 = body("003", 41, 73)
EDITION_3 = body("003", 74, 110)


def by_text(verdict_paragraphs: object, paragraph_id: str) -> object:
    text = seed(paragraph_id)
    return next(p for p in verdict_paragraphs if p.text == text)  # type: ignore[attr-defined]


def test_first_article_is_original_and_all_new() -> None:
    dedup = Deduplicator()
    verdict = dedup.process(article("e1", EDITION_1))
    assert verdict.status is Status.ORIGINAL
    assert verdict.version == 1
    assert verdict.story_sources == ("maydan",)
    assert {p.verdict for p in verdict.paragraphs} == {Verdict.NEW}
    assert all(p.first_in_cluster and p.outlet_count == 1 for p in verdict.paragraphs)
    assert [p.index for p in verdict.paragraphs] == list(range(len(EDITION_1)))
    assert len({p.cluster_id for p in verdict.paragraphs}) == len(EDITION_1)


def test_the_bulletin_editions_join_their_clusters_with_what_changed() -> None:
    dedup = Deduplicator()
    first = dedup.process(article("e1", EDITION_1))
    second = dedup.process(article("e2", EDITION_2, minutes=390))
    third = dedup.process(article("e3", EDITION_3, minutes=705))
    rockets_1 = by_text(first.paragraphs, "003:11")
    rockets_2 = by_text(second.paragraphs, "003:43")
    rockets_3 = by_text(third.paragraphs, "003:99")
    assert rockets_1.cluster_id == rockets_2.cluster_id == rockets_3.cluster_id
    assert rockets_2.verdict is Verdict.VARIANT
    assert rockets_2.numeric_diff == (NumericChange("صواريخ فيل", "15", "اكثر من 10"),)
    assert rockets_3.numeric_diff == (NumericChange("صواريخ فيل", "اكثر من 10", "اكثر من 5"),)
    assert rockets_3.first_seen.url_id == "e1"
    assert rockets_3.occurrences == 3
    assert rockets_3.outlet_count == 1
    assert not rockets_3.first_in_cluster
    verbatim = by_text(second.paragraphs, "003:56")
    assert verbatim.verdict is Verdict.DUPLICATE
    assert verbatim.similarity == 1.0
    assert verbatim.cluster_id == by_text(first.paragraphs, "003:27").cluster_id


def test_two_outlets_rewording_one_wire_story_are_linked_not_merged() -> None:
    dedup = Deduplicator()
    ofoq = dedup.process(article("w0", body("000", 1, 9), source="ofoq"))
    nabd = dedup.process(article("w4", body("004", 11, 21), source="nabd", minutes=215))
    for theirs, ours in (("000:3", "004:13"), ("000:3", "004:15"), ("000:4", "004:17")):
        original = by_text(ofoq.paragraphs, theirs)
        rewording = by_text(nabd.paragraphs, ours)
        assert rewording.verdict is Verdict.RELATED
        assert rewording.cluster_id != original.cluster_id
        assert original.cluster_id in rewording.related_clusters


def test_same_text_under_another_url_is_one_story_with_both_urls() -> None:
    dedup = Deduplicator()
    paragraphs = body("001", 3, 18)
    first = dedup.process(article("m311", paragraphs, source="mashriq"))
    again = dedup.process(article("o988", paragraphs, source="ofoq", minutes=265))
    assert again.status is Status.SAME_TEXT
    assert again.story_id == first.story_id
    assert again.story_sources == ("mashriq", "ofoq")
    assert again.story_urls == ("https://mashriq.example/m311", "https://ofoq.example/o988")
    assert all(p.verdict is Verdict.DUPLICATE for p in again.paragraphs)
    assert all(p.outlet_count == 2 and p.occurrences == 2 for p in again.paragraphs)
    assert all(p.first_seen.source == "mashriq" for p in again.paragraphs)


def test_the_extract_stages_fingerprint_is_the_story_key() -> None:
    """A fingerprint sent with the article gives the story the stage would compute itself."""
    paragraphs = body("001", 3, 18)
    computed = Deduplicator().process(article("m311", paragraphs))
    given = Deduplicator().process(
        replace(article("m311", paragraphs), content_hash=content_fingerprint(paragraphs))
    )
    assert given.story_id == computed.story_id
    for bad in ("abc", "g" * 64, content_fingerprint(paragraphs) + "0"):
        with pytest.raises(ValueError, match="64 hex digits"):
            replace(article("m311", paragraphs), content_hash=bad)


def test_a_replay_changes_nothing_and_returns_the_same_verdict() -> None:
    dedup = Deduplicator()
    dedup.process(article("e1", EDITION_1))
    second = dedup.process(article("e2", EDITION_2, minutes=390))
    dedup.drain_changes()
    replay = dedup.process(article("e2", EDITION_2, minutes=390))
    assert dedup.drain_changes() == []
    assert replay.status is Status.REFETCH
    assert replay.version == 1
    assert replay.paragraphs == second.paragraphs
    assert replay.story_id == second.story_id


def test_a_refetch_with_changed_text_is_a_new_version_without_double_counts() -> None:
    dedup = Deduplicator()
    first = dedup.process(article("e1", EDITION_1))
    changed = tuple(p.replace("15 صاروخ", "16 صاروخ") for p in EDITION_1)
    refetch = dedup.process(article("e1", changed, minutes=30))
    assert refetch.status is Status.REFETCH
    assert refetch.version == 2
    assert refetch.story_id != first.story_id
    rockets = by_text(first.paragraphs, "003:11")
    revised = next(p for p in refetch.paragraphs if "16 صاروخ" in p.text)
    assert revised.cluster_id == rockets.cluster_id
    assert revised.occurrences == 1  # the same article, not a second one
    assert revised.numeric_diff == (NumericChange("صاروخ فيل", "15", "16"),)
    unchanged = by_text(refetch.paragraphs, "003:14")
    assert unchanged == by_text(first.paragraphs, "003:14")
    again = dedup.process(article("e1", changed, minutes=31))
    assert again.version == 2


def test_a_paragraph_repeated_inside_an_article() -> None:
    dedup = Deduplicator()
    text = seed("003:25")
    verdict = dedup.process(article("x", (text, seed("003:26"), text)))
    first, _, repeat = verdict.paragraphs
    assert first.verdict is Verdict.NEW and first.first_in_cluster
    assert repeat.verdict is Verdict.DUPLICATE and not repeat.first_in_cluster
    assert repeat.cluster_id == first.cluster_id
    assert repeat.occurrences == 1


def test_other_village_is_another_cluster_with_the_reason() -> None:
    dedup = Deduplicator()
    original = dedup.process(article("e1", (seed("003:25"),)))
    other = seed("003:25").replace("سنيسل والمحطة", "تلدو والحولة")
    verdict = dedup.process(article("e9", (other,), minutes=60))
    (paragraph,) = verdict.paragraphs
    assert paragraph.verdict is Verdict.NEW
    assert paragraph.cluster_id != original.paragraphs[0].cluster_id
    (event,) = paragraph.other_events
    assert event.cluster_id == original.paragraphs[0].cluster_id
    assert event.similarity > 0.7
    assert set(event.these) == {"تلدو", "والحوله"}


def test_short_paragraphs_match_exactly_only() -> None:
    dedup = Deduplicator()
    dedup.process(article("a", ("قصف مدفعي على مدينة درعا اليوم",)))
    verdict = dedup.process(article("b", ("قصف مدفعي على مدينة درعا امس",), minutes=1))
    assert verdict.paragraphs[0].verdict is Verdict.NEW
    verdict = dedup.process(article("c", ("قصفٌ مدفعيّ على مدينة درعا اليوم!",), minutes=2))
    assert verdict.paragraphs[0].verdict is Verdict.DUPLICATE


def test_paragraphs_without_words_are_dropped_with_a_reason() -> None:
    verdict = Deduplicator().process(article("a", ("* * *", seed("003:25"))))
    assert [d.reason for d in verdict.dropped] == ["no_words"]
    assert [p.index for p in verdict.paragraphs] == [1]


def test_site_boilerplate_is_learned_per_site_and_counted_by_reason() -> None:
    config = DedupeConfig(boilerplate_min_pages=3)
    dedup = Deduplicator(config)
    appeal = "ادعم الصحافة المستقلة وتابعنا على قناتنا في تلغرام"
    verdicts = [
        dedup.process(article(f"p{n}", (seed(f"003:{n}"), appeal), minutes=n)) for n in (5, 6, 7, 8)
    ]
    assert [len(v.dropped) for v in verdicts] == [0, 0, 1, 1]
    assert verdicts[3].dropped[0].reason == "site_boilerplate"
    # a replay of a counted page does not count again; another site is not affected
    elsewhere = dedup.process(article("q1", (seed("003:10"), appeal), source="ofoq", minutes=9))
    assert not elsewhere.dropped


def test_a_line_other_outlets_carry_is_not_boilerplate() -> None:
    dedup = Deduplicator(DedupeConfig(boilerplate_min_pages=2))
    wire = "أعلنت قوات الأسد السيطرة على قرية جديدة"
    dedup.process(article("o1", (wire,), source="ofoq"))
    for n in range(3):
        verdict = dedup.process(article(f"m{n}", (wire, seed(f"003:{5 + n}")), minutes=n + 1))
        assert not verdict.dropped


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="num_perm"):
        DedupeConfig(bands=10, rows=2, num_perm=12)
    with pytest.raises(ConfigError, match="threshold"):
        DedupeConfig(threshold=0.0)
    with pytest.raises(ConfigError, match="retention"):
        DedupeConfig(retention=DedupeConfig().retention * 0)

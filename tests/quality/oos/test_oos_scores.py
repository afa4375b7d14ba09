"""The out-of-sample quality gate (issue 16): the real tagger on the TEST part of
``sentences.jsonl``, never tuned on (``README.md``: the split rule; ``score.py``: how each kind is
matched). The table is printed on every run.

Issue 16's acceptance floors are asserted where the tagger meets them. Where it does not, the
floor asserted is a regression gate: the value measured when the gate was written, less 0.02.
``docs/tagging.md`` ("Out of sample") says which issue floors are not met.
"""

from __future__ import annotations

import pytest

from pipeline.tagging import Tagger

from .score import (
    LEXICONS,
    ActorGroups,
    Counts,
    fold_en,
    gold_place_key,
    load_sentences,
    main,
    pred_place_keys,
    score_part,
    table,
)

TEST_SENTENCES = 162
ISSUE_FLOORS = {  # kind: (precision, recall); casualties: recall is the share of exact counts
    "actors": (0.92, 0.90),
    "places": (0.90, 0.88),
    "events": (0.85, 0.85),
    "casualties": (None, 0.90),
    "attribution": (None, 0.85),
}
GATES = {  # what is asserted: the issue floor where met, else measured - 0.02 (issue not met)
    "actors": (0.88, 0.82),  # measured 0.908 / 0.844: issue floors not met
    "places": (0.90, 0.79),  # precision 0.963 meets the issue floor; recall 0.812 does not
    "events": (0.67, 0.77),  # measured 0.696 / 0.792: issue floors not met
    "casualties": (None, 0.76),  # measured 0.787: issue floor not met
    "attribution": (None, 0.72),  # measured 0.748: issue floor not met
}


@pytest.fixture(scope="module")
def scores() -> tuple[dict[str, Counts], int]:
    return score_part("test", Tagger.load(LEXICONS))


def test_the_test_part_is_whole() -> None:
    sentences = load_sentences("test")
    assert len(sentences) == TEST_SENTENCES
    assert all(s.record["split"] == "test" for s in sentences)


def test_quality_gates_on_the_test_part(
    scores: tuple[dict[str, Counts], int], capsys: pytest.CaptureFixture[str]
) -> None:
    by_kind, sentences = scores
    report = table("test", by_kind, sentences)
    with capsys.disabled():
        print("\n" + report)
    failed = []
    for kind, (precision, recall) in GATES.items():
        counts = by_kind[kind]
        if precision is not None and counts.precision < precision:
            failed.append(f"{kind}: P {counts.precision:.3f} < {precision}")
        if counts.recall < recall:
            failed.append(f"{kind}: R {counts.recall:.3f} < {recall}")
    assert not failed, "below the gates:\n" + "\n".join(failed) + "\n\n" + report


def test_gates_never_exceed_the_issue_floors() -> None:
    """A gate is the issue's floor or a lower regression gate, never a stricter invention."""
    for kind, (precision, recall) in GATES.items():
        floor_p, floor_r = ISSUE_FLOORS[kind]
        assert recall <= floor_r, kind
        if precision is not None:
            assert floor_p is not None and precision <= floor_p, kind


def test_errors_are_never_shown_for_the_test_part(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--part", "test", "--errors", "actors"]) == 2
    assert "dev part only" in capsys.readouterr().out


def test_actor_groups_join_ids_named_together() -> None:
    groups = ActorGroups({"HTS": ["hts", "nusra"], "FSA": ["opposition"], "Civilians": []})
    assert groups.of_id("nusra") == groups.of_id("hts") == groups.of_name("HTS")
    assert groups.of_name("FSA") == groups.of_id("opposition") != groups.of_id("hts")
    assert groups.of_name("Civilians") == "name:Civilians"  # no tagger id: always a miss
    assert groups.of_id("isis") == "isis"  # an id no label names: always a false positive


def test_place_names_are_compared_in_normalized_forms() -> None:
    assert gold_place_key("ريف حلب") == "حلب"
    assert gold_place_key("الغوطة الشرقية") == "غوطه الشرقيه"
    keys = pred_place_keys("وبالغوطة الشرقية", "الغوطة الشرقية")
    assert "غوطه الشرقيه" in keys
    assert "سويداء" in pred_place_keys("للسويداء", "السويداء")
    assert fold_en("Ma‘arrat an Nu‘mān") == fold_en("Maarrat an-Numan")
    assert fold_en("Al-Tabqa") == fold_en("Tabqa")

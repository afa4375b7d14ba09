"""The tagging quality gate: precision and recall per tag kind on the hand-labelled seed paragraphs.

The labels (``labels.yaml``) were written from reading the bulletins before the tagger existed.
The floors are the acceptance floors of issue 5; the table is printed on every run.
"""

from __future__ import annotations

import pytest

from pipeline.tagging import Tagger

from .evaluate import LEXICONS, Score, load_labels, score, table

MIN_PARAGRAPHS = 80
FLOORS = {  # kind: (precision, recall)
    "actors": (0.92, 0.90),
    "places": (0.90, 0.85),
    "events": (0.85, 0.80),
    "casualties": (0.85, 0.85),  # exact: kind, count and approximation all right
}


@pytest.fixture(scope="module")
def scores() -> tuple[dict[str, Score], int]:
    return score(Tagger.load(LEXICONS))


def test_labelled_set_is_large_enough_and_complete() -> None:
    articles, _ = load_labels()
    paragraphs = [p for _, _, items in articles for p in items]
    assert len(paragraphs) >= MIN_PARAGRAPHS
    for kind in ("events", "actors", "places", "casualties", "attribution"):
        assert sum(sum(p.gold[kind].values()) for p in paragraphs) > 0, kind


def test_quality_floors(
    scores: tuple[dict[str, Score], int], capsys: pytest.CaptureFixture[str]
) -> None:
    by_kind, paragraphs = scores
    report = table(by_kind, paragraphs)
    with capsys.disabled():
        print("\n" + report)
    failed = [
        f"{kind}: P {by_kind[kind].precision:.3f} (floor {p}), R {by_kind[kind].recall:.3f} "
        f"(floor {r})"
        for kind, (p, r) in FLOORS.items()
        if by_kind[kind].precision < p or by_kind[kind].recall < r
    ]
    assert not failed, "below the floors:\n" + "\n".join(failed) + "\n\n" + report
